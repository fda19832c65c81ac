// Reminders: delayed BullMQ jobs whose effect is guarded in Postgres. One Reminder row per business
// key and channel ("deadline-<match>-24h-email"), created when the alert goes (deadlines) or by the
// hourly plan (WoningNet search points, registration renewals).
// Sending one:
//  1. Only a "scheduled" row is sent; anything else is done (sent, cancelled, skipped, failed).
//  2. At send time: not after the deadline, not after the family answered (checked in the same
//     transaction as the claim, under the family's row lock that one-tap answers take too), not
//     in a pause or (SMS) in quiet hours: then it waits, or is skipped if waiting would be too late.
//  3. Claim scheduled → sending by a conditional update (sentAt holds the claim time while
//     sending), send, then mark sent and log "reminder_sent" in one transaction.
// A worker killed mid-send leaves "sending"; like alerts, that is marked failed, never resent.
// The sweep re-creates jobs for scheduled rows, so a Redis flush or restart loses nothing.
import { DelayedError, UnrecoverableError, type Job } from "bullmq";
import type { Logger } from "pino";
import {
  amsterdamDay,
  amsterdamMonth,
  CHANNELS,
  deadlineReminderTimes,
  offsetLabel,
  reminderChannels,
  reminderDecision,
  renewalReminder,
  searchPointsReminder,
  SEARCH_POINTS_RESPONSES,
  type Channel,
} from "../../domain/delivery-policy.js";
import {
  renderDeadlineReminderEmail,
  renderDeadlineReminderPush,
  renderDeadlineReminderSms,
  renderRenewalReminderEmail,
  renderRenewalReminderPush,
  renderRenewalReminderSms,
  renderSearchPointsReminderEmail,
  renderSearchPointsReminderPush,
  renderSearchPointsReminderSms,
} from "../../domain/delivery-messages.js";
import type { Db } from "../../infra/db.js";
import { appendActivity } from "../../infra/evidence-log.js";
import { canUse, sendOn, type Channels, type Outgoing } from "../channels/deliver.js";
import { ChannelUnavailableError, isChannelError } from "../channels/errors.js";
import { familyChannels, homeFacts, loadFamilyForDelivery, pushLinkFor, tapLinksFor, withPushLinkIf } from "../pipeline/delivery.js";
import { jobIds, parseJob, type Queues } from "../queues.js";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** The family's answers that make deadline reminders for a home pointless. */
export const ANSWER_TYPES = ["responded", "not_for_us", "couldnt", "help_requested"] as const;
/** The WoningNet Amsterdam site whose responses earn search points (domain.md). */
export const WONINGNET_SITE_ID = "woningnet-amsterdam";

export interface ReminderDeps extends Channels {
  db: Db;
  queues?: Queues;
  log: Logger;
  publicUrl: string;
  tokenSecret: string;
  tokenTtlSeconds: number;
  offsetsHours: number[];
  staleClaimMs?: number;
  now?: () => Date;
}

export type ReminderResult = "sent" | "already" | "cancelled" | "skipped" | "busy" | "interrupted" | "failed" | { later: Date };

// ---------------------------------------------------------------------------------------------
// Creating reminders.

/**
 * Deadline reminders for a match whose alert just went: one row per offset still ahead and per
 * reminder channel. Idempotent (unique keys); returns the scheduled rows for job creation.
 */
export async function createDeadlineReminders(
  tx: Tx,
  input: { familyId: string; matchId: string; closesAt: Date | null; channels: Channel[]; offsetsHours: number[]; now: Date },
): Promise<{ id: string; dueAt: Date }[]> {
  if (!input.closesAt) return [];
  const rows = deadlineReminderTimes(input.closesAt, input.offsetsHours, input.now).flatMap((t) =>
    reminderChannels(input.channels).map((channel) => ({
      familyId: input.familyId,
      matchId: input.matchId,
      kind: "deadline",
      key: `deadline-${input.matchId}-${offsetLabel(t.offsetHours)}-${channel}`,
      dueAt: t.dueAt,
      channel,
    })),
  );
  if (rows.length === 0) return [];
  await tx.reminder.createMany({ data: rows, skipDuplicates: true });
  return tx.reminder.findMany({ where: { key: { in: rows.map((r) => r.key) }, status: "scheduled" }, select: { id: true, dueAt: true } });
}

/** Delayed jobs for new reminders. A lost enqueue is healed by the sweep. */
export async function enqueueReminders(queues: Queues | undefined, reminders: { id: string; dueAt: Date }[], now: Date): Promise<void> {
  if (!queues) return;
  for (const r of reminders) {
    await queues.add("reminders", "reminder-send", { reminderId: r.id }, { jobId: jobIds.reminder(r.id), delay: Math.max(0, r.dueAt.getTime() - now.getTime()) });
  }
}

