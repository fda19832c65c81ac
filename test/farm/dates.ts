// Date handling of the farm: moving recorded dates to the present, and each platform's date format.
import { DateTime } from "luxon";
import { AMSTERDAM } from "../../domain/time.js";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The newest recorded publication is placed this long before "now". */
export const NEWEST_PUBLICATION_AGE_MS = 3 * HOUR;

export interface Shift {
  /** Exact offset applied to publication instants. */
  ms: number;
  /** The same offset in whole days, for calendar-date fields. */
  days: number;
}

/** The shift that puts the newest publication NEWEST_PUBLICATION_AGE_MS before `now` (on a whole minute). */
export function planShift(newestPublication: Date, now: Date): Shift {
  const target = Math.floor((now.getTime() - NEWEST_PUBLICATION_AGE_MS) / MINUTE) * MINUTE;
  const ms = target - newestPublication.getTime();
  return { ms, days: Math.round(ms / DAY) };
}

/**
 * Shifts a closing moment while keeping its Amsterdam wall-clock time (20:00 stays 20:00, also across
 * a DST change): move by the exact shift, then snap to the nearest moment with the original local
 * time. The publication-to-closing span changes by at most 12 hours; it never ends before `after`.
 */
export function shiftClosing(closesAt: Date, shift: Shift, after: Date): Date {
  const original = DateTime.fromJSDate(closesAt, { zone: AMSTERDAM });
  const moved = DateTime.fromJSDate(new Date(closesAt.getTime() + shift.ms), { zone: AMSTERDAM });
  const wall = { hour: original.hour, minute: original.minute, second: original.second, millisecond: 0 };
  const sameDay = moved.set(wall);
  const candidates = [sameDay.minus({ days: 1 }).set(wall), sameDay, sameDay.plus({ days: 1 }).set(wall)];
  let best = candidates[0]!;
  for (const c of candidates) {
    if (Math.abs(c.toMillis() - moved.toMillis()) < Math.abs(best.toMillis() - moved.toMillis())) best = c;
  }
  while (best.toMillis() <= after.getTime()) best = best.plus({ days: 1 }).set(wall);
  return best.toJSDate();
}

/** `days` days after `from` (Amsterdam calendar), at the given Amsterdam wall-clock time. */
export function localTimeAfterDays(from: Date, days: number, hour: number, minute: number): Date {
  return DateTime.fromJSDate(from, { zone: AMSTERDAM })
    .plus({ days })
    .set({ hour, minute, second: 0, millisecond: 0 })
    .toJSDate();
}

/** Zig: Amsterdam local "2026-09-24 20:00:00". */
export function zigDateTime(d: Date): string {
  return DateTime.fromJSDate(d, { zone: AMSTERDAM }).toFormat("yyyy-MM-dd HH:mm:ss");
}

/** DAK: UTC "2026-09-28T21:59:00Z". */
export function dakDateTime(d: Date): string {
  return DateTime.fromJSDate(d, { zone: "utc" }).toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");
}

/** Embrace: Amsterdam local with offset "2026-09-23T20:00:00+02:00". */
export function embraceDateTime(d: Date): string {
  return DateTime.fromJSDate(d, { zone: AMSTERDAM }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}

/**
 * Moves the date part of a calendar-date string by whole days and keeps everything else of its
 * text ("2026-10-09", "2026-10-06T00:00:00Z", "2026-08-11T00:00:00+02:00"). The platforms' "no
 * date" values (1900-01-01, 0000-00-00) and empty strings are left alone. For an offset form the
 * offset is recomputed, since the new date may fall on the other side of a DST change.
 */
export function shiftCalendarDate(raw: string, days: number): string {
  const m = /^(\d{4}-\d{2}-\d{2})(.*)$/.exec(raw);
  if (!m || raw.startsWith("1900-01-01") || raw.startsWith("0000-00-00")) return raw;
  const date = DateTime.fromISO(m[1]!, { zone: "utc" }).plus({ days }).toFormat("yyyy-MM-dd");
  const rest = m[2]!;
  const offset = /^(T\d{2}:\d{2}:\d{2})([+-]\d{2}:\d{2})$/.exec(rest);
  if (offset) {
    const local = DateTime.fromISO(`${date}${offset[1]}`, { zone: AMSTERDAM });
    return local.toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
  }
  return `${date}${rest}`;
}

/** "7 uur en 36 minuten": Zig's remaining-time text of an open ad. */
export function dutchRemaining(from: Date, to: Date): string {
  const minutes = Math.max(0, Math.floor((to.getTime() - from.getTime()) / MINUTE));
  const days = Math.floor(minutes / (24 * 60));
  const hours = Math.floor((minutes % (24 * 60)) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days} ${days === 1 ? "dag" : "dagen"} en ${hours} uur`;
  return `${hours} uur en ${mins} ${mins === 1 ? "minuut" : "minuten"}`;
}
