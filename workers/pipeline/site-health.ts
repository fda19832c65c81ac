// Site health: healthy, degraded, blocked or broken, decided from the site's recent scrape runs.
// The decision is a pure function (decideHealth); recordHealth applies it with a conditional update,
// so one transition is made once even when two workers finish runs of one site at the same moment,
// and a transition to or from "broken" leaves one OperatorNotice row to be mailed.
import type { RenderedMessage } from "../../domain/messages.js";
import { formatAmsterdam } from "../../domain/time.js";
import type { Db } from "../../infra/db.js";
import { SiteError, SiteSchemaError } from "../sites/errors.js";
import { RobotsDisallowedError } from "../sites/politeness.js";

export type Health = "healthy" | "degraded" | "blocked" | "broken";

/**
 * Why a run failed, as stored in ScrapeRun.errorKind and Site.lastErrorKind:
 * - schema: the answer does not have the platform's shape (format drift, malformed body);
 * - suspicious: it parsed, but is not believable (a full offer dropping to zero at once);
 * - blocked: 401/403/429 or a challenge page; robots: robots.txt disallows what we need;
 * - unavailable: 5xx, timeout, no connection; internal: our side (a bug, no browser);
 * - deferred: not a failure, the host asked us to wait (429/503 Retry-After) and the run was put off.
 */
export const FAILURE_KINDS = ["schema", "suspicious", "blocked", "robots", "unavailable", "internal", "deferred"] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** Failures that mean "the site changed": no retry helps, operators must look soon. */
const FORMAT_KINDS: ReadonlySet<string> = new Set(["schema", "suspicious"]);
const BLOCK_KINDS: ReadonlySet<string> = new Set(["blocked", "robots"]);

/** A believable offer does not go from this many listings to none at once. */
export const IMPLAUSIBLE_DROP_FROM = 5;

/** The offer parsed but is not believable: treated like a format failure, listings kept. */
export class SuspiciousOfferError extends SiteSchemaError {}

export function failureKind(error: unknown): FailureKind {
  if (error instanceof SuspiciousOfferError) return "suspicious";
  if (error instanceof RobotsDisallowedError) return "robots";
  if (error instanceof SiteError) return error.kind;
  return "internal";
}

export interface HealthPolicy {
  /** Consecutive format failures (schema, suspicious) before broken. */
  brokenAfterFormatFailures: number;
  /** Consecutive failures of any kind before broken. */
  brokenAfterFailures: number;
  /** Failing with no success for this long: broken. */
  brokenAfterMs: number;
}

export type RunOutcome = { ok: true } | { ok: false; kind: string };

export interface HealthInput {
  current: Health;
  /** Finished runs, newest first, including the one just finished; deferred runs left out. */
  recent: RunOutcome[];
  lastSuccessAt: Date | null;
  /** The site's first run, for a site that never succeeded. */
  firstRunAt: Date | null;
  now: Date;
}

export interface HealthDecision {
  health: Health;
  /** Plain words for operators. */
  reason: string;
}

function leading(recent: RunOutcome[], pred: (r: RunOutcome) => boolean): number {
  let n = 0;
  for (const r of recent) {
    if (!pred(r)) break;
    n += 1;
  }
  return n;
}

/**
 * The state machine. A success makes a site healthy. "Broken" is sticky until a success: a broken
 * site that now answers 503 is still broken. Otherwise the newest failure decides:
 * format failures → degraded, broken after `brokenAfterFormatFailures` in a row; blocks → blocked;
 * unavailable or internal → degraded, broken after `brokenAfterFailures` in a row. Whatever the kind,
 * failing with no success for `brokenAfterMs` is broken, so a long block reaches operators too.
 */
export function decideHealth(input: HealthInput, policy: HealthPolicy): HealthDecision {
  const latest = input.recent[0];
  if (!latest) return { health: input.current, reason: "no finished runs yet" };
  if (latest.ok) return { health: "healthy", reason: "the last scrape succeeded" };
  const kind = latest.kind;
  if (kind === "deferred") return { health: input.current, reason: "waiting for the site's back-off" };
  if (input.current === "broken") return { health: "broken", reason: "still failing since it broke" };

  const failures = leading(input.recent, (r) => !r.ok);
  const formatFailures = leading(input.recent, (r) => !r.ok && FORMAT_KINDS.has(r.kind));
  const since = input.lastSuccessAt ?? input.firstRunAt;
  const failingMs = since ? input.now.getTime() - since.getTime() : 0;
  const hours = (ms: number) => Math.round((ms / 3_600_000) * 10) / 10;

  if (FORMAT_KINDS.has(kind) && formatFailures >= policy.brokenAfterFormatFailures) {
    return { health: "broken", reason: `the site's answer did not have the expected form ${formatFailures} times in a row` };
  }
  if (failingMs >= policy.brokenAfterMs) {
    return { health: "broken", reason: `no successful scrape for ${hours(failingMs)} hours` };
  }
  if (FORMAT_KINDS.has(kind)) {
    return { health: "degraded", reason: kind === "suspicious" ? "the offer dropped to zero at once; not believed" : "the site's answer did not have the expected form" };
  }
  if (BLOCK_KINDS.has(kind)) {
    return { health: "blocked", reason: kind === "robots" ? "robots.txt disallows what we read" : "the site refuses us (401/403/429 or a challenge page)" };
  }
  if (failures >= policy.brokenAfterFailures) {
    return { health: "broken", reason: `${failures} failed scrapes in a row` };
  }
  return { health: "degraded", reason: kind === "internal" ? "scrapes fail on our side" : "the site did not answer properly" };
}

