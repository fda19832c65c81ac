import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NormalizedListing } from "../../../domain/listing.js";
import { adapterFor, adapters } from "../../../workers/sites/registry.js";
import type { SiteTarget } from "../../../workers/sites/types.js";
import { parseZigDetail, parseZigList, zigAdapter, zigListUrl } from "../../../workers/sites/zig/adapter.js";
import { countBy, fixtureReader, httpContext, schemaErrorOf } from "./helpers.js";

const fixture = fixtureReader("zig-woonnet-haaglanden");

const site: SiteTarget = { id: "woonnet-haaglanden", baseUrl: "https://www.woonnet-haaglanden.nl", settings: {} };

describe("Zig getallobjects", () => {
  const listings = parseZigList(fixture("getallobjects.json"), site);

  it("yields every object as a valid NormalizedListing", () => {
    expect(listings).toHaveLength(7);
    for (const listing of listings) expect(() => NormalizedListing.parse(listing)).not.toThrow();
  });

  it("maps the first object field by field", () => {
    const first = listings[0]!;
    expect(first).toMatchObject({
      externalId: "266497",
      street: "Jan Willem Frisostraat",
      houseNumber: "52",
      houseNumberAddition: "",
      postcode: "2628 TR",
      city: "Delft",
      municipality: "Delft",
      netRent: 932.93,
      grossRent: 935.78,
      bedrooms: 3,
      areaM2: 65,
      dwellingKind: "house",
      dwellingTypeLabel: "Eengezinswoning",
      allocationModel: "waiting_time",
      targetGroups: ["regular"],
      registrationRequired: true,
      sourceUrl: "https://www.woonnet-haaglanden.nl/aanbod/te-huur/details/266497-janwillemfrisostraat-52-delft",
    });
    // "2026-09-24 20:00:00" Amsterdam summer time is 18:00 UTC.
    expect(first.closesAt?.toISOString()).toBe("2026-09-24T18:00:00.000Z");
    expect(first.publishedAt?.toISOString()).toBe("2026-09-20T18:00:00.000Z");
    // The list carries no eligibility limits; only getobject does.
    expect(first.minHouseholdSize).toBeNull();
    expect((first.raw as { id: string }).id).toBe("266497");
  });

  it("keeps municipality and town apart", () => {
    const kapelland = listings.find((l) => l.street === "Kapelland")!;
    expect(kapelland.city).toBe("Leidschendam");
    expect(kapelland.municipality).toBe("Leidschendam-Voorburg");
    expect(kapelland.bedrooms).toBe(1);
    expect(kapelland.closesAt?.toISOString()).toBe("2026-09-27T18:00:00.000Z");
  });

  it("classifies allocation models, target groups and dwelling kinds", () => {
    expect(countBy(listings, (l) => l.allocationModel)).toEqual({ waiting_time: 4, lottery: 1, home_swap: 2 });
    expect(countBy(listings, (l) => l.targetGroups.join("+"))).toEqual({ regular: 4, senior_55_plus: 3 });
    expect(countBy(listings, (l) => l.dwellingKind)).toEqual({ house: 2, apartment: 5 });
    expect(listings.find((l) => l.externalId === "267161")).toMatchObject({
      allocationModel: "lottery",
      dwellingTypeLabel: "Benedenwoning",
      dwellingKind: "apartment",
    });
    // The Proefstraat placeholders are the home-swap ads.
    expect(listings.filter((l) => l.allocationModel === "home_swap").map((l) => l.street)).toEqual([
      "Proefstraat",
      "Proefstraat",
    ]);
  });

  it("uses the site's detail path", () => {
    const custom = parseZigList(fixture("getallobjects.json"), { ...site, settings: { detailPath: "/woning/" } });
    expect(custom[0]!.sourceUrl).toBe("https://www.woonnet-haaglanden.nl/woning/266497-janwillemfrisostraat-52-delft");
  });

  it("returns [] only for a well-formed empty offer", () => {
    expect(parseZigList(JSON.stringify({ sAngularServiceData: "[]", result: [] }), site)).toEqual([]);
  });
});

