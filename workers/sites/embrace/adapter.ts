// Embrace Cloud portals (Woonnet Rijnmond): the offer is a relay-paged GraphQL connection on a shared
// gateway, keyed by tenant and portal id. See docs/sites.md, "Embrace Cloud".
import { z } from "zod";
import {
  normalizePostcode,
  type NormalizedListing,
  type AllocationModel,
  type DwellingKind,
  type TargetGroup,
} from "../../../domain/listing.js";
import { parseInstant } from "../../../domain/time.js";
import { SiteBlockedError, SiteSchemaError } from "../errors.js";
import {
  dateOrDrift,
  dwellingKindFromLabel,
  NO_STATED_LIMITS,
  parseJsonBody,
  positiveOrNull,
  readSettings,
  schemaError,
  splitAddressLine,
  validListing,
} from "../normalize.js";
import type { FetchContext, FetchedPage, SiteAdapter, SiteTarget } from "../types.js";
import {
  EmbraceErrorsEnvelope,
  EmbracePageInfo,
  EmbracePublicationsResponse,
  EmbraceSettings,
  type EmbracePublication,
} from "./schema.js";

// Kept importable from here for existing callers; the splitter itself is shared.
export { splitAddressLine };

/** Guard against a gateway whose cursor never ends: 40 pages of 50 is far beyond any portal's offer. */
export const MAX_PAGES = 40;

export const OPERATION_NAME = "widgetListGetPublications";

/** Asks for exactly the fields parse reads. The stable order keeps cursor paging consistent. */
export const PUBLICATIONS_QUERY = `query widgetListGetPublications($first: Int, $after: String, $locale: String = "nl-NL") {
  housingPublications(orderBy: STARTDATE_ASC, locale: $locale) {
    nodes(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          startTime
          stopTime
          allocationProcess { name applicationMethod }
          unit {
            slug { value }
            unitUsageType
            suitability
            basicRent { exact }
            grossRent { exact }
            location { id addressLine1 addressLine2 }
            types { edges { node { name } } }
            dimensions { edges { node { area surfaceArea } } }
            numberOfBedrooms { exact }
          }
        }
      }
    }
  }
}`;

function readEmbraceSettings(site: SiteTarget): EmbraceSettings {
  return readSettings(EmbraceSettings, site, "embrace");
}

const PortalConfig = z.looseObject({ portalId: z.string().min(1) });

/** The portal id changes rarely but is not documented: the portal's own config.json says it. */
async function readPortalId(site: SiteTarget, ctx: FetchContext): Promise<string> {
  const page = await ctx.http.request(site.id, `${site.baseUrl}/base/config.json`, { signal: ctx.signal, expect: "json" });
  let body: unknown;
  try {
    body = JSON.parse(page.body);
  } catch {
    throw new SiteSchemaError(site.id, "base/config.json is not JSON");
  }
  const parsed = PortalConfig.safeParse(body);
  if (!parsed.success) throw schemaError(site.id, "portal config", parsed.error);
  return parsed.data.portalId;
}

const AUTH_OR_RATE_MESSAGE =
  /unauthori[sz]ed|unauthenticated|not authori[sz]ed|forbidden|access denied|rate.?limit|too many requests|throttl/i;
const AUTH_OR_RATE_CODE = /UNAUTHENTICATED|UNAUTHORI[SZ]ED|FORBIDDEN|RATE_?LIMIT|TOO_MANY_REQUESTS|THROTTL/i;

/**
 * Parses the body and turns GraphQL `errors` (sent with HTTP 200) into a SiteError: auth or rate
 * problems mean we are blocked; anything else means our query no longer fits the schema.
 */
function readGraphQl(body: string, siteId: string): unknown {
  const json = parseJsonBody(body, siteId, "Embrace response");
  const envelope = EmbraceErrorsEnvelope.safeParse(json);
  if (!envelope.success) throw schemaError(siteId, "Embrace response", envelope.error);
  const graphQlErrors = envelope.data.errors ?? [];
  if (graphQlErrors.length > 0) {
    const messages = graphQlErrors.map((e) => e.message ?? "(no message)").join("; ");
    const authOrRate = graphQlErrors.some(
      (e) => AUTH_OR_RATE_MESSAGE.test(e.message ?? "") || AUTH_OR_RATE_CODE.test(e.extensions?.code ?? ""),
    );
    if (authOrRate) throw new SiteBlockedError(siteId, `GraphQL refused the query: ${messages}`);
    throw new SiteSchemaError(siteId, `GraphQL errors: ${messages}`);
  }
  return json;
}

