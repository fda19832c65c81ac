// The three-monthly evaluation report, computed from rows (evidence log, registrations,
// reminders, tasks, listings, the site catalogue). Pure: the same rows always give the same
// report, so a saved report can be checked against the log it came from.
// What it shows follows the plan's evaluation (care organisation + GGD) and the Kinderombudsman's
// "Het beste besluit voor het kind": activity is shown next to its barriers and the portals' own
// limits, "couldn't" apart from "not suitable", and the children's interests are part of the report.
import { DateTime } from "luxon";
import { firstBrokenEntry, type ChainEntry } from "./evidence.js";
import { normalizePlace } from "./matching.js";
import { registrationCounts, registrationStatus } from "./caseload.js";
import { type RequirementSite } from "./regions.js";
import { AMSTERDAM } from "./time.js";

/** WoningNet Stadsregio Amsterdam: a search point for every month with at least 4 responses. */
export const WONINGNET_MONTHLY_LINE = 4;
/** Answer types a family gives (one tap or with their counsellor). */
export const ANSWER_TYPES = ["responded", "not_for_us", "couldnt", "help", "help_requested"] as const;
const HELP_TYPES = new Set(["help", "help_requested"]);
/** Tasks that came from a family's "Help me". */
export const isHelpTask = (kind: string) => kind.startsWith("help");
const UNKNOWN_REASON = "no_reason_given";

export interface Period {
  /** Amsterdam calendar dates, both inclusive. */
  from: string;
  to: string;
}

export interface ActivityRow extends ChainEntry {
  prevHash: string;
  hash: string;
}

export interface SiteFacts {
  id: string;
  name: string;
  regions: string[];
  /** Portal rules from the site catalogue, as published; null when unknown. */
  maxOpenResponses: number | null;
  responseLimitNote: string | null;
  missedViewingPenalty: string | null;
  otherPenalty: string | null;
}

export interface EvaluationInput {
  period: Period;
  family: { displayName: string; adults: number; childBirthYears: number[] };
  /** The family's whole evidence log in seq order (the chain is verified from the start). */
  activities: ActivityRow[];
  registrations: { siteId: string; registeredOn: Date; renewalDueOn: Date | null }[];
  sites: SiteFacts[];
  /** The catalogue as the registration rule sees it (WoningNet, krimp regions served). */
  requirementSites: RequirementSite[];
  /** Krimp and anticipeer regions, to place offered homes; other homes count under the site's region. */
  regions: { name: string; kind: string; municipalities: string[] }[];
  /** Listings referred to by "offered" entries in the period. */
  listings: { id: string; siteId: string; municipality: string | null; city: string }[];
  reminders: { matchId: string | null; kind: string; status: string; sentAt: Date | null }[];
  tasks: { kind: string; status: string; createdAt: Date; doneAt: Date | null }[];
  /** Failed scrape runs per site in the period: confirms "the site was down" barriers. */
  siteFailures: { siteId: string; at: Date }[];
}

export interface Count {
  key: string;
  label: string;
  count: number;
}

export interface EvaluationReport {
  schema: 1;
  period: Period & { months: { month: string; partial: boolean }[] };
  family: { displayName: string; adults: number; children: { birthYear: number; age: number }[] };
  registrations: {
    items: { siteId: string; siteName: string; registeredOn: string; renewalDueOn: string | null; counts: "woningnet" | "krimp" | "other"; inPeriod: boolean }[];
    woningnet: boolean;
    krimpSites: number;
    required: number;
    met: boolean;
  };
  offered: { total: number; perSite: Count[]; perRegion: (Count & { kind: string })[]; unanswered: number };
  responses: {
    total: number;
    line: number;
    perMonth: { month: string; partial: boolean; responded: number; woningnet: number; lineMet: boolean }[];
    monthsMet: number;
    fullMonths: number;
  };
  notSuitable: { total: number; reasons: Count[] };
  couldnt: { total: number; reasons: (Count & { confirmedBySiteHealth: number })[] };
  portalLimits: { siteId: string; siteName: string; rule: "max_open_responses" | "response_note" | "missed_viewing" | "other_penalty"; value: number | null; text: string; offersInPeriod: number }[];
  reminders: { sent: number; followedByResponse: number; byKind: Count[] };
  help: { asked: number; answered: number; open: number; medianDaysToAnswer: number | null };
  counsellorNotes: number;
  evidence: { entries: number; inPeriod: number; firstBrokenEntry: number | null; verified: boolean };
}

