// The three-monthly evaluation: a preview for any plan period, saved reports (insert-only: a new
// version supersedes, nothing is changed), and exports as a print view, PDF (rendered by Chromium
// from that print view) and CSV.
//   GET  /api/families/:id/evaluation-preview?from&to
//   POST /api/families/:id/evaluations {from, to, childInterests}
//   GET  /api/evaluations/:id   GET /api/evaluations/:id/print   GET /api/evaluations/:id.pdf|.csv
import { stringify } from "csv-stringify/sync";
import { Router, type Request } from "express";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { z } from "zod";
import {
  computeEvaluation,
  defaultPeriod,
  evaluationCsvRows,
  periodBounds,
  type ChildInterests,
  type EvaluationReport,
  type Period,
} from "../../domain/evaluation.js";
import { escapeHtml } from "../../domain/messages.js";
import { CHROMIUM_ARGS } from "../../infra/chromium.js";
import type { Config } from "../../infra/config.js";
import { Prisma, type Db } from "../../infra/db.js";
import { familyForStaff, logAccess } from "../access.js";
import { requireStaff } from "../auth.js";
import { notFound } from "../errors.js";
import { catalogueFacts } from "./caseload.js";

const WRITERS = ["admin", "counsellor"] as const;
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");
const MAX_PERIOD_DAYS = 366;

function checkPeriod(p: { from: string; to: string }, ctx: z.RefinementCtx) {
  try {
    const { start, end } = periodBounds(p);
    if ((end.getTime() - start.getTime()) / 86_400_000 > MAX_PERIOD_DAYS + 1) ctx.addIssue({ code: "custom", path: ["to"], message: "the period can be at most a year" });
  } catch {
    ctx.addIssue({ code: "custom", path: ["to"], message: "must be on or after from" });
  }
}

const PeriodQuery = z
  .object({ from: isoDate.optional(), to: isoDate.optional(), lang: z.enum(["nl", "en"]).optional() })
  .strict()
  .refine((q) => (q.from === undefined) === (q.to === undefined), { path: ["to"], message: "give both from and to, or neither" });

const ChildInterestsInput = z
  .object({
    situation: z.string().trim().min(1, "describe the children's situation and development (school, care)").max(5000),
    childrenHeard: z.boolean(),
    childrenView: z.string().trim().min(1, "write what the children said, or why they were not heard").max(5000),
    weighing: z.string().trim().min(1, "write how the children's interests were weighed").max(5000),
    explanation: z.string().trim().min(1, "write how the outcome is explained to the children").max(5000),
  })
  .strict();

const EvaluationInput = z
  .object({ from: isoDate, to: isoDate, childInterests: ChildInterestsInput })
  .strict()
  .superRefine((v, ctx) => checkPeriod(v, ctx));

const PeriodOnly = z.object({ from: isoDate, to: isoDate }).superRefine((v, ctx) => checkPeriod(v, ctx));

const EvaluationParam = z.object({ id: z.string().uuid("must be an evaluation id (uuid)") });
const LangQuery = z.object({ lang: z.enum(["nl", "en"]).default("nl") }).strict();

