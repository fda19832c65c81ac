import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NormalizedListing } from "../../../domain/listing.js";
import {
  decodeRelayId,
  embraceAdapter,
  parseEmbracePage,
  postcodeFromLocationId,
  splitAddressLine,
} from "../../../workers/sites/embrace/adapter.js";
import { SiteBlockedError, SiteSchemaError } from "../../../workers/sites/errors.js";
import type { FetchContext, SiteTarget } from "../../../workers/sites/types.js";
import { countBy, fixtureReader, httpContext, schemaErrorOf } from "./helpers.js";

const fixture = fixtureReader("embrace-woonnet-rijnmond");

const settings = {
  apiBaseUrl: "https://portal.mesh-router.embracecloud.nl",
  tenantId: "woonnetrijnmond",
  portalId: "portal-test",
};
const site: SiteTarget = { id: "woonnet-rijnmond", baseUrl: "https://www.woonnetrijnmond.nl", settings };

type Page = {
  data: {
    housingPublications: {
      nodes: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Record<string, unknown> }[] };
    };
  };
};

describe("Embrace publications page", () => {
  const listings = parseEmbracePage(fixture("publications-page-1.json"), site);

  it("yields every publication as a valid NormalizedListing", () => {
    expect(listings).toHaveLength(4);
    for (const listing of listings) expect(() => NormalizedListing.parse(listing)).not.toThrow();
  });

  it("maps the first publication field by field", () => {
    const first = listings[0]!;
    expect(first).toMatchObject({
      externalId: "100123313",
      street: "Kamperfoeliestraat",
      houseNumber: "16",
      houseNumberAddition: "B",
      postcode: "3073 EJ", // decoded from the location relay id
      city: "Rotterdam",
      municipality: null,
      netRent: 932.93,
      grossRent: 943.73,
      bedrooms: 3,
      areaM2: 68.5, // TOTAL 68500000 millionths of m²
      dwellingKind: "apartment",
      dwellingTypeLabel: "Flatwoning zonder lift",
      allocationModel: "waiting_time",
      targetGroups: ["regular"],
      registrationRequired: true,
      sourceUrl:
        "https://www.woonnetrijnmond.nl/aanbod/nu-te-huur/huurwoningen/details/Rotterdam-Kamperfoeliestraat-16B-SG91c2luZ1B1YmxpY2F0aW9uOjEwMDEyMzMxMw==",
    });
    // "2026-09-26T20:00:00+02:00" is 18:00 UTC.
    expect(first.closesAt?.toISOString()).toBe("2026-09-26T18:00:00.000Z");
    expect(first.publishedAt?.toISOString()).toBe("2026-09-23T18:00:00.000Z");
  });

  it("counts allocation models and target groups", () => {
    expect(countBy(listings, (l) => l.allocationModel)).toEqual({ waiting_time: 3, lottery: 1 });
    expect(countBy(listings, (l) => l.targetGroups.join("+"))).toEqual({ regular: 3, senior_55_plus: 1 });
    expect(listings.find((l) => l.externalId === "100123311")).toMatchObject({
      street: "Zernikeplaats",
      houseNumber: "908",
      postcode: "3068 JB",
      targetGroups: ["senior_55_plus"], // suitability SENIORS65_PLUS
      grossRent: 908.99,
    });
    expect(listings.find((l) => l.externalId === "100123231")).toMatchObject({
      allocationModel: "lottery",
      city: "Rotterdam",
      areaM2: 60,
    });
  });

  it("splits address lines and decodes relay ids", () => {
    expect(splitAddressLine("Kamperfoeliestraat 16B")).toEqual({
      street: "Kamperfoeliestraat",
      houseNumber: "16",
      houseNumberAddition: "B",
    });
    expect(splitAddressLine("Straat 12-3")).toEqual({ street: "Straat", houseNumber: "12", houseNumberAddition: "3" });
    expect(splitAddressLine("Straat 12 A")).toEqual({ street: "Straat", houseNumber: "12", houseNumberAddition: "A" });
    expect(splitAddressLine("2e Rosestraat 5")).toEqual({ street: "2e Rosestraat", houseNumber: "5", houseNumberAddition: "" });
    expect(decodeRelayId("SG91c2luZ1B1YmxpY2F0aW9uOjEwMDEyMzMxMw==")).toEqual({ type: "HousingPublication", key: "100123313" });
    expect(postcodeFromLocationId("SG91c2luZ0xvY2F0aW9uOjMwNzNFSjsxNjtCOw==")).toBe("3073 EJ");
    expect(postcodeFromLocationId(Buffer.from("HousingLocation:;12;;").toString("base64"))).toBeNull();
    expect(postcodeFromLocationId(null)).toBeNull();
  });
});

