// Scrape one site: fetch (HTTP or browser) → parse (adapter, zod) → store → enqueue matching.
// A failed fetch or a page that does not parse is an error for that site, never "no new homes":
// known listings stay as they were, and the run, the site's last error and its consecutive
// failures are recorded.
import { UnrecoverableError, type Job } from "bullmq";
import type { Logger } from "pino";
import { z } from "zod";
import type { NormalizedListing } from "../../domain/listing.js";
import type { Db } from "../../infra/db.js";
import { storeListings } from "../pipeline/listings.js";
import { jobIds, parseJob, type Queues } from "../queues.js";
import type { BrowserPool } from "../sites/browser.js";
import { SiteError, SiteSchemaError } from "../sites/errors.js";
import type { HttpClient } from "../sites/http.js";
import { adapterFor } from "../sites/registry.js";

export interface ScrapeDeps {
  db: Db;
  queues: Queues;
  http: HttpClient;
  browser: BrowserPool;
  log: Logger;
  now?: () => Date;
  /** Hard limit for one scrape, browser included. */
  timeoutMs: number;
}

/** A drop from this many listings to none is not believed: sites rarely empty at once. */
const IMPLAUSIBLE_DROP_FROM = 5;

const CatalogueExtras = z.object({ towns: z.record(z.string(), z.string()).default({}) });

export async function scrapeSite(deps: ScrapeDeps, siteId: string, jobLog: Logger): Promise<{ runId: string; seen: number; created: number; closed: number }> {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const site = await db.site.findUnique({ where: { id: siteId } });
  if (!site) throw new UnrecoverableError(`unknown site ${siteId}`);
  if (!site.enabled) return { runId: "", seen: 0, created: 0, closed: 0 };
  const adapter = adapterFor(site.platform);
  const target = { id: site.id, baseUrl: site.baseUrl, settings: site.settings };
  const run = await db.scrapeRun.create({ data: { siteId, startedAt: now() } });
  const log = jobLog.child({ siteId, runId: run.id });

  try {
    const signal = AbortSignal.timeout(deps.timeoutMs);
    const pages = await adapter.fetch(target, { http: deps.http, browser: deps.browser, log, signal });
    const listings: NormalizedListing[] = pages.flatMap((p) => adapter.parse(p.body, target));
    if (listings.length === 0 && (site.lastListingCount ?? 0) >= IMPLAUSIBLE_DROP_FROM) {
      throw new SiteSchemaError(siteId, `implausible drop to zero listings (was ${site.lastListingCount})`);
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
    const finished = now();
    await db.$transaction([
      db.scrapeRun.update({
        where: { id: run.id },
        data: { finishedAt: finished, ok: true, listingsSeen: stored.seen, created: stored.created, updated: stored.updated, closed: stored.closed },
      }),
      db.site.update({
        where: { id: siteId },
        data: { lastScrapeAt: finished, lastSuccessAt: finished, consecutiveFailures: 0, lastError: null, lastErrorKind: null, lastListingCount: stored.seen },
      }),
    ]);
    log.info({ seen: stored.seen, created: stored.created, updated: stored.updated, closed: stored.closed, matching: stored.toMatch.length }, "scrape done");
    return { runId: run.id, seen: stored.seen, created: stored.created, closed: stored.closed };
  } catch (err) {
    const kind = err instanceof SiteError ? err.kind : "internal";
    const message = err instanceof Error ? err.message : String(err);
    const finished = now();
    await db.$transaction([
      db.scrapeRun.update({ where: { id: run.id }, data: { finishedAt: finished, ok: false, errorKind: kind, error: message.slice(0, 2000) } }),
      db.site.update({
        where: { id: siteId },
        data: { lastScrapeAt: finished, lastError: message.slice(0, 2000), lastErrorKind: kind, consecutiveFailures: { increment: 1 } },
      }),
    ]);
    log.warn({ kind, err: message }, "scrape failed");
    // A changed format or a block is not fixed by retrying now: the next scheduled run tries again.
    if (kind === "schema" || kind === "blocked") throw new UnrecoverableError(message);
    throw err;
  }
}

export function scrapeProcessor(deps: ScrapeDeps) {
  return async (job: Job) => {
    const { siteId } = parseJob("scrape", "scrape", job.data);
    return scrapeSite(deps, siteId, deps.log.child({ jobId: job.id, queue: "scrape" }));
  };
}