/**
 * The hourly plan: this month's WoningNet search-points reminder for registered families (from
 * the third week) and renewal reminders for registrations renewing within 30 days.
 */
export async function planPeriodicReminders(deps: Pick<ReminderDeps, "db" | "queues" | "log" | "sms" | "push" | "now">, horizonMs = 3_600_000): Promise<{ created: number }> {
  const { db } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const enabled = { sms: Boolean(deps.sms), push: Boolean(deps.push) };
  const rows: { familyId: string; kind: string; key: string; dueAt: Date; channel: Channel }[] = [];
  const reachable = { erasedAt: null, leftShelterOn: null };
  const familySelect = { id: true, email: true, phone: true, erasedAt: true, _count: { select: { pushSubscriptions: true } } } as const;

  const sp = searchPointsReminder(now);
  if (sp && sp.dueAt.getTime() <= now.getTime() + horizonMs) {
    const regs = await db.registration.findMany({ where: { siteId: WONINGNET_SITE_ID, family: reachable }, select: { family: { select: familySelect } } });
    for (const { family: f } of regs) {
      for (const channel of reminderChannels(familyChannels({ ...f, pushSubscriptions: f._count.pushSubscriptions }, enabled))) {
        rows.push({ familyId: f.id, kind: "search_points", key: `search_points-${f.id}-${sp.month}-${channel}`, dueAt: sp.dueAt, channel });
      }
    }
  }

  const today = amsterdamDay(now);
  const regs = await db.registration.findMany({
    where: { renewalDueOn: { gte: new Date(`${today}T00:00:00Z`), lte: new Date(Date.parse(`${today}T00:00:00Z`) + 32 * 86_400_000) }, family: reachable },
    select: { id: true, renewalDueOn: true, family: { select: familySelect } },
  });
  for (const r of regs) {
    const day = r.renewalDueOn!.toISOString().slice(0, 10); // a @db.Date comes back as UTC midnight
    const when = renewalReminder(day, now, horizonMs);
    if (!when) continue;
    const f = r.family;
    for (const channel of reminderChannels(familyChannels({ ...f, pushSubscriptions: f._count.pushSubscriptions }, enabled))) {
      rows.push({ familyId: f.id, kind: "renewal", key: `renewal-${r.id}-${day}-${channel}`, dueAt: when.dueAt, channel });
    }
  }
  if (rows.length === 0) return { created: 0 };
  const { count } = await db.reminder.createMany({ data: rows, skipDuplicates: true });
  if (count > 0) {
    const created = await db.reminder.findMany({ where: { key: { in: rows.map((r) => r.key) }, status: "scheduled" }, select: { id: true, dueAt: true } });
    await enqueueReminders(deps.queues, created, now);
    deps.log.info({ created: count }, "periodic reminders planned");
  }
  return { created: count };
}

// ---------------------------------------------------------------------------------------------
// Sending one.

/** What a reminder is about, read at send time: its deadline, or why it must not go. */
type Context =
  | { stop: "cancelled" | "skipped"; reason: string }
  | { deadline: Date | null; content: (lang: string, name: string) => Outgoing; tag: string; ttlSeconds: number; urgency: "normal" | "high" };

