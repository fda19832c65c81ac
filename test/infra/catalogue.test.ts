// The site catalogue as data: it parses, names only CBS municipalities, holds every site the project
// knows of (all 12 WoningNet DAK regions, the sites.md table, the Zig portals), leaves unknown facts
// null, and computes krimp/anticipeer regions from municipalities. Plus the CSV reader, the region
// table used for matching, and how the seed turns catalogue entries into enabled Site rows.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizePlace } from "../../domain/matching.js";
import { expandPlaces } from "../../domain/regions.js";
import { CatalogueSite, loadCatalogue, loadRegionTable, parseCatalogue, withRegions } from "../../infra/catalogue.js";
import type { Db } from "../../infra/db.js";
import { loadMunicipalities, loadRegions, parseCsv, parseMunicipalities } from "../../infra/regions.js";
import { seedCatalogue } from "../../prisma/seed.js";
import { adapters } from "../../workers/sites/registry.js";
import { resetDatabase, testConfig, testDb } from "../support/env.js";

const RAW = JSON.parse(readFileSync(new URL("../../data/sites.json", import.meta.url), "utf8")) as { sites: Record<string, unknown>[] };
const sites = loadCatalogue();
const byId = new Map(sites.map((s) => [s.id, s]));
const bareHost = (host: string) => host.replace(/^www\./, "");
const byHost = new Map(sites.map((s) => [bareHost(s.host), s]));

const DAK_REGIONS = ["amsterdam", "utrecht", "almere", "middenholland", "gooienvecht", "eemvallei", "groningenhuurt", "bovengroningen", "huiswaarts", "woongaard", "woonkeus", "mijnwoonservice"];

/** Hosts of the regional-sites table in docs/sites.md. */
const TABLE_HOSTS = [
  "amsterdam.mijndak.nl", "woonnet-haaglanden.nl", "hureninhollandrijnland.nl", "klikvoorwonen.nl", "woonkeus-stedendriehoek.nl",
  "woonnetrijnmond.nl", "thuisindeachterhoek.nl", "thuisinlimburg.nl", "zuidwestwonen.nl", "frieslandhuurt.nl", "thuswonen.nl",
  "wonenindekop.nl", "woonmatchkopnh.nl", "thuisbijhwwonen.nl", "ikzoekeengroningerhuis.nl", "groningenhuurt.mijndak.nl", "bovengroningen.mijndak.nl",
];
/** The "other Zig portals" row of that table, by name. */
const OTHER_ZIG = ["Wooniezie", "De Woningzoeker", "Woninghuren", "Woninginzicht", "Thuispoort", "Mercatus", "Huren Noord-Veluwe", "OostWestWonen", "Thuiskompas"];

