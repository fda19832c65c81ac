// Send one alert on one channel (e-mail, SMS or push). Once-only is enforced in Postgres:
//  1. sent/delivered/failed → nothing to do (a repeated job).
//  2. Before claiming, the policy is checked again at send time: a closed home is not announced,
//     a pause moves the home to the digest after the pause, SMS waits for the end of quiet hours.
//  3. Claim: queued → sending, by a conditional update. Only one worker wins.
//  4. Send, then mark sent, log "alert_sent" and create the deadline reminders in one transaction.
// A worker killed between 3 and 4 leaves "sending": we cannot know whether the provider took the
// message, so it is not resent (that could duplicate it) but marked failed as "interrupted" (by
// the next job run, or by the sweep once the claim is stale). For SMS the provider's delivery
// report, which carries our reference, still corrects the record if the message did go.
// An error before the provider accepted the message returns it to queued for a retry.
// Notifications that belong to a digest (providerMessageId "digest:<id>") are sent by digest.ts.
import { DelayedError, UnrecoverableError, type Job } from "bullmq";
import type { Logger } from "pino";
import { channelSendAt, isPaused, isQuiet, type Channel } from "../../domain/delivery-policy.js";
import { renderAlertPush, renderAlertSms } from "../../domain/delivery-messages.js";
import type { MatchReason } from "../../domain/eligibility.js";
import { renderAlertEmail } from "../../domain/messages.js";
import type { Db } from "../../infra/db.js";
import { appendActivity } from "../../infra/evidence-log.js";
import { canUse, sendOn } from "../channels/deliver.js";
import { ChannelUnavailableError, isChannelError } from "../channels/errors.js";
import { familyChannels, homeFacts, loadFamilyForDelivery, pushLinkFor, pushTtlFor, tapLinksFor, withPushLinkIf } from "../pipeline/delivery.js";
import { parseJob } from "../queues.js";
import { runDigest, DIGEST_LINK_PREFIX, type DigestDeps } from "./digest.js";
import { createDeadlineReminders, enqueueReminders } from "./reminders.js";

/** What a digest needs, and how long a claim may stand before it counts as a dead worker's. */
export interface NotifyDeps extends DigestDeps {
  /** A claim older than this was left by a dead worker (DELIVERY_STALE_CLAIM_SECONDS). */
  staleClaimMs?: number;
}

export const DEFAULT_STALE_CLAIM_MS = 2 * 60_000;
export const DEFAULT_REMINDER_OFFSETS = [24, 3];

export type NotifyResult = "sent" | "already" | "interrupted" | "busy" | "deferred" | "skipped" | "failed" | "digest" | { later: Date };

/** Marks a notification left "sending" by a dead worker as failed, and logs it; never resent. */
export async function interruptStaleNotification(
  db: Db,
  n: { id: string; matchId: string; channel: string; claimedAt: Date | null; familyId: string },
  log: Logger,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const won = await tx.notification.updateMany({
      where: { id: n.id, status: "sending", claimedAt: n.claimedAt },
      data: { status: "failed", error: "interrupted while sending; not resent to avoid a duplicate" },
    });
    if (won.count !== 1) return false;
    await appendActivity(tx, { familyId: n.familyId, type: "alert_failed", actor: "system", matchId: n.matchId, payload: { notificationId: n.id, channel: n.channel, error: "interrupted" } });
    log.error({ notificationId: n.id }, "notification interrupted mid-send; marked failed");
    return true;
  });
}

async function failNotification(db: Db, n: { id: string; matchId: string; channel: string }, familyId: string, error: string, fromStatus: "queued" | "sending"): Promise<void> {
  await db.$transaction(async (tx) => {
    const won = await tx.notification.updateMany({ where: { id: n.id, status: fromStatus }, data: { status: "failed", error: error.slice(0, 1000) } });
    if (won.count === 1) {
      await appendActivity(tx, { familyId, type: "alert_failed", actor: "system", matchId: n.matchId, payload: { notificationId: n.id, channel: n.channel, error: error.slice(0, 300) } });
    }
  });
}

