// The sweep makes Postgres the source of truth for pending work. Every run it:
//  - (re)creates each enabled site's scrape Job Scheduler (so a Redis flush or a catalogue change
//    heals itself),
//  - re-enqueues matching for listings whose current content was never matched,
//  - re-enqueues notify jobs for notifications still queued,
//  - re-enqueues operator notices (site broke / works again) not yet mailed, when OPERATOR_EMAIL is set.
//  - delivery (sweepDelivery, below): marks sends a dead worker left "sending" as failed, enqueues
//    digests whose time has come, re-creates jobs for reminders due soon.
// Job ids are business keys, so re-enqueueing work that is already waiting is a no-op.
import type { Job } from "bullmq";
import type { Logger } from "pino";
import type { Db } from "../../infra/db.js";
import { enqueueAgain, jobIds, type Queues } from "../queues.js";
import { digestDueDay } from "../../domain/delivery-policy.js";
import { deliveryChannelsEnabled, familyChannels } from "../pipeline/delivery.js";
import { DIGEST_LINK_PREFIX, interruptStaleDigest } from "./digest.js";
import { DEFAULT_STALE_CLAIM_MS, interruptStaleNotification } from "./notify.js";
import { interruptStaleReminder } from "./reminders.js";

export interface SweepDeps {
  db: Db;
  queues: Queues;
  log: Logger;
  defaultPollSeconds: number;
  /** Work younger than this is still in flight in the normal path. */
  graceMs?: number;
  now?: () => Date;
  /** Unset: operator notices are only recorded, so there is nothing to re-enqueue. */
  operatorEmail?: string;
  /** A send claimed longer ago than this was left by a dead worker (DELIVERY_STALE_CLAIM_SECONDS). */
  staleClaimMs?: number;
  /** Reminder jobs are (re)created this long before they are due. */
  reminderHorizonMs?: number;
}

/** Notices older than this are history: mailing them after a long outage would only confuse. */
const OPERATOR_NOTICE_MAX_AGE_MS = 7 * 24 * 3_600_000;

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

export async function sweep(deps: SweepDeps): Promise<{ schedulers: number; matches: number; notifications: number; operatorNotices: number; delivery: DeliverySweep }> {
  const { db, queues } = deps;
  const nowMs = (deps.now ?? (() => new Date()))().getTime();
  const before = new Date(nowMs - (deps.graceMs ?? 30_000));
  const schedulers = await syncSchedulers(deps);
  const unmatched = await db.$queryRaw<{ id: string; contentHash: string }[]>`
    SELECT id, "contentHash" FROM "Listing"
    WHERE status = 'open' AND ("matchedHash" IS NULL OR "matchedHash" <> "contentHash") AND "lastSeenAt" < ${before}
    LIMIT 1000`;
  for (const l of unmatched) {
    await queues.add("match", "match-listing", { listingId: l.id, contentHash: l.contentHash }, { jobId: jobIds.match(l.id, l.contentHash) });
  }
  const queued = await requeueNotifications(deps, before);
  const notices = deps.operatorEmail
    ? await db.operatorNotice.findMany({
        where: { sentAt: null, createdAt: { lt: before, gt: new Date(nowMs - OPERATOR_NOTICE_MAX_AGE_MS) } },
        select: { id: true },
        take: 100,
      })
    : [];
  for (const n of notices) {
    // enqueueAgain: a job that used up its attempts while SMTP was down is kept as failed, and a plain add would be a no-op.
    await enqueueAgain(queues, "operator", "operator-notice", { noticeId: n.id }, { jobId: jobIds.operatorNotice(n.id) });
  }
  const delivery = await sweepDelivery(deps);
  if (unmatched.length || queued.length || notices.length) {
    deps.log.info({ matches: unmatched.length, notifications: queued.length, operatorNotices: notices.length }, "sweep re-enqueued pending work");
  }
  return { schedulers, matches: unmatched.length, notifications: queued.length, operatorNotices: notices.length, delivery };
}

export function sweepProcessor(deps: SweepDeps) {
  return async (_job: Job) => sweep(deps);
}

// ---------------------------------------------------------------------------------------------
// Delivery: alerts, digests and reminders the database says are pending or stuck.

/** Alerts still queued whose time has come (not the ones a digest sends). */
async function requeueNotifications(deps: SweepDeps, before: Date): Promise<{ id: string }[]> {
  const now = (deps.now ?? (() => new Date()))();
  const queued = await deps.db.notification.findMany({
    where: {
      status: "queued",
      createdAt: { lt: before },
      AND: [{ OR: [{ notBefore: null }, { notBefore: { lte: now } }] }, { OR: [{ providerMessageId: null }, { NOT: { providerMessageId: { startsWith: DIGEST_LINK_PREFIX } } }] }],
    },
    select: { id: true },
    take: 1000,
  });
  for (const n of queued) {
    // A job kept as failed after its last retry would make a plain add a no-op for days.
    await enqueueAgain(deps.queues, "notify", "notify-send", { notificationId: n.id }, { jobId: jobIds.notify(n.id) });
  }
  return queued;
}

export interface DeliverySweep {
  interrupted: number;
  digests: number;
  reminders: number;
}