describe("site catalogue", () => {
  it("parses, with unique kebab-case ids", () => {
    expect(sites.length).toBe(RAW.sites.length);
    expect(new Set(sites.map((s) => s.id)).size).toBe(sites.length);
    for (const s of sites) expect(s.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("keeps the three original entries' ids, hosts, baseUrls, platforms and settings", () => {
    expect(byId.get("woonnet-haaglanden")).toMatchObject({ host: "www.woonnet-haaglanden.nl", baseUrl: "https://www.woonnet-haaglanden.nl", platform: "zig", settings: { detailPath: "/aanbod/te-huur/details/" } });
    expect(byId.get("woonnet-rijnmond")).toMatchObject({
      host: "www.woonnetrijnmond.nl",
      baseUrl: "https://www.woonnetrijnmond.nl",
      platform: "embrace",
      settings: { apiBaseUrl: "https://portal.mesh-router.embracecloud.nl", tenantId: "woonnetrijnmond" },
    });
    const amsterdam = byId.get("woningnet-amsterdam")!;
    expect(amsterdam).toMatchObject({ host: "amsterdam.mijndak.nl", baseUrl: "https://amsterdam.mijndak.nl", platform: "dak" });
    expect(Object.keys(amsterdam.settings).sort()).toEqual(["region", "towns"]);
    expect((amsterdam.settings.towns as Record<string, string>).Zaandam).toBe("Zaanstad");
    expect(Object.keys(amsterdam.settings.towns as object)).toHaveLength(20);
  });

  it("names only municipalities of municipalities-2025.csv, by their CBS name", () => {
    const csv = parseMunicipalities(readFileSync(new URL("../../data/municipalities-2025.csv", import.meta.url), "utf8"));
    const cbsNames = new Set(csv.map((m) => m.name));
    for (const s of RAW.sites) {
      for (const m of s.municipalities as string[]) expect(cbsNames, `${String(s.id)}: ${m}`).toContain(m);
      const towns = ((s.settings as Record<string, unknown>).towns ?? {}) as Record<string, string>;
      for (const m of Object.values(towns)) expect(cbsNames, `${String(s.id)} town → ${m}`).toContain(m);
    }
  });

  it("has all 12 WoningNet DAK regions", () => {
    for (const region of DAK_REGIONS) {
      const site = byHost.get(`${region}.mijndak.nl`);
      expect(site, region).toBeDefined();
      expect(site!.platform).toBe("dak");
      expect(site!.baseUrl).toBe(`https://${region}.mijndak.nl`);
      expect(site!.settings.region).toBe(region);
    }
    expect(sites.filter((s) => s.platform === "dak")).toHaveLength(12);
  });

  it("has every site of the sites.md table and every Zig portal it names", () => {
    for (const host of TABLE_HOSTS) expect(byHost.has(host), host).toBe(true);
    const names = new Set(sites.map((s) => s.name));
    for (const name of OTHER_ZIG) expect(names, name).toContain(name);
    for (const name of OTHER_ZIG) expect(sites.find((s) => s.name === name)!.platform).toBe("zig");
    expect(byHost.get("klikvoorwonen.nl")).toMatchObject({ platform: "zig-aanbodapi", settings: { tenant: "klikvoorwonen" } });
    expect(byHost.get("woonmatchkopnh.nl")!.platform).toBe("woonmatch");
    expect(byHost.get("ikzoekeengroningerhuis.nl")!.platform).toBe("unknown");
    expect(byHost.get("thuswonen.nl")!.verified).toBe(false);
  });

  it("computes krimp and anticipeer regions from municipalities", () => {
    const computed = new Map(withRegions(sites).map((s) => [s.id, s]));
    expect(computed.get("thuis-in-de-achterhoek")!.krimp).toContain("Achterhoek");
    expect(computed.get("zuidwestwonen")).toMatchObject({ krimp: ["Zeeuws-Vlaanderen"], anticipeer: expect.arrayContaining(["Walcheren", "Schouwen-Duiveland"]) });
    expect(computed.get("thuis-in-limburg")!.krimp).toEqual(expect.arrayContaining(["Parkstad Limburg"]));
    expect(computed.get("woningnet-amsterdam")).toMatchObject({ krimp: [], anticipeer: [] });
    // never typed by hand in the data file
    for (const s of RAW.sites) {
      expect(s).not.toHaveProperty("krimp");
      expect(s).not.toHaveProperty("anticipeer");
    }
  });

  it("leaves unknown facts null instead of guessing", () => {
    const thus = byId.get("thus-wonen")!;
    expect(thus.registration).toEqual({ cost: null, oneOffFeeEur: null, yearlyFeeEur: null, renewal: null });
    expect(thus.allocationModels).toBeNull();
    expect(thus.verified).toBe(false);
    const klik = byHost.get("klikvoorwonen.nl")!;
    expect(klik.municipalities).toEqual([]);
    expect(klik.allocationModels).toBeNull();
    expect(klik.registration.cost).toBeNull();
    expect(byHost.get("frieslandhuurt.nl")!.municipalities).toEqual([]);
    expect(byHost.get("thuisindeachterhoek.nl")!.registration.cost).toBeNull();
    expect(byHost.get("ikzoekeengroningerhuis.nl")!.municipalities).toEqual([]);
    // the facts sites.md does give are kept
    expect(byHost.get("woonnetrijnmond.nl")!.registration).toMatchObject({ oneOffFeeEur: 15, yearlyFeeEur: 10 });
    expect(byHost.get("thuisinlimburg.nl")!.registration.oneOffFeeEur).toBe(0);
    expect(byHost.get("zuidwestwonen.nl")!.responseLimits.note).toMatch(/2 provisional offers/);
    expect(byHost.get("woonnet-haaglanden.nl")!.responseLimits.maxOpenResponses).toBe(2);
  });

  it("never enables a site without a platform, and marks unverified facts as such", () => {
    for (const s of sites) {
      if (s.platform === "unknown") expect(s.enabled, s.id).toBe(false);
      expect(s.checked, s.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(s.sources.length, s.id).toBeGreaterThan(0);
    }
    const bad = CatalogueSite.safeParse({ id: "x", name: "X", host: "x.nl", baseUrl: "https://x.nl", platform: "unknown", enabled: true });
    expect(bad.success).toBe(false);
    expect(CatalogueSite.safeParse({ id: "x", name: "X", host: "x.nl", baseUrl: "https://x.nl", platform: "zigg" }).success).toBe(false);
  });

  it("polls first-come sites every minute", () => {
    for (const s of sites.filter((x) => x.firstCome)) expect(s.pollIntervalSeconds, s.id).toBe(60);
  });

  it("refuses everyday names, duplicate ids and towns outside the site's municipalities", () => {
    const site = (over: Record<string, unknown>) => ({ id: "a", name: "A", host: "a.nl", baseUrl: "https://a.nl", platform: "zig", ...over });
    expect(() => parseCatalogue({ sites: [site({ municipalities: ["Den Haag"] })] })).toThrow(/"Den Haag" is not a CBS name \(use "'s-Gravenhage"\)/);
    expect(() => parseCatalogue({ sites: [site({}), site({})] })).toThrow(/a: id appears twice/);
    expect(() => parseCatalogue({ sites: [site({ platform: "dak", municipalities: ["Ede"], settings: { region: "x", towns: { Bennekom: "Wageningen" } } })] })).toThrow(/Bennekom/);
    expect(parseCatalogue({ sites: [site({ municipalities: ["'s-Gravenhage"] })] })[0]!.registration.cost).toBeNull();
  });
});

describe("municipalities and regions", () => {
  it("reads the CBS list with quoted fields", () => {
    const index = loadMunicipalities();
    expect(index.all).toHaveLength(342);
    expect(new Set(index.all.map((m) => m.code)).size).toBe(342);
    expect(index.byCode("GM0820")!.name).toBe("Nuenen, Gerwen en Nederwetten");
    expect(index.byName("Nuenen")!.code).toBe("GM0820");
    expect(index.byName("Den Haag")!.name).toBe("'s-Gravenhage");
    expect(index.byName("'s-Gravenhage")!.commonName).toBe("Den Haag");
    expect(index.byName("Bergen")).toBeUndefined(); // two municipalities go by it
    expect(index.byName("bergen (l.)")!.province).toBe("Limburg");
    expect(index.isCbsName("Rijswijk (ZH.)")).toBe(true);
    expect(index.isCbsName("Rijswijk")).toBe(false);
  });

  it("checks every region municipality against the CBS list", () => {
    const regions = loadRegions();
    expect(regions.filter((r) => r.kind === "krimp").map((r) => r.name).sort()).toEqual(
      ["Achterhoek", "Eemsdelta", "Het Hogeland", "Maastricht-Heuvelland", "Noordoost-Fryslân", "Oost-Groningen", "Parkstad Limburg", "Westelijke Mijnstreek", "Zeeuws-Vlaanderen"].sort(),
    );
    expect(regions.filter((r) => r.kind === "anticipeer").length).toBeGreaterThanOrEqual(10);
  });

  it("expands regions to CBS and everyday names, and keeps two-region sites out of the table", () => {
    const table = loadRegionTable(sites);
    const haaglanden = expandPlaces([], ["Haaglanden"], table);
    expect(haaglanden).toEqual(expect.arrayContaining(["'s-Gravenhage", "Den Haag", "Rijswijk (ZH.)", "Rijswijk", "Delft"]));
    expect(expandPlaces([], ["De Marne"], table)).toEqual(["Het Hogeland"]);
    const noordLimburg = expandPlaces([], ["Noord-Limburg"], table);
    expect(noordLimburg).toContain("Bergen (L.)");
    expect(noordLimburg).not.toContain("Bergen");
    expect(table.has(normalizePlace("West-Brabant"))).toBe(false);
    expect(table.has(normalizePlace("Zeeland"))).toBe(false);
    expect(expandPlaces([], ["Achterhoek"], table)).toHaveLength(8);
  });
});

describe("parseCsv", () => {
  it("handles quotes, doubled quotes, commas and line breaks inside quotes, and CRLF", () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n"two\nlines",\n')).toEqual([
      ["a", "b"],
      ["x, y", 'say "hi"'],
      ["two\nlines", ""],
    ]);
    expect(parseCsv("a,b\n1,2")).toEqual([["a", "b"], ["1", "2"]]);
    expect(parseCsv("")).toEqual([]);
  });

  it("refuses an unclosed quote and a quote inside a bare field", () => {
    expect(() => parseCsv('a,"b\n')).toThrow(/not closed/);
    expect(() => parseCsv('a,b"c\n')).toThrow(/quote inside/);
  });
});

describe("seedCatalogue", () => {
  let db: Db;
  beforeAll(async () => {
    db = testDb(testConfig());
    await resetDatabase(db);
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it("enables a site only when the catalogue does and its platform has an adapter", async () => {
    expect(await seedCatalogue(db, undefined)).toBe(sites.length);
    const rows = new Map((await db.site.findMany()).map((r) => [r.id, r]));
    expect(rows.size).toBe(sites.length);
    for (const s of sites) {
      expect(rows.get(s.id)!.enabled, s.id).toBe(s.enabled && Object.hasOwn(adapters, s.platform));
      expect(rows.get(s.id)!.baseUrl).toBe(s.baseUrl);
    }
    expect(rows.get("groninger-huis")!.enabled).toBe(false);
    expect(rows.get("woonmatch-kop-van-nh")!.enabled).toBe(false);
    expect(rows.get("thuis-in-de-achterhoek")!).toMatchObject({ enabled: true, pollIntervalSeconds: 300, municipalities: expect.arrayContaining(["Winterswijk"]) });

    // Against the farm every URL points there; a re-seed updates rows in place.
    await seedCatalogue(db, "http://127.0.0.1:9/s/{site}");
    const klik = await db.site.findUniqueOrThrow({ where: { id: "klik-voor-wonen" } });
    expect(klik.baseUrl).toBe("http://127.0.0.1:9/s/klik-voor-wonen");
    expect(klik.settings).toMatchObject({ apiBaseUrl: "http://127.0.0.1:9/s/klik-voor-wonen", tenant: "klikvoorwonen" });
    expect(await db.site.count()).toBe(sites.length);
  });
});
