// Woonmatch offer pages (Woonmatch Kop van Noord-Holland, Woonmatch Waterland): one GET of the Next.js
// offer page; the homes are the page's server-rendered data in <script id="__NEXT_DATA__">, which is
// far steadier than the visible markup. See docs/sites.md, "Smaller families".
import { Parser } from "htmlparser2";
import { normalizePostcode, type NormalizedListing, type TargetGroup } from "../../../domain/listing.js";
import { parseInstant } from "../../../domain/time.js";
import { SiteSchemaError } from "../errors.js";
import {
  allocationModelFromWords,
  dateOrDrift,
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
import { WoonmatchNextData, WoonmatchSettings, type WoonmatchHouse } from "./schema.js";

/**
 * The text of the first <script id="__NEXT_DATA__">. Script content is raw text to the parser, so the
 * JSON arrives exactly as sent. "unclosed" means the page ended inside the script: a cut-off answer.
 */
export function extractNextData(html: string): { text: string } | "missing" | "unclosed" {
  let inside = false;
  let text = "";
  let result: { text: string } | "unclosed" | null = null;
  const parser = new Parser({
    onopentag(name, attributes) {
      if (result === null && !inside && name === "script" && attributes.id === "__NEXT_DATA__") {
        inside = true;
        text = "";
      }
    },
    ontext(data) {
      if (inside) text += data;
    },
    onclosetag(name, isImplied) {
      if (inside && name === "script") {
        inside = false;
        result = isImplied ? "unclosed" : { text };
      }
    },
  });
  parser.write(html);
  parser.end();
  return result ?? "missing";
}

function instant(siteId: string, raw: string | null, path: string): Date | null {
  return dateOrDrift(siteId, "Woonmatch house", parseInstant, raw, path);
}

function targetGroups(words: string[]): TargetGroup[] {
  const groups = new Set(words.map(targetGroupFromWords));
  if (groups.size === 0) return ["regular"]; // no group on the ad: open to everyone
  if (groups.size > 1) groups.delete("regular"); // a reserved home is not also open to everyone
  return [...groups];
}

export function normalizeWoonmatchHouse(house: WoonmatchHouse, raw: unknown, site: SiteTarget, path: string): NormalizedListing {
  const sourceUrl = sourceUrlOrDrift(site, house.url, `Woonmatch house link at ${path}.url`);
  const candidate = {
    externalId: String(house.id),
    street: house.street.trim(),
    houseNumber: String(house.houseNumber).trim(),
    houseNumberAddition: (house.houseNumberAddition ?? "").trim(),
    postcode: normalizePostcode(house.postalCode),
    city: house.city.trim(),
    municipality: house.municipality?.trim() || null,
    netRent: positiveOrNull(house.rent),
    grossRent: positiveOrNull(house.totalRent),
    bedrooms: house.bedrooms,
    areaM2: positiveOrNull(house.area),
    dwellingKind: dwellingKindFromLabel(house.type),
    dwellingTypeLabel: house.type.trim() || null,
    allocationModel: allocationModelFromWords(house.model),
    targetGroups: targetGroups(house.targetGroups),
    ...NO_STATED_LIMITS,
    registrationRequired: null,
    publishedAt: instant(site.id, house.publishedAt, `${path}.publishedAt`),
    closesAt: instant(site.id, house.closingAt, `${path}.closingAt`),
    sourceUrl,
    raw,
  };
  return validListing(site.id, "normalized Woonmatch listing", candidate, path);
}

export function parseWoonmatchPage(body: string, site: SiteTarget): NormalizedListing[] {
  readSettings(WoonmatchSettings, site, "woonmatch");
  const script = extractNextData(body);
  if (script === "missing") {
    throw new SiteSchemaError(site.id, `Woonmatch page has no __NEXT_DATA__ script (starts with ${JSON.stringify(body.slice(0, 40))})`);
  }
  if (script === "unclosed") throw new SiteSchemaError(site.id, "Woonmatch page ends inside its __NEXT_DATA__ script: cut off");
  const json = parseJsonBody(script.text, site.id, "Woonmatch __NEXT_DATA__");
  const parsed = WoonmatchNextData.safeParse(json);
  if (!parsed.success) throw schemaError(site.id, "Woonmatch __NEXT_DATA__", parsed.error);
  const { houses, total } = parsed.data.props.pageProps;
  if (total !== houses.length) {
    // A page showing part of the offer would make the rest look withdrawn.
    throw new SiteSchemaError(site.id, `Woonmatch page lists ${houses.length} of ${total} homes: the offer is paged or cut`);
  }
  const rawHouses = (json as { props: { pageProps: { houses: unknown[] } } }).props.pageProps.houses;
  return houses.map((house, i) => normalizeWoonmatchHouse(house, rawHouses[i], site, `props.pageProps.houses.${i}`));
}

export const woonmatchAdapter: SiteAdapter<WoonmatchSettings> = {
  platform: "woonmatch",
  needsBrowser: false,
  settingsSchema: WoonmatchSettings,

  async fetch(site: SiteTarget, ctx: FetchContext): Promise<FetchedPage[]> {
    const settings = readSettings(WoonmatchSettings, site, "woonmatch");
    // The page is rendered on the server with every home in it: one GET is the whole offer.
    const page = await ctx.http.request(site.id, `${site.baseUrl}${settings.offerPath}`, {
      headers: { accept: "text/html,application/xhtml+xml" },
      signal: ctx.signal,
      expect: "html",
    });
    return [page];
  },

  parse: parseWoonmatchPage,
};
