// The farm's newer simulations (Zig aanbodapi, Woonmatch, Entree, Itris), catalogue sites in their
// own places, robots.txt and conditional requests. A test catalogue gives one site per platform,
// whatever data/sites.json holds at the moment.
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SiteSchemaError } from "../../workers/sites/errors.js";
import { adapterFor } from "../../workers/sites/registry.js";
import { farmSettings, fetchOffer } from "./clients.js";
import { DEFAULT_FIXTURES_DIR } from "./fixtures.js";
import { provinceOf } from "./places.js";
import { readItrisPage, renderItrisPage } from "./platforms/itris.js";
import { readNextData, renderWoonmatchPage } from "./platforms/woonmatch.js";
import { createFarm, DEFAULT_ROBOTS, type Farm, type RunningFarm } from "./server.js";
import { TEST_CATALOGUE } from "./test-catalogue.js";
import { httpContext } from "../workers/sites/helpers.js";
import type { PlatformId } from "./types.js";

const START = new Date("2027-03-10T09:30:00Z");


let now: Date;
let farm: Farm;
let running: RunningFarm;

beforeEach(async () => {
  now = new Date(START);
  farm = createFarm({ now: () => now, tickMs: 0, catalogue: TEST_CATALOGUE });
  running = await farm.start(0);
});
afterEach(async () => {
  await running?.close();
});

const siteUrl = (id: string) => `${running.url}/s/${id}`;
const entry = (id: string) => TEST_CATALOGUE.find((c) => c.id === id)!;
const target = (id: string) => ({ id, baseUrl: siteUrl(id), settings: farmSettings(entry(id).settings ?? {}, siteUrl(id)) });

async function listings(id: string) {
  const c = entry(id);
  const answer = await fetchOffer(siteUrl(id), c.platform as PlatformId, c.settings);
  expect(answer.status).toBe(200);
  return adapterFor(c.platform).parse(answer.body, target(id));
}

describe("site farm: catalogue sites", () => {
  it("simulates known platforms in the site's places, skips unknown platforms and sites with no place", () => {
    const sites = farm.sites();
    expect(sites.map((s) => s.id)).toEqual([
      "woonnet-haaglanden",
      "woningnet-amsterdam",
      "woonnet-rijnmond",
      "t-zig",
      "t-aanbodapi",
      "t-dak",
      "t-embrace",
      "t-woonmatch",
      "t-entree",
      "t-itris",
      "t-friesland",
    ]);
    const byId = new Map(sites.map((s) => [s.id, s]));
    expect(byId.get("t-dak")!.municipalities).toEqual(["Utrecht", "De Meern"]);
    expect(byId.get("t-itris")!.municipalities).toEqual(["Oost Gelre", "Groenlo", "Lichtenvoorde"]);
    // No municipalities listed: those of the region (here a province) stand in.
    const friesland = byId.get("t-friesland")!.municipalities;
    expect(friesland).toEqual(expect.arrayContaining(["Leeuwarden", "Súdwest-Fryslân", "Ameland"]));
    expect(friesland.every((m) => provinceOf(m) === "Fryslân")).toBe(true);
  });

  it("starts a Zig catalogue site with a dozen homes in its own municipalities and province", async () => {
    const offer = await listings("t-zig");
    expect(offer).toHaveLength(12);
    for (const l of offer) {
      expect(["Aalten", "Winterswijk"]).toContain(l.municipality);
      // Gelderland postcodes, not the recording's Haaglanden ones.
      expect(Number(l.postcode!.slice(0, 4))).toBeGreaterThanOrEqual(6500);
      expect(Number(l.postcode!.slice(0, 4))).toBeLessThanOrEqual(7399);
      expect(l.publishedAt!.getTime()).toBeLessThan(now.getTime());
      expect(l.closesAt!.getTime()).toBeGreaterThan(now.getTime());
    }
    expect(offer.map((l) => l.externalId)).toEqual(Array.from({ length: 12 }, (_, i) => String(800_001 + i)));
    expect(new Set(offer.map((l) => l.allocationModel))).toEqual(new Set(["waiting_time", "lottery", "first_come"]));

    const home = farm.publish("t-zig", { municipality: "Winterswijk", bedrooms: 3 });
    expect(home.externalId).toBe("900001");
    const after = await listings("t-zig");
    expect(after.find((l) => l.externalId === "900001")).toMatchObject({ municipality: "Winterswijk", bedrooms: 3 });
  });

  it("keeps the fixture's homes that lie in the site's places, moved to the present (Woonmatch)", async () => {
    const offer = await listings("t-woonmatch");
    const recorded = offer.filter((l) => Number(l.externalId) < 800_000);
    // Eight recorded homes (the garage box is no home) plus four generated ones.
    expect(recorded.map((l) => l.externalId)).toEqual(["48213", "48217", "48220", "48224", "48226", "48229", "48231", "48235"]);
    expect(offer).toHaveLength(12);
    const newest = Math.max(...recorded.map((l) => l.publishedAt!.getTime()));
    expect(newest).toBe(now.getTime() - 3 * 3_600_000);
    for (const l of offer) {
      expect(["Den Helder", "Hollands Kroon"]).toContain(l.municipality);
      // Woonmatch closes at 23:59 Amsterdam time (winter: 22:59 UTC).
      expect(l.closesAt!.toISOString()).toMatch(/T22:59:00\.000Z$/);
    }
  });

  it("serves a DAK catalogue site with its towns and an Embrace one with its municipality", async () => {
    const dak = await listings("t-dak");
    expect(dak.length).toBeGreaterThanOrEqual(12);
    expect(new Set(dak.map((l) => l.city))).toEqual(new Set(["Utrecht", "De Meern"]));
    for (const l of dak) {
      // Utrecht's postcode ranges, for the town as for the municipality.
      const area = Number(l.postcode!.slice(0, 4));
      expect((area >= 3400 && area <= 3769) || (area >= 3900 && area <= 3999)).toBe(true);
    }
    const embrace = await listings("t-embrace");
    expect(embrace).toHaveLength(12);
    expect(new Set(embrace.map((l) => l.city))).toEqual(new Set(["Schiedam"]));
  });
});

