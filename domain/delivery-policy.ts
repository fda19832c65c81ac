// When a message may go, and on which channels: pure time rules with the clock passed in.
// Families set their quiet hours, digest time, daily cap and pause in Amsterdam wall-clock time;
// we store UTC instants. Wall-clock times are compared as local minutes, so DST days need no
// special case except the one hour that does not exist in spring (see atLocalClock).
import { DateTime } from "luxon";
import { AMSTERDAM } from "./time.js";

export const CHANNELS = ["email", "sms", "push"] as const;
export type Channel = (typeof CHANNELS)[number];

/** A family's alert settings (Family.quietFrom/quietUntil/digestTime/dailyCap/pausedUntil). */
export interface DeliverySettings {
  quietFrom: string; // "HH:mm", local
  quietUntil: string; // "HH:mm", local
  digestTime: string; // "HH:mm", local
  dailyCap: number;
  pausedUntil: Date | null;
}

/** WoningNet Amsterdam gives a search point for a month with at least this many responses. */
export const SEARCH_POINTS_RESPONSES = 4;
/** Reminders that are not tied to a closing time go out at this local time (outside quiet hours). */
export const REMINDER_CLOCK = "10:00";
/** Renewal reminders start this many days before the renewal date. */
export const RENEWAL_WINDOW_DAYS = 30;

export interface Clock {
  hour: number;
  minute: number;
}