const PageInfoEnvelope = z.looseObject({
  data: z.looseObject({
    housingPublications: z.looseObject({ nodes: z.looseObject({ pageInfo: EmbracePageInfo }) }),
  }),
});

/** Decodes a relay id: base64 of "<Type>:<key>" ("HousingPublication:100123313"). */
export function decodeRelayId(id: string): { type: string; key: string } | null {
  const text = Buffer.from(id, "base64").toString("utf8");
  const match = /^([A-Za-z]+):(.+)$/s.exec(text);
  return match ? { type: match[1]!, key: match[2]! } : null;
}

/** The location id is "HousingLocation:<postcode>;<number>;<addition>;": the list's only source of the postcode. */
export function postcodeFromLocationId(id: string | null): string | null {
  if (!id) return null;
  const decoded = decodeRelayId(id);
  if (decoded?.type !== "HousingLocation") return null;
  return normalizePostcode(decoded.key.split(";")[0]);
}

export function embraceAllocationModel(name: string | null | undefined): AllocationModel {
  const n = (name ?? "").toLowerCase();
  if (n.includes("inschrijfduur")) return "waiting_time";
  if (n.includes("loting")) return "lottery";
  // DirectKans: respond between 20:00 and 20:15; speed decides who is in the draw.
  if (n.includes("direct")) return "first_come";
  if (n.includes("hospit")) return "cooptation";
  if (n.includes("ruil")) return "home_swap";
  return "unknown";
}

/** Maps a suitability or unit usage type code ("NONE", "SENIORS65_PLUS", "STUDENT") to a target group. */
function embraceTargetGroup(code: string): TargetGroup | null {
  const c = code.toUpperCase();
  if (/^(NONE|NO_PREFERENCE|STANDARD|REGULAR|CLUSTER)$/.test(c)) return null;
  if (/SENIOR|55|65|ELDERLY/.test(c)) return "senior_55_plus";
  if (/STUDENT/.test(c)) return "student";
  if (/YOUTH|YOUNG|JONGEREN/.test(c)) return "youth";
  if (/FAMIL|GEZIN/.test(c)) return "family";
  if (/DISAB|WHEELCHAIR|ROLSTOEL|HANDICAP|MOBILITY|CARE|ZORG/.test(c)) return "disabled";
  if (/PARKING|GARAGE|STORAGE/.test(c)) return null; // a kind of unit, not a group of people
  return "other";
}

function targetGroups(unit: EmbracePublication["unit"]): TargetGroup[] {
  const groups = new Set<TargetGroup>();
  for (const code of [unit.suitability, unit.unitUsageType]) {
    const group = code ? embraceTargetGroup(code) : null;
    if (group) groups.add(group);
  }
  return groups.size > 0 ? [...groups] : ["regular"];
}

export function embraceDwellingKind(typeName: string | null, unitUsageType: string | null): DwellingKind {
  if (/PARKING|GARAGE/.test(unitUsageType ?? "")) return "parking";
  return dwellingKindFromLabel(typeName);
}

const LIVING_AREAS = new Set(["LIVING_ROOM", "LIVING_BEDROOM", "BEDROOM"]);

/**
 * Prefers the TOTAL surface (comparable to Zig's areaDwelling), else the sum of living rooms and
 * bedrooms. Surfaces arrive in millionths of a square metre.
 */
export function embraceAreaM2(dimensions: EmbracePublication["unit"]["dimensions"]): number | null {
  const nodes = dimensions?.edges.map((edge) => edge.node) ?? [];
  const total = nodes.find((node) => node.area === "TOTAL" && (node.surfaceArea ?? 0) > 0)?.surfaceArea;
  const living = nodes
    .filter((node) => LIVING_AREAS.has(node.area))
    .reduce((sum, node) => sum + Math.max(0, node.surfaceArea ?? 0), 0);
  const millionths = total ?? living;
  return millionths > 0 ? Math.round(millionths / 10_000) / 100 : null;
}

function instant(siteId: string, raw: string | null, path: string): Date | null {
  return dateOrDrift(siteId, "Embrace publication", parseInstant, raw, path);
}