/** Gathers the rows a report is computed from: one family, one period. */
export async function evaluationFor(db: Db, family: { id: string; displayName: string; adults: number; childBirthYears: number[] }, period: Period): Promise<EvaluationReport> {
  const { start, end } = periodBounds(period);
  const facts = catalogueFacts();
  const [activities, registrations, reminders, tasks] = await Promise.all([
    db.activity.findMany({
      where: { familyId: family.id },
      orderBy: { seq: "asc" },
      select: { familyId: true, seq: true, type: true, actor: true, occurredAt: true, matchId: true, payload: true, prevHash: true, hash: true },
    }),
    db.registration.findMany({ where: { familyId: family.id }, select: { siteId: true, registeredOn: true, renewalDueOn: true } }),
    db.reminder.findMany({ where: { familyId: family.id, sentAt: { gte: start, lt: end } }, select: { matchId: true, kind: true, status: true, sentAt: true } }),
    db.task.findMany({ where: { familyId: family.id, createdAt: { gte: start, lt: end } }, select: { kind: true, status: true, createdAt: true, doneAt: true } }),
  ]);
  const inPeriod = activities.filter((a) => a.occurredAt >= start && a.occurredAt < end);
  const listingIds = [
    ...new Set(
      inPeriod
        .filter((a) => a.type === "offered")
        .map((a) => (a.payload as { listingId?: unknown } | null)?.listingId)
        .filter((id): id is string => typeof id === "string" && z.string().uuid().safeParse(id).success),
    ),
  ];
  // Site health only matters for "the site did not work" barriers.
  const downSites = [
    ...new Set(
      inPeriod
        .filter((a) => a.type === "couldnt")
        .map((a) => (a.payload as { site?: unknown } | null)?.site)
        .filter((s): s is string => typeof s === "string"),
    ),
  ];
  const margin = 6 * 3_600_000;
  const [listings, failures] = await Promise.all([
    listingIds.length ? db.listing.findMany({ where: { id: { in: listingIds } }, select: { id: true, siteId: true, municipality: true, city: true } }) : [],
    downSites.length
      ? db.scrapeRun.findMany({
          where: { siteId: { in: downSites }, ok: false, startedAt: { gte: new Date(start.getTime() - margin), lt: new Date(end.getTime() + margin) } },
          select: { siteId: true, startedAt: true },
        })
      : [],
  ]);
  return computeEvaluation({
    period,
    family: { displayName: family.displayName, adults: family.adults, childBirthYears: family.childBirthYears },
    activities,
    registrations,
    sites: facts.sites,
    requirementSites: facts.requirementSites,
    regions: facts.regions,
    listings,
    reminders,
    tasks,
    siteFailures: failures.map((f) => ({ siteId: f.siteId, at: f.startedAt })),
  });
}

// ---------------------------------------------------------------------------------------------
// Print view: the saved report as one self-contained HTML page (no scripts, no outside resources),
// shown to staff and printed to PDF by Chromium. Dutch first; English with ?lang=en.

