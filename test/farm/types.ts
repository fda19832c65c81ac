// Shared shapes of the site farm: a development/test tool that imitates housing-site platforms.
// Production code must never import anything under test/farm.
import type { Request, Response, Router } from "express";
import type { Rng } from "./generate.js";

export type Clock = () => Date;

/** Every platform the farm simulates: one per site adapter (workers/sites/types.ts PLATFORMS). */
export const FARM_PLATFORMS = ["zig", "zig-aanbodapi", "dak", "embrace", "woonmatch", "entree", "itris"] as const;
export type PlatformId = (typeof FARM_PLATFORMS)[number];

/** The farm's platform-neutral allocation models; each platform maps them to its own words. */
export const FARM_MODELS = ["waiting_time", "lottery", "first_come", "cooptation", "home_swap"] as const;
export type FarmModel = (typeof FARM_MODELS)[number];

/** The facts of one generated home before a platform dresses it in its own record format. */
export interface Home {
  /** Numeric part of the external id: 900001, 900002, ... per site. */
  number: number;
  street: string;
  houseNumber: number;
  /** "1234 AB" */
  postcode: string;
  municipality: string;
  bedrooms: number;
  netRent: number;
  serviceCosts: number;
  areaM2: number;
  model: FarmModel;
  publishedAt: Date;
  closesAt: Date;
}

/** Who a record is, in the terms the farm's control API speaks. */
export interface RecordSummary {
  externalId: string;
  street: string;
  houseNumber: string;
  municipality: string;
  /** Digits and letters of the postcode, "1234 AB", or null when the record has none. */
  postcode: string | null;
  /** Other ids the control API accepts for it (Embrace: the number inside the relay id). */
  aliases?: string[];
}

/** One listing on offer: the platform's own record plus what the farm needs to manage it. */
export interface Listing<R> {
  summary: RecordSummary;
  publishedAt: Date | null;
  closesAt: Date | null;
  generated: boolean;
  record: R;
}

/** An answer a simulated site gives; sent by the site's single respond step. */
export interface Answer {
  status?: number;
  json?: unknown;
  html?: string;
  /** A plain-text body (robots.txt, bare error pages). */
  text?: string;
  headers?: Record<string, string>;
  cookies?: { name: string; value: string; path: string; httpOnly: boolean }[];
  /**
   * Set on answers that carry the site's offer (its list endpoint). The data faults ("empty", "drift",
   * "malformed") apply only to these; the variants are built lazily by the platform, in its own shape.
   */
  offer?: OfferVariants;
  /** The endpoint answers conditional requests: an ETag, and 304 to a matching If-None-Match. */
  etag?: boolean;
}

/** The faulty forms of an offer answer, in the platform's own format. */
export interface OfferVariants {
  /** A well-formed offer with no homes in it. */
  empty(): Answer;
  /** The same offer with renamed fields, as after an unannounced release of the platform. */
  drift(): Answer;
}

/** What a platform's routes get to serve one simulated site. */
export interface SiteRuntime<R> {
  id: string;
  /** The site's platform settings from the catalogue ({} for the recorded sites): paths some platforms let a site choose. */
  settings: Record<string, unknown>;
  /** The current offer (closed listings already removed), in site order. */
  offer(): Listing<R>[];
  now(): Date;
  respond(req: Request, res: Response, answer: Answer): void;
}

/**
 * One platform, loaded from its fixture folder. Methods (not function properties) so that a
 * PlatformSite<ZigObject> can sit in a list of PlatformSite<object>.
 */
export interface PlatformSite<R> {
  readonly platform: PlatformId;
  /** Municipalities (DAK, Itris: towns) named in the fixture, in first-seen order. */
  readonly municipalities: string[];
  /** Platform word for each farm model; a missing entry means the platform has no known word for it. */
  readonly modelCodes: Partial<Record<FarmModel, string>>;
  /** Fresh deep copies of the recorded listing records. */
  fixtureRecords(): R[];
  dates(record: R): { publishedAt: Date | null; closesAt: Date | null };
  /** Writes the shifted dates in the platform's format; a null leaves that field as recorded. */
  setDates(record: R, publishedAt: Date | null, closesAt: Date | null): void;
  /** Moves calendar-date fields (available from, delivery) by whole days. */
  shiftCalendarDates(record: R, days: number): void;
  describe(record: R): RecordSummary;
  /** True for a recorded dwelling ad (not a placeholder or parking): a source of municipalities and postcodes. */
  isRealHome(record: R): boolean;
  /** Default closing moment of a listing published at `publishedAt`. */
  defaultClosing(publishedAt: Date): Date;
  /** Builds a record for `home` by cloning a recorded one and changing only what differs. */
  build(home: Home, rng: Rng): R;
  routes(site: SiteRuntime<R>): Router;
}