export interface ChildInterests {
  /** The children's situation and development: school, care, friends, health (no diagnoses). */
  situation: string;
  /** Whether the children were heard, and what they said; or why they were not heard. */
  childrenHeard: boolean;
  childrenView: string;
  /** The weighing of the children's interests against the plan. */
  weighing: string;
  /** How the outcome is explained to the children. */
  explanation: string;
}

const MONTH = "yyyy-MM";

/** The instants a period covers: from 00:00 Amsterdam on `from` to 00:00 after `to`. */
export function periodBounds(p: Period): { start: Date; end: Date } {
  const start = DateTime.fromISO(p.from, { zone: AMSTERDAM }).startOf("day");
  const end = DateTime.fromISO(p.to, { zone: AMSTERDAM }).startOf("day").plus({ days: 1 });
  if (!start.isValid || !end.isValid) throw new RangeError(`not a period: ${p.from}..${p.to}`);
  if (end <= start) throw new RangeError(`period ends before it starts: ${p.from}..${p.to}`);
  return { start: start.toUTC().toJSDate(), end: end.toUTC().toJSDate() };
}

/** The default plan period: the last three months up to and including today (Amsterdam). */
export function defaultPeriod(now: Date): Period {
  const today = DateTime.fromJSDate(now, { zone: AMSTERDAM }).startOf("day");
  return { from: today.minus({ months: 3 }).plus({ days: 1 }).toISODate()!, to: today.toISODate()! };
}

function monthsOf(p: Period): { month: string; partial: boolean }[] {
  const from = DateTime.fromISO(p.from, { zone: AMSTERDAM });
  const to = DateTime.fromISO(p.to, { zone: AMSTERDAM });
  const out: { month: string; partial: boolean }[] = [];
  for (let m = from.startOf("month"); m <= to; m = m.plus({ months: 1 })) {
    out.push({ month: m.toFormat(MONTH), partial: m < from || m.endOf("month").startOf("day") > to });
  }
  return out;
}

const monthOf = (d: Date) => DateTime.fromJSDate(d, { zone: AMSTERDAM }).toFormat(MONTH);
const isoDay = (d: Date) => DateTime.fromJSDate(d, { zone: "UTC" }).toISODate()!;

function str(v: unknown): string | null {
  return typeof v === "string" && v.trim() !== "" ? v : null;
}

function payloadOf(a: { payload: unknown }): Record<string, unknown> {
  return a.payload && typeof a.payload === "object" && !Array.isArray(a.payload) ? (a.payload as Record<string, unknown>) : {};
}

/**
 * The reason a family gave with "not for us" / "couldn't": on the answer itself, or in an
 * "answer_reason" entry for the same home that followed it (the reason is asked after the tap).
 */
export function reasonsByAnswer(activities: ActivityRow[]): Map<number, { code: string; text: string | null }> {
  const out = new Map<number, { code: string; text: string | null }>();
  const lastAnswerForMatch = new Map<string, ActivityRow>();
  for (const a of activities) {
    const p = payloadOf(a);
    if (a.type === "not_for_us" || a.type === "couldnt") {
      const code = str(p.reason) ?? str(p.answer_reason) ?? str(p.barrier);
      if (code) out.set(a.seq, { code, text: str(p.reasonText) ?? str(p.text) ?? str(p.note) });
      if (a.matchId) lastAnswerForMatch.set(a.matchId, a);
    } else if (a.type === "answer_reason") {
      const answer = (a.matchId ? lastAnswerForMatch.get(a.matchId) : undefined) ?? activities.find((x) => x.seq === Number(p.answerSeq));
      const code = str(p.reason) ?? str(p.answer_reason) ?? str(p.code);
      if (answer && code) out.set(answer.seq, { code, text: str(p.reasonText) ?? str(p.text) ?? str(p.note) });
    }
  }
  return out;
}

