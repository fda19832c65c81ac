// Time rules. Sites speak Amsterdam local time; we store UTC instants and show Amsterdam time.
import { DateTime } from "luxon";

export const AMSTERDAM = "Europe/Amsterdam";

/**
 * Parses a local Amsterdam wall-clock time such as "2026-09-24 20:00:00" (Zig) into a UTC Date.
 * Zig's "0000-00-00 00:00:00" and DAK's "1900-01-01..." mean "no date": null.
 */
export function parseAmsterdamLocal(raw: string | null | undefined): Date | null {
  if (!raw || raw.startsWith("0000-00-00") || raw.startsWith("1900-01-01")) return null;
  const dt = DateTime.fromSQL(raw.trim(), { zone: AMSTERDAM });
  const parsed = dt.isValid ? dt : DateTime.fromISO(raw.trim(), { zone: AMSTERDAM });
  if (!parsed.isValid) throw new RangeError(`not a local date-time: ${JSON.stringify(raw)}`);
  return parsed.toUTC().toJSDate();
}

/** Parses an ISO instant with offset or Z ("2026-09-28T21:59:00Z", "...+02:00"). */
export function parseInstant(raw: string | null | undefined): Date | null {
  if (!raw || raw.startsWith("1900-01-01") || raw.startsWith("0000-00-00")) return null;
  const dt = DateTime.fromISO(raw.trim(), { setZone: true });
  if (!dt.isValid) throw new RangeError(`not an ISO instant: ${JSON.stringify(raw)}`);
  return dt.toUTC().toJSDate();
}

/** "donderdag 24 september 2026 om 20:00" style text in Amsterdam time, for messages. */
export function formatAmsterdam(d: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: AMSTERDAM,
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(d);
}

/** Dutch money convention: € 932,93 */
export function formatEuro(amount: number, locale = "nl-NL"): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency: "EUR" }).format(amount);
}
