// Who needs attention first: signals for the counsellor's caseload, computed from a few aggregate
// figures per family. Pure: the server gathers the figures with a handful of queries, this module
// decides. Every signal is a reason to get in touch, never a verdict: low activity is often "can't"
// rather than "won't" (Kinderombudsman), so each one carries a proposal for contact.
import { KRIMP_SITES_REQUIRED, registrationRequirement, type RequirementSite } from "./regions.js";

export const SIGNAL_KINDS = [
  "help_asked", // open "Help me" tasks
  "deadline_48h", // an offered home closes within 48 hours and the family has not answered it
  "barrier_reported", // "I couldn't" in the last 30 days
  "reminders_ignored", // reminders sent in the last 14 days with no answer on their home since
  "no_answer_14d", // homes were offered but no answer at all for 14 days
  "registration_missing", // WoningNet, or fewer than three sites in krimpregio's
  "renewal_due", // a registration must be renewed within 30 days (or is overdue)
  "evaluation_near", // the plan's evaluation is within 14 days (or overdue)
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** How strongly a signal pulls a family up the list. Help and closing deadlines cannot wait. */
export const SIGNAL_WEIGHT: Record<SignalKind, number> = {
  help_asked: 50,
  deadline_48h: 40,
  barrier_reported: 35,
  reminders_ignored: 30,
  no_answer_14d: 30,
  registration_missing: 20,
  renewal_due: 15,
  evaluation_near: 10,
};

/** The kind of contact each signal proposes (shown as a suggestion, the counsellor decides). */
export const SIGNAL_PROPOSAL: Record<SignalKind, string> = {
  help_asked: "answer_help_request",
  deadline_48h: "help_respond_before_deadline",
  barrier_reported: "ask_what_is_needed",
  reminders_ignored: "ask_how_it_goes",
  no_answer_14d: "ask_how_it_goes",
  registration_missing: "register_together",
  renewal_due: "renew_together",
  evaluation_near: "prepare_evaluation_together",
};

export const NO_ANSWER_DAYS = 14;
export const BARRIER_DAYS = 30;
export const REMINDER_DAYS = 14;
export const DEADLINE_HOURS = 48;
export const RENEWAL_DAYS = 30;
export const EVALUATION_DAYS = 14;

const DAY = 86_400_000;

export interface RegistrationFact {
  siteId: string;
  registeredOn: Date;
  renewalDueOn: Date | null;
}

export interface RegistrationStatus {
  woningnet: boolean;
  krimpSites: string[];
  krimpSitesRequired: number;
  met: boolean;
  /** Registrations to renew within RENEWAL_DAYS, or overdue, soonest first. */
  renewals: { siteId: string; renewalDueOn: Date; overdue: boolean }[];
}

/** The shelter's registration rule (domain/regions.ts) plus the renewals coming up. */
export function registrationStatus(registrations: RegistrationFact[], sites: RequirementSite[], now: Date): RegistrationStatus {
  const req = registrationRequirement(registrations, sites);
  const horizon = now.getTime() + RENEWAL_DAYS * DAY;
  const renewals = registrations
    .filter((r): r is RegistrationFact & { renewalDueOn: Date } => r.renewalDueOn !== null && r.renewalDueOn.getTime() <= horizon)
    .map((r) => ({ siteId: r.siteId, renewalDueOn: r.renewalDueOn, overdue: r.renewalDueOn.getTime() < startOfUtcDay(now) }))
    .sort((a, b) => a.renewalDueOn.getTime() - b.renewalDueOn.getTime());
  return { woningnet: req.woningnet, krimpSites: req.krimpSites, krimpSitesRequired: KRIMP_SITES_REQUIRED, met: req.met, renewals };
}

/** What a registration at this site counts as under the rule. */
export function registrationCounts(siteId: string, sites: RequirementSite[]): "woningnet" | "krimp" | "other" {
  const one = registrationRequirement([{ siteId }], sites);
  return one.woningnet ? "woningnet" : one.krimpSites.length > 0 ? "krimp" : "other";
}

/** The aggregate figures the server gathers for one family. */
export interface FamilyFigures {
  id: string;
  displayName: string;
  childCount: number;
  nextEvaluationOn: Date | null;
  /** Last answer of any kind by the family (responded, not for us, couldn't, help). */
  lastAnswerAt: Date | null;
  /** Homes offered in the last NO_ANSWER_DAYS days, and the first of them. */
  offeredRecently: number;
  firstOfferedRecentlyAt: Date | null;
  /** "I couldn't" answers in the last BARRIER_DAYS days, and the latest. */
  barriersRecently: number;
  lastBarrierAt: Date | null;
  /** Reminders sent in the last REMINDER_DAYS days whose home got no answer since. */
  remindersUnanswered: number;
  openHelpTasks: number;
  oldestOpenHelpAt: Date | null;
  /** Offered homes still open, closing within DEADLINE_HOURS, not answered: their closing times. */
  unansweredDeadlines: Date[];
  registrations: RegistrationFact[];
}

export interface Signal {
  kind: SignalKind;
  weight: number;
  proposal: string;
  /** Values for the message: counts, dates as ISO strings, site ids. */
  values: Record<string, string | number>;
  /** The moment that makes this urgent (a deadline, a due date), when there is one. */
  dueAt: string | null;
}

export interface CaseloadRow {
  familyId: string;
  displayName: string;
  childCount: number;
  score: number;
  signals: Signal[];
  lastAnswerAt: string | null;
  nextEvaluationOn: string | null;
  registration: { woningnet: boolean; krimpSites: number; required: number; met: boolean };
}

function signal(kind: SignalKind, values: Signal["values"], dueAt: Date | null = null): Signal {
  return { kind, weight: SIGNAL_WEIGHT[kind], proposal: SIGNAL_PROPOSAL[kind], values, dueAt: dueAt?.toISOString() ?? null };
}

function startOfUtcDay(d: Date): number {
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

const daysBetween = (from: Date, to: Date) => Math.floor((to.getTime() - from.getTime()) / DAY);

/** The signals for one family, strongest first. */
export function familySignals(f: FamilyFigures, sites: RequirementSite[], now: Date): { signals: Signal[]; registration: RegistrationStatus } {
  const out: Signal[] = [];
  if (f.openHelpTasks > 0) {
    out.push(signal("help_asked", { count: f.openHelpTasks, since: f.oldestOpenHelpAt?.toISOString() ?? "" }));
  }
  const deadlines = f.unansweredDeadlines
    .filter((d) => d.getTime() >= now.getTime() && d.getTime() <= now.getTime() + DEADLINE_HOURS * 3_600_000)
    .sort((a, b) => a.getTime() - b.getTime());
  if (deadlines.length > 0) out.push(signal("deadline_48h", { count: deadlines.length, closesAt: deadlines[0]!.toISOString() }, deadlines[0]!));
  if (f.barriersRecently > 0) {
    out.push(signal("barrier_reported", { count: f.barriersRecently, last: f.lastBarrierAt?.toISOString() ?? "" }));
  }
  if (f.remindersUnanswered > 0) out.push(signal("reminders_ignored", { count: f.remindersUnanswered }));
  // Silence only means something when there was something to answer.
  const quietSince = now.getTime() - NO_ANSWER_DAYS * DAY;
  if (f.offeredRecently > 0 && (f.lastAnswerAt === null || f.lastAnswerAt.getTime() < quietSince)) {
    out.push(
      signal("no_answer_14d", {
        offered: f.offeredRecently,
        days: f.lastAnswerAt ? daysBetween(f.lastAnswerAt, now) : -1,
      }),
    );
  }
  const registration = registrationStatus(f.registrations, sites, now);
  if (!registration.met) {
    out.push(
      signal("registration_missing", {
        woningnet: registration.woningnet ? 1 : 0,
        krimpSites: registration.krimpSites.length,
        required: registration.krimpSitesRequired,
      }),
    );
  }
  if (registration.renewals.length > 0) {
    const first = registration.renewals[0]!;
    out.push(signal("renewal_due", { count: registration.renewals.length, siteId: first.siteId, dueOn: isoDate(first.renewalDueOn), overdue: first.overdue ? 1 : 0 }, first.renewalDueOn));
  }
  if (f.nextEvaluationOn && f.nextEvaluationOn.getTime() <= startOfUtcDay(now) + EVALUATION_DAYS * DAY) {
    out.push(
      signal("evaluation_near", { on: isoDate(f.nextEvaluationOn), days: Math.round((f.nextEvaluationOn.getTime() - startOfUtcDay(now)) / DAY) }, f.nextEvaluationOn),
    );
  }
  out.sort((a, b) => b.weight - a.weight);
  return { signals: out, registration };
}

export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * The caseload ordered by who needs attention: the sum of signal weights, then the most urgent
 * date (a closing home before an evaluation next month), then the longest silence, then the name.
 */
export function rankCaseload(families: FamilyFigures[], sites: RequirementSite[], now: Date): CaseloadRow[] {
  const rows = families.map((f) => {
    const { signals, registration } = familySignals(f, sites, now);
    const score = signals.reduce((s, x) => s + x.weight, 0);
    const due = signals.map((s) => (s.dueAt ? Date.parse(s.dueAt) : Infinity)).reduce((a, b) => Math.min(a, b), Infinity);
    const row: CaseloadRow = {
      familyId: f.id,
      displayName: f.displayName,
      childCount: f.childCount,
      score,
      signals,
      lastAnswerAt: f.lastAnswerAt?.toISOString() ?? null,
      nextEvaluationOn: f.nextEvaluationOn ? isoDate(f.nextEvaluationOn) : null,
      registration: { woningnet: registration.woningnet, krimpSites: registration.krimpSites.length, required: registration.krimpSitesRequired, met: registration.met },
    };
    return { row, due, silence: f.lastAnswerAt?.getTime() ?? -Infinity };
  });
  rows.sort(
    (a, b) =>
      b.row.score - a.row.score ||
      a.due - b.due ||
      a.silence - b.silence ||
      a.row.displayName.localeCompare(b.row.displayName, "nl") ||
      a.row.familyId.localeCompare(b.row.familyId),
  );
  return rows.map((r) => r.row);
}