describe("site farm: newer platforms", () => {
  it("renders the Woonmatch and Itris fixtures from their own records (format kept by the farm)", () => {
    const woonmatch = readFileSync(`${DEFAULT_FIXTURES_DIR}/woonmatch-kop-nh/aanbod.html`, "utf8");
    expect(`${renderWoonmatchPage(readNextData(woonmatch))}\n`).toBe(woonmatch);
    const itris = readFileSync(`${DEFAULT_FIXTURES_DIR}/itris/woningaanbod.html`, "utf8");
    expect(renderItrisPage(readItrisPage(itris))).toBe(itris);
  });

  it("pages the Zig aanbodapi like the real API and the adapter walks every page", async () => {
    const url = `${siteUrl("t-aanbodapi")}/api/v1/actueel-aanbod`;
    const post = (query: string, body = "{}") =>
      fetch(`${url}${query}`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const first = await post("?page=0&limit=5");
    const json = (await first.json()) as { data: { id: string }[]; _metadata: Record<string, number> };
    expect(json._metadata).toEqual({ page: 0, per_page: 5, page_count: 3, total_count: 12 });
    expect(json.data.map((o) => o.id)).toEqual(["800001", "800002", "800003", "800004", "800005"]);
    const last = (await (await post("?page=2&limit=5")).json()) as { data: unknown[] };
    expect(last.data).toHaveLength(2);
    expect((await post("?page=0&limit=500")).status).toBe(400);
    expect((await post("?page=x")).status).toBe(400);
    expect((await post("?page=0", "[]")).status).toBe(400);
    // The portal of the tenant is still there.
    expect((await fetch(`${siteUrl("t-aanbodapi")}/portal/object/frontend/getallobjects/format/json`, { method: "POST" })).status).toBe(200);

    const t = { ...target("t-aanbodapi"), settings: { ...target("t-aanbodapi").settings, pageSize: 5 } };
    const pages = await adapterFor("zig-aanbodapi").fetch(t, httpContext());
    expect(pages).toHaveLength(3);
    const ids = pages.flatMap((p) => adapterFor("zig-aanbodapi").parse(p.body, t)).map((l) => l.externalId);
    expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => String(800_001 + i)));
    expect(farm.requests("t-aanbodapi").filter((r) => r.path.endsWith("/actueel-aanbod"))).toHaveLength(8);
  });

  it("answers Entree like an ASP.NET page method: JSON POST only, dates as \\/Date(ms)\\/", async () => {
    const url = `${siteUrl("t-entree")}/WebServices/Aanbod.asmx/Lijst`;
    const ok = await fetch(url, { method: "POST", headers: { "content-type": "application/json; charset=utf-8" }, body: "{}" });
    const text = await ok.text();
    expect(ok.status).toBe(200);
    expect(text).toMatch(/"publicatiedatum":"\\\/Date\(\d+\)\\\/"/);
    const get = await fetch(url);
    expect(get.status).toBe(500);
    expect(((await get.json()) as { ExceptionType: string }).ExceptionType).toBe("System.InvalidOperationException");
    const form = await fetch(url, { method: "POST", body: "x=1", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(form.headers.get("content-type")).toContain("text/html");
    await form.text();

    const offer = adapterFor("entree").parse(text, target("t-entree"));
    // Five recorded homes in Stadskanaal and Veendam (garage and shop are no homes), seven generated.
    expect(offer.filter((l) => Number(l.externalId) < 800_000).map((l) => l.externalId)).toEqual([
      "31875",
      "31876",
      "31879",
      "31889",
      "31891",
    ]);
    expect(offer).toHaveLength(12);
    const pages = await adapterFor("entree").fetch(target("t-entree"), httpContext());
    expect(adapterFor("entree").parse(pages[0]!.body, target("t-entree"))).toHaveLength(12);
  });

  it("serves the Itris page for the site's towns; the adapter reads its count and items", async () => {
    const pages = await adapterFor("itris").fetch(target("t-itris"), httpContext());
    const offer = adapterFor("itris").parse(pages[0]!.body, target("t-itris"));
    expect(offer.length).toBe(12);
    expect(new Set(offer.map((l) => l.city)).size).toBeGreaterThan(1);
    for (const l of offer) expect(["Oost Gelre", "Groenlo", "Lichtenvoorde"]).toContain(l.city);
    expect(pages[0]!.body).toContain('<div class="woningaanbod-lijst" data-totaal="12">');
    const generated = offer.find((l) => l.externalId === "800001")!;
    expect(generated.closesAt!.toISOString()).toMatch(/T19:00:00\.000Z$/); // 20:00 Amsterdam, winter
  });
});

describe("site farm: robots.txt and conditional requests", () => {
  it("serves robots.txt per site, settable through the control API", async () => {
    const robots = () => fetch(`${siteUrl("t-zig")}/robots.txt`).then(async (r) => [r.status, r.headers.get("content-type"), await r.text()]);
    expect(await robots()).toEqual([200, "text/plain; charset=utf-8", DEFAULT_ROBOTS]);
    const body = "User-agent: *\nDisallow: /portal/\n";
    const set = await fetch(`${running.url}/_farm/robots`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ site: "t-zig", body }) });
    expect(set.status).toBe(200);
    await set.text();
    expect((await robots())[2]).toBe(body);
    // Other sites keep theirs.
    expect(await (await fetch(`${siteUrl("woonnet-haaglanden")}/robots.txt`)).text()).toBe(DEFAULT_ROBOTS);
    farm.setRobots("t-zig", null);
    expect((await robots())[2]).toBe(DEFAULT_ROBOTS);

    const bad = await fetch(`${running.url}/_farm/robots`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ site: "t-zig", body: 3 }) });
    expect([bad.status, ((await bad.json()) as { field: string }).field]).toEqual([400, "body"]);
    const unknown = await fetch(`${running.url}/_farm/robots`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ site: "t-unknown", body: "" }) });
    expect(unknown.status).toBe(404);
    await unknown.text();
  });

  for (const [id, platform] of [
    ["woonnet-haaglanden", "zig"],
    ["t-woonmatch", "woonmatch"],
    ["t-itris", "itris"],
  ] as const) {
    it(`${platform}: ETag, 304 on a matching If-None-Match, a new ETag once the offer changes`, async () => {
      const settings = id === "woonnet-haaglanden" ? {} : (entry(id).settings ?? {});
      const first = await fetchOffer(siteUrl(id), platform, settings);
      const etag = first.headers.get("etag");
      expect(etag).toMatch(/^"[\w-]+"$/);
      const again = await fetchOffer(siteUrl(id), platform, settings, { "if-none-match": etag! });
      expect([again.status, again.body]).toEqual([304, ""]);
      const other = await fetchOffer(siteUrl(id), platform, settings, { "if-none-match": '"something-else"' });
      expect(other.status).toBe(200);
      farm.publish(id);
      const changed = await fetchOffer(siteUrl(id), platform, settings, { "if-none-match": etag! });
      expect(changed.status).toBe(200);
      expect(changed.headers.get("etag")).not.toBe(etag);
    });
  }

  it("answers in full without validators on the JSON APIs (DAK action, Embrace GraphQL, Entree)", async () => {
    for (const [id, platform] of [
      ["woningnet-amsterdam", "dak"],
      ["woonnet-rijnmond", "embrace"],
      ["t-entree", "entree"],
    ] as const) {
      const answer = await fetchOffer(siteUrl(id), platform, entry(id)?.settings ?? {}, { "if-none-match": "*" });
      expect([id, answer.status, answer.headers.get("etag")]).toEqual([id, 200, null]);
    }
  });

  it("reports a drifted answer of a catalogue site as a schema error through the adapter", async () => {
    farm.setFault("t-woonmatch", { fault: "drift" });
    const c = entry("t-woonmatch");
    const answer = await fetchOffer(siteUrl("t-woonmatch"), "woonmatch", c.settings);
    expect(() => adapterFor("woonmatch").parse(answer.body, target("t-woonmatch"))).toThrow(SiteSchemaError);
  });
});
