import { describe, expect, it } from "vitest";
import { computeEvaluation, defaultPeriod, evaluationCsvRows, periodBounds, type ActivityRow, type EvaluationInput, type SiteFacts } from "../../domain/evaluation.js";
import { entryHash, GENESIS_HASH } from "../../domain/evidence.js";
import type { RequirementSite } from "../../domain/regions.js";

const FAMILY = "11111111-1111-4111-8111-111111111111";
const L = {
  heerlen: "aaaaaaaa-0000-4000-8000-000000000001",
  terneuzen: "aaaaaaaa-0000-4000-8000-000000000002",
  delft: "aaaaaaaa-0000-4000-8000-000000000003",
  zaandam: "aaaaaaaa-0000-4000-8000-000000000004",
};

const REQUIREMENT_SITES: RequirementSite[] = [
  { id: "woningnet-amsterdam", platform: "dak", host: "amsterdam.mijndak.nl", krimpRegions: [] },
  { id: "thuis-in-limburg", platform: "zig", host: "www.thuisinlimburg.nl", krimpRegions: ["Parkstad Limburg"] },
  { id: "zuidwestwonen", platform: "zig", host: "www.zuidwestwonen.nl", krimpRegions: ["Zeeuws-Vlaanderen"] },
  { id: "thuis-in-de-achterhoek", platform: "zig", host: "www.thuisindeachterhoek.nl", krimpRegions: ["Achterhoek"] },
  { id: "woonnet-haaglanden", platform: "zig", host: "www.woonnet-haaglanden.nl", krimpRegions: [] },
];
const site = (id: string, name: string, regions: string[], over: Partial<SiteFacts> = {}): SiteFacts => ({
  id,
  name,
  regions,
  maxOpenResponses: null,
  responseLimitNote: null,
  missedViewingPenalty: null,
  otherPenalty: null,
  ...over,
});
const SITES: SiteFacts[] = [
  site("woningnet-amsterdam", "WoningNet Stadsregio Amsterdam", ["Stadsregio Amsterdam"], { responseLimitNote: "at least 4 responses a month earn a search point" }),
  site("thuis-in-limburg", "Thuis in Limburg", ["Limburg"], { missedViewingPenalty: "block up to 3 months" }),
  site("zuidwestwonen", "Zuidwestwonen", ["Zeeland"]),
  site("thuis-in-de-achterhoek", "Thuis in de Achterhoek", ["Achterhoek"]),
  site("woonnet-haaglanden", "Woonnet Haaglanden", ["Haaglanden"], { maxOpenResponses: 2, responseLimitNote: "at most 2 active responses" }),
];
const REGIONS = [
  { name: "Parkstad Limburg", kind: "krimp", municipalities: ["Heerlen", "Kerkrade"] },
  { name: "Zeeuws-Vlaanderen", kind: "krimp", municipalities: ["Hulst", "Sluis", "Terneuzen"] },
];

type Draft = { type: string; at: string; matchId?: string | null; payload?: Record<string, unknown>; actor?: string };

function chain(drafts: Draft[]): ActivityRow[] {
  let prev = GENESIS_HASH;
  return drafts.map((d, i) => {
    const e = { familyId: FAMILY, seq: i + 1, type: d.type, actor: d.actor ?? (d.type === "offered" ? "system" : "family"), occurredAt: new Date(d.at), matchId: d.matchId ?? null, payload: d.payload ?? {} };
    const hash = entryHash(prev, e);
    const row = { ...e, prevHash: prev, hash };
    prev = hash;
    return row;
  });
}

const offer = (m: string, at: string, site: string, listingId: string): Draft => ({ type: "offered", at, matchId: m, payload: { site, listingId, address: "Straat 1", town: "X" } });
const respond = (m: string, at: string, site: string): Draft => ({ type: "responded", at, matchId: m, payload: { site } });

