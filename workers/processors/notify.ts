// Send one alert. Once-only is enforced in Postgres:
//  1. sent/delivered → nothing to do (a repeated job).
//  2. Claim: queued → sending, by a conditional update. Only one worker wins.
//  3. Send, then mark sent and log "alert_sent" in one transaction.
// A worker killed between 2 and 3 leaves "sending": we cannot know whether the SMTP server took the
// message, so the next attempt does not resend (that could duplicate it) but marks it failed as
// "interrupted" for an operator to look at. SMTP errors before acceptance return it to queued.
import { UnrecoverableError, type Job } from "bullmq";
import type { Logger } from "pino";
import type { MatchReason } from "../../domain/matching.js";
import { renderAlertEmail } from "../../domain/messages.js";
import { createTapToken, TapAction } from "../../domain/tokens.js";
import type { Db } from "../../infra/db.js";
import { appendActivity } from "../../infra/evidence-log.js";
import type { EmailChannel } from "../channels/email.js";
import { parseJob } from "../queues.js";

export interface NotifyDeps {
  db: Db;
  email: EmailChannel;
  log: Logger;
  publicUrl: string;
  tokenSecret: string;
  tokenTtlSeconds: number;
  now?: () => Date;
}

/** A claim older than this was left by a dead worker. */
const STALE_CLAIM_MS = 2 * 60_000;

export async function sendNotification(deps: NotifyDeps, notificationId: string, log: Logger): Promise<"sent" | "already" | "interrupted" | "busy"> {
  const { db } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const n = await db.notification.findUnique({
    where: { id: notificationId },
    include: { match: { include: { family: true, listing: { include: { site: { select: { name: true } } } } } } },
  });
  if (!n) throw new UnrecoverableError(`notification ${notificationId} not found`);
  if (n.status === "sent" || n.status === "delivered") return "already";
  if (n.status === "sending") {
    if (n.claimedAt && now.getTime() - n.claimedAt.getTime() < STALE_CLAIM_MS) return "busy";
    const won = await db.notification.updateMany({
      where: { id: n.id, status: "sending", claimedAt: n.claimedAt },
      data: { status: "failed", error: "interrupted while sending; not resent to avoid a duplicate" },
    });
    if (won.count === 1) {
      await db.$transaction((tx) =>
        appendActivity(tx, { familyId: n.match.familyId, type: "alert_failed", actor: "system", matchId: n.matchId, payload: { notificationId: n.id, channel: n.channel, error: "interrupted" } }),
      );
      log.error({ notificationId: n.id }, "notification interrupted mid-send; marked failed");
    }
    return "interrupted";
  }

  const { family, listing } = n.match;
  if (!family.email) throw new UnrecoverableError(`family of notification ${n.id} has no e-mail address`);
  if (n.status === "failed") return "already";
  const claimed = await db.notification.updateMany({
    where: { id: n.id, status: "queued" },
    data: { status: "sending", claimedAt: now, attempts: { increment: 1 } },
  });
  if (claimed.count !== 1) return "busy";

  const ttlSeconds = deps.tokenTtlSeconds;
  const tapLinks = Object.fromEntries(
    TapAction.options.map((action) => [
      action,
      `${deps.publicUrl}/r/${createTapToken({ matchId: n.matchId, action, ttlSeconds }, deps.tokenSecret, now)}`,
    ]),
  ) as Record<TapAction, string>;
  const message = renderAlertEmail({
    language: family.language,
    familyName: family.displayName,
    address: [listing.street, listing.houseNumber, listing.houseNumberAddition].filter(Boolean).join(" "),
    town: listing.city,
    netRent: listing.netRent?.toNumber() ?? null,
    bedrooms: listing.bedrooms,
    closesAt: listing.closesAt,
    firstCome: listing.allocationModel === "first_come",
    siteName: listing.site.name,
    listingUrl: listing.sourceUrl,
    reasons: n.match.reasons as unknown as MatchReason[],
    tapLinks,
  });

  let providerMessageId: string;
  try {
    ({ providerMessageId } = await deps.email.send(family.email, message, { messageId: `<notification-${n.id}@eldersthuis>` }));
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    await db.notification.update({ where: { id: n.id }, data: { status: "queued", error: error.slice(0, 1000) } });
    log.warn({ notificationId: n.id, err: error }, "e-mail not accepted; will retry");
    throw err;
  }
  await db.$transaction(async (tx) => {
    await tx.notification.update({ where: { id: n.id }, data: { status: "sent", providerMessageId, sentAt: new Date(), error: null } });
    await appendActivity(tx, {
      familyId: family.id,
      type: "alert_sent",
      actor: "system",
      matchId: n.matchId,
      payload: { notificationId: n.id, channel: n.channel, providerMessageId },
    });
  });
  log.info({ notificationId: n.id, matchId: n.matchId }, "alert sent");
  return "sent";
}

export function notifyProcessor(deps: NotifyDeps) {
  return async (job: Job) => {
    const { notificationId } = parseJob("notify", "notify-send", job.data);
    return sendNotification(deps, notificationId, deps.log.child({ jobId: job.id, queue: "notify" }));
  };
}
