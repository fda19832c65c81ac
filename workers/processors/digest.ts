// The daily digest: one message per family, day and channel with the homes that wait for it
// (waiting-time and lottery homes; homes over the daily cap; homes that came in during a pause).
// One job per family and Amsterdam day ("digest-<family>-<day>"), enqueued by the sweep once the
// family's digest time has passed.
//  1. Assemble (once, under the family's row lock): a Digest row per channel (unique per family,
//     day and channel: the once-only guard) and, for every waiting home, a Notification per
//     channel linked to its digest through providerMessageId "digest:<digestId>". A home waits
//     while its match is delivery "digest" and has no Notification yet.
//  2. Per queued Digest: SMS waits for the end of quiet hours, everything waits for the end of a
//     pause; then claim its notifications queued → sending, send one message, and in one
//     transaction mark digest and notifications sent, log "alert_sent" (with the digest id) for
//     every home and create their deadline reminders.
// A worker killed mid-send leaves the notifications "sending": the sweep marks digest and
// notifications failed ("interrupted"), never resends.
import { UnrecoverableError } from "bullmq";
import type { Logger } from "pino";
import { amsterdamDay, channelSendAt, digestDueDay, isPaused, nextDigestAt, type Channel } from "../../domain/delivery-policy.js";
import { renderDigestEmail, renderDigestPush, renderDigestSms } from "../../domain/delivery-messages.js";
import { Prisma, type Db } from "../../infra/db.js";
import { appendActivity } from "../../infra/evidence-log.js";
import { canUse, sendOn, type Channels } from "../channels/deliver.js";
import { ChannelUnavailableError, isChannelError } from "../channels/errors.js";
import { familyChannels, homeFacts, loadFamilyForDelivery, pushLinkFor, pushTtlFor, tapLinksFor, withPushLinkIf } from "../pipeline/delivery.js";
import type { Queues } from "../queues.js";
import { createDeadlineReminders, enqueueReminders } from "./reminders.js";

export const DIGEST_LINK_PREFIX = "digest:";
/** A digest lists at most this many homes; the rest wait for the next one. */
export const DIGEST_MAX_HOMES = 30;

export interface DigestDeps extends Channels {
  db: Db;
  log: Logger;
  publicUrl: string;
  tokenSecret: string;
  tokenTtlSeconds: number;
  /** To enqueue reminder jobs right away; without it the sweep picks them up. */
  queues?: Queues;
  /** Hours before a closing time at which to remind (REMINDER_OFFSETS_HOURS). */
  reminderOffsetsHours?: number[];
  now?: () => Date;
}

export interface DigestResult {
  assembled: number;
  sent: Channel[];
  failed: Channel[];
  later?: Date;
}

const dayDate = (day: string) => new Date(`${day}T00:00:00Z`);

/** Matches waiting for a family's digest: digest delivery, nothing sent or planned yet, still open. */
function waitingMatches(tx: Prisma.TransactionClient | Db, familyId: string, now: Date) {
  return tx.match.findMany({
    where: {
      familyId,
      delivery: "digest",
      createdAt: { lte: now },
      notifications: { none: {} },
      listing: { status: "open", OR: [{ closesAt: null }, { closesAt: { gt: now } }] },
    },
    orderBy: { createdAt: "asc" },
    take: DIGEST_MAX_HOMES,
    select: { id: true },
  });
}

/** Step 1: Digest and Notification rows for the family's waiting homes. Returns how many homes. */
async function assemble(deps: DigestDeps, familyId: string, day: string, now: Date): Promise<number> {
  return deps.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Family" WHERE id = ${familyId}::uuid FOR UPDATE`;
    if ((await tx.digest.count({ where: { familyId, day: dayDate(day) } })) > 0) return 0;
    const family = await loadFamilyForDelivery(tx, familyId);
    if (!family || family.erasedAt) return 0;
    // Never before the family's digest time or during a pause (a job can be older than a change).
    const today = amsterdamDay(now);
    if (day > today || (day === today && digestDueDay(now, family) === null)) return 0;
    if (isPaused(now, family)) return 0;
    const homes = await waitingMatches(tx, familyId, now);
    const channels = familyChannels(family, { sms: Boolean(deps.sms), push: Boolean(deps.push) });
    if (homes.length === 0 || channels.length === 0) return 0;
    for (const channel of channels) {
      const digest = await tx.digest.create({ data: { familyId, day: dayDate(day), channel } });
      const at = channelSendAt(channel, now, family);
      await tx.notification.createMany({
        data: homes.map((m) => ({ matchId: m.id, channel, providerMessageId: `${DIGEST_LINK_PREFIX}${digest.id}`, notBefore: at.getTime() === now.getTime() ? null : at })),
      });
    }
    return homes.length;
  });
}

