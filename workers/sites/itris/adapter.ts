// Itris corporation sites: the offer is server-rendered HTML at /woningaanbod/ with one
// div.woningaanbod[data-aanbod-id][data-plaats][data-prijs][data-kamers] per home inside a list that
// states its own count. Parsed with htmlparser2 (the parser cheerio is built on), never with regexes
// over markup. See docs/sites.md, "Smaller families".
import { DomUtils, parseDocument } from "htmlparser2";
import { normalizePostcode, type NormalizedListing } from "../../../domain/listing.js";
import { parseAmsterdamLocal } from "../../../domain/time.js";
import { SiteSchemaError } from "../errors.js";
import {
  allocationModelFromWords,
  dateOrDrift,
  dwellingKindFromLabel,
  NO_STATED_LIMITS,
  positiveOrNull,
  readSettings,
  schemaError,
  sourceUrlOrDrift,
  splitAddressLine,
  targetGroupFromWords,
  validListing,
} from "../normalize.js";
import type { FetchContext, FetchedPage, SiteAdapter, SiteTarget } from "../types.js";
import { ItrisItem, ItrisSettings } from "./schema.js";

type Element = ReturnType<typeof DomUtils.findAll>[number];

/** A whole page ends with </html> (comments and whitespace may follow); anything else was cut off. */
const COMPLETE_PAGE = /<\/html\s*>\s*(<!--[\s\S]*?-->\s*)*$/i;

const hasClass = (element: Element, token: string): boolean =>
  (element.attribs.class ?? "").split(/\s+/).includes(token);

const text = (element: Element): string => DomUtils.textContent(element).replace(/\s+/g, " ").trim();

function first(root: Element, test: (element: Element) => boolean): Element | null {
  return DomUtils.findOne(test, root.children, true);
}

/** The datetime of the <time> inside a marked child: undefined when the child is absent, "" when it has no time. */
function timeIn(root: Element, className: string): string | undefined {
  const holder = first(root, (e) => hasClass(e, className));
  if (!holder) return undefined;
  const time = first(holder, (e) => e.name === "time");
  return time?.attribs.datetime ?? "";
}

/** Gathers one item's values, as strings under their selector, for the schema to check. */
function gather(item: Element): Record<string, string | undefined> {
  const child = (test: (e: Element) => boolean): Element | null => first(item, test);
  const childText = (test: (e: Element) => boolean): string | undefined => {
    const found = child(test);
    return found ? text(found) : undefined;
  };
  const link = child((e) => e.name === "a" && hasClass(e, "woningaanbod__link"));
  return {
    "data-aanbod-id": item.attribs["data-aanbod-id"],
    "data-plaats": item.attribs["data-plaats"],
    "data-prijs": item.attribs["data-prijs"],
    "data-kamers": item.attribs["data-kamers"],
    ".woningaanbod__adres": childText((e) => hasClass(e, "woningaanbod__adres")),
    ".woningaanbod__link[href]": link?.attribs.href,
    ".postcode": childText((e) => hasClass(e, "postcode")),
    "li.type": childText((e) => e.name === "li" && hasClass(e, "type")),
    "li.oppervlakte": childText((e) => e.name === "li" && hasClass(e, "oppervlakte")),
    "li.model": childText((e) => e.name === "li" && hasClass(e, "model")),
    "li.doelgroep": childText((e) => e.name === "li" && hasClass(e, "doelgroep")),
    ".woningaanbod__reageren time[datetime]": timeIn(item, "woningaanbod__reageren"),
    ".woningaanbod__gepubliceerd time[datetime]": timeIn(item, "woningaanbod__gepubliceerd"),
  };
}

function localTime(siteId: string, raw: string | undefined, path: string): Date | null {
  if (raw === undefined) return null;
  return dateOrDrift(siteId, "Itris page", parseAmsterdamLocal, raw, path);
}

