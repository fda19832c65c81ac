// Entree offer endpoints: an ASP.NET page method answering {"d":{"aanbod":[{straat, huisnummer,
// plaats, kalehuur, objecttype, gebruik, ...}]}}. See docs/sites.md, "Smaller families".
import { normalizePostcode, type DwellingKind, type NormalizedListing } from "../../../domain/listing.js";
import { SiteSchemaError } from "../errors.js";
import {
  allocationModelFromWords,
  dateOrDrift,
  DWELLING_WORDS,
  dwellingKindFromLabel,
  NO_STATED_LIMITS,
  parseJsonBody,
  positiveOrNull,
  readSettings,
  schemaError,
  sourceUrlOrDrift,
  targetGroupFromWords,
  validListing,
} from "../normalize.js";
import type { FetchContext, FetchedPage, SiteAdapter, SiteTarget } from "../types.js";
import { EntreeResponse, EntreeSettings, type EntreeItem } from "./schema.js";

/** Reads "/Date(1758700800000)/": milliseconds since 1970 in UTC (an offset suffix is display only). */
export function parseAspNetDate(raw: string | null): Date | null {
  if (raw === null) return null;
  const m = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(raw);
  if (!m) throw new RangeError(`not an ASP.NET date: ${JSON.stringify(raw)}`);
  const ms = Number(m[1]);
  // .NET's DateTime.MinValue (-62135596800000) and 0 are how "no date" comes out of these services.
  if (ms <= 0) return null;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) throw new RangeError(`ASP.NET date out of range: ${JSON.stringify(raw)}`);
  return date;
}

/** "Woning"/"Wonen" units are homes and their objecttype says which kind; parking and business units are not. */
export function entreeDwellingKind(gebruik: string, objecttype: string): DwellingKind {
  const use = gebruik.toLowerCase();
  if (DWELLING_WORDS.parking.test(use) || dwellingKindFromLabel(objecttype) === "parking") return "parking";
  if (!/woning|wonen|woonruimte/.test(use)) return "other";
  return dwellingKindFromLabel(objecttype);
}

function date(siteId: string, raw: string | null, path: string): Date | null {
  return dateOrDrift(siteId, "Entree offer", parseAspNetDate, raw, path);
}

export function normalizeEntreeItem(item: EntreeItem, raw: unknown, site: SiteTarget, path: string): NormalizedListing {
  const sourceUrl = sourceUrlOrDrift(site, item.url, `Entree link at ${path}.url`);
  const candidate = {
    externalId: String(item.id),
    street: item.straat.trim(),
    houseNumber: String(item.huisnummer).trim(),
    houseNumberAddition: (item.toevoeging ?? "").trim(),
    postcode: normalizePostcode(item.postcode),
    city: item.plaats.trim(),
    municipality: item.gemeente?.trim() || null,
    netRent: positiveOrNull(item.kalehuur),
    grossRent: positiveOrNull(item.brutohuur),
    bedrooms: item.slaapkamers,
    areaM2: positiveOrNull(item.oppervlakte),
    dwellingKind: entreeDwellingKind(item.gebruik, item.objecttype),
    dwellingTypeLabel: item.objecttype.trim() || null,
    allocationModel: allocationModelFromWords(item.toewijzing),
    // One group per ad; none means open to everyone.
    targetGroups: [targetGroupFromWords(item.doelgroep)],
    ...NO_STATED_LIMITS,
    registrationRequired: null,
    publishedAt: date(site.id, item.publicatiedatum, `${path}.publicatiedatum`),
    closesAt: date(site.id, item.einddatum, `${path}.einddatum`),
    sourceUrl,
    raw,
  };
  return validListing(site.id, "normalized Entree listing", candidate, path);
}

export function parseEntreeOffer(body: string, site: SiteTarget): NormalizedListing[] {
  readSettings(EntreeSettings, site, "entree");
  const json = parseJsonBody(body, site.id, "Entree offer");
  const parsed = EntreeResponse.safeParse(json);
  if (!parsed.success) throw schemaError(site.id, "Entree offer", parsed.error);
  const { aanbod, aantal } = parsed.data.d;
  if (aantal !== undefined && aantal !== aanbod.length) {
    throw new SiteSchemaError(site.id, `Entree offer lists ${aanbod.length} of ${aantal} homes: the offer is paged or cut`);
  }
  const rawItems = (json as { d: { aanbod: unknown[] } }).d.aanbod;
  return aanbod.map((item, i) => normalizeEntreeItem(item, rawItems[i], site, `d.aanbod.${i}`));
}

export const entreeAdapter: SiteAdapter<EntreeSettings> = {
  platform: "entree",
  needsBrowser: false,
  settingsSchema: EntreeSettings,

  async fetch(site: SiteTarget, ctx: FetchContext): Promise<FetchedPage[]> {
    const settings = readSettings(EntreeSettings, site, "entree");
    // ASP.NET script methods answer JSON only to a POST with a JSON content type; a GET gets the HTML page.
    const page = await ctx.http.request(site.id, `${site.baseUrl}${settings.listPath}`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", accept: "application/json" },
      body: "{}",
      signal: ctx.signal,
      expect: "json",
    });
    return [page];
  },

  parse: parseEntreeOffer,
};