/** Marks a digest whose sending was interrupted as failed, with its notifications; never resent. */
export async function interruptStaleDigest(db: Db, digestId: string, log: Logger): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const won = await tx.digest.updateMany({ where: { id: digestId, status: "sending" }, data: { status: "failed", error: "interrupted while sending; not resent to avoid a duplicate" } });
    if (won.count !== 1) return false;
    const link = `${DIGEST_LINK_PREFIX}${digestId}`;
    const ns = await tx.notification.findMany({ where: { providerMessageId: link, status: "sending" }, include: { match: { select: { familyId: true } } } });
    await tx.notification.updateMany({ where: { providerMessageId: link, status: "sending" }, data: { status: "failed", error: "interrupted while sending; not resent to avoid a duplicate" } });
    for (const n of ns) {
      await appendActivity(tx, { familyId: n.match.familyId, type: "alert_failed", actor: "system", matchId: n.matchId, payload: { notificationId: n.id, digestId, channel: n.channel, error: "interrupted" } });
    }
    log.error({ digestId }, "digest interrupted mid-send; marked failed");
    return true;
  });
}

/** Step 2 for one queued digest. */
async function sendDigest(deps: DigestDeps, digestId: string, now: Date, log: Logger): Promise<"sent" | "failed" | "busy" | "empty" | { later: Date }> {
  const { db } = deps;
  const digest = await db.digest.findUniqueOrThrow({ where: { id: digestId } });
  if (digest.status !== "queued") return "busy";
  const family = await loadFamilyForDelivery(db, digest.familyId);
  if (!family) throw new UnrecoverableError(`family of digest ${digestId} not found`);
  const channel = digest.channel as Channel;
  const link = `${DIGEST_LINK_PREFIX}${digest.id}`;
  const queued = await db.notification.findMany({
    where: { providerMessageId: link, status: "queued" },
    include: { match: { include: { listing: { include: { site: { select: { name: true } } } } } } },
    orderBy: { createdAt: "asc" },
  });
  if (isPaused(now, family)) {
    const until = nextDigestAt(now, family);
    await db.notification.updateMany({ where: { providerMessageId: link, status: "queued" }, data: { notBefore: until } });
    return { later: until };
  }
  const due = queued.reduce<Date | null>((acc, n) => (n.notBefore && (!acc || n.notBefore > acc) ? n.notBefore : acc), null);
  const at = channelSendAt(channel, due && due > now ? due : now, family);
  if (at.getTime() > now.getTime() + 1000) {
    await db.notification.updateMany({ where: { providerMessageId: link, status: "queued" }, data: { notBefore: at } });
    return { later: at };
  }
  // Homes that closed while the digest waited are not announced.
  const open = queued.filter((n) => n.match.listing.status === "open" && (!n.match.listing.closesAt || n.match.listing.closesAt > now));
  const closed = queued.filter((n) => !open.includes(n));
  if (closed.length) {
    await db.notification.updateMany({ where: { id: { in: closed.map((n) => n.id) }, status: "queued" }, data: { status: "failed", error: "not sent: the home closed before the digest could go" } });
  }
  if (open.length === 0 || family.erasedAt || !canUse(deps, channel, family)) {
    const error = open.length === 0 ? "nothing left to send" : "no way to reach the family on this channel";
    await db.$transaction([
      db.notification.updateMany({ where: { providerMessageId: link, status: "queued" }, data: { status: "failed", error: `not sent: ${error}` } }),
      db.digest.updateMany({ where: { id: digest.id, status: "queued" }, data: { status: "failed", error } }),
    ]);
    return "empty";
  }

  const claimed = await db.$transaction(async (tx) => {
    const won = await tx.digest.updateMany({ where: { id: digest.id, status: "queued" }, data: { status: "sending" } });
    if (won.count !== 1) return 0;
    const c = await tx.notification.updateMany({ where: { id: { in: open.map((n) => n.id) }, status: "queued" }, data: { status: "sending", claimedAt: now, attempts: { increment: 1 } } });
    // Nothing of it left to claim (another worker's digest run took it): leave the digest as it was.
    if (c.count === 0) await tx.digest.update({ where: { id: digest.id }, data: { status: "queued" } });
    return c.count;
  });
  if (claimed === 0) return "busy";

  const lang = family.language;
  const homes = open.map((n) => homeFacts(n.match.listing, channel === "email" ? tapLinksFor(n.matchId, deps, now) : undefined));
  const latestClose = open.reduce<Date | null>((acc, n) => (n.match.listing.closesAt && (!acc || n.match.listing.closesAt > acc) ? n.match.listing.closesAt : acc), null);
  let providerMessageId: string;
  try {
    ({ providerMessageId } = await sendOn(
      db,
      deps,
      channel,
      family,
      {
        email: () => withPushLinkIf(Boolean(deps.push), renderDigestEmail(lang, family.displayName, homes), lang, () => pushLinkFor(family.id, deps, now)),
        sms: () => renderDigestSms(lang, homes, { hasEmail: Boolean(family.email) }),
        push: () => renderDigestPush(lang, homes, `digest-${digest.id}`, homes[0]!.listingUrl),
      },
      { emailMessageId: `<digest-${digest.id}@eldersthuis>`, smsRef: `d-${digest.id}`, pushTtlSeconds: pushTtlFor(latestClose, now), pushUrgency: "normal" },
      log,
    ));
  } catch (err) {
    const error = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
    const retry = err instanceof ChannelUnavailableError || !isChannelError(err);
    await db.$transaction(async (tx) => {
      await tx.digest.update({ where: { id: digest.id }, data: { status: retry ? "queued" : "failed", error: retry ? error : `${(err as { kind?: string }).kind}: ${error}` } });
      await tx.notification.updateMany({ where: { providerMessageId: link, status: "sending" }, data: { status: retry ? "queued" : "failed", error } });
      if (!retry) {
        for (const n of open) {
          await appendActivity(tx, { familyId: family.id, type: "alert_failed", actor: "system", matchId: n.matchId, payload: { notificationId: n.id, digestId: digest.id, channel, error: error.slice(0, 300) } });
        }
      }
    });
    if (retry) {
      log.warn({ digestId: digest.id, channel, err: error }, "digest not accepted; will retry");
      throw err;
    }
    log.error({ digestId: digest.id, channel, err: error }, "digest failed");
    return "failed";
  }
  const reminders = await db.$transaction(async (tx) => {
    const sentAt = new Date();
    await tx.digest.update({ where: { id: digest.id }, data: { status: "sent", providerMessageId, sentAt, error: null } });
    await tx.notification.updateMany({ where: { providerMessageId: link, status: "sending" }, data: { status: "sent", sentAt, error: null } });
    const created: { id: string; dueAt: Date }[] = [];
    for (const n of open) {
      await appendActivity(tx, {
        familyId: family.id,
        type: "alert_sent",
        actor: "system",
        matchId: n.matchId,
        payload: { notificationId: n.id, digestId: digest.id, channel, providerMessageId },
      });
      created.push(
        ...(await createDeadlineReminders(tx, {
          familyId: family.id,
          matchId: n.matchId,
          closesAt: n.match.listing.closesAt,
          channels: familyChannels(family, { sms: Boolean(deps.sms), push: Boolean(deps.push) }),
          offsetsHours: deps.reminderOffsetsHours ?? [24, 3],
          now,
        })),
      );
    }
    return created;
  });
  await enqueueReminders(deps.queues, reminders, now);
  log.info({ digestId: digest.id, channel, homes: open.length }, "digest sent");
  return "sent";
}

/** Runs a family's digest of one day: assembles it if needed, then sends every channel that may go now. */
export async function runDigest(deps: DigestDeps, familyId: string, day: string, log: Logger): Promise<DigestResult> {
  const now = (deps.now ?? (() => new Date()))();
  let assembled = 0;
  try {
    assembled = await assemble(deps, familyId, day, now);
  } catch (err) {
    // Another worker assembled the same digest at the same moment: its rows are the digest.
    if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")) throw err;
  }
  const digests = await deps.db.digest.findMany({ where: { familyId, day: dayDate(day), status: "queued" }, orderBy: { channel: "asc" } });
  const result: DigestResult = { assembled, sent: [], failed: [] };
  for (const d of digests) {
    const r = await sendDigest(deps, d.id, now, log);
    if (r === "sent") result.sent.push(d.channel as Channel);
    else if (r === "failed") result.failed.push(d.channel as Channel);
    else if (typeof r === "object" && (!result.later || r.later < result.later)) result.later = r.later;
  }
  return result;
}
