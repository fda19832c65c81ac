// Zig Websoftware ("Hexia"/Woonmatch) portals: one POST returns the whole current offer as JSON.
// See docs/sites.md, "Zig Websoftware portals".
import {
  normalizePostcode,
  type NormalizedListing,
  type AllocationModel,
  type DwellingKind,
  type TargetGroup,
} from "../../../domain/listing.js";
import { parseAmsterdamLocal } from "../../../domain/time.js";
import {
  dateOrDrift,
  DWELLING_WORDS,
  dwellingKindFromLabel,
  parseJsonBody,
  positiveOrNull,
  readSettings,
  schemaError,
  validListing,
} from "../normalize.js";
import type { FetchContext, FetchedPage, SiteAdapter, SiteTarget } from "../types.js";
import { ZigDetailResponse, ZigListResponse, ZigSettings, type ZigObject } from "./schema.js";

export function zigListUrl(site: SiteTarget, settings: ZigSettings): string {
  const url = `${site.baseUrl}/portal/object/frontend/getallobjects/format/json`;
  return settings.configurationKey ? `${url}?configurationKey=${encodeURIComponent(settings.configurationKey)}` : url;
}

function readZigSettings(site: SiteTarget): ZigSettings {
  return readSettings(ZigSettings, site, "zig");
}

function parseJson(body: string, siteId: string): unknown {
  return parseJsonBody(body, siteId, "Zig response");
}

const { room: ROOM_WORDS, parking: PARKING_WORDS } = DWELLING_WORDS;

export function zigDwellingKind(categorie: string, localizedName: string | null): DwellingKind {
  const category = categorie.toLowerCase();
  const kind = dwellingKindFromLabel(localizedName);
  if (PARKING_WORDS.test(category) || kind === "parking") return "parking";
  // A "woning" is whatever its name says; other categories only tell rooms apart.
  if (category === "woning") return kind;
  if (ROOM_WORDS.test(category)) return "room";
  return "other";
}

export function zigAllocationModel(model: ZigObject["model"], isWoningruil: boolean): AllocationModel {
  const code = model.modelCategorie.code.toLowerCase();
  if (isWoningruil || code === "woningruil") return "home_swap";
  // Covers "hospiteren" and "hospitereninschrijfduur": residents choose among the longest-registered.
  if (code.startsWith("hospiteren") || model.isHospiteren === true) return "cooptation";
  if (code === "reactiedatum" || model.advertentieSluitenNaEersteReactie) return "first_come";
  if (code === "inschrijfduur") return "waiting_time";
  if (code === "random" || code === "loting") return "lottery";
  return "unknown";
}

/** Maps one `doelgroepen[].code` (e.g. "regulier", "55_plus") to our target groups. */
export function zigTargetGroup(code: string): TargetGroup {
  const c = code.toLowerCase();
  if (/regulier|standaard|iedereen|geen/.test(c)) return "regular";
  if (/55|65|senior|ouderen/.test(c)) return "senior_55_plus";
  if (/student/.test(c)) return "student";
  if (/jongere|jong/.test(c)) return "youth";
  if (/gezin|famil/.test(c)) return "family";
  if (/rolstoel|mindervalide|beperking|handicap|zorg/.test(c)) return "disabled";
  return "other";
}

function targetGroups(doelgroepen: ZigObject["doelgroepen"]): TargetGroup[] {
  // No target group on the ad means it is open to everyone.
  if (doelgroepen.length === 0) return ["regular"];
  return [...new Set(doelgroepen.map((d) => zigTargetGroup(d.code)))];
}

function bedrooms(sleepingRoom: ZigObject["sleepingRoom"]): number | null {
  const rooms = sleepingRoom?.amountOfRooms;
  if (rooms === null || rooms === undefined || rooms === "") return null;
  return Number(rooms);
}

/** Zig local times; a malformed one is format drift, reported with its path. */
function localTime(siteId: string, raw: string, path: string): Date | null {
  return dateOrDrift(siteId, "Zig response", parseAmsterdamLocal, raw, path);
}

/** Turns one validated Zig object into a NormalizedListing. `path` names it in errors ("result.3"). */
export function normalizeZigObject(
  object: ZigObject,
  raw: unknown,
  site: SiteTarget,
  settings: ZigSettings,
  path: string,
): NormalizedListing {
  const candidate = {
    externalId: String(object.id),
    street: object.street.trim(),
    houseNumber: String(object.houseNumber).trim(),
    houseNumberAddition: (object.houseNumberAddition ?? "").trim(),
    postcode: normalizePostcode(object.postalcode),
    city: object.city.name.trim(),
    municipality: object.municipality?.name?.trim() || null,
    netRent: positiveOrNull(object.netRent),
    grossRent: positiveOrNull(object.totalRent),
    bedrooms: bedrooms(object.sleepingRoom),
    areaM2: positiveOrNull(object.areaDwelling),
    dwellingKind: zigDwellingKind(object.dwellingType.categorie, object.dwellingType.localizedName),
    dwellingTypeLabel: object.dwellingType.localizedName?.trim() || null,
    allocationModel: zigAllocationModel(object.model, object.isWoningruil),
    targetGroups: targetGroups(object.doelgroepen),
    minHouseholdSize: positiveOrNull(object.minimumHouseholdSize),
    maxHouseholdSize: positiveOrNull(object.maximumHouseholdSize),
    minIncome: positiveOrNull(object.minimumIncome),
    maxIncome: positiveOrNull(object.maximumIncome),
    minAge: positiveOrNull(object.minimumAge),
    maxAge: positiveOrNull(object.maximumAge),
    registrationRequired: object.inschrijvingVereistVoorReageren,
    publishedAt: localTime(site.id, object.publicationDate, `${path}.publicationDate`),
    closesAt: localTime(site.id, object.closingDate, `${path}.closingDate`),
    sourceUrl: `${site.baseUrl}${settings.detailPath}${object.urlKey}`,
    raw,
  };
  return validListing(site.id, "normalized Zig listing", candidate, path);
}

/** Parses getallobjects: the whole offer. */
export function parseZigList(body: string, site: SiteTarget): NormalizedListing[] {
  const settings = readZigSettings(site);
  const json = parseJson(body, site.id);
  const parsed = ZigListResponse.safeParse(json);
  if (!parsed.success) throw schemaError(site.id, "Zig getallobjects response", parsed.error);
  const rawItems = (json as { result: unknown[] }).result;
  return parsed.data.result.map((object, i) => normalizeZigObject(object, rawItems[i], site, settings, `result.${i}`));
}

/** Parses getobject (one listing with its eligibility limits). */
export function parseZigDetail(body: string, site: SiteTarget): NormalizedListing {
  const settings = readZigSettings(site);
  const json = parseJson(body, site.id);
  const parsed = ZigDetailResponse.safeParse(json);
  if (!parsed.success) throw schemaError(site.id, "Zig getobject response", parsed.error);
  return normalizeZigObject(parsed.data.result, (json as { result: unknown }).result, site, settings, "result");
}

export const zigAdapter: SiteAdapter<ZigSettings> = {
  platform: "zig",
  needsBrowser: false,
  settingsSchema: ZigSettings,

  async fetch(site: SiteTarget, ctx: FetchContext): Promise<FetchedPage[]> {
    const settings = readZigSettings(site);
    // No server-side filtering or paging: one call returns the whole offer.
    const page = await ctx.http.request(site.id, zigListUrl(site, settings), {
      method: "POST",
      headers: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" },
      signal: ctx.signal,
      expect: "json",
    });
    return [page];
  },

  parse: parseZigList,
};