export async function sendNotification(deps: NotifyDeps, notificationId: string, log: Logger): Promise<NotifyResult> {
  const { db } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const n = await db.notification.findUnique({
    where: { id: notificationId },
    include: { match: { include: { listing: { include: { site: { select: { name: true } } } } } } },
  });
  if (!n) throw new UnrecoverableError(`notification ${notificationId} not found`);
  if (n.providerMessageId?.startsWith(DIGEST_LINK_PREFIX)) return "digest";
  if (n.status === "sent" || n.status === "delivered" || n.status === "failed") return "already";
  const familyId = n.match.familyId;
  if (n.status === "sending") {
    if (n.claimedAt && now.getTime() - n.claimedAt.getTime() < (deps.staleClaimMs ?? DEFAULT_STALE_CLAIM_MS)) return "busy";
    return (await interruptStaleNotification(db, { ...n, familyId }, log)) ? "interrupted" : "already";
  }

  // queued: is it still right to send it, and now?
  if (n.notBefore && n.notBefore.getTime() > now.getTime() + 1000) return { later: n.notBefore };
  const family = await loadFamilyForDelivery(db, familyId);
  const { listing } = n.match;
  const channel = n.channel as Channel;
  if (!family || family.erasedAt) {
    await failNotification(db, n, familyId, "not sent: the family's data was erased", "queued");
    return "skipped";
  }
  if (listing.status !== "open" || (listing.closesAt && listing.closesAt.getTime() <= now.getTime())) {
    await failNotification(db, n, familyId, "not sent: the home closed before the message could go", "queued");
    return "skipped";
  }
  if (isPaused(now, family)) {
    // The family pressed pause after this alert was planned: it joins the digest after the pause
    // (only if nothing about this home went yet; otherwise the family already has it).
    await db.$transaction(async (tx) => {
      const removed = await tx.notification.deleteMany({ where: { id: n.id, status: "queued" } });
      if (removed.count === 1 && (await tx.notification.count({ where: { matchId: n.matchId } })) === 0) {
        await tx.match.update({ where: { id: n.matchId }, data: { delivery: "digest" } });
      }
    });
    log.info({ notificationId: n.id }, "family paused; alert moved to the digest");
    return "deferred";
  }
  if (channel === "sms" && isQuiet(now, family)) {
    const until = channelSendAt("sms", now, family);
    await db.notification.updateMany({ where: { id: n.id, status: "queued" }, data: { notBefore: until } });
    return { later: until };
  }
  if (!canUse(deps, channel, family)) {
    await failNotification(db, n, familyId, `not sent: no ${channel} for this family in this deployment`, "queued");
    return "skipped";
  }

  const claimed = await db.notification.updateMany({
    where: { id: n.id, status: "queued" },
    data: { status: "sending", claimedAt: now, attempts: { increment: 1 } },
  });
  if (claimed.count !== 1) return "busy";

  const lang = family.language;
  let providerMessageId: string;
  try {
    const tapLinks = tapLinksFor(n.matchId, deps, now);
    const home = homeFacts(listing, tapLinks);
    ({ providerMessageId } = await sendOn(
      db,
      deps,
      channel,
      family,
      {
        email: () =>
          withPushLinkIf(
            Boolean(deps.push),
            renderAlertEmail({
              language: lang,
              familyName: family.displayName,
              address: home.address,
              town: home.town,
              netRent: home.netRent,
              bedrooms: home.bedrooms,
              closesAt: home.closesAt,
              firstCome: home.firstCome,
              siteName: home.siteName,
              listingUrl: home.listingUrl,
              reasons: n.match.reasons as unknown as MatchReason[],
              tapLinks,
            }),
            lang,
            () => pushLinkFor(family.id, deps, now),
          ),
        sms: () => renderAlertSms(lang, home, { hasEmail: Boolean(family.email) }),
        push: () => renderAlertPush(lang, home, `home-${n.matchId}`),
      },
      {
        emailMessageId: `<notification-${n.id}@eldersthuis>`,
        smsRef: `n-${n.id}`,
        pushTtlSeconds: pushTtlFor(listing.closesAt, now),
        pushUrgency: home.firstCome ? "high" : "normal",
      },
      log,
    ));
  } catch (err) {
    const error = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
    if (err instanceof ChannelUnavailableError || !isChannelError(err)) {
      await db.notification.updateMany({ where: { id: n.id, status: "sending" }, data: { status: "queued", error } });
      log.warn({ notificationId: n.id, channel, err: error }, "alert not accepted; will retry");
      throw err;
    }
    // Refused for good, or maybe sent: never resent.
    await failNotification(db, n, familyId, `${err.kind}: ${error}`, "sending");
    log.error({ notificationId: n.id, channel, kind: err.kind, err: error }, "alert failed");
    return "failed";
  }
  const reminders = await db.$transaction(async (tx) => {
    await tx.notification.update({ where: { id: n.id }, data: { status: "sent", providerMessageId, sentAt: new Date(), error: null } });
    await appendActivity(tx, {
      familyId,
      type: "alert_sent",
      actor: "system",
      matchId: n.matchId,
      payload: { notificationId: n.id, channel, providerMessageId },
    });
    return createDeadlineReminders(tx, {
      familyId,
      matchId: n.matchId,
      closesAt: listing.closesAt,
      channels: familyChannels(family, { sms: Boolean(deps.sms), push: Boolean(deps.push) }),
      offsetsHours: deps.reminderOffsetsHours ?? DEFAULT_REMINDER_OFFSETS,
      now,
    });
  });
  await enqueueReminders(deps.queues, reminders, now);
  log.info({ notificationId: n.id, matchId: n.matchId, channel }, "alert sent");
  return "sent";
}

export function notifyProcessor(deps: NotifyDeps & Partial<DigestDeps>) {
  return async (job: Job, token?: string) => {
    const log = deps.log.child({ jobId: job.id, queue: "notify" });
    let result: NotifyResult | Awaited<ReturnType<typeof runDigest>>;
    if (job.name === "digest-send") {
      const { familyId, day } = parseJob("notify", "digest-send", job.data);
      result = await runDigest(deps, familyId, day, log);
    } else {
      const { notificationId } = parseJob("notify", "notify-send", job.data);
      result = await sendNotification(deps, notificationId, log);
    }
    // Not yet (quiet hours, a moved time): the same job waits, keeping its id.
    if (typeof result === "object" && "later" in result && result.later) {
      await job.moveToDelayed(result.later.getTime(), token);
      throw new DelayedError();
    }
    return result;
  };
}