async function loadContext(deps: ReminderDeps, r: { id: string; kind: string; key: string; familyId: string; matchId: string | null }, now: Date): Promise<Context> {
  const { db } = deps;
  if (r.kind === "deadline") {
    if (!r.matchId) return { stop: "cancelled", reason: "no_match" };
    const match = await db.match.findUnique({ where: { id: r.matchId }, include: { listing: { include: { site: { select: { name: true } } } } } });
    if (!match) return { stop: "cancelled", reason: "match_removed" };
    const l = match.listing;
    if (l.status !== "open") return { stop: "skipped", reason: "home_closed" };
    if (!l.closesAt) return { stop: "skipped", reason: "no_deadline" };
    const closesAt = l.closesAt;
    return {
      deadline: closesAt,
      tag: `home-${match.id}`,
      ttlSeconds: Math.max(60, Math.floor((closesAt.getTime() - now.getTime()) / 1000)),
      urgency: "high",
      content: (lang, name) => {
        const home = { ...homeFacts(l, tapLinksFor(match.id, deps, now)), closesAt };
        return {
          email: () => withPushLinkIf(Boolean(deps.push), renderDeadlineReminderEmail(lang, name, home), lang, () => pushLinkFor(r.familyId, deps, now)),
          sms: () => renderDeadlineReminderSms(lang, home),
          push: () => renderDeadlineReminderPush(lang, home, `home-${match.id}`),
        };
      },
    };
  }
  if (r.kind === "search_points") {
    const m = /^search_points-[0-9a-f-]{36}-(\d{4}-\d{2})-/.exec(r.key);
    if (!m) return { stop: "skipped", reason: "bad_key" };
    const month = amsterdamMonth(new Date(`${m[1]}-15T12:00:00Z`));
    const reg = await db.registration.findUnique({ where: { familyId_siteId: { familyId: r.familyId, siteId: WONINGNET_SITE_ID } }, include: { site: { select: { host: true } } } });
    if (!reg) return { stop: "cancelled", reason: "not_registered" };
    const count = await countWoningNetResponses(db, r.familyId, month.start, month.end);
    if (count >= SEARCH_POINTS_RESPONSES) return { stop: "skipped", reason: "enough_responses" };
    const facts = { count, missing: SEARCH_POINTS_RESPONSES - count, lastDay: amsterdamDay(new Date(month.end.getTime() - 1)), siteUrl: `https://${reg.site.host}` };
    return {
      deadline: month.end,
      tag: `search-points-${month.key}`,
      ttlSeconds: Math.floor((month.end.getTime() - now.getTime()) / 1000),
      urgency: "normal",
      content: (lang, name) => ({
        email: () => renderSearchPointsReminderEmail(lang, name, facts),
        sms: () => renderSearchPointsReminderSms(lang, facts),
        push: () => renderSearchPointsReminderPush(lang, facts, `search-points-${month.key}`),
      }),
    };
  }
  if (r.kind === "renewal") {
    const m = /^renewal-([0-9a-f-]{36})-(\d{4}-\d{2}-\d{2})-/.exec(r.key);
    if (!m) return { stop: "skipped", reason: "bad_key" };
    const reg = await db.registration.findUnique({ where: { id: m[1]! }, include: { site: { select: { name: true, host: true } } } });
    if (!reg) return { stop: "cancelled", reason: "registration_removed" };
    if (reg.renewalDueOn?.toISOString().slice(0, 10) !== m[2]) return { stop: "cancelled", reason: "renewal_date_changed" };
    const when = renewalReminder(m[2]!, now, Number.POSITIVE_INFINITY);
    const facts = { siteName: reg.site.name, day: m[2]!, siteUrl: `https://${reg.site.host}` };
    return {
      deadline: when?.deadline ?? now,
      tag: `renewal-${reg.id}`,
      ttlSeconds: when ? Math.floor((when.deadline.getTime() - now.getTime()) / 1000) : 60,
      urgency: "normal",
      content: (lang, name) => ({
        email: () => renderRenewalReminderEmail(lang, name, facts),
        sms: () => renderRenewalReminderSms(lang, facts),
        push: () => renderRenewalReminderPush(lang, facts, `renewal-${reg.id}`),
      }),
    };
  }
  return { stop: "skipped", reason: "unknown_kind" };
}

/** "responded" answers this month for homes on WoningNet Amsterdam: what search points count. */
export async function countWoningNetResponses(db: Db | Tx, familyId: string, from: Date, to: Date): Promise<number> {
  const rows = await db.$queryRaw<{ n: bigint }[]>`
    SELECT count(DISTINCT a."matchId") AS n FROM "Activity" a
    JOIN "Match" m ON m.id = a."matchId" JOIN "Listing" l ON l.id = m."listingId"
    WHERE a."familyId" = ${familyId}::uuid AND a.type = 'responded' AND l."siteId" = ${WONINGNET_SITE_ID}
      AND a."occurredAt" >= ${from} AND a."occurredAt" < ${to}`;
  return Number(rows[0]?.n ?? 0);
}

/** Marks a reminder left "sending" by a dead worker as failed; never resent (it may have gone). */
export async function interruptStaleReminder(db: Db, r: { id: string; sentAt: Date | null }, log: Logger): Promise<boolean> {
  const won = await db.reminder.updateMany({
    where: { id: r.id, status: "sending", sentAt: r.sentAt },
    data: { status: "failed", reason: "interrupted while sending; not resent to avoid a duplicate" },
  });
  if (won.count === 1) log.error({ reminderId: r.id }, "reminder interrupted mid-send; marked failed");
  return won.count === 1;
}