describe("Embrace drift", () => {
  const original = JSON.parse(fixture("publications-page-1.json")) as Page;
  const mutate = (change: (copy: Page) => void) => {
    const copy = structuredClone(original);
    change(copy);
    return JSON.stringify(copy);
  };
  const firstUnit = (c: Page) => c.data.housingPublications.nodes.edges[0]!.node.unit as Record<string, unknown>;

  it("names the path of a renamed field", () => {
    const error = schemaErrorOf(() =>
      parseEmbracePage(
        mutate((c) => {
          const location = firstUnit(c).location as Record<string, unknown>;
          location.street = location.addressLine1;
          delete location.addressLine1;
        }),
        site,
      ),
    );
    expect(error.message).toContain("data.housingPublications.nodes.edges.0.node.unit.location.addressLine1");
  });

  it("rejects edges that are not an array, a missing connection and non-JSON", () => {
    schemaErrorOf(() =>
      parseEmbracePage(mutate((c) => ((c.data.housingPublications.nodes as unknown as { edges: object }).edges = {})), site),
    );
    schemaErrorOf(() => parseEmbracePage(JSON.stringify({ data: { housingPublications: null } }), site));
    schemaErrorOf(() => parseEmbracePage("<!doctype html><title>Woonnet Rijnmond</title>", site));
  });

  it("rejects a publication id that is no longer a relay id", () => {
    const error = schemaErrorOf(() =>
      parseEmbracePage(mutate((c) => (c.data.housingPublications.nodes.edges[0]!.node.id = "100123313")), site),
    );
    expect(error.message).toContain("edges.0.node.id");
  });

  it("maps GraphQL errors: schema errors vs auth/rate refusals", () => {
    const validation = JSON.stringify({ errors: [{ message: 'Cannot query field "unitUsageType" on type "Unit".' }], data: null });
    expect(schemaErrorOf(() => parseEmbracePage(validation, site)).message).toContain("Cannot query field");
    const auth = JSON.stringify({ errors: [{ message: "Not allowed", extensions: { code: "UNAUTHENTICATED" } }] });
    expect(() => parseEmbracePage(auth, site)).toThrow(SiteBlockedError);
    const rate = JSON.stringify({ errors: [{ message: "Rate limit exceeded" }] });
    expect(() => parseEmbracePage(rate, site)).toThrow(SiteBlockedError);
  });
});

describe("Embrace fetch (local gateway)", () => {
  let server: Server;
  let apiBaseUrl: string;
  const requests: { headers: IncomingHttpHeaders; body: { operationName: string; query: string; variables: { first: number; after: string | null } } }[] = [];
  /** What the gateway answers for a given `after` cursor. */
  let answer: (after: string | null) => unknown;

  const page1 = JSON.parse(fixture("publications-page-1.json")) as Page;
  const cursor1 = page1.data.housingPublications.nodes.pageInfo.endCursor!;
  const lastPage = (): Page => {
    const copy = structuredClone(page1);
    copy.data.housingPublications.nodes.edges = copy.data.housingPublications.nodes.edges.slice(0, 1);
    copy.data.housingPublications.nodes.pageInfo = { hasNextPage: false, endCursor: "Y3Vyc29yOjU=" };
    return copy;
  };

  const context = (): FetchContext => httpContext();
  const localSite = (): SiteTarget => ({
    id: "woonnet-rijnmond",
    baseUrl: "https://www.woonnetrijnmond.nl",
    settings: { ...settings, apiBaseUrl, pageSize: 4 },
  });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = "";
      req.on("data", (chunk: Buffer) => (text += chunk.toString()));
      req.on("end", () => {
        const body = JSON.parse(text) as (typeof requests)[number]["body"];
        requests.push({ headers: req.headers, body });
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer(body.variables.after)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    apiBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    requests.length = 0;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("follows endCursor until hasNextPage is false and sends tenant and portal headers", async () => {
    answer = (after) => (after === null ? page1 : lastPage());
    const pages = await embraceAdapter.fetch(localSite(), context());
    expect(pages).toHaveLength(2);
    expect(requests.map((r) => r.body.variables)).toEqual([
      { first: 4, after: null },
      { first: 4, after: cursor1 },
    ]);
    const first = requests[0]!;
    expect(first.headers["x-ec-tenant-id"]).toBe("woonnetrijnmond");
    expect(first.headers["x-ec-portal-id"]).toBe("portal-test");
    expect(first.headers["content-type"]).toBe("application/json");
    expect(first.body.operationName).toBe("widgetListGetPublications");
    expect(first.body.query).toContain("housingPublications");
    const listings = pages.flatMap((page) => embraceAdapter.parse(page.body, localSite()));
    expect(listings.map((l) => l.externalId)).toEqual(["100123313", "100123311", "100123310", "100123231", "100123313"]);
  });

  it("treats a repeated cursor as a schema error instead of looping", async () => {
    answer = () => page1; // always says "more after cursor1"
    await expect(embraceAdapter.fetch(localSite(), context())).rejects.toThrow(/repeats cursor/);
    expect(requests).toHaveLength(2);
  });

  it("turns GraphQL errors in a 200 into schema or blocked errors", async () => {
    answer = () => ({ errors: [{ message: "Unknown argument \"after\"" }] });
    await expect(embraceAdapter.fetch(localSite(), context())).rejects.toBeInstanceOf(SiteSchemaError);
    answer = () => ({ errors: [{ message: "Too many requests", extensions: { code: "RATE_LIMITED" } }] });
    await expect(embraceAdapter.fetch(localSite(), context())).rejects.toBeInstanceOf(SiteBlockedError);
  });
});
