// The site farm against its own HTTP interface, started on a free port with an injected clock.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DateTime } from "luxon";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AMSTERDAM, parseAmsterdamLocal, parseInstant } from "../../domain/time.js";
import { loadCatalogue } from "../../infra/catalogue.js";
import { adapterFor } from "../../workers/sites/registry.js";
import { farmSettings, fetchOffer } from "./clients.js";
import { DEFAULT_FIXTURES_DIR } from "./fixtures.js";
import { catalogueSitePlaces, createFarm, type Farm, type RunningFarm } from "./server.js";
import type { PlatformId } from "./types.js";

const HOUR = 3_600_000;
const ZIG = "/s/woonnet-haaglanden";
const DAK = "/s/woningnet-amsterdam";
const EMBRACE = "/s/woonnet-rijnmond";
const ZIG_LIST = `${ZIG}/portal/object/frontend/getallobjects/format/json`;
const ZIG_DETAIL = `${ZIG}/portal/object/frontend/getobject/format/json`;
const DAK_ACTION = `${DAK}/screenservices/DAKWP/Overzicht/Woningaanbod/DataActionHaalUitgelogdAanbod`;
const PUBLICATIONS_QUERY = "query widgetListGetPublications($first: Int, $after: String) { housingPublications { nodes(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } } }";

const fixture = <T>(folder: string, file: string): T =>
  JSON.parse(readFileSync(join(DEFAULT_FIXTURES_DIR, folder, file), "utf8")) as T;

type Json = Record<string, any>;

const local = (d: Date) => DateTime.fromJSDate(d, { zone: AMSTERDAM });
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

// Winter time on purpose: the recordings are in summer time, so offsets must be recomputed.
const START = new Date("2027-01-15T10:00:00Z");

let now: Date;
let farm: Farm;
let running: RunningFarm;

async function startFarm(tickMs = 0, seed = 1): Promise<void> {
  now = new Date(START);
  farm = createFarm({ now: () => now, tickMs, seed });
  running = await farm.start(0);
}