export async function sendReminder(deps: ReminderDeps, reminderId: string, log: Logger): Promise<ReminderResult> {
  const { db } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const r = await db.reminder.findUnique({ where: { id: reminderId } });
  if (!r) throw new UnrecoverableError(`reminder ${reminderId} not found`);
  if (r.status === "sending") {
    if (r.sentAt && now.getTime() - r.sentAt.getTime() < (deps.staleClaimMs ?? 120_000)) return "busy";
    return (await interruptStaleReminder(db, r, log)) ? "interrupted" : "already";
  }
  if (r.status !== "scheduled") return "already";
  // A job may fire a little early (clock skew between machines); a moved reminder waits.
  if (r.dueAt.getTime() > now.getTime() + 1000) return { later: r.dueAt };

  const stop = async (status: "cancelled" | "skipped" | "failed", reason: string) => {
    await db.reminder.updateMany({ where: { id: r.id, status: "scheduled" }, data: { status, reason } });
    log.info({ reminderId: r.id, status, reason }, "reminder not sent");
    return status;
  };
  const channel = (CHANNELS as readonly string[]).includes(r.channel ?? "") ? (r.channel as Channel) : null;
  if (!channel) return stop("skipped", "unknown_channel");
  const family = await loadFamilyForDelivery(db, r.familyId);
  if (!family || family.erasedAt) return stop("cancelled", "family_erased");
  const ctx = await loadContext(deps, r, now);
  if ("stop" in ctx) return stop(ctx.stop, ctx.reason);
  const decision = reminderDecision({ now, channel, deadline: ctx.deadline, settings: family });
  if (decision.action === "skip") return stop("skipped", decision.reason);
  if (decision.action === "defer") {
    await db.reminder.updateMany({ where: { id: r.id, status: "scheduled" }, data: { dueAt: decision.until } });
    return { later: decision.until };
  }
  if (!canUse(deps, channel, family)) return stop("skipped", "channel_unavailable");

  const claimed = await db.$transaction(async (tx) => {
    // The lock one-tap answers take too (appendActivity): an answer either lands before this
    // check, and the reminder is cancelled, or after the claim, when the message is on its way.
    await tx.$queryRaw`SELECT id FROM "Family" WHERE id = ${r.familyId}::uuid FOR UPDATE`;
    if (r.kind === "deadline" && r.matchId) {
      const answered = await tx.activity.count({ where: { familyId: r.familyId, matchId: r.matchId, type: { in: [...ANSWER_TYPES] } } });
      if (answered > 0) {
        await tx.reminder.updateMany({ where: { id: r.id, status: "scheduled" }, data: { status: "cancelled", reason: "answered" } });
        return "cancelled" as const;
      }
    }
    const won = await tx.reminder.updateMany({ where: { id: r.id, status: "scheduled" }, data: { status: "sending", sentAt: now, reason: null } });
    return won.count === 1 ? ("claimed" as const) : ("busy" as const);
  });
  if (claimed !== "claimed") {
    if (claimed === "cancelled") log.info({ reminderId: r.id }, "reminder cancelled: the family answered");
    return claimed;
  }

  let providerMessageId: string;
  try {
    ({ providerMessageId } = await sendOn(
      db,
      deps,
      channel,
      family,
      ctx.content(family.language, family.displayName),
      { emailMessageId: `<reminder-${r.id}@eldersthuis>`, smsRef: `r-${r.id}`, pushTtlSeconds: ctx.ttlSeconds, pushUrgency: ctx.urgency },
      log,
    ));
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
    if (err instanceof ChannelUnavailableError || !isChannelError(err)) {
      await db.reminder.updateMany({ where: { id: r.id, status: "sending" }, data: { status: "scheduled", sentAt: null, reason: message } });
      log.warn({ reminderId: r.id, err: message }, "reminder not accepted; will retry");
      throw err;
    }
    await db.reminder.updateMany({ where: { id: r.id, status: "sending" }, data: { status: "failed", reason: `${err.kind}: ${message}` } });
    log.error({ reminderId: r.id, err: message }, "reminder failed");
    return "failed";
  }
  await db.$transaction(async (tx) => {
    await tx.reminder.update({ where: { id: r.id }, data: { status: "sent", sentAt: new Date(), reason: null } });
    await appendActivity(tx, {
      familyId: r.familyId,
      type: "reminder_sent",
      actor: "system",
      matchId: r.matchId,
      payload: { reminderId: r.id, kind: r.kind, key: r.key, channel, providerMessageId },
    });
  });
  log.info({ reminderId: r.id, kind: r.kind, channel }, "reminder sent");
  return "sent";
}

export function remindersProcessor(deps: ReminderDeps) {
  return async (job: Job, token?: string) => {
    const log = deps.log.child({ jobId: job.id, queue: "reminders" });
    if (job.name === "reminders-plan") {
      parseJob("reminders", "reminders-plan", job.data);
      return planPeriodicReminders(deps);
    }
    const { reminderId } = parseJob("reminders", "reminder-send", job.data);
    const result = await sendReminder(deps, reminderId, log);
    if (typeof result === "object") {
      await job.moveToDelayed(result.later.getTime(), token);
      throw new DelayedError();
    }
    return result;
  };
}