function input(drafts: Draft[], over: Partial<EvaluationInput> = {}): EvaluationInput {
  return {
    period: { from: "2026-09-01", to: "2026-11-15" },
    family: { displayName: "A.", adults: 1, childBirthYears: [2017, 2022] },
    activities: chain(drafts),
    registrations: [
      { siteId: "woningnet-amsterdam", registeredOn: new Date("2025-03-02T00:00:00Z"), renewalDueOn: new Date("2027-03-02T00:00:00Z") },
      { siteId: "thuis-in-limburg", registeredOn: new Date("2026-09-04T00:00:00Z"), renewalDueOn: null },
      { siteId: "zuidwestwonen", registeredOn: new Date("2026-09-04T00:00:00Z"), renewalDueOn: null },
      { siteId: "thuis-in-de-achterhoek", registeredOn: new Date("2026-10-12T00:00:00Z"), renewalDueOn: null },
      // After the period: not part of this report.
      { siteId: "woonnet-haaglanden", registeredOn: new Date("2026-11-20T00:00:00Z"), renewalDueOn: null },
    ],
    sites: SITES,
    requirementSites: REQUIREMENT_SITES,
    regions: REGIONS,
    listings: [
      { id: L.heerlen, siteId: "thuis-in-limburg", municipality: "Heerlen", city: "Heerlen" },
      { id: L.terneuzen, siteId: "zuidwestwonen", municipality: "Terneuzen", city: "Terneuzen" },
      { id: L.delft, siteId: "woonnet-haaglanden", municipality: "Delft", city: "Delft" },
      { id: L.zaandam, siteId: "woningnet-amsterdam", municipality: "Zaanstad", city: "Zaandam" },
    ],
    reminders: [],
    tasks: [],
    siteFailures: [],
    ...over,
  };
}

describe("plan period", () => {
  it("covers Amsterdam calendar days, both ends included", () => {
    const { start, end } = periodBounds({ from: "2026-09-01", to: "2026-11-30" });
    expect(start.toISOString()).toBe("2026-08-31T22:00:00.000Z");
    expect(end.toISOString()).toBe("2026-11-30T23:00:00.000Z");
    expect(() => periodBounds({ from: "2026-10-01", to: "2026-09-01" })).toThrow(RangeError);
  });
  it("defaults to the last three months up to today", () => {
    expect(defaultPeriod(new Date("2026-11-27T10:00:00Z"))).toEqual({ from: "2026-08-28", to: "2026-11-27" });
    expect(defaultPeriod(new Date("2026-05-31T10:00:00Z"))).toEqual({ from: "2026-03-01", to: "2026-05-31" });
  });
});

