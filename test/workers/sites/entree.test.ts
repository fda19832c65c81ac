// Entree: the hand-written ASP.NET offer answer (test/fixtures/sites/SOURCE.md), parsed, and fetched with
// a JSON POST as page methods require.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NormalizedListing } from "../../../domain/listing.js";
import { entreeAdapter, entreeDwellingKind, parseAspNetDate, parseEntreeOffer } from "../../../workers/sites/entree/adapter.js";
import { adapterFor } from "../../../workers/sites/registry.js";
import type { SiteTarget } from "../../../workers/sites/types.js";
import { countBy, httpContext, localSite, schemaErrorOf, type LocalSite } from "./helpers.js";

const text = readFileSync(new URL("../../fixtures/sites/entree/aanbod.json", import.meta.url), "utf8");
const site: SiteTarget = { id: "entree-test", baseUrl: "https://www.entree.example", settings: {} };

function changed(change: (d: any) => void): string {
  const json = JSON.parse(text);
  change(json.d);
  return JSON.stringify(json);
}

describe("Entree offer", () => {
  const listings = parseEntreeOffer(text, site);

  it("yields every item as a valid NormalizedListing", () => {
    expect(text).toContain('"publicatiedatum":"\\/Date(');
    expect(listings).toHaveLength(10);
    for (const listing of listings) expect(() => NormalizedListing.parse(listing)).not.toThrow();
  });

  it("maps the first item field by field", () => {
    expect(listings[0]).toMatchObject({
      externalId: "31875",
      street: "Hoofdstraat",
      houseNumber: "112",
      houseNumberAddition: "a",
      postcode: "9501 CX",
      city: "Stadskanaal",
      municipality: "Stadskanaal",
      netRent: 612.35,
      grossRent: 636.45,
      bedrooms: 3,
      areaM2: 92,
      dwellingKind: "house",
      dwellingTypeLabel: "Eengezinswoning",
      allocationModel: "waiting_time",
      targetGroups: ["regular"],
      sourceUrl: "https://www.entree.example/aanbod/woning/31875",
    });
    // /Date(ms)/ is UTC: 10:00 and 23:59 Amsterdam summer time.
    expect(listings[0]!.publishedAt?.toISOString()).toBe("2026-09-22T08:00:00.000Z");
    expect(listings[0]!.closesAt?.toISOString()).toBe("2026-09-29T21:59:00.000Z");
  });

  it("uses gebruik to tell homes from parking and business units", () => {
    expect(countBy(listings, (l) => l.dwellingKind)).toEqual({ house: 5, apartment: 3, parking: 1, other: 1 });
    expect(listings.find((l) => l.externalId === "31895")).toMatchObject({ dwellingKind: "other", dwellingTypeLabel: "Winkelruimte" });
    expect(listings.find((l) => l.externalId === "31893")).toMatchObject({ dwellingKind: "parking", bedrooms: null, grossRent: 72.5 });
    expect(countBy(listings, (l) => l.allocationModel)).toEqual({ waiting_time: 5, lottery: 2, first_come: 3 });
    expect(countBy(listings, (l) => l.targetGroups.join("+"))).toEqual({ regular: 8, senior_55_plus: 1, youth: 1 });
    expect(entreeDwellingKind("Woning", "Garagebox")).toBe("parking");
    expect(entreeDwellingKind("Wonen", "Benedenwoning")).toBe("apartment");
  });

  it("reads ASP.NET dates, with and without an offset, and .NET's empty dates", () => {
    expect(parseAspNetDate("/Date(1790064000000)/")?.toISOString()).toBe("2026-09-22T08:00:00.000Z");
    expect(parseAspNetDate("/Date(1790064000000+0200)/")?.toISOString()).toBe("2026-09-22T08:00:00.000Z");
    expect(parseAspNetDate("/Date(-62135596800000)/")).toBeNull();
    expect(parseAspNetDate(null)).toBeNull();
    expect(() => parseAspNetDate("2026-09-22")).toThrow(RangeError);
  });

  it("returns [] only for a well-formed empty offer", () => {
    expect(parseEntreeOffer(JSON.stringify({ d: { aanbod: [], aantal: 0 } }), site)).toEqual([]);
    expect(parseEntreeOffer(JSON.stringify({ d: { aanbod: [] } }), site)).toEqual([]);
  });
});

describe("Entree drift", () => {
  it("names the path of a renamed or retyped field", () => {
    const renamed = changed((d) => {
      d.aanbod[4].straatnaam = d.aanbod[4].straat;
      delete d.aanbod[4].straat;
    });
    expect(schemaErrorOf(() => parseEntreeOffer(renamed, site)).message).toContain("d.aanbod.4.straat");
    const list = changed((d) => {
      d.woningen = d.aanbod;
      delete d.aanbod;
    });
    expect(schemaErrorOf(() => parseEntreeOffer(list, site)).message).toContain("d.aanbod");
    const rent = changed((d) => (d.aanbod[0].kalehuur = "612,35"));
    expect(schemaErrorOf(() => parseEntreeOffer(rent, site)).message).toContain("d.aanbod.0.kalehuur");
    const date = changed((d) => (d.aanbod[1].einddatum = "2026-09-29T23:59:00"));
    expect(schemaErrorOf(() => parseEntreeOffer(date, site)).message).toContain("d.aanbod.1.einddatum");
  });

  it("refuses an answer that lists fewer homes than it counts, an ASP.NET error and non-JSON", () => {
    expect(schemaErrorOf(() => parseEntreeOffer(changed((d) => (d.aantal = 30)), site)).message).toMatch(/10 of 30/);
    schemaErrorOf(() => parseEntreeOffer(JSON.stringify({ Message: "Er is een fout opgetreden.", StackTrace: "", ExceptionType: "" }), site));
    expect(schemaErrorOf(() => parseEntreeOffer(text.slice(0, 200), site)).message).toContain("not JSON");
  });

  it("accepts invariant-culture number strings, as JavaScriptSerializer sends decimals of some services", () => {
    const listings = parseEntreeOffer(changed((d) => (d.aanbod[0].kalehuur = "612.35")), site);
    expect(listings[0]!.netRent).toBe(612.35);
  });
});

describe("Entree fetch", () => {
  let server: LocalSite;
  beforeAll(async () => {
    server = await localSite((req, res) => {
      if (req.method === "POST" && req.url === "/Aanbod.aspx/GetAanbod") {
        return void res.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(text);
      }
      res.writeHead(404).end();
    });
  });
  afterAll(() => server.close());

  it("POSTs {} with the JSON content type to the default list path", async () => {
    const local: SiteTarget = { id: "entree-local", baseUrl: server.url, settings: { listPath: null } };
    const pages = await entreeAdapter.fetch(local, httpContext());
    expect(pages).toHaveLength(1);
    expect(server.seen[0]).toMatchObject({ method: "POST", url: "/Aanbod.aspx/GetAanbod", body: "{}" });
    expect(server.seen[0]!.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(entreeAdapter.parse(pages[0]!.body, local)).toHaveLength(10);
    expect(adapterFor("entree")).toBe(entreeAdapter);
  });
});
