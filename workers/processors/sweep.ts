// The sweep makes Postgres the source of truth for pending work. Every run it:
//  - (re)creates each enabled site's scrape Job Scheduler (so a Redis flush or a catalogue change
//    heals itself),
//  - re-enqueues matching for listings whose current content was never matched,
//  - re-enqueues notify jobs for notifications still queued.
// Job ids are business keys, so re-enqueueing work that is already waiting is a no-op.
import type { Job } from "bullmq";
import type { Logger } from "pino";
import type { Db } from "../../infra/db.js";
import { jobIds, type Queues } from "../queues.js";

export interface SweepDeps {
  db: Db;
  queues: Queues;
  log: Logger;
  defaultPollSeconds: number;
  /** Work younger than this is still in flight in the normal path. */
  graceMs?: number;
  now?: () => Date;
}

export async function syncSchedulers(deps: Pick<SweepDeps, "db" | "queues" | "defaultPollSeconds">): Promise<number> {
  const sites = await deps.db.site.findMany({ select: { id: true, enabled: true, pollIntervalSeconds: true } });
  for (const s of sites) {
    const id = jobIds.scrapeScheduler(s.id);
    if (!s.enabled) {
      await deps.queues.scrape.removeJobScheduler(id);
      continue;
    }
    const every = (s.pollIntervalSeconds || deps.defaultPollSeconds) * 1000;
    await deps.queues.scrape.upsertJobScheduler(id, { every }, { name: "scrape", data: { siteId: s.id } });
  }
  return sites.length;
}

export async function sweep(deps: SweepDeps): Promise<{ schedulers: number; matches: number; notifications: number }> {
  const { db, queues } = deps;
  const before = new Date((deps.now ?? (() => new Date()))().getTime() - (deps.graceMs ?? 30_000));
  const schedulers = await syncSchedulers(deps);
  const unmatched = await db.$queryRaw<{ id: string; contentHash: string }[]>`
    SELECT id, "contentHash" FROM "Listing"
    WHERE status = 'open' AND ("matchedHash" IS NULL OR "matchedHash" <> "contentHash") AND "lastSeenAt" < ${before}
    LIMIT 1000`;
  for (const l of unmatched) {
    await queues.add("match", "match-listing", { listingId: l.id, contentHash: l.contentHash }, { jobId: jobIds.match(l.id, l.contentHash) });
  }
  const queued = await db.notification.findMany({
    where: { status: "queued", createdAt: { lt: before }, OR: [{ notBefore: null }, { notBefore: { lte: new Date() } }] },
    select: { id: true },
    take: 1000,
  });
  for (const n of queued) {
    await queues.add("notify", "notify-send", { notificationId: n.id }, { jobId: jobIds.notify(n.id) });
  }
  if (unmatched.length || queued.length) deps.log.info({ matches: unmatched.length, notifications: queued.length }, "sweep re-enqueued pending work");
  return { schedulers, matches: unmatched.length, notifications: queued.length };
}

export function sweepProcessor(deps: SweepDeps) {
  return async (_job: Job) => sweep(deps);
}
