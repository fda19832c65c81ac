// Woonmatch: the hand-written Kop van Noord-Holland offer page (test/fixtures/sites/SOURCE.md), parsed
// from its __NEXT_DATA__, and fetched with one GET of the offer path.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NormalizedListing } from "../../../domain/listing.js";
import { adapterFor } from "../../../workers/sites/registry.js";
import type { SiteTarget } from "../../../workers/sites/types.js";
import { extractNextData, parseWoonmatchPage, woonmatchAdapter } from "../../../workers/sites/woonmatch/adapter.js";
import { countBy, httpContext, localSite, schemaErrorOf, type LocalSite } from "./helpers.js";

const page = readFileSync(new URL("../../fixtures/sites/woonmatch-kop-nh/aanbod.html", import.meta.url), "utf8");
const site: SiteTarget = { id: "woonmatch-kop-van-nh", baseUrl: "https://www.woonmatchkopnh.nl", settings: { offerPath: null } };

/** The page with its __NEXT_DATA__ changed. */
function withNextData(change: (data: any) => void): string {
  const found = extractNextData(page);
  if (typeof found === "string") throw new Error("fixture has no __NEXT_DATA__");
  const data = JSON.parse(found.text);
  change(data);
  return page.replace(found.text, JSON.stringify(data).replace(/</g, "\\u003c"));
}

describe("Woonmatch offer page", () => {
  const listings = parseWoonmatchPage(page, site);

  it("yields every house as a valid NormalizedListing", () => {
    expect(listings).toHaveLength(9);
    for (const listing of listings) expect(() => NormalizedListing.parse(listing)).not.toThrow();
  });

  it("maps the first house field by field", () => {
    expect(listings[0]).toMatchObject({
      externalId: "48213",
      street: "Middenweg",
      houseNumber: "112",
      houseNumberAddition: "",
      postcode: "1782 BG",
      city: "Den Helder",
      municipality: "Den Helder",
      netRent: 684.52,
      grossRent: 712.97,
      bedrooms: 3,
      areaM2: 86,
      dwellingKind: "house",
      dwellingTypeLabel: "Eengezinswoning",
      allocationModel: "waiting_time",
      targetGroups: ["regular"],
      registrationRequired: null,
      sourceUrl: "https://www.woonmatchkopnh.nl/aanbod/48213-middenweg-112-den-helder",
    });
    // 23:59 Amsterdam summer time is 21:59 UTC.
    expect(listings[0]!.closesAt?.toISOString()).toBe("2026-09-29T21:59:00.000Z");
    expect(listings[0]!.publishedAt?.toISOString()).toBe("2026-09-22T07:00:00.000Z");
    expect((listings[0]!.raw as { slug: string }).slug).toBe("48213-middenweg-112-den-helder");
  });

  it("keeps town and municipality apart and reads additions, groups and kinds", () => {
    expect(listings.find((l) => l.externalId === "48220")).toMatchObject({ city: "Julianadorp", municipality: "Den Helder", bedrooms: 4 });
    expect(listings.find((l) => l.externalId === "48229")).toMatchObject({ houseNumber: "3", houseNumberAddition: "12", targetGroups: ["youth"] });
    expect(listings.find((l) => l.externalId === "48233")).toMatchObject({ dwellingKind: "parking", bedrooms: null, houseNumberAddition: "G4" });
    // "Regulier" next to a reserved group: the home is reserved.
    expect(listings.find((l) => l.externalId === "48235")!.targetGroups).toEqual(["family"]);
    expect(countBy(listings, (l) => l.allocationModel)).toEqual({ waiting_time: 5, lottery: 2, first_come: 2 });
    expect(countBy(listings, (l) => l.dwellingKind)).toEqual({ house: 4, apartment: 4, parking: 1 });
    expect(countBy(listings, (l) => l.municipality ?? "")).toEqual({ "Den Helder": 6, "Hollands Kroon": 3 });
  });

  it("returns [] only for a well-formed empty offer", () => {
    const empty = withNextData((d) => {
      d.props.pageProps.houses = [];
      d.props.pageProps.total = 0;
    });
    expect(parseWoonmatchPage(empty, site)).toEqual([]);
  });
});

describe("Woonmatch drift", () => {
  it("names the path of a renamed field", () => {
    const renamed = withNextData((d) => {
      const house = d.props.pageProps.houses[3];
      house.streetName = house.street;
      delete house.street;
    });
    expect(schemaErrorOf(() => parseWoonmatchPage(renamed, site)).message).toContain("props.pageProps.houses.3.street");
    const list = withNextData((d) => {
      d.props.pageProps.woningen = d.props.pageProps.houses;
      delete d.props.pageProps.houses;
    });
    expect(schemaErrorOf(() => parseWoonmatchPage(list, site)).message).toContain("props.pageProps.houses");
  });

  it("refuses a page that shows part of the offer", () => {
    const partial = withNextData((d) => {
      d.props.pageProps.total = 24;
    });
    expect(schemaErrorOf(() => parseWoonmatchPage(partial, site)).message).toMatch(/9 of 24/);
  });

  it("refuses dates without an offset, links that are not site paths, and out-of-range values", () => {
    const localDate = withNextData((d) => (d.props.pageProps.houses[0].closingAt = "2026-09-29T23:59:00"));
    expect(schemaErrorOf(() => parseWoonmatchPage(localDate, site)).message).toContain("houses.0.closingAt");
    const link = withNextData((d) => (d.props.pageProps.houses[1].url = "javascript:void(0)"));
    expect(schemaErrorOf(() => parseWoonmatchPage(link, site)).message).toContain("houses.1.url");
    const rooms = withNextData((d) => (d.props.pageProps.houses[2].bedrooms = 45));
    expect(schemaErrorOf(() => parseWoonmatchPage(rooms, site)).message).toContain("houses.2.bedrooms");
  });

  it("refuses pages without the data script, cut off inside it, or with broken JSON", () => {
    expect(schemaErrorOf(() => parseWoonmatchPage("<!DOCTYPE html><html><body><h1>Onderhoud</h1></body></html>", site)).message).toContain("no __NEXT_DATA__");
    const cut = page.slice(0, page.indexOf("__NEXT_DATA__") + 500);
    expect(schemaErrorOf(() => parseWoonmatchPage(cut, site)).message).toContain("cut off");
    const broken = page.replace('"houses":[{', '"houses":[{,');
    expect(schemaErrorOf(() => parseWoonmatchPage(broken, site)).message).toContain("not JSON");
    expect(schemaErrorOf(() => parseWoonmatchPage('{"props":{}}', site)).message).toContain("no __NEXT_DATA__");
  });
});

describe("Woonmatch fetch", () => {
  let server: LocalSite;
  beforeAll(async () => {
    server = await localSite((req, res) => {
      if (req.url === "/kop/woningen") return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
      res.writeHead(404).end();
    });
  });
  afterAll(() => server.close());

  it("GETs the offer path as HTML and returns one page", async () => {
    const local: SiteTarget = { id: "woonmatch-local", baseUrl: `${server.url}/kop`, settings: { offerPath: "/woningen" } };
    const pages = await woonmatchAdapter.fetch(local, httpContext());
    expect(pages).toHaveLength(1);
    expect(server.seen[0]).toMatchObject({ method: "GET", url: "/kop/woningen" });
    expect(server.seen[0]!.headers.accept).toContain("text/html");
    expect(woonmatchAdapter.parse(pages[0]!.body, local)).toHaveLength(9);
    expect(adapterFor("woonmatch")).toBe(woonmatchAdapter);
  });
});