const LABELS = {
  nl: {
    title: "Evaluatie van het plan",
    family: "Gezin",
    period: "Planperiode",
    version: "Versie",
    savedAt: "Opgeslagen op",
    savedBy: "door",
    children: "Kinderen",
    childAge: (age: number, year: number) => `${age} jaar (geboren ${year})`,
    registrations: "Inschrijvingen",
    site: "Site",
    since: "Ingeschreven sinds",
    renew: "Verlengen voor",
    counts: "Telt als",
    countsAs: { woningnet: "WoningNet", krimp: "krimpregio", other: "overig" } as Record<string, string>,
    requirement: (w: boolean, k: number, r: number, met: boolean) =>
      `WoningNet: ${w ? "ja" : "nee"}; sites in krimpregio's: ${k} van ${r}. ${met ? "Aan de voorwaarde is voldaan." : "Aan de voorwaarde is nog niet voldaan."}`,
    offered: "Aangeboden woningen",
    offeredTotal: (n: number, u: number) => `${n} woningen aangeboden, ${u} zonder antwoord.`,
    perSite: "Per site",
    perRegion: "Per regio",
    region: "Regio",
    count: "Aantal",
    kind: { krimp: "krimpregio", anticipeer: "anticipeerregio", housing_region: "woningmarktregio" } as Record<string, string>,
    responses: "Reacties per maand",
    month: "Maand",
    responded: "Gereageerd (alle sites)",
    woningnet: "Bij WoningNet",
    line: (n: number) => `Lijn van WoningNet (${n} per maand)`,
    met: "gehaald",
    notMet: "niet gehaald",
    partial: "deel van de maand",
    responsesSummary: (t: number, m: number, f: number) => `${t} reacties. De lijn van WoningNet is gehaald in ${m} van ${f} hele maanden.`,
    notResponding: "Redenen om niet te reageren",
    notSuitable: "Past niet",
    couldnt: "Lukte niet (een belemmering, geen weigering)",
    reason: "Reden",
    confirmed: (n: number) => `${n} bevestigd door de sitestatus`,
    limits: "Regels van de sites zelf",
    limitRule: {
      max_open_responses: (v: number | null) => `maximaal ${v ?? "?"} open reacties`,
      response_note: () => "reageren",
      missed_viewing: () => "gemiste bezichtiging",
      other_penalty: () => "andere sanctie",
    } as Record<string, (v: number | null) => string>,
    offersThere: (n: number) => `${n} woningen van deze site in de periode`,
    noLimits: "Geen bekende regels voor de sites van dit gezin.",
    remindersHelp: "Herinneringen en hulpvragen",
    remindersSent: (s: number, f: number) => `${s} herinneringen gestuurd; na ${f} volgde een reactie.`,
    help: (a: number, d: number, o: number, m: number | null) =>
      `${a} keer om hulp gevraagd; ${d} beantwoord${m !== null ? ` (meestal binnen ${m} dagen)` : ""}; ${o} nog open.`,
    notes: (n: number) => `${n} notities van de begeleider in de periode (niet in dit verslag).`,
    childInterests: "Belang van het kind",
    childIntro: "Volgens ‘Het beste besluit voor het kind’ (Kinderombudsman). Geschreven door de begeleider.",
    situation: "Situatie en ontwikkeling van de kinderen (school, zorg)",
    heard: "Zijn de kinderen gehoord?",
    yes: "Ja",
    no: "Nee",
    view: "Wat de kinderen zeggen (of waarom zij niet gehoord zijn)",
    weighing: "Afweging",
    explanation: "Hoe de uitkomst aan de kinderen wordt uitgelegd",
    evidence: "Bewijslog",
    chainOk: (n: number, p: number) => `Gecontroleerd: ${n} regels, geen breuk (${p} in deze periode).`,
    chainBroken: (n: number, s: number) => `Niet in orde: de keten is gebroken bij regel ${s} (van ${n}). Laat dit uitzoeken voordat het verslag wordt gebruikt.`,
    footer: "Eldersthuis – een opgeslagen verslag verandert niet; een nieuwe versie vervangt het.",
    page: "Pagina",
  },
  en: {
    title: "Plan evaluation",
    family: "Family",
    period: "Plan period",
    version: "Version",
    savedAt: "Saved on",
    savedBy: "by",
    children: "Children",
    childAge: (age: number, year: number) => `${age} years (born ${year})`,
    registrations: "Registrations",
    site: "Site",
    since: "Registered since",
    renew: "Renew by",
    counts: "Counts as",
    countsAs: { woningnet: "WoningNet", krimp: "krimpregio", other: "other" } as Record<string, string>,
    requirement: (w: boolean, k: number, r: number, met: boolean) =>
      `WoningNet: ${w ? "yes" : "no"}; sites in krimpregio's: ${k} of ${r}. ${met ? "The condition is met." : "The condition is not met yet."}`,
    offered: "Homes offered",
    offeredTotal: (n: number, u: number) => `${n} homes offered, ${u} without an answer.`,
    perSite: "Per site",
    perRegion: "Per region",
    region: "Region",
    count: "Count",
    kind: { krimp: "krimpregio", anticipeer: "anticipeerregio", housing_region: "housing region" } as Record<string, string>,
    responses: "Responses per month",
    month: "Month",
    responded: "Responded (all sites)",
    woningnet: "At WoningNet",
    line: (n: number) => `WoningNet's line (${n} a month)`,
    met: "met",
    notMet: "not met",
    partial: "part of the month",
    responsesSummary: (t: number, m: number, f: number) => `${t} responses. WoningNet's line was met in ${m} of ${f} full months.`,
    notResponding: "Reasons for not responding",
    notSuitable: "Not suitable",
    couldnt: "Couldn't (a barrier, not a refusal)",
    reason: "Reason",
    confirmed: (n: number) => `${n} confirmed by site health`,
    limits: "The portals' own rules",
    limitRule: {
      max_open_responses: (v: number | null) => `at most ${v ?? "?"} open responses`,
      response_note: () => "responding",
      missed_viewing: () => "missed viewing",
      other_penalty: () => "other penalty",
    } as Record<string, (v: number | null) => string>,
    offersThere: (n: number) => `${n} homes from this site in the period`,
    noLimits: "No known rules for this family's sites.",
    remindersHelp: "Reminders and help requests",
    remindersSent: (s: number, f: number) => `${s} reminders sent; ${f} were followed by a response.`,
    help: (a: number, d: number, o: number, m: number | null) =>
      `Asked for help ${a} times; ${d} answered${m !== null ? ` (typically within ${m} days)` : ""}; ${o} still open.`,
    notes: (n: number) => `${n} counsellor notes in the period (not in this report).`,
    childInterests: "The child's interests",
    childIntro: "Following “Het beste besluit voor het kind” (Kinderombudsman). Written by the counsellor.",
    situation: "The children's situation and development (school, care)",
    heard: "Were the children heard?",
    yes: "Yes",
    no: "No",
    view: "What the children say (or why they were not heard)",
    weighing: "The weighing",
    explanation: "How the outcome is explained to the children",
    evidence: "Evidence log",
    chainOk: (n: number, p: number) => `Verified: ${n} entries, no break (${p} in this period).`,
    chainBroken: (n: number, s: number) => `Not intact: the chain breaks at entry ${s} (of ${n}). Have this looked into before the report is used.`,
    footer: "Eldersthuis – a saved report never changes; a new version supersedes it.",
    page: "Page",
  },
};