export function parseClock(hhmm: string): Clock {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(hhmm.trim());
  if (!m) throw new RangeError(`not a time of day (HH:mm): ${JSON.stringify(hhmm)}`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

const minutesOf = (c: Clock) => c.hour * 60 + c.minute;
const local = (d: Date) => DateTime.fromJSDate(d, { zone: AMSTERDAM });

/** The Amsterdam calendar day of an instant: "2026-03-29". */
export function amsterdamDay(d: Date): string {
  return local(d).toISODate()!;
}

/** Start (inclusive) and end (exclusive) of the Amsterdam day containing d; 23 or 25 hours on DST days. */
export function amsterdamDayBounds(d: Date): { start: Date; end: Date } {
  const start = local(d).startOf("day");
  return { start: start.toJSDate(), end: start.plus({ days: 1 }).toJSDate() };
}

/** Start and end of the Amsterdam calendar month containing d, and its key "2026-11". */
export function amsterdamMonth(d: Date): { key: string; start: Date; end: Date } {
  const start = local(d).startOf("month");
  return { key: start.toFormat("yyyy-MM"), start: start.toJSDate(), end: start.plus({ months: 1 }).toJSDate() };
}

function addDays(day: string, days: number): string {
  return DateTime.fromISO(day, { zone: AMSTERDAM }).plus({ days }).toISODate()!;
}

/**
 * The instant of a wall-clock time on an Amsterdam day. A time inside the spring-forward gap
 * (02:00-03:00 does not exist) gives the first instant after the gap, 03:00: EU transitions happen
 * on the hour. A time that exists twice in autumn gives the second one (Luxon's choice).
 */
export function atLocalClock(day: string, clock: Clock): Date {
  const [y, mo, d] = day.split("-").map(Number) as [number, number, number];
  const dt = DateTime.fromObject({ year: y, month: mo, day: d, hour: clock.hour, minute: clock.minute }, { zone: AMSTERDAM });
  if (dt.hour !== clock.hour || dt.minute !== clock.minute) return dt.minus({ minutes: clock.minute }).toJSDate();
  return dt.toJSDate();
}

/** The first instant at or after `after` whose Amsterdam wall clock reads `clock`. */
export function nextLocalClock(after: Date, clock: Clock): Date {
  const today = amsterdamDay(after);
  const candidate = atLocalClock(today, clock);
  return candidate.getTime() >= after.getTime() ? candidate : atLocalClock(addDays(today, 1), clock);
}

/** Whether `at` falls in the family's quiet hours (from inclusive, until exclusive; may wrap midnight). */
export function isQuiet(at: Date, s: Pick<DeliverySettings, "quietFrom" | "quietUntil">): boolean {
  const from = minutesOf(parseClock(s.quietFrom));
  const until = minutesOf(parseClock(s.quietUntil));
  if (from === until) return false; // no quiet hours
  const l = local(at);
  const m = l.hour * 60 + l.minute;
  return from < until ? m >= from && m < until : m >= from || m < until;
}

/** When the quiet hours around `at` end; `at` itself when it is not quiet. */
export function quietEndsAt(at: Date, s: Pick<DeliverySettings, "quietFrom" | "quietUntil">): Date {
  if (!isQuiet(at, s)) return at;
  return nextLocalClock(at, parseClock(s.quietUntil));
}

export function isPaused(at: Date, s: Pick<DeliverySettings, "pausedUntil">): boolean {
  return s.pausedUntil !== null && s.pausedUntil.getTime() > at.getTime();
}

/** When a message on this channel may go, at the earliest `at`: SMS never in quiet hours. */
export function channelSendAt(channel: Channel, at: Date, s: Pick<DeliverySettings, "quietFrom" | "quietUntil">): Date {
  return channel === "sms" ? quietEndsAt(at, s) : at;
}

/** The next digest slot at or after `at`, and after the pause if there is one. */
export function nextDigestAt(at: Date, s: Pick<DeliverySettings, "digestTime" | "pausedUntil">): Date {
  const from = isPaused(at, s) ? s.pausedUntil! : at;
  return nextLocalClock(from, parseClock(s.digestTime));
}

/**
 * The Amsterdam day whose digest is due at `now`: today once the family's digest time has passed
 * and no pause is on; else null. Whether today's digest already went is the database's business.
 */
export function digestDueDay(now: Date, s: Pick<DeliverySettings, "digestTime" | "pausedUntil">): string | null {
  if (isPaused(now, s)) return null;
  const today = amsterdamDay(now);
  return now.getTime() >= atLocalClock(today, parseClock(s.digestTime)).getTime() ? today : null;
}

export type DeliveryPlan =
  | { mode: "instant"; sends: { channel: Channel; notBefore: Date | null }[] }
  | { mode: "digest"; reason: "policy" | "cap" | "pause" }
  | { mode: "none" };

/**
 * How a new match reaches the family. `requested` is the match's delivery as matching decided it
 * (instant for first come and short windows, digest for waiting time and lottery); a pause or a
 * full daily cap moves an instant match to the next digest: delayed, never dropped.
 * `instantToday` counts the family's instant alerts of this Amsterdam day so far.
 */
export function planMatchDelivery(input: {
  now: Date;
  requested: "instant" | "digest" | string;
  settings: DeliverySettings;
  instantToday: number;
  channels: readonly Channel[];
}): DeliveryPlan {
  const { now, settings } = input;
  if (input.channels.length === 0) return { mode: "none" };
  if (isPaused(now, settings)) return { mode: "digest", reason: "pause" };
  if (input.requested === "digest") return { mode: "digest", reason: "policy" };
  if (input.instantToday >= settings.dailyCap) return { mode: "digest", reason: "cap" };
  return {
    mode: "instant",
    sends: input.channels.map((channel) => {
      const at = channelSendAt(channel, now, settings);
      return { channel, notBefore: at.getTime() === now.getTime() ? null : at };
    }),
  };
}

/** "24,3" → [24, 3]: hours before a closing time, largest first, no duplicates. */
export function parseReminderOffsets(raw: string): number[] {
  const parts = raw.split(",").map((p) => p.trim());
  const hours = parts.map((p) => {
    const n = Number(p);
    if (!Number.isFinite(n) || n <= 0 || n > 24 * 14) throw new RangeError(`not an offset in hours: ${JSON.stringify(p)}`);
    return n;
  });
  return [...new Set(hours)].sort((a, b) => b - a);
}

/** Offset label for reminder keys and messages: 24 → "24h", 1.5 → "90m". */
export function offsetLabel(hours: number): string {
  return Number.isInteger(hours) ? `${hours}h` : `${Math.round(hours * 60)}m`;
}

/** The deadline reminders still ahead: one per offset whose moment is after `now`. */
export function deadlineReminderTimes(closesAt: Date, offsetsHours: readonly number[], now: Date): { offsetHours: number; dueAt: Date }[] {
  return offsetsHours
    .map((offsetHours) => ({ offsetHours, dueAt: new Date(closesAt.getTime() - offsetHours * 3_600_000) }))
    .filter((r) => r.dueAt.getTime() > now.getTime());
}

/**
 * The search-points reminder of the month containing `now`: the month's third week is days 15-21,
 * so it is due on the 15th at REMINDER_CLOCK, or at once if the family comes in later that week.
 * Null after the third week. The deadline is the month's end.
 */
export function searchPointsReminder(now: Date): { month: string; dueAt: Date; deadline: Date } | null {
  const month = amsterdamMonth(now);
  const weekStart = atLocalClock(`${month.key}-15`, parseClock(REMINDER_CLOCK));
  const weekEnd = atLocalClock(`${month.key}-22`, { hour: 0, minute: 0 });
  if (now.getTime() >= weekEnd.getTime()) return null;
  return { month: month.key, dueAt: new Date(Math.max(weekStart.getTime(), now.getTime())), deadline: month.end };
}

/**
 * The renewal reminder for a registration renewing on `renewalDay` ("2026-03-02"): from
 * RENEWAL_WINDOW_DAYS before, at REMINDER_CLOCK; null when that moment has not come within the
 * planning horizon or the renewal day is over. The deadline is the end of the renewal day.
 */
export function renewalReminder(renewalDay: string, now: Date, horizonMs = 0): { dueAt: Date; deadline: Date } | null {
  const deadline = atLocalClock(addDays(renewalDay, 1), { hour: 0, minute: 0 });
  if (now.getTime() >= deadline.getTime()) return null;
  const windowStart = atLocalClock(addDays(renewalDay, -RENEWAL_WINDOW_DAYS), parseClock(REMINDER_CLOCK));
  if (windowStart.getTime() > now.getTime() + horizonMs) return null;
  return { dueAt: new Date(Math.max(windowStart.getTime(), now.getTime())), deadline };
}

export type ReminderDecision = { action: "send" } | { action: "skip"; reason: string } | { action: "defer"; until: Date };

/**
 * Whether a reminder goes now. Never after its deadline; during a pause or (for SMS) quiet hours
 * it waits until they end, or is skipped if that would be too late.
 */
export function reminderDecision(input: { now: Date; channel: Channel; deadline: Date | null; settings: DeliverySettings }): ReminderDecision {
  const { now, deadline, settings } = input;
  const tooLate = (t: Date) => deadline !== null && t.getTime() >= deadline.getTime();
  if (tooLate(now)) return { action: "skip", reason: "after_deadline" };
  if (isPaused(now, settings)) {
    return tooLate(settings.pausedUntil!) ? { action: "skip", reason: "paused" } : { action: "defer", until: settings.pausedUntil! };
  }
  if (input.channel === "sms" && isQuiet(now, settings)) {
    const end = quietEndsAt(now, settings);
    return tooLate(end) ? { action: "skip", reason: "quiet_hours" } : { action: "defer", until: end };
  }
  return { action: "send" };
}

/**
 * The channels a reminder uses: e-mail (it carries the one-tap answers) plus one channel that
 * catches the eye on the phone, push (free) before SMS. Fewer messages for families under stress.
 */
export function reminderChannels(available: readonly Channel[]): Channel[] {
  const out: Channel[] = [];
  if (available.includes("email")) out.push("email");
  if (available.includes("push")) out.push("push");
  else if (available.includes("sms")) out.push("sms");
  return out;
}