/**
 * Marks sends left "sending" by a dead worker as failed (never resent), enqueues digests whose time
 * has come, and re-creates reminder jobs for scheduled reminders due soon (after a Redis flush).
 */
export async function sweepDelivery(deps: SweepDeps): Promise<DeliverySweep> {
  const { db, queues, log } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const staleBefore = new Date(now.getTime() - (deps.staleClaimMs ?? DEFAULT_STALE_CLAIM_MS));
  let interrupted = 0;

  const stale = await db.notification.findMany({
    where: { status: "sending", claimedAt: { lt: staleBefore } },
    select: { id: true, matchId: true, channel: true, claimedAt: true, providerMessageId: true, match: { select: { familyId: true } } },
    take: 500,
  });
  const staleDigests = new Set<string>();
  for (const n of stale) {
    if (n.providerMessageId?.startsWith(DIGEST_LINK_PREFIX)) staleDigests.add(n.providerMessageId.slice(DIGEST_LINK_PREFIX.length));
    else if (await interruptStaleNotification(db, { ...n, familyId: n.match.familyId }, log)) interrupted += 1;
  }
  for (const id of staleDigests) if (await interruptStaleDigest(db, id, log)) interrupted += 1;
  const staleReminders = await db.reminder.findMany({ where: { status: "sending", sentAt: { lt: staleBefore } }, select: { id: true, sentAt: true }, take: 500 });
  for (const r of staleReminders) if (await interruptStaleReminder(db, r, log)) interrupted += 1;

  const digests = await enqueueDueDigests(deps, now);

  const dueSoon = await db.reminder.findMany({
    where: { status: "scheduled", dueAt: { lte: new Date(now.getTime() + (deps.reminderHorizonMs ?? 3_600_000)) } },
    select: { id: true, dueAt: true },
    orderBy: { dueAt: "asc" },
    take: 1000,
  });
  let reminders = 0;
  for (const r of dueSoon) {
    const delay = Math.max(0, r.dueAt.getTime() - now.getTime());
    if (await enqueueAgain(queues, "reminders", "reminder-send", { reminderId: r.id }, { jobId: jobIds.reminder(r.id), delay })) reminders += 1;
  }
  if (interrupted || digests || reminders) log.info({ interrupted, digests, reminders }, "sweep: delivery work");
  return { interrupted, digests, reminders };
}

/** Families whose digest time has passed today with homes waiting, and digests waiting for their hour. */
async function enqueueDueDigests(deps: SweepDeps, now: Date): Promise<number> {
  const { db, queues } = deps;
  const jobs = new Map<string, { familyId: string; day: string }>();
  const waiting = await db.$queryRaw<{ familyId: string }[]>`
    SELECT DISTINCT m."familyId" AS "familyId" FROM "Match" m JOIN "Listing" l ON l.id = m."listingId"
    WHERE m.delivery = 'digest' AND l.status = 'open' AND (l."closesAt" IS NULL OR l."closesAt" > ${now})
      AND NOT EXISTS (SELECT 1 FROM "Notification" n WHERE n."matchId" = m.id)
    LIMIT 5000`;
  if (waiting.length) {
    const families = await db.family.findMany({
      where: { id: { in: waiting.map((w) => w.familyId) }, erasedAt: null },
      select: { id: true, email: true, phone: true, erasedAt: true, digestTime: true, pausedUntil: true, _count: { select: { pushSubscriptions: true } } },
    });
    const enabled = deliveryChannelsEnabled();
    const due = families
      .filter((f) => familyChannels({ ...f, pushSubscriptions: f._count.pushSubscriptions }, enabled).length > 0)
      .map((f) => ({ familyId: f.id, day: digestDueDay(now, f) }))
      .filter((d): d is { familyId: string; day: string } => d.day !== null);
    if (due.length) {
      const done = await db.digest.findMany({ where: { OR: due.map((d) => ({ familyId: d.familyId, day: new Date(`${d.day}T00:00:00Z`) })) }, select: { familyId: true } });
      const doneSet = new Set(done.map((d) => d.familyId));
      for (const d of due) if (!doneSet.has(d.familyId)) jobs.set(`${d.familyId}/${d.day}`, d);
    }
  }
  const queuedDigests = await db.$queryRaw<{ familyId: string; day: Date }[]>`
    SELECT DISTINCT d."familyId" AS "familyId", d.day AS day FROM "Digest" d
    WHERE d.status = 'queued' AND EXISTS (
      SELECT 1 FROM "Notification" n WHERE n.status = 'queued' AND n."providerMessageId" = ${DIGEST_LINK_PREFIX}::text || d.id::text
        AND (n."notBefore" IS NULL OR n."notBefore" <= ${now}))
    LIMIT 1000`;
  for (const q of queuedDigests) {
    const day = q.day.toISOString().slice(0, 10);
    jobs.set(`${q.familyId}/${day}`, { familyId: q.familyId, day });
  }
  let added = 0;
  for (const j of jobs.values()) {
    if (await enqueueAgain(queues, "notify", "digest-send", j, { jobId: jobIds.digest(j.familyId, j.day) })) added += 1;
  }
  return added;
}