const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; json: Json; headers: Headers }> {
  const res = await fetch(`${running.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {}, headers: res.headers };
}

const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

const zigList = async (): Promise<Json[]> => (await call(ZIG_LIST, { method: "POST" })).json.result as Json[];

async function dakSessionCookie(): Promise<string> {
  const res = await fetch(`${running.url}${DAK}/Woningaanbod`);
  await res.text();
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .join("; ");
}

async function dakList(): Promise<Json[]> {
  const cookie = await dakSessionCookie();
  const { json } = await postJson(DAK_ACTION, {}, { cookie });
  return json.data.PublicatieLijst.List as Json[];
}

async function embracePage(first: number | undefined, after?: string | null) {
  return postJson(
    `${EMBRACE}/graphql`,
    { operationName: "widgetListGetPublications", query: PUBLICATIONS_QUERY, variables: { first, after } },
    { "x-ec-tenant-id": "woonnetrijnmond" },
  );
}

afterEach(async () => {
  await running?.close();
});

describe("site farm: catalogue and control API", () => {
  beforeEach(() => startFarm());

  it("lists the three recorded sites first, with their platform and fixture municipalities", async () => {
    const { status, json } = await call("/_farm/sites");
    expect(status).toBe(200);
    expect(Array.isArray(json)).toBe(true);
    const sites = json as unknown as { id: string; platform: string; municipalities: string[]; basePath: string }[];
    expect(sites.slice(0, 3).map((s) => [s.id, s.platform, s.basePath])).toEqual([
      ["woonnet-haaglanden", "zig", "/s/woonnet-haaglanden"],
      ["woningnet-amsterdam", "dak", "/s/woningnet-amsterdam"],
      ["woonnet-rijnmond", "embrace", "/s/woonnet-rijnmond"],
    ]);
    expect(sites[0]!.municipalities).toEqual(["Delft", "Den Haag", "Zoetermeer", "Leidschendam-Voorburg"]);
    expect(sites[1]!.municipalities).toEqual(expect.arrayContaining(["Amsterdam", "Zaandam", "Aalsmeer"]));
    expect(sites[2]!.municipalities).toEqual(["Rotterdam", "Vlaardingen"]);
  });

  it("simulates every catalogue site whose platform it knows, in that site's own places", async () => {
    const sites = (await call("/_farm/sites")).json as unknown as { id: string; platform: string; municipalities: string[]; basePath: string }[];
    const catalogue = loadCatalogue();
    const recorded = new Set(["woonnet-haaglanden", "woningnet-amsterdam", "woonnet-rijnmond"]);
    const expected = catalogue
      .filter((c) => !recorded.has(c.id) && c.platform !== "unknown")
      .map((c) => ({ id: c.id, platform: c.platform, places: catalogueSitePlaces(c) }))
      .filter((c) => c.places.length > 0);
    expect(sites.slice(3).map((s) => [s.id, s.platform, s.basePath, s.municipalities])).toEqual(
      expected.map((c) => [c.id, c.platform, `/s/${c.id}`, c.places]),
    );
    // Whatever the catalogue holds, nothing "unknown" is served.
    for (const c of catalogue.filter((c) => c.platform === "unknown")) {
      expect(sites.some((s) => s.id === c.id)).toBe(false);
    }
    // Every catalogue site answers its platform's offer, which the real adapter reads as a dozen homes
    // in the site's own places, each with a link on the site.
    for (const s of sites.slice(3)) {
      const entry = catalogue.find((c) => c.id === s.id)!;
      const siteUrl = `${running.url}${s.basePath}`;
      const answer = await fetchOffer(siteUrl, s.platform as PlatformId, entry.settings);
      expect([s.id, answer.status]).toEqual([s.id, 200]);
      const target = { id: s.id, baseUrl: siteUrl, settings: farmSettings(entry.settings, siteUrl) };
      const listings = adapterFor(s.platform).parse(answer.body, target);
      expect(listings.length).toBeGreaterThanOrEqual(12);
      const places = new Set(s.municipalities);
      for (const l of listings) {
        expect([s.id, places.has(l.municipality ?? l.city)]).toEqual([s.id, true]);
        expect(l.sourceUrl.startsWith(siteUrl)).toBe(true);
        expect(l.closesAt!.getTime()).toBeGreaterThan(now.getTime());
      }
    }
  });

  it("rejects a bad publish request with 400 naming the field, and an unknown site with 404", async () => {
    const tooMany = await postJson("/_farm/publish", { site: "woonnet-haaglanden", bedrooms: 11 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.field).toBe("bedrooms");
    expect(tooMany.json.error).toContain("bedrooms");

    const model = await postJson("/_farm/publish", { site: "woonnet-haaglanden", model: "auction" });
    expect([model.status, model.json.field]).toEqual([400, "model"]);

    const rent = await postJson("/_farm/publish", { site: "woonnet-haaglanden", netRent: "700" });
    expect([rent.status, rent.json.field]).toEqual([400, "netRent"]);

    const typo = await postJson("/_farm/publish", { site: "woonnet-haaglanden", bedroom: 2 });
    expect([typo.status, typo.json.field]).toEqual([400, "bedroom"]);

    // DAK's recording shows no word for a home swap: the farm does not invent one.
    const swap = await postJson("/_farm/publish", { site: "woningnet-amsterdam", model: "home_swap" });
    expect([swap.status, swap.json.field]).toEqual([400, "model"]);

    const unknown = await postJson("/_farm/publish", { site: "nergens" });
    expect(unknown.status).toBe(404);
  });

  it("logs every request per site and answers 404 on unknown paths", async () => {
    await call(ZIG_LIST, { method: "POST" });
    expect((await call(`${ZIG}/portal/does/not/exist`)).status).toBe(404);
    expect((await call("/elsewhere")).status).toBe(404);
    const { json } = await call("/_farm/requests?site=woonnet-haaglanden");
    const log = json as unknown as { site: string; method: string; path: string; at: string }[];
    expect(log.map((e) => [e.method, e.path])).toEqual([
      ["POST", ZIG_LIST],
      ["GET", `${ZIG}/portal/does/not/exist`],
    ]);
    expect(log.every((e) => e.site === "woonnet-haaglanden" && !Number.isNaN(Date.parse(e.at)))).toBe(true);
  });
});

describe("site farm: Zig (woonnet-haaglanden)", () => {
  beforeEach(() => startFarm());

  it("serves the recorded objects with dates moved to the present, closing at 20:00 Amsterdam time", async () => {
    const recorded = fixture<{ sAngularServiceData: string; result: Json[] }>("zig-woonnet-haaglanden", "getallobjects.json");
    const { status, json } = await call(ZIG_LIST, { method: "POST" });
    expect(status).toBe(200);
    expect(Object.keys(json)).toEqual(["sAngularServiceData", "result"]);
    expect(json.sAngularServiceData).toBe("[]");
    const result = json.result as Json[];
    expect(result.map((o) => o.id)).toEqual(recorded.result.map((o) => o.id));

    const published = result.map((o) => parseAmsterdamLocal(o.publicationDate as string)!.getTime());
    expect(Math.max(...published)).toBe(now.getTime() - 3 * HOUR);
    for (const [i, o] of result.entries()) {
      expect(Object.keys(o)).toEqual(Object.keys(recorded.result[i]!));
      expect(o.closingDate).toMatch(/^\d{4}-\d{2}-\d{2} 20:00:00$/);
      const closes = parseAmsterdamLocal(o.closingDate as string)!;
      expect(closes.getTime()).toBeGreaterThan(now.getTime());
      expect(closes.getTime()).toBeGreaterThan(published[i]!);
    }
  });

  it("publishes a home with the overrides, in the platform's own list and detail shape", async () => {
    const recordedKeys = Object.keys(
      fixture<{ result: Json[] }>("zig-woonnet-haaglanden", "getallobjects.json").result[0]!,
    );
    const { status, json: home } = await postJson("/_farm/publish", {
      site: "woonnet-haaglanden",
      municipality: "Zoetermeer",
      bedrooms: 3,
      netRent: 712.5,
      model: "lottery",
    });
    expect(status).toBe(200);
    expect(home).toMatchObject({ externalId: "900001", municipality: "Zoetermeer" });
    expect(typeof home.street).toBe("string");
    expect(home.houseNumber).toMatch(/^\d+$/);

    const object = (await zigList()).find((o) => o.id === home.externalId)!;
    expect(Object.keys(object)).toEqual(recordedKeys);
    expect(object).toMatchObject({
      street: home.street,
      houseNumber: home.houseNumber,
      municipality: { name: "Zoetermeer" },
      sleepingRoom: { amountOfRooms: "3" },
      netRent: 712.5,
      model: { modelCategorie: { code: "random" } },
      isWoningruil: false,
    });
    expect(object.postalcode).toMatch(/^27\d{2} [A-Z]{2}$/);
    expect(object.urlKey).toBe(`900001-${String(home.street).toLowerCase().replace(/[^a-z0-9]/g, "")}-${home.houseNumber}-zoetermeer`);
    expect(object.publicationDate).toBe(local(now).toFormat("yyyy-MM-dd HH:mm:ss"));
    expect(object.closingDate).toBe(`${local(now).plus({ days: 3 }).toFormat("yyyy-MM-dd")} 20:00:00`);

    const detail = await call(ZIG_DETAIL, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "id=900001",
    });
    expect(detail.status).toBe(200);
    expect(detail.json.result).toMatchObject({ id: "900001", street: home.street, numberOfReactions: 0 });
    expect(detail.json.result.minimumHouseholdSize).toBeTypeOf("number");
    expect(detail.json.result.reactionData.url).toContain("dwellingID=900001");

    const missing = await call(ZIG_DETAIL, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "id=1",
    });
    expect([missing.status, missing.json]).toEqual([404, { sAngularServiceData: "[]", result: null }]);
  });

  it("accepts a municipality outside the recording", async () => {
    const { status, json } = await postJson("/_farm/publish", { site: "woonnet-haaglanden", municipality: "Rijswijk" });
    expect(status).toBe(200);
    const object = (await zigList()).find((o) => o.id === json.externalId)!;
    expect(object.municipality).toEqual({ name: "Rijswijk", id: null });
  });

  it("drops a listing once the clock passes its closing time, and on /_farm/close", async () => {
    const { json: soon } = await postJson("/_farm/publish", { site: "woonnet-haaglanden", closesInHours: 2 });
    const { json: later } = await postJson("/_farm/publish", { site: "woonnet-haaglanden" });
    expect((await zigList()).map((o) => o.id)).toEqual(expect.arrayContaining([soon.externalId, later.externalId]));

    advance(2 * HOUR + 1000);
    let ids = (await zigList()).map((o) => o.id);
    expect(ids).not.toContain(soon.externalId);
    expect(ids).toContain(later.externalId);

    // The recorded listing that closes first goes too, once its (shifted) 20:00 has passed.
    const before = await zigList();
    const firstClosing = Math.min(...before.map((o) => parseAmsterdamLocal(o.closingDate as string)!.getTime()));
    const closingIds = before.filter((o) => parseAmsterdamLocal(o.closingDate as string)!.getTime() === firstClosing).map((o) => o.id);
    now = new Date(firstClosing + 1000);
    ids = (await zigList()).map((o) => o.id);
    for (const id of closingIds) expect(ids).not.toContain(id);

    const closed = await postJson("/_farm/close", { site: "woonnet-haaglanden", externalId: later.externalId });
    expect(closed.status).toBe(200);
    expect((await zigList()).map((o) => o.id)).not.toContain(later.externalId);
    expect((await postJson("/_farm/close", { site: "woonnet-haaglanden", externalId: later.externalId })).status).toBe(404);
  });

  it("restores the start state on /_farm/reset", async () => {
    const initial = await zigList();
    await postJson("/_farm/publish", { site: "woonnet-haaglanden" });
    expect((await zigList()).length).toBe(initial.length + 1);
    expect((await call("/_farm/reset", { method: "POST" })).status).toBe(200);
    expect(await zigList()).toEqual(initial);
  });
});

describe("site farm: listings over time", () => {
  it("publishes one listing per site every tick, repeatably for a seed", async () => {
    await startFarm(10 * 60_000, 7);
    const before = await zigList();
    advance(25 * 60_000);
    const after = await zigList();
    const fresh = after.slice(before.length);
    expect(fresh.map((o) => o.id)).toEqual(["900001", "900002"]);
    const sites = ["Delft", "Den Haag", "Zoetermeer", "Leidschendam-Voorburg"];
    for (const o of fresh) {
      expect(sites).toContain(o.municipality.name);
      expect(o.netRent).toBeGreaterThanOrEqual(600);
      expect(o.netRent).toBeLessThanOrEqual(880);
      expect(["2", "3"]).toContain(o.sleepingRoom.amountOfRooms);
      expect(o.model.modelCategorie.code).toBe("inschrijfduur");
      expect(o.closingDate).toMatch(/ 20:00:00$/);
    }
    expect(fresh[0]!.publicationDate).toBe(local(new Date(START.getTime() + 10 * 60_000)).toFormat("yyyy-MM-dd HH:mm:ss"));
    const dakFresh = (await dakList()).filter((p) => Number(p.Id) > 900_000);
    expect(dakFresh).toHaveLength(2);
    await running.close();

    // Same seed, same clock: the same homes.
    await startFarm(10 * 60_000, 7);
    advance(25 * 60_000);
    expect((await zigList()).slice(before.length)).toEqual(fresh);
  });
});

describe("site farm: DAK (woningnet-amsterdam)", () => {
  beforeEach(() => startFarm());

  it("answers the recorded empty list without session cookies, and the offer with them", async () => {
    const empty = await postJson(DAK_ACTION, {});
    expect(empty.status).toBe(200);
    expect(empty.json).toEqual(fixture("woningnet-dak", "aanbod-empty.json"));

    const page = await fetch(`${running.url}${DAK}/Woningaanbod`);
    const html = await page.text();
    expect(html).toContain("<title>Woningaanbod</title>");
    expect(html).toContain('fetch("./screenservices/DAKWP/Overzicht/Woningaanbod/DataActionHaalUitgelogdAanbod"');
    const cookies = page.headers.getSetCookie().map((c) => c.split(";")[0]!);
    expect(cookies.map((c) => c.split("=")[0])).toEqual(["nr1Users", "nr2Users"]);
    expect(decodeURIComponent(cookies[1]!)).toMatch(/^nr2Users=crf=[^;]+;/);

    const recorded = fixture<{ data: { PublicatieLijst: { List: Json[] } } }>("woningnet-dak", "aanbod-amsterdam.json");
    const full = await postJson(DAK_ACTION, {}, { cookie: cookies.join("; ") });
    expect(Object.keys(full.json)).toEqual(["versionInfo", "data"]);
    const list = full.json.data.PublicatieLijst.List as Json[];
    expect(list.map((p) => p.Id)).toEqual(recorded.data.PublicatieLijst.List.map((p) => p.Id));
    for (const p of list) {
      const closes = parseInstant(p.EinddatumTijd as string)!;
      expect(closes.getTime()).toBeGreaterThan(now.getTime());
      expect(p.EinddatumTijd).toMatch(/Z$/);
    }
    // 23:59 Amsterdam is 22:59Z in winter (recorded as 21:59Z in summer).
    expect(list.find((p) => p.Id === "372004")!.EinddatumTijd).toMatch(/T22:59:00Z$/);
  });

  it("publishes with the recording's field types and DAK's room count", async () => {
    const { json: home } = await postJson("/_farm/publish", {
      site: "woningnet-amsterdam",
      municipality: "Amsterdam",
      bedrooms: 2,
      netRent: 700,
      model: "lottery",
    });
    const p = (await dakList()).find((x) => x.Id === home.externalId)!;
    const donorKeys = Object.keys(
      fixture<{ data: { PublicatieLijst: { List: Json[] } } }>("woningnet-dak", "aanbod-amsterdam.json").data.PublicatieLijst.List[0]!,
    );
    expect(Object.keys(p)).toEqual(donorKeys);
    expect(p).toMatchObject({
      PublicatieModel: "Lotingmodel",
      PublicatieModule: "Sociale huur",
      Adres: { Straatnaam: home.street, Huisnummer: Number(home.houseNumber), Woonplaats: "Amsterdam" },
      Eenheid: { AantalKamers: 3, NettoHuur: "700.00", NettoHuurBekend: true },
    });
    expect(p.Adres.Postcode).toMatch(/^1\d{3}[A-Z]{2}$/);
    expect(p.EinddatumTijd).toBe(`${local(now).plus({ days: 7 }).toFormat("yyyy-MM-dd")}T22:59:00Z`);
  });
});

describe("site farm: Embrace (woonnet-rijnmond)", () => {
  beforeEach(() => startFarm());

  it("needs the tenant header", async () => {
    const { status, json } = await postJson(`${EMBRACE}/graphql`, { query: PUBLICATIONS_QUERY, variables: {} });
    expect(status).toBe(400);
    expect(json.errors[0].message).toMatch(/x-ec-tenant-id/);
    const config = await call(`${EMBRACE}/base/config.json`);
    expect(config.json.portalId).toEqual(expect.any(String));
  });

  it("pages through every publication with relay cursors", async () => {
    const published: string[] = [];
    for (let i = 0; i < 5; i++) {
      published.push((await postJson("/_farm/publish", { site: "woonnet-rijnmond" })).json.externalId as string);
    }
    expect(published[0]).toBe(b64("HousingPublication:900001"));

    const all = (await embracePage(100)).json.data.housingPublications.nodes;
    expect(all.pageInfo.hasNextPage).toBe(false);
    const allIds = (all.edges as { node: Json }[]).map((e) => e.node.id);
    expect(allIds).toHaveLength(9);
    expect(allIds.slice(4)).toEqual(published);

    const seen: string[] = [];
    const cursors: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { status, json } = await embracePage(4, after);
      expect(status).toBe(200);
      const nodes = json.data.housingPublications.nodes;
      seen.push(...(nodes.edges as { node: Json }[]).map((e) => e.node.id as string));
      cursors.push(unb64(nodes.pageInfo.endCursor as string));
      after = nodes.pageInfo.endCursor as string;
      if (!nodes.pageInfo.hasNextPage) break;
    }
    expect(seen).toEqual(allIds);
    expect(cursors).toEqual(["HousingPublication:4", "HousingPublication:8", "HousingPublication:9"]);

    const defaultPage = (await embracePage(undefined)).json.data.housingPublications.nodes;
    expect(defaultPage.edges).toHaveLength(9);
  });

  it("keeps 20:00 Amsterdam closing with the winter offset and the recorded node shape", async () => {
    const recorded = fixture<{ data: { housingPublications: { nodes: { edges: { node: Json }[] } } } }>(
      "embrace-woonnet-rijnmond",
      "publications-page-1.json",
    ).data.housingPublications.nodes.edges;
    await postJson("/_farm/publish", { site: "woonnet-rijnmond", bedrooms: 3, model: "first_come" });
    const edges = (await embracePage(100)).json.data.housingPublications.nodes.edges as { node: Json }[];
    for (const { node } of edges) {
      expect(node.stopTime).toMatch(/T20:00:00\+01:00$/);
      expect(Date.parse(node.stopTime as string)).toBeGreaterThan(now.getTime());
      expect(Object.keys(node)).toEqual(Object.keys(recorded[0]!.node));
      expect(Object.keys(node.unit)).toEqual(Object.keys(recorded[0]!.node.unit));
    }
    const fresh = edges.at(-1)!.node;
    expect(fresh.allocationProcess.name).toBe("DirectKans");
    expect(fresh.unit.numberOfBedrooms.exact).toBe(3);
    expect(["Rotterdam", "Vlaardingen"]).toContain(fresh.unit.location.addressLine2);
    expect(unb64(fresh.unit.location.id as string)).toMatch(/^HousingLocation:3\d{3}[A-Z]{2};\d+;;$/);
  });
});

// The offer page in a real browser, when the machine has one (Debian's chromium).
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
describe.skipIf(!existsSync(CHROMIUM))("site farm: DAK page in a browser", () => {
  beforeEach(() => startFarm());

  it("loads the offer through the page's own script", async () => {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      const answer = page.waitForResponse((r) => r.url().endsWith("/DataActionHaalUitgelogdAanbod"));
      await page.goto(`${running.url}${DAK}/Woningaanbod`);
      const json = (await (await answer).json()) as Json;
      expect(json.data.PublicatieLijst.List.length).toBe(12);
      await page.waitForSelector("#aanbod li");
      expect(await page.locator("#aanbod li").count()).toBe(12);
      expect(await page.locator("#aanbod li").first().textContent()).toBe("Kalf 470, Zaandam");
    } finally {
      await browser.close();
    }
  }, 30_000);
});
