// Scrape one site: fetch (HTTP or browser, politely) → parse (adapter, zod) → store → enqueue matching,
// then decide the site's health from its recent runs.
// A failed fetch or a page that does not parse is an error for that site, never "no new homes":
// known listings stay as they were, and the run, the site's last error and its consecutive failures
// are recorded. Listings are closed only after a full, believable offer came in and was stored; never
// on a failure, a block, a 304 ("not modified") or a suspicious answer.
//
// Back-off (429/503 with Retry-After, kept per host in Redis): a scrape that finds its host in
// back-off is not run and not counted against the site; the job is moved (BullMQ moveToDelayed +
// DelayedError) to the moment the host allows again. One such deferred job per site is enough: later
// ones (the scheduler keeps producing them) complete as "skipped".
import { DelayedError, UnrecoverableError, type Job } from "bullmq";
import type { Logger } from "pino";
import { z } from "zod";
import type { NormalizedListing } from "../../domain/listing.js";
import type { Db } from "../../infra/db.js";
import { storeListings } from "../pipeline/listings.js";
import {
  failureKind,
  IMPLAUSIBLE_DROP_FROM,
  recordHealth,
  SuspiciousOfferError,
  type HealthPolicy,
} from "../pipeline/site-health.js";
import { jobIds, parseJob, type Queues } from "../queues.js";
import type { BrowserPool } from "../sites/browser.js";
import { SiteError, SiteSchemaError } from "../sites/errors.js";
import { NotModified, type HttpClient, type SiteScope } from "../sites/http.js";
import { HostBackoffError, RobotsCheckedBrowser, RobotsDisallowedError } from "../sites/politeness.js";
import { adapterFor } from "../sites/registry.js";
import type { FetchedPage, SiteAdapter, SiteTarget } from "../sites/types.js";