function countBy<T>(items: T[], key: (t: T) => string, label: (k: string) => string = (k) => k): Count[] {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return [...m.entries()].map(([k, count]) => ({ key: k, label: label(k), count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Reasons that say the site itself failed: checked against the site's health in the period. */
const SITE_DOWN_REASONS = new Set(["site_down", "site_broken", "website_down", "portal_down", "site_not_working"]);
const SITE_DOWN_WINDOW_MS = 6 * 3_600_000;

export function computeEvaluation(input: EvaluationInput): EvaluationReport {
  const { start, end } = periodBounds(input.period);
  const inPeriod = (d: Date) => d >= start && d < end;
  const sites = new Map(input.sites.map((s) => [s.id, s]));
  const siteName = (id: string) => sites.get(id)?.name ?? id;
  const months = monthsOf(input.period);
  const periodActs = input.activities.filter((a) => inPeriod(a.occurredAt));
  const reasons = reasonsByAnswer(input.activities);

  // Registrations held at the end of the period.
  const held = input.registrations.filter((r) => r.registeredOn < end);
  const status = registrationStatus(held, input.requirementSites, new Date(end.getTime() - 1));
  const registrations: EvaluationReport["registrations"] = {
    items: held
      .map((r) => ({
        siteId: r.siteId,
        siteName: siteName(r.siteId),
        registeredOn: isoDay(r.registeredOn),
        renewalDueOn: r.renewalDueOn ? isoDay(r.renewalDueOn) : null,
        counts: registrationCounts(r.siteId, input.requirementSites),
        inPeriod: r.registeredOn >= start,
      }))
      .sort((a, b) => a.registeredOn.localeCompare(b.registeredOn) || a.siteName.localeCompare(b.siteName)),
    woningnet: status.woningnet,
    krimpSites: status.krimpSites.length,
    required: status.krimpSitesRequired,
    met: status.met,
  };

  // Homes offered, per site and per region (krimp/anticipeer region of the municipality, else the site's region).
  const offered = periodActs.filter((a) => a.type === "offered");
  const listings = new Map(input.listings.map((l) => [l.id, l]));
  const regionOfPlace = new Map<string, { name: string; kind: string }>();
  for (const r of input.regions) for (const m of r.municipalities) regionOfPlace.set(normalizePlace(m), { name: r.name, kind: r.kind });
  const regionOf = (a: ActivityRow): { name: string; kind: string } => {
    const p = payloadOf(a);
    const listing = listings.get(String(p.listingId ?? ""));
    const site = str(p.site) ?? listing?.siteId ?? "";
    for (const place of [listing?.municipality, listing?.city, str(p.town)]) {
      const hit = place ? regionOfPlace.get(normalizePlace(place)) : undefined;
      if (hit) return hit;
    }
    return { name: sites.get(site)?.regions[0] ?? siteName(site), kind: "housing_region" };
  };
  const siteOf = (a: ActivityRow) => str(payloadOf(a).site) ?? listings.get(String(payloadOf(a).listingId ?? ""))?.siteId ?? "unknown";
  const perRegionMap = new Map<string, { kind: string; count: number }>();
  for (const a of offered) {
    const r = regionOf(a);
    const cur = perRegionMap.get(r.name) ?? { kind: r.kind, count: 0 };
    cur.count += 1;
    perRegionMap.set(r.name, cur);
  }
  const answeredMatches = new Set(input.activities.filter((a) => a.matchId && (ANSWER_TYPES as readonly string[]).includes(a.type)).map((a) => a.matchId!));

  // Responses per month against WoningNet's line (only WoningNet responses earn its search points).
  const responded = periodActs.filter((a) => a.type === "responded");
  const woningnetIds = new Set(input.requirementSites.filter((s) => registrationCounts(s.id, input.requirementSites) === "woningnet").map((s) => s.id));
  const perMonth = months.map(({ month, partial }) => {
    const inMonth = responded.filter((a) => monthOf(a.occurredAt) === month);
    const woningnet = inMonth.filter((a) => woningnetIds.has(siteOf(a))).length;
    return { month, partial, responded: inMonth.length, woningnet, lineMet: woningnet >= WONINGNET_MONTHLY_LINE };
  });

  const reasonOf = (a: ActivityRow) => reasons.get(a.seq)?.code ?? UNKNOWN_REASON;
  const notSuitable = periodActs.filter((a) => a.type === "not_for_us");
  const couldnt = periodActs.filter((a) => a.type === "couldnt");
  const failuresBySite = new Map<string, number[]>();
  for (const f of input.siteFailures) failuresBySite.set(f.siteId, [...(failuresBySite.get(f.siteId) ?? []), f.at.getTime()]);
  const confirmedDown = (a: ActivityRow) =>
    SITE_DOWN_REASONS.has(reasonOf(a)) && (failuresBySite.get(siteOf(a)) ?? []).some((t) => Math.abs(t - a.occurredAt.getTime()) <= SITE_DOWN_WINDOW_MS);

  // Portal limits in force: rules of sites the family is registered at or got homes from.
  const offersPerSite = countBy(offered, siteOf);
  const offersAt = (id: string) => offersPerSite.find((c) => c.key === id)?.count ?? 0;
  const relevant = new Set([...held.map((r) => r.siteId), ...offersPerSite.map((c) => c.key)]);
  const portalLimits: EvaluationReport["portalLimits"] = [];
  for (const id of [...relevant].sort()) {
    const s = sites.get(id);
    if (!s) continue;
    const base = { siteId: id, siteName: s.name, offersInPeriod: offersAt(id) };
    if (s.maxOpenResponses !== null) portalLimits.push({ ...base, rule: "max_open_responses", value: s.maxOpenResponses, text: s.responseLimitNote ?? "" });
    else if (s.responseLimitNote) portalLimits.push({ ...base, rule: "response_note", value: null, text: s.responseLimitNote });
    if (s.missedViewingPenalty) portalLimits.push({ ...base, rule: "missed_viewing", value: null, text: s.missedViewingPenalty });
    if (s.otherPenalty) portalLimits.push({ ...base, rule: "other_penalty", value: null, text: s.otherPenalty });
  }

  // Reminders sent in the period, and how many were followed by a response on their home.
  const sentReminders = input.reminders.filter((r) => r.status === "sent" && r.sentAt && inPeriod(r.sentAt));
  const respondedAfter = (r: { matchId: string | null; sentAt: Date | null }) =>
    r.matchId !== null && input.activities.some((a) => a.type === "responded" && a.matchId === r.matchId && a.occurredAt >= r.sentAt!);

  // Help: "Help me" answers in the log and the tasks they opened; answered = task done.
  const helpTasks = input.tasks.filter((t) => isHelpTask(t.kind) && inPeriod(t.createdAt));
  // One "Help me" may be logged as "help" and as "help_requested": count requests, not entries.
  const helpEntries = Math.max(...[...HELP_TYPES].map((t) => periodActs.filter((a) => a.type === t).length));
  const done = helpTasks.filter((t) => t.doneAt !== null);

  const broken = firstBrokenEntry(input.activities);
  const periodEndYear = DateTime.fromJSDate(new Date(end.getTime() - 1), { zone: AMSTERDAM }).year;

  return {
    schema: 1,
    period: { from: input.period.from, to: input.period.to, months },
    family: {
      displayName: input.family.displayName,
      adults: input.family.adults,
      children: [...input.family.childBirthYears].sort((a, b) => a - b).map((y) => ({ birthYear: y, age: periodEndYear - y })),
    },
    registrations,
    offered: {
      total: offered.length,
      perSite: countBy(offered, siteOf, siteName),
      perRegion: [...perRegionMap.entries()]
        .map(([name, v]) => ({ key: name, label: name, kind: v.kind, count: v.count }))
        .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key)),
      unanswered: offered.filter((a) => !a.matchId || !answeredMatches.has(a.matchId)).length,
    },
    responses: {
      total: responded.length,
      line: WONINGNET_MONTHLY_LINE,
      perMonth,
      monthsMet: perMonth.filter((m) => !m.partial && m.lineMet).length,
      fullMonths: perMonth.filter((m) => !m.partial).length,
    },
    notSuitable: { total: notSuitable.length, reasons: countBy(notSuitable, reasonOf) },
    couldnt: {
      total: couldnt.length,
      reasons: countBy(couldnt, reasonOf).map((c) => ({ ...c, confirmedBySiteHealth: couldnt.filter((a) => reasonOf(a) === c.key && confirmedDown(a)).length })),
    },
    portalLimits,
    reminders: {
      sent: sentReminders.length,
      followedByResponse: sentReminders.filter(respondedAfter).length,
      byKind: countBy(sentReminders, (r) => r.kind),
    },
    help: {
      asked: Math.max(helpEntries, helpTasks.length),
      answered: done.length,
      open: helpTasks.filter((t) => t.status === "open").length,
      medianDaysToAnswer: median(done.map((t) => Math.round(((t.doneAt!.getTime() - t.createdAt.getTime()) / 86_400_000) * 10) / 10)),
    },
    counsellorNotes: periodActs.filter((a) => a.type === "counsellor_note").length,
    evidence: { entries: input.activities.length, inPeriod: periodActs.length, firstBrokenEntry: broken, verified: broken === null },
  };
}

/** Free text must not become a spreadsheet formula (CSV injection): such a cell is quoted as text. */
function cell(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/**
 * The report as CSV rows (section, item, value, detail): one table a spreadsheet can read, with the
 * child's-interests texts included so the export is the whole report.
 */
export function evaluationCsvRows(
  report: EvaluationReport,
  meta: { version: number; createdAt: string; createdBy: string },
  child: ChildInterests,
): string[][] {
  const rows: string[][] = [["section", "item", "value", "detail"]];
  const add = (section: string, item: string, value: string | number | boolean | null, detail = "") =>
    rows.push([section, item, value === null ? "" : typeof value === "string" ? cell(value) : String(value), cell(detail)]);
  add("report", "family", report.family.displayName);
  add("report", "period_from", report.period.from);
  add("report", "period_to", report.period.to);
  add("report", "version", meta.version);
  add("report", "saved_at", meta.createdAt);
  add("report", "saved_by", meta.createdBy);
  report.family.children.forEach((c, i) => add("family", `child_${i + 1}_age`, c.age, `born ${c.birthYear}`));
  for (const r of report.registrations.items) add("registrations", r.siteName, r.registeredOn, `${r.counts}${r.renewalDueOn ? `; renew by ${r.renewalDueOn}` : ""}`);
  add("registrations", "woningnet", report.registrations.woningnet);
  add("registrations", "krimp_sites", report.registrations.krimpSites, `required ${report.registrations.required}`);
  add("registrations", "requirement_met", report.registrations.met);
  add("offered", "total", report.offered.total);
  add("offered", "unanswered", report.offered.unanswered);
  for (const s of report.offered.perSite) add("offered_per_site", s.label, s.count, s.key);
  for (const r of report.offered.perRegion) add("offered_per_region", r.label, r.count, r.kind);
  add("responses", "total", report.responses.total);
  for (const m of report.responses.perMonth) {
    add("responses_per_month", m.month, m.responded, `woningnet ${m.woningnet}; line ${report.responses.line} ${m.lineMet ? "met" : "not met"}${m.partial ? "; partial month" : ""}`);
  }
  add("not_suitable", "total", report.notSuitable.total);
  for (const r of report.notSuitable.reasons) add("not_suitable_reason", r.key, r.count);
  add("couldnt", "total", report.couldnt.total);
  for (const r of report.couldnt.reasons) add("couldnt_reason", r.key, r.count, r.confirmedBySiteHealth ? `confirmed by site health: ${r.confirmedBySiteHealth}` : "");
  for (const l of report.portalLimits) add("portal_limits", l.siteName, l.value, `${l.rule}: ${l.text}`);
  add("reminders", "sent", report.reminders.sent);
  add("reminders", "followed_by_response", report.reminders.followedByResponse);
  add("help", "asked", report.help.asked);
  add("help", "answered", report.help.answered);
  add("help", "median_days_to_answer", report.help.medianDaysToAnswer);
  add("notes", "counsellor_notes", report.counsellorNotes);
  add("evidence", "entries", report.evidence.entries);
  add("evidence", "entries_in_period", report.evidence.inPeriod);
  add("evidence", "verified", report.evidence.verified, report.evidence.firstBrokenEntry === null ? "" : `first broken entry ${report.evidence.firstBrokenEntry}`);
  add("child_interests", "situation", child.situation);
  add("child_interests", "children_heard", child.childrenHeard);
  add("child_interests", "children_view", child.childrenView);
  add("child_interests", "weighing", child.weighing);
  add("child_interests", "explanation", child.explanation);
  return rows;
}
