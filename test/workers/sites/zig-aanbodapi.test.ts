// Zig aanbodapi: the recorded Woonnet Haaglanden objects, paged as the API pages them (the API returns
// the same objects as getallobjects; see docs/sites.md), parsed and fetched page by page.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NormalizedListing } from "../../../domain/listing.js";
import { SiteSchemaError } from "../../../workers/sites/errors.js";
import { adapterFor } from "../../../workers/sites/registry.js";
import type { SiteTarget } from "../../../workers/sites/types.js";
import { parseZigList } from "../../../workers/sites/zig/adapter.js";
import {
  aanbodApiUrl,
  MAX_PAGES,
  parseZigAanbodApiPage,
  zigAanbodApiAdapter,
} from "../../../workers/sites/zig-aanbodapi/adapter.js";
import { ZigAanbodApiSettings } from "../../../workers/sites/zig-aanbodapi/schema.js";
import { httpContext, localSite, schemaErrorOf, type LocalSite } from "./helpers.js";

const recordedText = readFileSync(new URL("../../fixtures/sites/zig-woonnet-haaglanden/getallobjects.json", import.meta.url), "utf8");
const recorded = (JSON.parse(recordedText) as { result: Record<string, unknown>[] }).result;

const site: SiteTarget = {
  id: "klik-voor-wonen",
  baseUrl: "https://www.klikvoorwonen.nl",
  settings: { apiBaseUrl: "https://klikvoorwonen-aanbodapi.zig365.nl/", detailPath: "/aanbod/nu-te-huur/huurwoningen/details/" },
};

const page = (data: unknown[], pageCount: number) => JSON.stringify({ data, _metadata: { page: 0, per_page: 60, page_count: pageCount, total_count: data.length } });

describe("Zig aanbodapi page", () => {
  const listings = parseZigAanbodApiPage(page(recorded, 1), site);

  it("normalizes the objects exactly as the portal adapter does, with the tenant's detail path", () => {
    expect(listings).toHaveLength(7);
    for (const listing of listings) expect(() => NormalizedListing.parse(listing)).not.toThrow();
    const viaPortal = parseZigList(recordedText, { ...site, settings: { detailPath: "/aanbod/nu-te-huur/huurwoningen/details/" } });
    expect(listings).toEqual(viaPortal);
    expect(listings[0]).toMatchObject({
      externalId: "266497",
      street: "Jan Willem Frisostraat",
      houseNumber: "52",
      postcode: "2628 TR",
      municipality: "Delft",
      netRent: 932.93,
      bedrooms: 3,
      allocationModel: "waiting_time",
      sourceUrl: "https://www.klikvoorwonen.nl/aanbod/nu-te-huur/huurwoningen/details/266497-janwillemfrisostraat-52-delft",
    });
    expect(listings[0]!.closesAt?.toISOString()).toBe("2026-09-24T18:00:00.000Z");
  });

  it("returns [] only for a well-formed empty page", () => {
    expect(parseZigAanbodApiPage(page([], 0), site)).toEqual([]);
  });

  it("reports drift with its path", () => {
    const drifted = recorded.map((o, i) => (i === 2 ? { ...o, street: undefined, straat: o.street } : o));
    expect(schemaErrorOf(() => parseZigAanbodApiPage(page(drifted, 1), site)).message).toContain("data.2.street");
    expect(schemaErrorOf(() => parseZigAanbodApiPage(JSON.stringify({ data: recorded }), site)).message).toContain("_metadata");
    expect(schemaErrorOf(() => parseZigAanbodApiPage(JSON.stringify({ result: recorded }), site)).message).toContain("data");
    expect(schemaErrorOf(() => parseZigAanbodApiPage("<html>", site)).message).toContain("not JSON");
  });

  it("builds the page URL from the API origin without a trailing slash", () => {
    const settings = ZigAanbodApiSettings.parse(site.settings);
    expect(aanbodApiUrl(settings, 2)).toBe("https://klikvoorwonen-aanbodapi.zig365.nl/api/v1/actueel-aanbod?page=2&limit=60");
    expect(adapterFor("zig-aanbodapi")).toBe(zigAanbodApiAdapter);
  });
});

describe("Zig aanbodapi fetch", () => {
  let api: LocalSite;
  /** The offer the stand-in pages through; page_count follows it on every request. */
  let offer: unknown[] = recorded;
  let forcedPageCount: number | null = null;

  beforeAll(async () => {
    api = await localSite((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      const p = Number(url.searchParams.get("page"));
      const limit = Number(url.searchParams.get("limit"));
      const data = offer.slice(p * limit, (p + 1) * limit);
      const pageCount = forcedPageCount ?? Math.ceil(offer.length / limit);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data, _metadata: { page: p, per_page: limit, page_count: pageCount, total_count: offer.length } }));
    });
  });
  afterAll(() => api.close());

  const target = (pageSize: number): SiteTarget => ({
    id: "aanbodapi-local",
    baseUrl: "https://www.klikvoorwonen.nl",
    settings: { apiBaseUrl: api.url, pageSize },
  });

  it("POSTs {} for each page until page_count and yields every object once", async () => {
    api.seen.length = 0;
    const pages = await zigAanbodApiAdapter.fetch(target(3), httpContext());
    expect(pages).toHaveLength(3);
    expect(api.seen.map((r) => [r.method, r.url, r.body])).toEqual([
      ["POST", "/api/v1/actueel-aanbod?page=0&limit=3", "{}"],
      ["POST", "/api/v1/actueel-aanbod?page=1&limit=3", "{}"],
      ["POST", "/api/v1/actueel-aanbod?page=2&limit=3", "{}"],
    ]);
    expect(api.seen[0]!.headers["content-type"]).toBe("application/json");
    const ids = pages.flatMap((p) => zigAanbodApiAdapter.parse(p.body, target(3))).map((l) => l.externalId);
    expect(ids).toEqual(recorded.map((o) => String(o.id)));
  });

  it("makes one request for an empty offer", async () => {
    api.seen.length = 0;
    offer = [];
    try {
      const pages = await zigAanbodApiAdapter.fetch(target(60), httpContext());
      expect(pages).toHaveLength(1);
      expect(zigAanbodApiAdapter.parse(pages[0]!.body, target(60))).toEqual([]);
    } finally {
      offer = recorded;
    }
  });

  it("refuses a page_count beyond the guard instead of walking forever", async () => {
    forcedPageCount = MAX_PAGES + 5;
    api.seen.length = 0;
    try {
      await expect(zigAanbodApiAdapter.fetch(target(60), httpContext())).rejects.toBeInstanceOf(SiteSchemaError);
      expect(api.seen).toHaveLength(MAX_PAGES);
    } finally {
      forcedPageCount = null;
    }
  });
});
