// Itris corporation sites: the hand-written /woningaanbod/ page (test/fixtures/sites/SOURCE.md), parsed
// with htmlparser2 from its data attributes and marked-up children.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NormalizedListing } from "../../../domain/listing.js";
import { itrisAdapter, parseItrisPage } from "../../../workers/sites/itris/adapter.js";
import { adapterFor } from "../../../workers/sites/registry.js";
import type { SiteTarget } from "../../../workers/sites/types.js";
import { countBy, httpContext, localSite, schemaErrorOf, type LocalSite } from "./helpers.js";

const page = readFileSync(new URL("../../fixtures/sites/itris/woningaanbod.html", import.meta.url), "utf8");
const site: SiteTarget = { id: "itris-test", baseUrl: "https://www.corporatie.example", settings: {} };

describe("Itris offer page", () => {
  const listings = parseItrisPage(page, site);

  it("yields every div.woningaanbod as a valid NormalizedListing", () => {
    expect(listings).toHaveLength(8);
    for (const listing of listings) expect(() => NormalizedListing.parse(listing)).not.toThrow();
  });

  it("maps the first item field by field", () => {
    expect(listings[0]).toMatchObject({
      externalId: "20731",
      street: "Kottenseweg",
      houseNumber: "41",
      houseNumberAddition: "",
      postcode: "7101 GA",
      city: "Winterswijk",
      municipality: null,
      netRent: 689.12,
      grossRent: null,
      // data-kamers="4" counts the living room.
      bedrooms: 3,
      areaM2: 92,
      dwellingKind: "house",
      dwellingTypeLabel: "Eengezinswoning",
      allocationModel: "lottery",
      targetGroups: ["regular"],
      sourceUrl: "https://www.corporatie.example/woningaanbod/20731-kottenseweg-41",
    });
    // 20:00 Amsterdam summer time; the publication is a calendar date (midnight Amsterdam).
    expect(listings[0]!.closesAt?.toISOString()).toBe("2026-09-28T18:00:00.000Z");
    expect(listings[0]!.publishedAt?.toISOString()).toBe("2026-09-20T22:00:00.000Z");
    expect(listings[0]!.raw).toMatchObject({ "data-aanbod-id": "20731", "li.type": "Eengezinswoning" });
  });

  it("splits additions and reads groups, kinds and models", () => {
    expect(listings.find((l) => l.externalId === "20734")).toMatchObject({ houseNumber: "118", houseNumberAddition: "B", targetGroups: ["senior_55_plus"] });
    expect(listings.find((l) => l.externalId === "20743")).toMatchObject({ houseNumber: "20", houseNumberAddition: "3", targetGroups: ["youth"], bedrooms: 1 });
    expect(listings.find((l) => l.externalId === "20750")).toMatchObject({ dwellingKind: "parking", bedrooms: null, netRent: 45 });
    expect(countBy(listings, (l) => l.dwellingKind)).toEqual({ house: 4, apartment: 3, parking: 1 });
    expect(countBy(listings, (l) => l.allocationModel)).toEqual({ lottery: 2, waiting_time: 4, first_come: 2 });
  });

  it("returns [] only for a well-formed empty list", () => {
    const empty = page.replace(/<div class="woningaanbod-lijst" data-totaal="8">[\s\S]*?\n {2}<\/div>\n {2}<\/main>/, '<div class="woningaanbod-lijst" data-totaal="0">\n    <p>Geen aanbod</p>\n  </div>\n  </main>');
    expect(empty).not.toBe(page);
    expect(parseItrisPage(empty, site)).toEqual([]);
  });
});

describe("Itris drift", () => {
  it("names the item and selector of a missing or garbled value", () => {
    const renamed = page.replace('data-aanbod-id="20738"', 'data-id="20738"');
    expect(schemaErrorOf(() => parseItrisPage(renamed, site)).message).toContain("woningaanbod.2.data-aanbod-id");
    const price = page.replace('data-prijs="624.10"', 'data-prijs="€ 624,10"');
    expect(schemaErrorOf(() => parseItrisPage(price, site)).message).toContain("woningaanbod.3.data-prijs");
    const type = page.replace('<li class="type">Appartement</li>', "");
    expect(schemaErrorOf(() => parseItrisPage(type, site)).message).toContain("woningaanbod.4.li.type");
    const time = page.replace('<time datetime="2026-09-26T20:00">', "<time>");
    expect(schemaErrorOf(() => parseItrisPage(time, site)).message).toContain("woningaanbod.4");
    const date = page.replace('datetime="2026-09-28T20:00"', 'datetime="maandag"');
    expect(schemaErrorOf(() => parseItrisPage(date, site)).message).toContain("woningaanbod.0");
  });

  it("refuses a cut-off page, a list that disagrees with its count, and a page without the list", () => {
    expect(schemaErrorOf(() => parseItrisPage(page.slice(0, Math.floor(page.length / 2)), site)).message).toContain("cut off");
    expect(schemaErrorOf(() => parseItrisPage(page.replace('data-totaal="8"', 'data-totaal="9"'), site)).message).toMatch(/shows 8 homes but says 9/);
    expect(schemaErrorOf(() => parseItrisPage(page.replace('class="woningaanbod-lijst"', 'class="aanbod-lijst"'), site)).message).toContain(
      "no div.woningaanbod-lijst",
    );
    expect(schemaErrorOf(() => parseItrisPage('{"aanbod":[]}', site)).message).toContain("cut off");
  });
});

describe("Itris fetch", () => {
  let server: LocalSite;
  beforeAll(async () => {
    server = await localSite((req, res) => {
      if (req.url === "/woningaanbod/") return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
      res.writeHead(404).end();
    });
  });
  afterAll(() => server.close());

  it("GETs /woningaanbod/ and returns one page", async () => {
    const local: SiteTarget = { id: "itris-local", baseUrl: server.url, settings: {} };
    const pages = await itrisAdapter.fetch(local, httpContext());
    expect(server.seen.map((r) => [r.method, r.url])).toEqual([["GET", "/woningaanbod/"]]);
    expect(itrisAdapter.parse(pages[0]!.body, local)).toHaveLength(8);
    expect(adapterFor("itris")).toBe(itrisAdapter);
  });
});