const REASON_LABELS: Record<"nl" | "en", Record<string, string>> = {
  nl: {
    too_small: "te klein",
    too_expensive: "te duur",
    too_far: "te ver (school, zorg, werk)",
    not_accessible: "niet toegankelijk",
    no_time: "geen tijd",
    child_ill: "kind ziek",
    no_credit: "geen beltegoed of internet",
    language: "taal",
    site_broken: "de site werkte niet",
    other: "anders",
    no_reason_given: "geen reden gegeven",
  },
  en: {
    too_small: "too small",
    too_expensive: "too expensive",
    too_far: "too far (school, care, work)",
    not_accessible: "not accessible",
    no_time: "no time",
    child_ill: "child ill",
    no_credit: "no phone credit or internet",
    language: "language",
    site_broken: "the site did not work",
    other: "other",
    no_reason_given: "no reason given",
  },
};

const reasonLabel = (lang: "nl" | "en", code: string) => REASON_LABELS[lang][code] ?? code.replace(/_/g, " ");

function formatDate(iso: string, lang: "nl" | "en"): string {
  const d = new Date(`${iso.slice(0, 10)}T12:00:00Z`);
  return new Intl.DateTimeFormat(lang === "nl" ? "nl-NL" : "en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "Europe/Amsterdam" }).format(d);
}

function formatMonth(month: string, lang: "nl" | "en"): string {
  return new Intl.DateTimeFormat(lang === "nl" ? "nl-NL" : "en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${month}-15T00:00:00Z`));
}

export interface SavedEvaluation {
  id: string;
  version: number;
  createdAt: Date;
  createdByName: string;
  report: EvaluationReport;
  childInterests: ChildInterests;
}

const PRINT_CSS = `
@page { size: A4; margin: 18mm 16mm 20mm; }
* { box-sizing: border-box; }
body { font-family: Arial, "Liberation Sans", "DejaVu Sans", sans-serif; color: #000; font-size: 11pt; line-height: 1.45; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 20pt; margin: 0 0 .25rem; }
h2 { font-size: 14pt; margin: 1.4rem 0 .4rem; border-bottom: 2px solid #004699; padding-bottom: .15rem; break-after: avoid; }
h3 { font-size: 11.5pt; margin: .8rem 0 .3rem; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 .6rem; break-inside: avoid; }
th, td { border-bottom: 1px solid #bbb; padding: .2rem .4rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.n, th.n { text-align: right; }
.meta { color: #333; margin: 0; }
.warn { border-left: 4px solid #ec0000; padding: .3rem .6rem; background: #fff1f1; }
.ok { border-left: 4px solid #00a03c; padding: .3rem .6rem; background: #f0fff4; }
.text { white-space: pre-wrap; margin: 0 0 .6rem; }
footer { margin-top: 2rem; color: #555; font-size: 9pt; }
`;

/** The saved report as a self-contained HTML page (escaped throughout: the texts are staff-written). */
export function printHtml(ev: SavedEvaluation, lang: "nl" | "en"): string {
  const L = LABELS[lang];
  const e = escapeHtml;
  const r = ev.report;
  const c = ev.childInterests;
  const rows = (cells: (string | number)[][], numeric: number[] = []) =>
    cells.map((row) => `<tr>${row.map((v, i) => `<td${numeric.includes(i) ? ' class="n"' : ""}>${e(String(v))}</td>`).join("")}</tr>`).join("");
  const table = (head: string[], body: string, numeric: number[] = []) =>
    `<table><thead><tr>${head.map((h, i) => `<th scope="col"${numeric.includes(i) ? ' class="n"' : ""}>${e(h)}</th>`).join("")}</tr></thead><tbody>${body}</tbody></table>`;
  const period = `${formatDate(r.period.from, lang)} – ${formatDate(r.period.to, lang)}`;
  const limits = r.portalLimits.length
    ? `<ul>${r.portalLimits.map((l) => `<li><strong>${e(l.siteName)}</strong>: ${e(L.limitRule[l.rule]?.(l.value) ?? l.rule)}${l.text ? ` – ${e(l.text)}` : ""} (${e(L.offersThere(l.offersInPeriod))})</li>`).join("")}</ul>`
    : `<p>${e(L.noLimits)}</p>`;
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(`${L.title} – ${r.family.displayName} – ${r.period.from} – ${r.period.to} – v${ev.version}`)}</title>
<style>${PRINT_CSS}</style>
</head>
<body>
<main>
<h1>${e(L.title)}: ${e(r.family.displayName)}</h1>
<p class="meta">${e(L.period)}: <strong data-period>${e(period)}</strong> (${e(r.period.from)} – ${e(r.period.to)})</p>
<p class="meta">${e(L.version)} ${ev.version} · ${e(L.savedAt)} ${e(formatDate(ev.createdAt.toISOString(), lang))} ${e(L.savedBy)} ${e(ev.createdByName)}</p>
<p class="meta">${e(L.children)}: ${r.family.children.length ? e(r.family.children.map((ch) => L.childAge(ch.age, ch.birthYear)).join(", ")) : "–"}</p>

<h2>${e(L.registrations)}</h2>
${table([L.site, L.since, L.renew, L.counts], rows(r.registrations.items.map((i) => [i.siteName, formatDate(i.registeredOn, lang), i.renewalDueOn ? formatDate(i.renewalDueOn, lang) : "–", L.countsAs[i.counts] ?? i.counts])))}
<p class="${r.registrations.met ? "ok" : "warn"}">${e(L.requirement(r.registrations.woningnet, r.registrations.krimpSites, r.registrations.required, r.registrations.met))}</p>

<h2>${e(L.offered)}</h2>
<p>${e(L.offeredTotal(r.offered.total, r.offered.unanswered))}</p>
<h3>${e(L.perSite)}</h3>
${table([L.site, L.count], rows(r.offered.perSite.map((s) => [s.label, s.count]), [1]), [1])}
<h3>${e(L.perRegion)}</h3>
${table([L.region, "", L.count], rows(r.offered.perRegion.map((s) => [s.label, L.kind[s.kind] ?? s.kind, s.count]), [2]), [2])}

<h2>${e(L.responses)}</h2>
<p>${e(L.responsesSummary(r.responses.total, r.responses.monthsMet, r.responses.fullMonths))}</p>
${table(
  [L.month, L.responded, L.woningnet, L.line(r.responses.line)],
  rows(r.responses.perMonth.map((m) => [`${formatMonth(m.month, lang)}${m.partial ? ` (${L.partial})` : ""}`, m.responded, m.woningnet, m.partial ? "–" : m.lineMet ? L.met : L.notMet]), [1, 2]),
  [1, 2],
)}

<h2>${e(L.notResponding)}</h2>
<h3>${e(L.notSuitable)}: ${r.notSuitable.total}</h3>
${table([L.reason, L.count], rows(r.notSuitable.reasons.map((x) => [reasonLabel(lang, x.key), x.count]), [1]), [1])}
<h3>${e(L.couldnt)}: ${r.couldnt.total}</h3>
${table([L.reason, L.count], rows(r.couldnt.reasons.map((x) => [`${reasonLabel(lang, x.key)}${x.confirmedBySiteHealth ? ` (${L.confirmed(x.confirmedBySiteHealth)})` : ""}`, x.count]), [1]), [1])}

<h2>${e(L.limits)}</h2>
${limits}

<h2>${e(L.remindersHelp)}</h2>
<p>${e(L.remindersSent(r.reminders.sent, r.reminders.followedByResponse))}</p>
<p>${e(L.help(r.help.asked, r.help.answered, r.help.open, r.help.medianDaysToAnswer))}</p>
<p>${e(L.notes(r.counsellorNotes))}</p>

<h2>${e(L.childInterests)}</h2>
<p class="meta">${e(L.childIntro)}</p>
<h3>${e(L.situation)}</h3><p class="text">${e(c.situation)}</p>
<h3>${e(L.heard)}</h3><p class="text">${e(c.childrenHeard ? L.yes : L.no)}</p>
<h3>${e(L.view)}</h3><p class="text">${e(c.childrenView)}</p>
<h3>${e(L.weighing)}</h3><p class="text">${e(c.weighing)}</p>
<h3>${e(L.explanation)}</h3><p class="text">${e(c.explanation)}</p>

<h2>${e(L.evidence)}</h2>
<p class="${r.evidence.verified ? "ok" : "warn"}">${e(r.evidence.verified ? L.chainOk(r.evidence.entries, r.evidence.inPeriod) : L.chainBroken(r.evidence.entries, r.evidence.firstBrokenEntry ?? 0))}</p>
<footer>${e(L.footer)}</footer>
</main>
</body>
</html>`;
}

// ---------------------------------------------------------------------------------------------
// PDF: Chromium prints the print view. One browser for the process, launched on first use and
// closed after a quiet spell, so a server that never prints never runs Chromium. Each PDF gets a
// fresh context with scripts off and the network closed: the page is our own self-contained HTML.
// (The workers' BrowserPool is not used: server/ does not import workers/ beyond the queue registry.)

const IDLE_CLOSE_MS = 120_000;
const PDF_TIMEOUT_MS = 30_000;

class PdfRenderer {
  private browser: Promise<Browser> | null = null;
  private active = 0;
  private idle: NodeJS.Timeout | undefined;

  private launch(executablePath: string): Promise<Browser> {
    if (!this.browser) {
      const launching = chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
      this.browser = launching;
      launching.then(
        (b) => b.on("disconnected", () => {
          if (this.browser === launching) this.browser = null;
        }),
        () => {
          if (this.browser === launching) this.browser = null;
        },
      );
    }
    return this.browser;
  }

  async render(executablePath: string, html: string, footerText: string, pageLabel: string): Promise<Buffer> {
    clearTimeout(this.idle);
    this.active += 1;
    let context: BrowserContext | undefined;
    try {
      const browser = await this.launch(executablePath);
      context = await browser.newContext({ javaScriptEnabled: false, offline: true, locale: "nl-NL", timezoneId: "Europe/Amsterdam" });
      context.setDefaultTimeout(PDF_TIMEOUT_MS);
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: "load" });
      await page.emulateMedia({ media: "print" });
      const footer = `<div style="font-size:8px;width:100%;padding:0 16mm;color:#555;display:flex;justify-content:space-between"><span>${escapeHtml(footerText)}</span><span>${escapeHtml(pageLabel)} <span class="pageNumber"></span>/<span class="totalPages"></span></span></div>`;
      return await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true, displayHeaderFooter: true, headerTemplate: "<span></span>", footerTemplate: footer });
    } finally {
      await context?.close().catch(() => undefined);
      this.active -= 1;
      if (this.active === 0) {
        this.idle = setTimeout(() => void this.close(), IDLE_CLOSE_MS);
        this.idle.unref();
      }
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.idle);
    const browser = this.browser;
    this.browser = null;
    await (await browser?.catch(() => null))?.close();
  }
}

export const pdfRenderer = new PdfRenderer();

// ---------------------------------------------------------------------------------------------

export function evaluationsRouter(db: Db, config: Pick<Config, "CHROMIUM_PATH">): Router {
  const r = Router();
  r.use(["/families/:id/evaluation-preview", "/families/:id/evaluations", "/evaluations/:id", "/evaluations/:id/print"], requireStaff);

  r.get("/families/:id/evaluation-preview", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "preview_evaluation", { roles: [...WRITERS] });
    const q = PeriodQuery.parse(req.query);
    const period = PeriodOnly.parse(q.from && q.to ? { from: q.from, to: q.to } : defaultPeriod(new Date()));
    res.json({ period, report: await evaluationFor(db, family, period) });
  });

  r.get("/families/:id/evaluations", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "list_evaluations");
    const shared = req.staff!.role === "evaluator" ? { shares: { some: { evaluatorId: req.staff!.id, revokedAt: null } } } : {};
    const evaluations = await db.evaluation.findMany({
      where: { familyId: family.id, ...shared },
      orderBy: { version: "desc" },
      select: { id: true, version: true, periodStart: true, periodEnd: true, createdAt: true, chainVerified: true },
    });
    res.json({ evaluations });
  });

  r.post("/families/:id/evaluations", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "create_evaluation", { roles: [...WRITERS] });
    const input = EvaluationInput.parse(req.body);
    const period = { from: input.from, to: input.to };
    const report = await evaluationFor(db, family, period);
    const childInterests: ChildInterests = input.childInterests;
    // Insert-only versions: n+1 after the newest. Two saves at once collide on (familyId, version);
    // the loser takes the next number.
    for (let attempt = 0; ; attempt++) {
      try {
        const evaluation = await db.$transaction(async (tx) => {
          const last = await tx.evaluation.findFirst({ where: { familyId: family.id }, orderBy: { version: "desc" }, select: { version: true } });
          return tx.evaluation.create({
            data: {
              familyId: family.id,
              version: (last?.version ?? 0) + 1,
              periodStart: new Date(`${period.from}T00:00:00Z`),
              periodEnd: new Date(`${period.to}T00:00:00Z`),
              createdById: req.staff!.id,
              childInterests: childInterests as unknown as Prisma.InputJsonValue,
              report: report as unknown as Prisma.InputJsonValue,
              chainVerified: report.evidence.verified,
            },
            select: { id: true, version: true, periodStart: true, periodEnd: true, createdAt: true, chainVerified: true },
          });
        });
        res.status(201).json({ evaluation });
        return;
      } catch (err) {
        if (attempt < 3 && err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") continue;
        throw err;
      }
    }
  });

  /** A saved evaluation the staff member may read; evaluators only the ones shared with them. */
  async function savedEvaluation(req: Request, action: string) {
    const { id } = EvaluationParam.parse({ id: req.params.id });
    const ev = await db.evaluation.findUnique({ where: { id } });
    if (!ev) throw notFound("evaluation");
    if (req.staff!.role === "evaluator") {
      const share = await db.evaluationShare.count({ where: { evaluationId: ev.id, evaluatorId: req.staff!.id, revokedAt: null } });
      if (share === 0) {
        await logAccess(db, req, ev.familyId, action, false);
        throw notFound("evaluation");
      }
    }
    const family = await familyForStaff(db, req, ev.familyId, action);
    const author = await db.user.findUnique({ where: { id: ev.createdById }, select: { name: true } });
    const saved: SavedEvaluation = {
      id: ev.id,
      version: ev.version,
      createdAt: ev.createdAt,
      createdByName: author?.name ?? "?",
      report: ev.report as unknown as EvaluationReport,
      childInterests: ev.childInterests as unknown as ChildInterests,
    };
    return { ev, family, saved };
  }

  // Evaluators: the evaluations shared with them (and not revoked).
  r.get("/evaluations/shared", requireStaff, async (req, res) => {
    const evaluations = await db.evaluation.findMany({
      where: { shares: { some: { evaluatorId: req.staff!.id, revokedAt: null } } },
      orderBy: { createdAt: "desc" },
      select: { id: true, version: true, periodStart: true, periodEnd: true, createdAt: true, family: { select: { displayName: true } } },
    });
    await logAccess(db, req, null, "list_shared_evaluations", true);
    res.json({ evaluations: evaluations.map(({ family, ...e }) => ({ ...e, familyName: family.displayName })) });
  });

  r.get("/evaluations/:id.pdf", requireStaff, async (req, res) => {
    const { lang } = LangQuery.parse(req.query);
    const { saved } = await savedEvaluation(req, "export_evaluation_pdf");
    const pdf = await pdfRenderer.render(config.CHROMIUM_PATH, printHtml(saved, lang), `${saved.report.family.displayName} · ${saved.report.period.from} – ${saved.report.period.to} · v${saved.version}`, LABELS[lang].page);
    res
      .type("application/pdf")
      .setHeader("content-disposition", `attachment; filename="evaluation-v${saved.version}-${saved.report.period.from}-${saved.report.period.to}.pdf"`)
      .setHeader("cache-control", "private, no-store")
      .send(pdf);
  });

  r.get("/evaluations/:id.csv", requireStaff, async (req, res) => {
    LangQuery.parse(req.query);
    const { saved } = await savedEvaluation(req, "export_evaluation_csv");
    const csv = stringify(evaluationCsvRows(saved.report, { version: saved.version, createdAt: saved.createdAt.toISOString(), createdBy: saved.createdByName }, saved.childInterests));
    res
      .type("text/csv; charset=utf-8")
      .setHeader("content-disposition", `attachment; filename="evaluation-v${saved.version}-${saved.report.period.from}-${saved.report.period.to}.csv"`)
      .setHeader("cache-control", "private, no-store")
      // A byte-order mark so spreadsheet programs read the file as UTF-8.
      .send(`\uFEFF${csv}`);
  });

  r.get("/evaluations/:id/print", async (req, res) => {
    const { lang } = LangQuery.parse(req.query);
    const { saved } = await savedEvaluation(req, "print_evaluation");
    // The print view is one self-contained page with its own inline styles, and nothing else.
    res
      .setHeader("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
      .setHeader("cache-control", "private, no-store")
      .type("html")
      .send(printHtml(saved, lang));
  });

  r.get("/evaluations/:id", async (req, res) => {
    const { ev, saved } = await savedEvaluation(req, "read_evaluation");
    const versions =
      req.staff!.role === "evaluator"
        ? []
        : await db.evaluation.findMany({ where: { familyId: ev.familyId }, orderBy: { version: "desc" }, select: { id: true, version: true, periodStart: true, periodEnd: true, createdAt: true } });
    res.json({
      evaluation: {
        id: ev.id,
        familyId: ev.familyId,
        version: ev.version,
        periodStart: saved.report.period.from,
        periodEnd: saved.report.period.to,
        createdAt: ev.createdAt,
        createdBy: { id: ev.createdById, name: saved.createdByName },
        chainVerified: ev.chainVerified,
        childInterests: saved.childInterests,
        report: saved.report,
      },
      versions,
    });
  });
  return r;
}