/** The operator notice a transition deserves: when a site breaks, and when a broken site works again. */
export function noticeFor(previous: Health, next: Health): "broken" | "recovered" | null {
  if (next === "broken" && previous !== "broken") return "broken";
  if (previous === "broken" && next === "healthy") return "recovered";
  return null;
}

/** How many recent runs recordHealth reads: enough for every threshold (config caps them at 20). */
const RECENT_RUNS = 21;

/**
 * Applies decideHealth after a finished run. The transition is a conditional update on the health
 * the decision was made from; a notice row (unique per site, kind and transition time) is written in
 * the same transaction. Returns the notice id to enqueue for mailing, if any.
 */
export async function recordHealth(
  db: Db,
  siteId: string,
  policy: HealthPolicy,
  now: Date,
): Promise<{ previous: Health; health: Health; reason: string; noticeId: string | null }> {
  const site = await db.site.findUniqueOrThrow({
    where: { id: siteId },
    select: { health: true, lastSuccessAt: true, lastError: true, lastErrorKind: true, name: true, host: true },
  });
  const runs = await db.scrapeRun.findMany({
    where: { siteId, finishedAt: { not: null }, OR: [{ errorKind: null }, { errorKind: { not: "deferred" } }] },
    orderBy: { startedAt: "desc" },
    take: RECENT_RUNS,
    select: { ok: true, errorKind: true },
  });
  const first = await db.scrapeRun.findFirst({ where: { siteId }, orderBy: { startedAt: "asc" }, select: { startedAt: true } });
  const decision = decideHealth(
    {
      current: site.health,
      recent: runs.map((r): RunOutcome => (r.ok ? { ok: true } : { ok: false, kind: r.errorKind ?? "internal" })),
      lastSuccessAt: site.lastSuccessAt,
      firstRunAt: first?.startedAt ?? null,
      now,
    },
    policy,
  );
  if (decision.health === site.health) return { previous: site.health, health: site.health, reason: decision.reason, noticeId: null };

  const kind = noticeFor(site.health, decision.health);
  const noticeId = await db.$transaction(async (tx) => {
    const won = await tx.site.updateMany({ where: { id: siteId, health: site.health }, data: { health: decision.health, healthChangedAt: now } });
    if (won.count !== 1 || !kind) return null;
    const detail =
      kind === "broken"
        ? `${decision.reason}. Last error (${site.lastErrorKind ?? "unknown"}): ${site.lastError ?? "none recorded"}`
        : `works again: ${decision.reason}`;
    const notice = await tx.operatorNotice.upsert({
      where: { siteId_kind_transitionAt: { siteId, kind, transitionAt: now } },
      create: { siteId, kind, transitionAt: now, detail: detail.slice(0, 4000) },
      update: {},
      select: { id: true },
    });
    return notice.id;
  });
  return { previous: site.health, health: decision.health, reason: decision.reason, noticeId };
}

export interface OperatorNoticeFacts {
  kind: "broken" | "recovered";
  siteName: string;
  host: string;
  transitionAt: Date;
  detail: string;
  lastSuccessAt: Date | null;
  brokenSince: Date | null;
  publicUrl: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** The e-mail to operators, in plain Dutch like the staff pages. No personal data: sites only. */
export function renderOperatorNotice(f: OperatorNoticeFacts): RenderedMessage {
  const when = (d: Date | null) => (d ? formatAmsterdam(d, "nl-NL") : "nog nooit");
  const page = `${f.publicUrl.replace(/\/+$/, "")}/sites.html`;
  const lines =
    f.kind === "broken"
      ? [
          `Eldersthuis kan ${f.siteName} (${f.host}) niet meer lezen.`,
          ``,
          `Kapot sinds: ${when(f.transitionAt)}`,
          `Laatst gelukt: ${when(f.lastSuccessAt)}`,
          `Wat er mis is: ${f.detail}`,
          ``,
          `De woningen van deze site blijven staan zoals ze waren. Zolang de site niet werkt, krijgen gezinnen geen nieuwe woningen van deze site.`,
          `U krijgt weer een bericht als de site weer werkt.`,
          ``,
          `Overzicht van alle sites: ${page}`,
        ]
      : [
          `Eldersthuis kan ${f.siteName} (${f.host}) weer lezen.`,
          ``,
          `Weer gelukt: ${when(f.transitionAt)}`,
          `Kapot sinds: ${when(f.brokenSince)}`,
          ``,
          `Overzicht van alle sites: ${page}`,
        ];
  const subject = f.kind === "broken" ? `Site werkt niet: ${f.siteName}` : `Site werkt weer: ${f.siteName}`;
  const text = lines.join("\n");
  const html = `<!doctype html><html lang="nl"><body>${lines.map((l) => (l === "" ? "" : `<p>${escapeHtml(l)}</p>`)).join("\n")}</body></html>`;
  return { subject: `[Eldersthuis] ${subject}`, text, html };
}
