// Embrace Cloud portal, as recorded on Woonnet Rijnmond: a GraphQL gateway with relay paging.
// POST /graphql (header x-ec-tenant-id) for housingPublications; GET /base/config.json for the portal id.
import { Router } from "express";
import { DateTime } from "luxon";
import { AMSTERDAM, parseInstant } from "../../../domain/time.js";
import { DAY, embraceDateTime, localTimeAfterDays, shiftCalendarDate } from "../dates.js";
import { readFixture } from "../fixtures.js";
import { cloneJson, type Rng } from "../generate.js";
import type { Answer, FarmModel, Home, PlatformSite, RecordSummary, SiteRuntime } from "../types.js";

interface Connection<T> {
  edges: { node: T }[];
}

/** The fields of an Embrace publication node the farm reads or writes; types per field as recorded. */
export interface EmbraceNode {
  id: string;
  startTime: string;
  stopTime: string;
  totalNumberOfApplications: number;
  allocationProcess: { id: string; name: string; applicationMethod: string };
  unit: {
    id: string;
    description: string;
    slug: { value: string };
    unitUsageType: string;
    suitability: string;
    basicRent: { exact: number };
    grossRent: { exact: number };
    thumbnails: Connection<{ url: string }>;
    location: { id: string; addressLine1: string; addressLine2: string };
    types: Connection<{ name: string }>;
    availableDate: string;
    endDateTemporaryRentalAgreement: string | null;
    externalApplyUrl: { value: string };
    dimensions: Connection<{ area: string; surfaceArea: number }>;
    numberOfBedrooms: { exact: number };
    availableFor: { name: string };
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

interface PublicationsPage {
  data: { housingPublications: { nodes: { pageInfo: unknown; edges: { node: EmbraceNode }[] } } };
}

const FOLDER = "embrace-woonnet-rijnmond";
const TENANT = "woonnetrijnmond";

export const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string): string => Buffer.from(s, "base64").toString("utf8");

/** Relay id "SG91c2luZ1B1YmxpY2F0aW9uOjEwMDEyMzMxMw==" -> "100123313" (the part after the colon). */
export function relayKey(id: string): string | null {
  const text = unb64(id);
  const i = text.indexOf(":");
  return i > 0 ? text.slice(i + 1) : null;
}

/**
 * Allocation processes. Inschrijfduur (10) and WoningLoting (11) are as recorded; DirectKans is a
 * documented name whose process id (12) is the farm's. No known names for cooptation or home swap.
 */
const MODELS: Partial<Record<FarmModel, { name: string; id: string }>> = {
  waiting_time: { name: "Inschrijfduur", id: b64("HousingAllocationProcess:10") },
  lottery: { name: "WoningLoting", id: b64("HousingAllocationProcess:11") },
  first_come: { name: "DirectKans", id: b64("HousingAllocationProcess:12") },
};

const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 100;

const graphQlError = (message: string) => ({ status: 400, json: { errors: [{ message }] } });

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Bedroom sizes the farm fills in, largest first, in millionths of m² as Embrace sends surfaces. */
const BEDROOM_SURFACES = [14_000_000, 10_500_000, 8_000_000, 7_000_000, 6_500_000, 6_000_000];

export function embracePlatform(fixturesDir: string): PlatformSite<EmbraceNode> {
  const page = readFixture<PublicationsPage>(fixturesDir, FOLDER, "publications-page-1.json");
  const recorded = page.data.housingPublications.nodes.edges.map((e) => e.node);
  const isRealHome = (n: EmbraceNode): boolean => n.unit.unitUsageType === "STANDARD";
  const realHomes = recorded.filter(isRealHome);
  const towns = [...new Set(realHomes.map((n) => n.unit.location.addressLine2).filter(Boolean))];
  // Family-home donors: ordinary units open to everyone (not 65+ and the like).
  const donors = realHomes.filter((n) => n.unit.suitability === "NONE");
  if (donors.length === 0) throw new Error(`site farm: no family-home record in ${FOLDER}`);
  const portalId = b64("PortalProviderPortal:farm-woonnet-rijnmond");

  const describe = (n: EmbraceNode): RecordSummary => {
    const line = n.unit.location.addressLine1;
    const m = /^(.*\S)\s+(\d+\S*)$/.exec(line);
    // The location id carries postcode, number and addition: "HousingLocation:3073EJ;16;B;".
    const pc = relayKey(n.unit.location.id)?.split(";")[0] ?? "";
    const postcode = /^\d{4}[A-Z]{2}$/.test(pc) ? `${pc.slice(0, 4)} ${pc.slice(4)}` : null;
    return {
      externalId: n.id,
      street: m ? m[1]! : line,
      houseNumber: m ? m[2]! : "",
      municipality: n.unit.location.addressLine2,
      postcode,
      aliases: [relayKey(n.id) ?? n.id],
    };
  };

  return {
    platform: "embrace",
    municipalities: towns,
    modelCodes: Object.fromEntries(Object.entries(MODELS).map(([k, v]) => [k, v.name])),

    fixtureRecords: () => cloneJson(recorded),

    dates: (n) => ({ publishedAt: parseInstant(n.startTime), closesAt: parseInstant(n.stopTime) }),

    setDates(n, publishedAt, closesAt) {
      if (publishedAt) n.startTime = embraceDateTime(publishedAt);
      if (closesAt) n.stopTime = embraceDateTime(closesAt);
    },

    shiftCalendarDates(n, days) {
      n.unit.availableDate = shiftCalendarDate(n.unit.availableDate, days);
      if (n.unit.endDateTemporaryRentalAgreement) {
        n.unit.endDateTemporaryRentalAgreement = shiftCalendarDate(n.unit.endDateTemporaryRentalAgreement, days);
      }
    },

    describe,
    isRealHome,

    // Embrace ads close at 20:00 Amsterdam time; the farm's new ones three days after publication.
    defaultClosing: (publishedAt) => localTimeAfterDays(publishedAt, 3, 20, 0),

    build(home: Home, rng: Rng): EmbraceNode {
      const donor = rng.pick(donors);
      const model = MODELS[home.model];
      if (!model) throw new RangeError(`Embrace has no known allocation process for ${home.model}`);
      const n = cloneJson(donor);
      const id = b64(`HousingPublication:${home.number}`);
      const compactPostcode = home.postcode.replace(" ", "");
      const town = home.municipality;
      n.id = id;
      n.startTime = embraceDateTime(home.publishedAt);
      n.stopTime = embraceDateTime(home.closesAt);
      n.totalNumberOfApplications = 0;
      n.allocationProcess = { ...n.allocationProcess, id: model.id, name: model.name, applicationMethod: "REGISTRATION" };
      const u = n.unit;
      u.id = b64(`HousingPublicationUnit:${home.number - 100_000};0;0;`);
      u.description = `<p>Woning in ${town} met ${home.bedrooms} slaapkamers en ${home.areaM2} m² woonoppervlakte.</p>`;
      u.slug = { value: `${town.replace(/\s+/g, "-")}-${home.street.replace(/\s+/g, "-")}-${home.houseNumber}-${id}` };
      u.unitUsageType = "STANDARD";
      u.suitability = "NONE";
      u.basicRent = { exact: home.netRent };
      u.grossRent = { exact: Math.round((home.netRent + home.serviceCosts) * 100) / 100 };
      // The donor's photos show another home.
      u.thumbnails = { edges: [] };
      u.location = {
        ...u.location,
        id: b64(`HousingLocation:${compactPostcode};${home.houseNumber};;`),
        addressLine1: `${home.street} ${home.houseNumber}`,
        addressLine2: town,
      };
      u.availableDate = DateTime.fromMillis(home.closesAt.getTime() + 14 * DAY, { zone: AMSTERDAM })
        .startOf("day")
        .toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
      u.endDateTemporaryRentalAgreement = null;
      u.externalApplyUrl = { value: "" };
      let bedroom = 0;
      u.dimensions = {
        edges: u.dimensions.edges.map(({ node }) => {
          if (node.area === "BEDROOM") {
            const surface = bedroom < home.bedrooms ? (BEDROOM_SURFACES[bedroom] ?? 6_000_000) : 0;
            bedroom += 1;
            return { node: { ...node, surfaceArea: surface } };
          }
          if (node.area === "TOTAL") return { node: { ...node, surfaceArea: home.areaM2 * 1_000_000 } };
          return { node: { ...node } };
        }),
      };
      u.numberOfBedrooms = { exact: home.bedrooms };
      u.availableFor = { name: "" };
      return n;
    },

    routes(site: SiteRuntime<EmbraceNode>): Router {
      const router = Router();
      router.get("/base/config.json", (req, res) => {
        site.respond(req, res, { json: { tenantName: TENANT, portalId } });
      });
      router.post("/graphql", (req, res) => {
        const tenant = req.get("x-ec-tenant-id");
        if (!tenant || !tenant.trim()) {
          site.respond(req, res, graphQlError("Missing required header x-ec-tenant-id"));
          return;
        }
        const body: unknown = req.body;
        if (!isPlainObject(body) || typeof body.query !== "string") {
          site.respond(req, res, graphQlError("Must provide a JSON body with a query string"));
          return;
        }
        if (!body.query.includes("housingPublications")) {
          site.respond(req, res, graphQlError("The farm only answers housingPublications queries"));
          return;
        }
        const variables = isPlainObject(body.variables) ? body.variables : {};
        const first = variables.first ?? DEFAULT_PAGE_SIZE;
        if (typeof first !== "number" || !Number.isInteger(first) || first < 0) {
          site.respond(req, res, graphQlError(`Variable "$first" got invalid value ${JSON.stringify(first)}`));
          return;
        }
        let start = 0;
        const after = variables.after;
        if (after !== undefined && after !== null) {
          // Cursors count positions, as recorded: "HousingPublication:4" ends a page of four.
          const m = typeof after === "string" ? /^HousingPublication:(\d+)$/.exec(unb64(after)) : null;
          if (!m) {
            site.respond(req, res, graphQlError(`Invalid cursor ${JSON.stringify(after)}`));
            return;
          }
          start = Number(m[1]);
        }
        const all = site.offer().map((l) => l.record);
        const page = (records: EmbraceNode[], field = "housingPublications"): Answer => {
          const items = records.slice(start, start + Math.min(first, MAX_PAGE_SIZE));
          const end = start + items.length;
          return {
            json: {
              data: {
                [field]: {
                  nodes: {
                    pageInfo: {
                      hasNextPage: end < records.length,
                      endCursor: items.length > 0 ? b64(`HousingPublication:${end}`) : null,
                    },
                    edges: items.map((record) => ({ node: record })),
                  },
                },
              },
            },
          };
        };
        site.respond(req, res, {
          ...page(all),
          // Drift as a gateway release may bring it: the connection renamed.
          offer: { empty: () => page([]), drift: () => page(all, "publications") },
        });
      });
      return router;
    },
  };
}
