import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  familySignals,
  rankCaseload,
  registrationCounts,
  registrationStatus,
  SIGNAL_KINDS,
  SIGNAL_PROPOSAL,
  type FamilyFigures,
} from "../../domain/caseload.js";
import type { RequirementSite } from "../../domain/regions.js";

const NOW = new Date("2026-11-20T10:00:00Z");
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const ahead = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000);

const SITES: RequirementSite[] = [
  { id: "woningnet-amsterdam", platform: "dak", host: "amsterdam.mijndak.nl", krimpRegions: [] },
  { id: "thuis-in-limburg", platform: "zig", host: "www.thuisinlimburg.nl", krimpRegions: ["Parkstad Limburg", "Maastricht-Heuvelland"] },
  { id: "zuidwestwonen", platform: "zig", host: "www.zuidwestwonen.nl", krimpRegions: ["Zeeuws-Vlaanderen"] },
  { id: "thuis-in-de-achterhoek", platform: "zig", host: "www.thuisindeachterhoek.nl", krimpRegions: ["Achterhoek"] },
  { id: "woonnet-haaglanden", platform: "zig", host: "www.woonnet-haaglanden.nl", krimpRegions: [] },
];

const reg = (siteId: string, renewalDueOn: Date | null = null) => ({ siteId, registeredOn: new Date("2026-03-02T00:00:00Z"), renewalDueOn });
const FULL_REGISTRATION = [reg("woningnet-amsterdam"), reg("thuis-in-limburg"), reg("zuidwestwonen"), reg("thuis-in-de-achterhoek")];

function family(over: Partial<FamilyFigures> & { id: string }): FamilyFigures {
  return {
    displayName: over.id,
    childCount: 2,
    nextEvaluationOn: null,
    lastAnswerAt: ago(2),
    offeredRecently: 3,
    firstOfferedRecentlyAt: ago(10),
    barriersRecently: 0,
    lastBarrierAt: null,
    remindersUnanswered: 0,
    openHelpTasks: 0,
    oldestOpenHelpAt: null,
    unansweredDeadlines: [],
    registrations: FULL_REGISTRATION,
    ...over,
  };
}

const kinds = (f: FamilyFigures) => familySignals(f, SITES, NOW).signals.map((s) => s.kind);

describe("caseload signals", () => {
  it("gives no signal to a family that answers, is registered and has nothing due", () => {
    expect(kinds(family({ id: "calm" }))).toEqual([]);
  });

  it("signals silence only when homes were offered: 14 days without any answer", () => {
    expect(kinds(family({ id: "a", lastAnswerAt: ago(15) }))).toEqual(["no_answer_14d"]);
    expect(kinds(family({ id: "b", lastAnswerAt: ago(13) }))).toEqual([]);
    expect(kinds(family({ id: "c", lastAnswerAt: ago(40), offeredRecently: 0 }))).toEqual([]);
    const never = familySignals(family({ id: "d", lastAnswerAt: null }), SITES, NOW).signals[0]!;
    expect(never).toMatchObject({ kind: "no_answer_14d", values: { days: -1, offered: 3 } });
    const long = familySignals(family({ id: "e", lastAnswerAt: ago(21) }), SITES, NOW).signals[0]!;
    expect(long.values.days).toBe(21);
  });

  it("signals a deadline only for unanswered homes closing within the next 48 hours", () => {
    expect(kinds(family({ id: "a", unansweredDeadlines: [ahead(47)] }))).toEqual(["deadline_48h"]);
    expect(kinds(family({ id: "b", unansweredDeadlines: [ahead(49)] }))).toEqual([]);
    expect(kinds(family({ id: "c", unansweredDeadlines: [ahead(-1)] }))).toEqual([]);
    const s = familySignals(family({ id: "d", unansweredDeadlines: [ahead(30), ahead(5)] }), SITES, NOW).signals[0]!;
    expect(s.values).toMatchObject({ count: 2, closesAt: ahead(5).toISOString() });
    expect(s.dueAt).toBe(ahead(5).toISOString());
  });

  it("signals barriers, ignored reminders and open help requests", () => {
    expect(kinds(family({ id: "a", barriersRecently: 2, lastBarrierAt: ago(3) }))).toEqual(["barrier_reported"]);
    expect(kinds(family({ id: "b", remindersUnanswered: 3 }))).toEqual(["reminders_ignored"]);
    expect(kinds(family({ id: "c", openHelpTasks: 1, oldestOpenHelpAt: ago(1) }))).toEqual(["help_asked"]);
  });

  it("checks WoningNet plus three krimp sites, and renewals within 30 days", () => {
    expect(kinds(family({ id: "a", registrations: FULL_REGISTRATION.slice(0, 3) }))).toEqual(["registration_missing"]);
    expect(kinds(family({ id: "b", registrations: FULL_REGISTRATION.slice(1) }))).toEqual(["registration_missing"]);
    // A site outside the krimpregio's does not count towards the three.
    expect(kinds(family({ id: "c", registrations: [...FULL_REGISTRATION.slice(0, 3), reg("woonnet-haaglanden")] }))).toEqual(["registration_missing"]);
    const renew = family({ id: "d", registrations: [reg("woningnet-amsterdam", new Date("2026-12-10T00:00:00Z")), ...FULL_REGISTRATION.slice(1)] });
    expect(familySignals(renew, SITES, NOW).signals).toEqual([
      expect.objectContaining({ kind: "renewal_due", values: expect.objectContaining({ siteId: "woningnet-amsterdam", dueOn: "2026-12-10", overdue: 0 }) }),
    ]);
    const overdue = family({ id: "e", registrations: [reg("woningnet-amsterdam", new Date("2026-11-01T00:00:00Z")), ...FULL_REGISTRATION.slice(1)] });
    expect(familySignals(overdue, SITES, NOW).signals[0]!.values.overdue).toBe(1);
    expect(kinds(family({ id: "f", registrations: [reg("woningnet-amsterdam", new Date("2027-01-31T00:00:00Z")), ...FULL_REGISTRATION.slice(1)] }))).toEqual([]);
  });

  it("signals an evaluation within 14 days, or overdue", () => {
    expect(kinds(family({ id: "a", nextEvaluationOn: new Date("2026-12-01T00:00:00Z") }))).toEqual(["evaluation_near"]);
    expect(kinds(family({ id: "b", nextEvaluationOn: new Date("2026-12-10T00:00:00Z") }))).toEqual([]);
    const overdue = familySignals(family({ id: "c", nextEvaluationOn: new Date("2026-11-18T00:00:00Z") }), SITES, NOW).signals[0]!;
    expect(overdue.values.days).toBe(-2);
  });

  it("proposes contact for every kind of signal", () => {
    for (const k of SIGNAL_KINDS) expect(SIGNAL_PROPOSAL[k]).toMatch(/^(answer|help|ask|register|renew|prepare)_/);
  });
});