describe("evaluation report", () => {
  const drafts: Draft[] = [
    // Before the period: in the chain, not in the figures.
    offer("m0", "2026-08-20T10:00:00Z", "woningnet-amsterdam", L.zaandam),
    respond("m0", "2026-08-21T10:00:00Z", "woningnet-amsterdam"),
    // September: 4 WoningNet responses (the first just after midnight Amsterdam on 1 September).
    ...[1, 2, 3, 4].flatMap((i) => [
      offer(`w${i}`, `2026-08-31T22:${10 + i}:00Z`, "woningnet-amsterdam", L.zaandam),
      respond(`w${i}`, `2026-08-31T22:${30 + i}:00Z`, "woningnet-amsterdam"),
    ]),
    // October: 3 WoningNet responses and one at Thuis in Limburg (4 in all, but the line is not met).
    ...[5, 6, 7].flatMap((i) => [offer(`w${i}`, `2026-10-0${i}T08:00:00Z`, "woningnet-amsterdam", L.zaandam), respond(`w${i}`, `2026-10-0${i}T09:00:00Z`, "woningnet-amsterdam")]),
    offer("h1", "2026-10-10T08:00:00Z", "thuis-in-limburg", L.heerlen),
    respond("h1", "2026-10-10T18:00:00Z", "thuis-in-limburg"),
    // Not suitable, with the reason in a following entry; and without any reason.
    offer("t1", "2026-10-11T08:00:00Z", "zuidwestwonen", L.terneuzen),
    { type: "not_for_us", at: "2026-10-11T09:00:00Z", matchId: "t1", payload: { site: "zuidwestwonen" } },
    { type: "answer_reason", at: "2026-10-11T09:00:05Z", matchId: "t1", payload: { reason: "too_small" } },
    offer("t2", "2026-10-12T08:00:00Z", "zuidwestwonen", L.terneuzen),
    { type: "not_for_us", at: "2026-10-12T09:00:00Z", matchId: "t2", payload: { site: "zuidwestwonen" } },
    // Couldn't: the site was down (confirmed by a failed scrape nearby), a sick child, and one reason in the answer.
    offer("d1", "2026-10-13T08:00:00Z", "woonnet-haaglanden", L.delft),
    { type: "couldnt", at: "2026-10-13T10:00:00Z", matchId: "d1", payload: { site: "woonnet-haaglanden", reason: "site_broken" } },
    offer("d2", "2026-10-14T08:00:00Z", "woonnet-haaglanden", L.delft),
    { type: "couldnt", at: "2026-10-14T10:00:00Z", matchId: "d2", payload: { site: "woonnet-haaglanden" } },
    { type: "answer_reason", at: "2026-10-14T10:00:03Z", matchId: "d2", payload: { reason: "child_ill" } },
    { type: "counsellor_note", at: "2026-10-15T10:00:00Z", actor: "staff:x", payload: { text: "Gebeld" } },
    // Unanswered offers.
    offer("u1", "2026-11-02T08:00:00Z", "thuis-in-limburg", L.heerlen),
    offer("u2", "2026-11-03T08:00:00Z", "woonnet-haaglanden", L.delft),
    { type: "help", at: "2026-11-04T08:00:00Z", matchId: "u2", payload: {} },
    // After the period.
    offer("late", "2026-11-20T08:00:00Z", "thuis-in-limburg", L.heerlen),
  ];
  const report = computeEvaluation(
    input(drafts, {
      reminders: [
        { matchId: "w5", kind: "deadline", status: "sent", sentAt: new Date("2026-10-05T08:30:00Z") },
        { matchId: "u1", kind: "deadline", status: "sent", sentAt: new Date("2026-11-03T08:00:00Z") },
        { matchId: null, kind: "search_points", status: "sent", sentAt: new Date("2026-10-25T08:00:00Z") },
        { matchId: "u2", kind: "deadline", status: "cancelled", sentAt: null },
        { matchId: "m0", kind: "deadline", status: "sent", sentAt: new Date("2026-08-20T12:00:00Z") },
      ],
      tasks: [
        { kind: "help", status: "done", createdAt: new Date("2026-11-04T08:00:00Z"), doneAt: new Date("2026-11-06T08:00:00Z") },
        { kind: "help", status: "open", createdAt: new Date("2026-11-10T08:00:00Z"), doneAt: null },
      ],
      siteFailures: [
        { siteId: "woonnet-haaglanden", at: new Date("2026-10-13T07:00:00Z") },
        { siteId: "woonnet-haaglanden", at: new Date("2026-10-20T07:00:00Z") },
      ],
    }),
  );

  it("lists the registrations held in the period and checks the shelter's rule", () => {
    expect(report.registrations.items.map((r) => [r.siteName, r.registeredOn, r.counts])).toEqual([
      ["WoningNet Stadsregio Amsterdam", "2025-03-02", "woningnet"],
      ["Thuis in Limburg", "2026-09-04", "krimp"],
      ["Zuidwestwonen", "2026-09-04", "krimp"],
      ["Thuis in de Achterhoek", "2026-10-12", "krimp"],
    ]);
    expect(report.registrations).toMatchObject({ woningnet: true, krimpSites: 3, required: 3, met: true });
  });

  it("counts homes offered in the period per site and per region", () => {
    expect(report.offered.total).toBe(14);
    expect(Object.fromEntries(report.offered.perSite.map((s) => [s.label, s.count]))).toEqual({
      "WoningNet Stadsregio Amsterdam": 7,
      "Thuis in Limburg": 2,
      Zuidwestwonen: 2,
      "Woonnet Haaglanden": 3,
    });
    expect(report.offered.perRegion.map((r) => [r.label, r.kind, r.count])).toEqual([
      ["Stadsregio Amsterdam", "housing_region", 7],
      ["Haaglanden", "housing_region", 3],
      ["Parkstad Limburg", "krimp", 2],
      ["Zeeuws-Vlaanderen", "krimp", 2],
    ]);
    expect(report.offered.unanswered).toBe(1);
  });

  it("counts responses per Amsterdam month against WoningNet's line of four", () => {
    expect(report.responses.total).toBe(8);
    expect(report.responses.perMonth).toEqual([
      { month: "2026-09", partial: false, responded: 4, woningnet: 4, lineMet: true },
      { month: "2026-10", partial: false, responded: 4, woningnet: 3, lineMet: false },
      { month: "2026-11", partial: true, responded: 0, woningnet: 0, lineMet: false },
    ]);
    expect(report.responses).toMatchObject({ monthsMet: 1, fullMonths: 2, line: 4 });
  });

  it("keeps 'not suitable' apart from 'couldn't', with their reasons", () => {
    expect(report.notSuitable).toEqual({
      total: 2,
      reasons: [
        { key: "no_reason_given", label: "no_reason_given", count: 1 },
        { key: "too_small", label: "too_small", count: 1 },
      ],
    });
    expect(report.couldnt.total).toBe(2);
    expect(report.couldnt.reasons).toEqual([
      { key: "child_ill", label: "child_ill", count: 1, confirmedBySiteHealth: 0 },
      { key: "site_broken", label: "site_broken", count: 1, confirmedBySiteHealth: 1 },
    ]);
  });

  it("names the portals' own limits and penalties for the family's sites", () => {
    // Sites without known rules (Zuidwestwonen, Thuis in de Achterhoek here) add nothing.
    expect(report.portalLimits).toEqual([
      { siteId: "thuis-in-limburg", siteName: "Thuis in Limburg", offersInPeriod: 2, rule: "missed_viewing", value: null, text: "block up to 3 months" },
      { siteId: "woningnet-amsterdam", siteName: "WoningNet Stadsregio Amsterdam", offersInPeriod: 7, rule: "response_note", value: null, text: "at least 4 responses a month earn a search point" },
      { siteId: "woonnet-haaglanden", siteName: "Woonnet Haaglanden", offersInPeriod: 3, rule: "max_open_responses", value: 2, text: "at most 2 active responses" },
    ]);
  });

  it("counts reminders sent in the period, those followed by a response, and help requests", () => {
    expect(report.reminders).toMatchObject({ sent: 3, followedByResponse: 1 });
    expect(report.help).toEqual({ asked: 2, answered: 1, open: 1, medianDaysToAnswer: 2 });
    expect(report.counsellorNotes).toBe(1);
  });

  it("describes the children by age at the end of the period", () => {
    expect(report.family.children).toEqual([
      { birthYear: 2017, age: 9 },
      { birthYear: 2022, age: 4 },
    ]);
  });

  it("verifies the evidence chain, and names the first broken entry when it was changed", () => {
    expect(report.evidence).toEqual({ entries: drafts.length, inPeriod: drafts.length - 3, firstBrokenEntry: null, verified: true });
    const tampered = input(drafts);
    tampered.activities[5] = { ...tampered.activities[5]!, type: "not_for_us" };
    expect(computeEvaluation(tampered).evidence).toMatchObject({ verified: false, firstBrokenEntry: 6 });
  });

  it("is the same for the same rows", () => {
    expect(computeEvaluation(input(drafts))).toEqual(computeEvaluation(input(drafts)));
  });

  it("exports CSV rows with the child's interests, and never a spreadsheet formula", () => {
    const rows = evaluationCsvRows(report, { version: 2, createdAt: "2026-11-16T09:00:00.000Z", createdBy: "Sanne" }, {
      situation: "=HYPERLINK(\"x\")",
      childrenHeard: true,
      childrenView: "Ze wil bij haar vriendinnen blijven.",
      weighing: "School gaat voor.",
      explanation: "Samen met de mentor.",
    });
    expect(rows[0]).toEqual(["section", "item", "value", "detail"]);
    expect(rows).toContainEqual(["report", "period_from", "2026-09-01", ""]);
    expect(rows).toContainEqual(["responses_per_month", "2026-10", "4", "woningnet 3; line 4 not met"]);
    expect(rows).toContainEqual(["child_interests", "situation", "'=HYPERLINK(\"x\")", ""]);
    expect(rows).toContainEqual(["evidence", "verified", "true", ""]);
  });
});