export function normalizeEmbracePublication(
  publication: EmbracePublication,
  raw: unknown,
  site: SiteTarget,
  settings: EmbraceSettings,
  path: string,
): NormalizedListing {
  const relayId = decodeRelayId(publication.id);
  if (relayId?.type !== "HousingPublication" || !/^\d+$/.test(relayId.key)) {
    throw new SiteSchemaError(site.id, `Embrace publication id at ${path}.id is not a HousingPublication relay id`);
  }
  const { unit } = publication;
  const typeName = unit.types?.edges[0]?.node.name?.trim() || null;
  const address = splitAddressLine(unit.location.addressLine1);

  const candidate = {
    externalId: relayId.key,
    street: address.street,
    houseNumber: address.houseNumber,
    houseNumberAddition: address.houseNumberAddition,
    postcode: postcodeFromLocationId(unit.location.id),
    city: unit.location.addressLine2.trim(),
    municipality: null, // the gateway names the town only
    netRent: positiveOrNull(unit.basicRent?.exact),
    grossRent: positiveOrNull(unit.grossRent?.exact),
    bedrooms: unit.numberOfBedrooms?.exact ?? null,
    areaM2: embraceAreaM2(unit.dimensions),
    dwellingKind: embraceDwellingKind(typeName, unit.unitUsageType),
    dwellingTypeLabel: typeName,
    allocationModel: embraceAllocationModel(publication.allocationProcess?.name),
    targetGroups: targetGroups(unit),
    ...NO_STATED_LIMITS,
    // Every Woonnet Rijnmond publication with this method is applied to with a registration.
    registrationRequired: publication.allocationProcess?.applicationMethod === "REGISTRATION" ? true : null,
    publishedAt: instant(site.id, publication.startTime, `${path}.startTime`),
    closesAt: instant(site.id, publication.stopTime, `${path}.stopTime`),
    sourceUrl: `${site.baseUrl}${settings.detailPath}${unit.slug.value}`,
    raw,
  };
  return validListing(site.id, "normalized Embrace listing", candidate, path);
}

export function parseEmbracePage(body: string, site: SiteTarget): NormalizedListing[] {
  const settings = readEmbraceSettings(site);
  const json = readGraphQl(body, site.id);
  const parsed = EmbracePublicationsResponse.safeParse(json);
  if (!parsed.success) throw schemaError(site.id, "Embrace housingPublications", parsed.error);
  const rawEdges = (json as { data: { housingPublications: { nodes: { edges: { node: unknown }[] } } } }).data
    .housingPublications.nodes.edges;
  return parsed.data.data.housingPublications.nodes.edges.map((edge, i) => {
    const path = `data.housingPublications.nodes.edges.${i}.node`;
    return normalizeEmbracePublication(edge.node, rawEdges[i]?.node, site, settings, path);
  });
}

export const embraceAdapter: SiteAdapter<EmbraceSettings> = {
  platform: "embrace",
  needsBrowser: false,
  settingsSchema: EmbraceSettings,

  async fetch(site: SiteTarget, ctx: FetchContext): Promise<FetchedPage[]> {
    const settings = readEmbraceSettings(site);
    const portalId = settings.portalId ?? (await readPortalId(site, ctx));
    const url = `${settings.apiBaseUrl}/graphql`;
    const pages: FetchedPage[] = [];
    const seenCursors = new Set<string>();
    let after: string | null = null;

    for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber++) {
      const page = await ctx.http.request(site.id, url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "x-ec-tenant-id": settings.tenantId,
          "x-ec-portal-id": portalId,
        },
        body: JSON.stringify({
          operationName: OPERATION_NAME,
          query: PUBLICATIONS_QUERY,
          variables: { first: settings.pageSize, after },
        }),
        signal: ctx.signal,
        expect: "json",
      });
      // Only the paging is read here; parse validates the publications.
      const envelope = PageInfoEnvelope.safeParse(readGraphQl(page.body, site.id));
      if (!envelope.success) throw schemaError(site.id, "Embrace page info", envelope.error);
      pages.push(page);

      const { hasNextPage, endCursor } = envelope.data.data.housingPublications.nodes.pageInfo;
      ctx.log.debug({ siteId: site.id, pageNumber, hasNextPage }, "fetched Embrace publications page");
      if (!hasNextPage) return pages;
      if (!endCursor) throw new SiteSchemaError(site.id, `page ${pageNumber} says there is a next page but has no endCursor`);
      if (seenCursors.has(endCursor)) {
        throw new SiteSchemaError(site.id, `page ${pageNumber} repeats cursor ${JSON.stringify(endCursor)}: paging would loop`);
      }
      seenCursors.add(endCursor);
      after = endCursor;
    }
    // Returning a partial offer would make the rest look withdrawn; report the paging as broken instead.
    throw new SiteSchemaError(site.id, `still more publications after ${MAX_PAGES} pages: paging looks broken`);
  },

  parse: parseEmbracePage,
};