function normalizeItrisItem(item: Element, site: SiteTarget, path: string): NormalizedListing {
  const values = gather(item);
  const parsed = ItrisItem.safeParse(values);
  if (!parsed.success) throw schemaError(site.id, "Itris offer item", parsed.error, [path]);
  const v = parsed.data;
  const href = v[".woningaanbod__link[href]"];
  const sourceUrl = sourceUrlOrDrift(site, href, `Itris link at ${path}`);
  const address = splitAddressLine(v[".woningaanbod__adres"]);
  const rooms = v["data-kamers"];
  const type = v["li.type"];
  const candidate = {
    externalId: v["data-aanbod-id"],
    street: address.street,
    houseNumber: address.houseNumber,
    houseNumberAddition: address.houseNumberAddition,
    postcode: normalizePostcode(v[".postcode"]),
    city: v["data-plaats"].trim(),
    municipality: null, // the page names the town only; the catalogue maps towns to municipalities
    netRent: positiveOrNull(v["data-prijs"]),
    grossRent: null,
    // Rooms count the living room; a one-room studio has no separate bedroom.
    bedrooms: rooms !== null && rooms > 0 ? rooms - 1 : null,
    areaM2: positiveOrNull(v["li.oppervlakte"]),
    dwellingKind: dwellingKindFromLabel(type),
    dwellingTypeLabel: type,
    allocationModel: allocationModelFromWords(v["li.model"]),
    targetGroups: [targetGroupFromWords(v["li.doelgroep"])],
    ...NO_STATED_LIMITS,
    registrationRequired: null,
    publishedAt: localTime(site.id, v[".woningaanbod__gepubliceerd time[datetime]"], `${path}.gepubliceerd`),
    closesAt: localTime(site.id, v[".woningaanbod__reageren time[datetime]"], `${path}.reageren`),
    sourceUrl,
    raw: values,
  };
  return validListing(site.id, "normalized Itris listing", candidate, path);
}

export function parseItrisPage(body: string, site: SiteTarget): NormalizedListing[] {
  readSettings(ItrisSettings, site, "itris");
  if (!COMPLETE_PAGE.test(body)) {
    throw new SiteSchemaError(site.id, `Itris page does not end with </html>: cut off (ends with ${JSON.stringify(body.slice(-40))})`);
  }
  const document = parseDocument(body);
  const list = DomUtils.findOne((e) => hasClass(e, "woningaanbod-lijst"), document.children, true);
  if (!list) {
    throw new SiteSchemaError(site.id, `Itris page has no div.woningaanbod-lijst (starts with ${JSON.stringify(body.slice(0, 40))})`);
  }
  const totalRaw = list.attribs["data-totaal"] ?? "";
  if (!/^\d{1,5}$/.test(totalRaw)) {
    throw new SiteSchemaError(site.id, `Itris offer list has no readable data-totaal: ${JSON.stringify(totalRaw)}`);
  }
  const items = DomUtils.findAll((e) => e.name === "div" && hasClass(e, "woningaanbod"), list.children);
  if (items.length !== Number(totalRaw)) {
    // A list that disagrees with its own count is cut or paged: the missing homes would look withdrawn.
    throw new SiteSchemaError(site.id, `Itris page shows ${items.length} homes but says ${totalRaw}`);
  }
  return items.map((item, i) => normalizeItrisItem(item, site, `woningaanbod.${i}`));
}

export const itrisAdapter: SiteAdapter<ItrisSettings> = {
  platform: "itris",
  needsBrowser: false,
  settingsSchema: ItrisSettings,

  async fetch(site: SiteTarget, ctx: FetchContext): Promise<FetchedPage[]> {
    const settings = readSettings(ItrisSettings, site, "itris");
    const page = await ctx.http.request(site.id, `${site.baseUrl}${settings.listPath}`, {
      headers: { accept: "text/html,application/xhtml+xml" },
      signal: ctx.signal,
      expect: "html",
    });
    return [page];
  },

  parse: parseItrisPage,
};