describe("registration status", () => {
  it("says what each registration counts as", () => {
    expect(registrationCounts("woningnet-amsterdam", SITES)).toBe("woningnet");
    expect(registrationCounts("zuidwestwonen", SITES)).toBe("krimp");
    expect(registrationCounts("woonnet-haaglanden", SITES)).toBe("other");
    expect(registrationCounts("unknown-site", SITES)).toBe("other");
  });
  it("meets the rule with WoningNet and three krimp sites", () => {
    const s = registrationStatus(FULL_REGISTRATION, SITES, NOW);
    expect(s).toMatchObject({ woningnet: true, krimpSitesRequired: 3, met: true, renewals: [] });
    expect(s.krimpSites).toHaveLength(3);
  });
});

describe("caseload order", () => {
  it("puts who needs attention first: help and deadlines before silence, silence before paperwork", () => {
    const rows = rankCaseload(
      [
        family({ id: "calm" }),
        family({ id: "paperwork", registrations: FULL_REGISTRATION.slice(0, 2) }),
        family({ id: "silent", lastAnswerAt: ago(20) }),
        family({ id: "help-and-deadline", openHelpTasks: 1, oldestOpenHelpAt: ago(1), unansweredDeadlines: [ahead(20)] }),
        family({ id: "barrier", barriersRecently: 1, lastBarrierAt: ago(2) }),
        family({ id: "evaluation", nextEvaluationOn: new Date("2026-11-25T00:00:00Z") }),
      ],
      SITES,
      NOW,
    );
    expect(rows.map((r) => r.familyId)).toEqual(["help-and-deadline", "barrier", "silent", "paperwork", "evaluation", "calm"]);
    expect(rows[0]!.score).toBe(90);
    expect(rows.at(-1)!.signals).toEqual([]);
  });

  it("breaks ties by the most urgent date, then by the longest silence", () => {
    const rows = rankCaseload(
      [
        family({ id: "later", unansweredDeadlines: [ahead(40)] }),
        family({ id: "sooner", unansweredDeadlines: [ahead(3)] }),
        family({ id: "quiet-b", lastAnswerAt: ago(16) }),
        family({ id: "quiet-a", lastAnswerAt: ago(30) }),
      ],
      SITES,
      NOW,
    );
    expect(rows.map((r) => r.familyId)).toEqual(["sooner", "later", "quiet-a", "quiet-b"]);
  });

  it("always returns every family once, ordered by score", () => {
    const fig = fc.record({
      id: fc.uuid(),
      lastAnswerDays: fc.option(fc.integer({ min: 0, max: 60 }), { nil: null }),
      offered: fc.integer({ min: 0, max: 5 }),
      barriers: fc.integer({ min: 0, max: 3 }),
      reminders: fc.integer({ min: 0, max: 3 }),
      help: fc.integer({ min: 0, max: 2 }),
      deadlineHours: fc.option(fc.integer({ min: -10, max: 100 }), { nil: null }),
      regs: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(fig, { selector: (f) => f.id, maxLength: 30 }), (figs) => {
        const families = figs.map((f) =>
          family({
            id: f.id,
            lastAnswerAt: f.lastAnswerDays === null ? null : ago(f.lastAnswerDays),
            offeredRecently: f.offered,
            barriersRecently: f.barriers,
            lastBarrierAt: f.barriers ? ago(1) : null,
            remindersUnanswered: f.reminders,
            openHelpTasks: f.help,
            oldestOpenHelpAt: f.help ? ago(1) : null,
            unansweredDeadlines: f.deadlineHours === null ? [] : [ahead(f.deadlineHours)],
            registrations: FULL_REGISTRATION.slice(0, f.regs),
          }),
        );
        const rows = rankCaseload(families, SITES, NOW);
        expect(rows.map((r) => r.familyId).sort()).toEqual(families.map((f) => f.id).sort());
        for (let i = 1; i < rows.length; i++) expect(rows[i - 1]!.score).toBeGreaterThanOrEqual(rows[i]!.score);
        for (const r of rows) expect(r.score).toBe(r.signals.reduce((s, x) => s + x.weight, 0));
      }),
    );
  });
});