describe("Zig getobject", () => {
  it("adds the eligibility limits, treating 0 as no limit", () => {
    const listing = parseZigDetail(fixture("getobject.json"), site);
    expect(listing).toMatchObject({
      externalId: "266497",
      street: "Jan Willem Frisostraat",
      netRent: 932.93,
      minHouseholdSize: 2,
      maxHouseholdSize: 4,
      minAge: 18,
      maxAge: null,
      minIncome: null,
      maxIncome: null,
      allocationModel: "waiting_time",
    });
    expect(listing.closesAt?.toISOString()).toBe("2026-09-24T18:00:00.000Z");
  });
});

describe("Zig drift", () => {
  const original = JSON.parse(fixture("getallobjects.json")) as { result: Record<string, unknown>[] };
  const withFirst = (change: (object: Record<string, unknown>) => void) => {
    const copy = structuredClone(original);
    change(copy.result[0]!);
    return JSON.stringify(copy);
  };

  it("names the path of a renamed field", () => {
    const error = schemaErrorOf(() =>
      parseZigList(
        withFirst((o) => {
          o.straat = o.street;
          delete o.street;
        }),
        site,
      ),
    );
    expect(error.message).toContain("result.0.street");
    expect(error.kind).toBe("schema");
  });

  it("rejects a renamed allocation model field", () => {
    const error = schemaErrorOf(() =>
      parseZigList(
        withFirst((o) => {
          o.model = { category: { code: "inschrijfduur" } };
        }),
        site,
      ),
    );
    expect(error.message).toContain("result.0.model");
  });

  it("rejects a result that is not an array", () => {
    expect(schemaErrorOf(() => parseZigList(JSON.stringify({ result: { items: [] } }), site)).message).toContain("result");
    schemaErrorOf(() => parseZigList(JSON.stringify({ objects: [] }), site));
  });

  it("rejects non-JSON (an HTML page)", () => {
    schemaErrorOf(() => parseZigList("<!doctype html><html><body>Onderhoud</body></html>", site));
  });

  it("rejects an unreadable closing date and a listing that fails the normalized schema", () => {
    expect(schemaErrorOf(() => parseZigList(withFirst((o) => (o.closingDate = "morgen")), site)).message).toContain(
      "result.0.closingDate",
    );
    expect(schemaErrorOf(() => parseZigList(withFirst((o) => (o.netRent = 250_000)), site)).message).toContain(
      "result.0.netRent",
    );
  });

  it("treats an empty bedroom count as unknown", () => {
    const listings = parseZigList(withFirst((o) => (o.sleepingRoom = { amountOfRooms: "", id: null })), site);
    expect(listings[0]!.bedrooms).toBeNull();
  });
});

describe("Zig fetch", () => {
  let server: Server;
  let baseUrl: string;
  const seen: { method?: string; url?: string; headers: IncomingMessage["headers"]; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(200, { "content-type": "application/json" }).end(fixture("getallobjects.json"));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("POSTs the list endpoint as an XHR and returns one page", async () => {
    const local: SiteTarget = { id: "zig-local", baseUrl, settings: { configurationKey: "rent" } };
    const pages = await zigAdapter.fetch(local, httpContext());
    expect(pages).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: "POST",
      url: "/portal/object/frontend/getallobjects/format/json?configurationKey=rent",
      body: "",
    });
    expect(seen[0]!.headers["x-requested-with"]).toBe("XMLHttpRequest");
    expect(seen[0]!.headers["accept"]).toBe("application/json");
    expect(seen[0]!.headers["user-agent"]).toBe("Eldersthuis-test/1.0");
    expect(zigAdapter.parse(pages[0]!.body, local)).toHaveLength(7);
  });

  it("omits configurationKey when not set", () => {
    expect(zigListUrl(site, { detailPath: "/x/" })).toBe(
      "https://www.woonnet-haaglanden.nl/portal/object/frontend/getallobjects/format/json",
    );
  });
});

describe("registry", () => {
  it("routes platforms to adapters and refuses unknown ones", () => {
    expect(adapterFor("zig")).toBe(zigAdapter);
    expect(adapters.dak.needsBrowser).toBe(true);
    expect(adapters.embrace.platform).toBe("embrace");
    expect(() => adapterFor("funda")).toThrow(/no site adapter for platform "funda"/);
  });
});
