// Helpers every platform adapter shares: reporting a zod failure as format drift with its path, reading
// a site's settings, reading a JSON body, and mapping the Dutch words sites use for dwelling types,
// allocation models and target groups. One copy here, so a new word is learnt by every adapter at once.
import { z } from "zod";
import {
  NormalizedListing,
  type AllocationModel,
  type DwellingKind,
  type TargetGroup,
} from "../../domain/listing.js";
import { SiteSchemaError } from "./errors.js";
import type { SiteTarget } from "./types.js";

/** Turns the first zod issue into a SiteSchemaError naming where it is ("result.3.street"). */
export function schemaError(siteId: string, what: string, error: z.ZodError, prefix: string[] = []): SiteSchemaError {
  const issue = error.issues[0];
  const path = [...prefix, ...(issue?.path ?? []).map(String)].join(".") || "(root)";
  return new SiteSchemaError(siteId, `${what} does not match at ${path}: ${issue?.message ?? "invalid"}`);
}

/**
 * Validates a site's catalogue settings. A bad setting is our configuration bug, not the site's
 * health, so it is a plain Error rather than a SiteError.
 */
export function readSettings<T>(schema: z.ZodType<T>, site: SiteTarget, platform: string): T {
  const parsed = schema.safeParse(site.settings ?? {});
  if (!parsed.success) throw new Error(`site ${site.id}: invalid ${platform} settings: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** JSON.parse that reports a non-JSON body (an error page, a truncated answer) as format drift. */
export function parseJsonBody(body: string, siteId: string, what: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new SiteSchemaError(siteId, `${what} is not JSON (starts with ${JSON.stringify(body.slice(0, 40))})`);
  }
}

/** Sites use 0 (and sometimes "") for "not set" in counts, limits and prices. */
export function positiveOrNull(value: number | null | undefined): number | null {
  return value !== null && value !== undefined && Number.isFinite(value) && value > 0 ? value : null;
}

/**
 * Splits "Kamperfoeliestraat 16B", "Straat 12-3" or "Straat 12 A" into street, number and addition.
 * The street is the shortest prefix before a number, so "2e Rosestraat 5" keeps its "2e".
 */
export function splitAddressLine(line: string): { street: string; houseNumber: string; houseNumberAddition: string } {
  const match = /^(.*?\S)\s+(\d+)\s*(?:[-/]\s*)?([A-Za-z0-9][A-Za-z0-9 /-]*)?$/.exec(line.trim());
  if (!match) return { street: line.trim(), houseNumber: "", houseNumberAddition: "" };
  return { street: match[1]!, houseNumber: match[2]!, houseNumberAddition: (match[3] ?? "").trim() };
}

/**
 * A listing link as the site gives it: a root-relative path ("/aanbod/123") is put after the site's
 * baseUrl (which, on the farm, carries a path prefix); an absolute http(s) URL is kept. Anything else
 * (a relative path, "javascript:", "//host") is not a link we understand: null, and the caller decides.
 */
export function siteUrl(site: SiteTarget, href: string): string | null {
  const value = href.trim();
  if (value.startsWith("/") && !value.startsWith("//")) return `${site.baseUrl}${value}`;
  if (/^https?:\/\//i.test(value)) {
    try {
      return new URL(value).toString();
    } catch {
      return null;
    }
  }
  return null;
}

/** Validates the finished listing; a value outside the normalized ranges is drift at `path`. */
export function validListing(siteId: string, what: string, candidate: unknown, path: string): NormalizedListing {
  const listing = NormalizedListing.safeParse(candidate);
  if (!listing.success) throw schemaError(siteId, what, listing.error, [path]);
  return listing.data;
}

/**
 * Words in dwelling-type labels. Check apartments before houses: "Benedenwoning", "Portiekwoning" and
 * "Flatwoning" also contain "woning".
 */
export const DWELLING_WORDS = {
  parking: /parkeer|garage|berging|stalling|parking/,
  apartment: /flat|appartement|portiek|galerij|maisonnette|bovenwoning|benedenwoning|etage|studio|corridor/,
  room: /kamer|onzelfstandig/,
  house: /eengezins|woning|huis|bungalow/,
} as const;

/** The dwelling kind a label names ("Eengezinswoning", "Galerijflat", "Garagebox"); "other" when none. */
export function dwellingKindFromLabel(label: string | null | undefined): DwellingKind {
  const text = (label ?? "").toLowerCase();
  if (DWELLING_WORDS.parking.test(text)) return "parking";
  if (DWELLING_WORDS.apartment.test(text)) return "apartment";
  if (DWELLING_WORDS.room.test(text)) return "room";
  if (DWELLING_WORDS.house.test(text)) return "house";
  return "other";
}

/**
 * The allocation model a site's own words name: "Inschrijfduur", "Woonduur", "Loting", "Direct te huur",
 * "Reactiedatum", "Hospiteren", "Woningruil", "Vrije sector".
 */
export function allocationModelFromWords(text: string | null | undefined): AllocationModel {
  const t = (text ?? "").toLowerCase();
  if (t === "") return "unknown";
  if (/ruil/.test(t)) return "home_swap";
  if (/hospit|co[oö]ptatie/.test(t)) return "cooptation";
  if (/vrije.?sector|middenhuur/.test(t)) return "free_sector";
  if (/loting|lottery|random/.test(t)) return "lottery";
  if (/direct|eerst|reactiedatum|volgorde van reactie|snel/.test(t)) return "first_come";
  if (/inschrijf|woonduur|wachttijd|aanbodmodel|zoekduur|punten/.test(t)) return "waiting_time";
  return "unknown";
}

/** One target-group word ("Regulier", "55+", "Jongeren", "Gezinnen") as our target group. */
export function targetGroupFromWords(text: string | null | undefined): TargetGroup {
  const t = (text ?? "").trim().toLowerCase();
  if (t === "" || /regulier|standaard|iedereen|geen/.test(t)) return "regular";
  if (/55|65|senior|ouderen/.test(t)) return "senior_55_plus";
  if (/student/.test(t)) return "student";
  if (/jongere|jong/.test(t)) return "youth";
  if (/gezin|famil/.test(t)) return "family";
  if (/rolstoel|mindervalide|beperking|handicap|zorg/.test(t)) return "disabled";
  return "other";
}

/**
 * Eligibility limits for sites whose list states none: household size, income and age stay unknown
 * (null), never 0, so matching does not read "no limit" as "limit 0".
 */
export const NO_STATED_LIMITS = {
  minHouseholdSize: null,
  maxHouseholdSize: null,
  minIncome: null,
  maxIncome: null,
  minAge: null,
  maxAge: null,
} as const;

/** Reads a site's date with `read`; a date it cannot read is format drift at `path`, named after `what`. */
export function dateOrDrift<R>(
  siteId: string,
  what: string,
  read: (raw: R) => Date | null,
  raw: R,
  path: string,
): Date | null {
  try {
    return read(raw);
  } catch {
    throw new SiteSchemaError(siteId, `${what} has an unreadable date at ${path}: ${JSON.stringify(raw)}`);
  }
}

/** siteUrl for a listing's own link, which it must have: anything else is drift, `where` names it. */
export function sourceUrlOrDrift(site: SiteTarget, href: string, where: string): string {
  const url = siteUrl(site, href);
  if (!url) throw new SiteSchemaError(site.id, `${where} is not a site path: ${JSON.stringify(href)}`);
  return url;
}