export interface ScrapeDeps {
  db: Db;
  queues: Queues;
  /** The shared client; with politeness configured every scrape is polite (see workers/sites/politeness.ts). */
  http: HttpClient;
  browser: BrowserPool;
  log: Logger;
  now?: () => Date;
  /** Hard limit for one scrape, browser and waiting for the host included. */
  timeoutMs: number;
  /** Thresholds of the site-health state machine. Default: 3 format failures, 5 failures, 24 hours. */
  health?: HealthPolicy;
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = { brokenAfterFormatFailures: 3, brokenAfterFailures: 5, brokenAfterMs: 24 * 3_600_000 };

export { IMPLAUSIBLE_DROP_FROM };

const CatalogueExtras = z.object({ towns: z.record(z.string(), z.string()).default({}) });

export interface ScrapeResult {
  runId: string;
  seen: number;
  created: number;
  closed: number;
  /** The site answered 304 to our validators: nothing was parsed, listings were kept. */
  notModified?: boolean;
}

/**
 * Fetches through a real browser while holding the host's lease for the whole page load: a browser
 * fires several requests of its own, and no other worker's request to that host should mix in.
 * robots.txt is applied to every request the page makes to the site.
 */
async function fetchInBrowser(
  deps: ScrapeDeps,
  adapter: SiteAdapter,
  target: SiteTarget,
  scope: SiteScope,
  log: Logger,
  signal: AbortSignal,
): Promise<FetchedPage[]> {
  const politeness = deps.http.politeness;
  const http = deps.http.forSite({ ...scope, validators: undefined, leaseHeld: politeness !== undefined });
  if (!politeness) return adapter.fetch(target, { http, browser: deps.browser, log, signal });
  // robots.txt first, under its own lease, so the page load below waits the minimum delay after it.
  const rules = await deps.http.forSite(scope).robotsFor(scope.baseUrl, signal);
  const browser = rules ? new RobotsCheckedBrowser(deps.browser, rules) : deps.browser;
  const lease = await politeness.acquire(scope.host, { holdMs: deps.timeoutMs + 5000, minDelayMs: rules?.crawlDelayMs, signal });
  let backoffMs = 0;
  try {
    return await adapter.fetch(target, { http, browser, log, signal });
  } catch (error) {
    if (browser instanceof RobotsCheckedBrowser && browser.refused && rules) {
      throw new RobotsDisallowedError(scope.siteId, browser.refused, rules.robotsUrl);
    }
    // The adapter reports a 429/503 with its Retry-After when the offer call got one.
    if (error instanceof SiteError && (error.retryAfterMs !== undefined || /\bHTTP (429|503)\b/.test(error.message))) {
      backoffMs = politeness.backoffFor(error.retryAfterMs);
    }
    throw error;
  } finally {
    await lease.release({ requested: true, backoffMs });
  }
}

async function enqueueNotice(deps: ScrapeDeps, noticeId: string | null, log: Logger): Promise<void> {
  if (!noticeId) return;
  try {
    await deps.queues.add("operator", "operator-notice", { noticeId }, { jobId: jobIds.operatorNotice(noticeId) });
  } catch (err) {
    // The row is committed; the sweep enqueues it later.
    log.warn({ noticeId, err: err instanceof Error ? err.message : String(err) }, "could not enqueue operator notice; the sweep will");
  }
}

export async function scrapeSite(deps: ScrapeDeps, siteId: string, jobLog: Logger): Promise<ScrapeResult> {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const policy = deps.health ?? DEFAULT_HEALTH_POLICY;
  const site = await db.site.findUnique({ where: { id: siteId } });
  if (!site) throw new UnrecoverableError(`unknown site ${siteId}`);
  if (!site.enabled) return { runId: "", seen: 0, created: 0, closed: 0 };
  const adapter = adapterFor(site.platform);
  const target: SiteTarget = { id: site.id, baseUrl: site.baseUrl, settings: site.settings };

  // In back-off: not a run at all; the processor moves the job to when the host allows.
  const notBefore = await deps.http.politeness?.notBefore(site.host);
  if (notBefore) throw new HostBackoffError(site.host, notBefore);

  const run = await db.scrapeRun.create({ data: { siteId, startedAt: now() } });
  const log = jobLog.child({ siteId, runId: run.id });
  const scope: SiteScope = {
    siteId,
    host: site.host,
    baseUrl: site.baseUrl,
    validators: site.etag || site.lastModified ? { etag: site.etag, lastModified: site.lastModified } : undefined,
  };
  const http = deps.http.forSite(scope);
  const signal = AbortSignal.timeout(deps.timeoutMs);

  try {
    let pages: FetchedPage[];
    try {
      pages = adapter.needsBrowser
        ? await fetchInBrowser(deps, adapter, target, scope, log, signal)
        : await adapter.fetch(target, { http, browser: deps.browser, log, signal });
    } catch (err) {
      if (err instanceof NotModified) return await keepUnchanged(deps, site.id, run.id, log);
      throw err;
    }
    const listings: NormalizedListing[] = pages.flatMap((p) => adapter.parse(p.body, target));
    if (listings.length === 0 && (site.lastListingCount ?? 0) >= IMPLAUSIBLE_DROP_FROM) {
      throw new SuspiciousOfferError(siteId, `implausible drop to zero listings (was ${site.lastListingCount})`);
    }
    const extras = CatalogueExtras.parse(site.settings ?? {});
    const stored = await storeListings(db, {
      siteId,
      runId: run.id,
      listings,
      towns: extras.towns,
      now: now(),
      fullOffer: true,
    });
    for (const l of stored.toMatch) {
      await deps.queues.add("match", "match-listing", { listingId: l.id, contentHash: l.contentHash }, { jobId: jobIds.match(l.id, l.contentHash) });
    }
    // Validators describe one request's answer; only an offer fetched in one request can be asked again conditionally.
    const validators = http.traffic.requests === 1 ? http.traffic.validators : null;
    const finished = now();
    await db.$transaction([
      db.scrapeRun.update({
        where: { id: run.id },
        data: { finishedAt: finished, ok: true, listingsSeen: stored.seen, created: stored.created, updated: stored.updated, closed: stored.closed },
      }),
      db.site.update({
        where: { id: siteId },
        data: {
          lastScrapeAt: finished,
          lastSuccessAt: finished,
          consecutiveFailures: 0,
          lastError: null,
          lastErrorKind: null,
          lastListingCount: stored.seen,
          etag: validators?.etag ?? null,
          lastModified: validators?.lastModified ?? null,
        },
      }),
    ]);
    const health = await recordHealth(db, siteId, policy, finished);
    await enqueueNotice(deps, health.noticeId, log);
    log.info(
      {
        parsed: listings.length,
        seen: stored.seen,
        created: stored.created,
        updated: stored.updated,
        closed: stored.closed,
        matching: stored.toMatch.length,
        requests: http.traffic.requests,
        bytes: http.traffic.bytes,
        browser: adapter.needsBrowser,
        health: health.health,
      },
      "scrape done",
    );
    return { runId: run.id, seen: stored.seen, created: stored.created, closed: stored.closed };
  } catch (err) {
    const finished = now();
    if (err instanceof HostBackoffError) {
      // Another worker got a 429/503 from this host while we were waiting for it: not this site's failure.
      await db.scrapeRun.update({ where: { id: run.id }, data: { finishedAt: finished, ok: false, errorKind: "deferred", error: err.message } });
      throw err;
    }
    let kind = failureKind(err);
    let message = err instanceof Error ? err.message : String(err);
    if (kind === "internal" && signal.aborted) {
      // Our own hard limit: the site (or waiting for it) took too long.
      kind = "unavailable";
      message = `${siteId}: scrape exceeded its time limit of ${deps.timeoutMs} ms`;
    }
    await db.$transaction([
      db.scrapeRun.update({ where: { id: run.id }, data: { finishedAt: finished, ok: false, errorKind: kind, error: message.slice(0, 2000) } }),
      db.site.update({
        where: { id: siteId },
        data: { lastScrapeAt: finished, lastError: message.slice(0, 2000), lastErrorKind: kind, consecutiveFailures: { increment: 1 } },
      }),
    ]);
    const health = await recordHealth(db, siteId, policy, finished);
    await enqueueNotice(deps, health.noticeId, log);
    log.warn({ kind, err: message, health: health.health }, "scrape failed");
    // A changed format or a block is not fixed by retrying now: the next scheduled run tries again.
    if (err instanceof SiteSchemaError || kind === "blocked" || kind === "robots") throw new UnrecoverableError(message);
    throw err;
  }
}

/**
 * The site answered 304: its offer is what we stored last time. Listings stay open and are marked
 * seen now (so a later close gets the right "last seen"); nothing is parsed, closed or matched.
 */
async function keepUnchanged(deps: ScrapeDeps, siteId: string, runId: string, log: Logger): Promise<ScrapeResult> {
  const { db } = deps;
  const finished = (deps.now ?? (() => new Date()))();
  const seen = await db.$transaction(async (tx) => {
    const open = await tx.listing.updateMany({ where: { siteId, status: "open" }, data: { lastSeenAt: finished } });
    await tx.scrapeRun.update({ where: { id: runId }, data: { finishedAt: finished, ok: true, listingsSeen: open.count } });
    await tx.site.update({
      where: { id: siteId },
      data: { lastScrapeAt: finished, lastSuccessAt: finished, consecutiveFailures: 0, lastError: null, lastErrorKind: null },
    });
    return open;
  });
  const health = await recordHealth(db, siteId, deps.health ?? DEFAULT_HEALTH_POLICY, finished);
  await enqueueNotice(deps, health.noticeId, log);
  log.info({ parsed: 0, seen: seen.count, notModified: true, health: health.health }, "scrape done: not modified");
  return { runId, seen: seen.count, created: 0, closed: 0, notModified: true };
}

export function scrapeProcessor(deps: ScrapeDeps) {
  return async (job: Job, token?: string) => {
    const { siteId } = parseJob("scrape", "scrape", job.data);
    const log = deps.log.child({ jobId: job.id, queue: "scrape" });
    try {
      return await scrapeSite(deps, siteId, log);
    } catch (err) {
      const politeness = deps.http.politeness;
      if (!(err instanceof HostBackoffError) || !politeness) throw err;
      // A little jitter so deferred scrapes of several sites on one host do not all wake at once.
      const at = err.notBefore.getTime() + Math.floor(Math.random() * 500);
      if (!(await politeness.claimDeferral(siteId, String(job.id), at - Date.now() + 30_000))) {
        log.info({ siteId, notBefore: err.notBefore.toISOString() }, "scrape skipped: host in back-off and a deferred scrape of this site is already waiting");
        return { skipped: "backoff" as const };
      }
      log.info({ siteId, notBefore: err.notBefore.toISOString() }, "scrape deferred: host asked us to wait");
      await job.moveToDelayed(at, token);
      throw new DelayedError();
    }
  };
}
