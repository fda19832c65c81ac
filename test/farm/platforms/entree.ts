// Entree offer method (ASP.NET page method): POST <listPath> (default /Aanbod.aspx/GetAanbod) with a
// JSON body answers {"d":{"__type":..., "aantal":n, "aanbod":[{straat, huisnummer, plaats, kalehuur,
// objecttype, gebruik, ...}]}}, dates as "\/Date(ms)\/". Built from the hand-written fixture
// entree/aanbod.json (see test/fixtures/sites/SOURCE.md).
import { Router } from "express";
import { localTimeAfterDays } from "../dates.js";
import { readFixture } from "../fixtures.js";
import { cloneJson, type Rng } from "../generate.js";
import type { Answer, FarmModel, Home, PlatformSite, RecordSummary, SiteRuntime } from "../types.js";

/** One item of d.aanbod; fields the farm does not touch are carried along. */
export interface EntreeItem {
  __type: string;
  id: number;
  straat: string;
  huisnummer: number;
  toevoeging: string | null;
  postcode: string | null;
  plaats: string;
  gemeente: string | null;
  kalehuur: number | null;
  servicekosten: number | null;
  brutohuur: number | null;
  kamers: number | null;
  slaapkamers: number | null;
  oppervlakte: number | null;
  objecttype: string;
  gebruik: string;
  toewijzing: string;
  doelgroep: string | null;
  publicatiedatum: string | null;
  einddatum: string | null;
  url: string;
  [field: string]: unknown;
}

interface EntreeResponse {
  d: { __type: string; aantal: number; aanbod: EntreeItem[]; [field: string]: unknown };
}

export const ENTREE_FOLDER = "entree";
export const DEFAULT_LIST_PATH = "/Aanbod.aspx/GetAanbod";

const MODELS: Partial<Record<FarmModel, string>> = {
  waiting_time: "Inschrijfduur",
  lottery: "Loting",
  first_come: "Direct te huur",
};

/** "/Date(1758700800000)/" <-> Date: milliseconds since 1970, UTC. */
export const aspNetDate = (d: Date): string => `/Date(${d.getTime()})/`;
export function readAspNetDate(raw: string | null): Date | null {
  const m = raw ? /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(raw) : null;
  return m && Number(m[1]) > 0 ? new Date(Number(m[1])) : null;
}

/** JSON as ASP.NET's JavaScriptSerializer writes it: slashes in dates escaped ("\/Date(...)\/"). */
export function aspNetJson(value: unknown): string {
  return JSON.stringify(value).replace(/"\/Date\((-?\d+(?:[+-]\d{4})?)\)\/"/g, '"\\/Date($1)\\/"');
}

/** The error object ASP.NET sends (with 500) for a page method called the wrong way. */
const methodError = (message: string): Answer => ({
  status: 500,
  headers: { "Content-Type": "application/json; charset=utf-8", jsonerror: "true" },
  text: JSON.stringify({ Message: message, StackTrace: "", ExceptionType: "System.InvalidOperationException" }),
});

export function entreePlatform(fixturesDir: string): PlatformSite<EntreeItem> {
  const fixture = readFixture<EntreeResponse>(fixturesDir, ENTREE_FOLDER, "aanbod.json");
  const recorded = fixture.d.aanbod;
  const isRealHome = (i: EntreeItem): boolean => /^(woning|wonen)$/i.test(i.gebruik);
  const realHomes = recorded.filter(isRealHome);
  const municipalities = [...new Set(realHomes.map((i) => i.gemeente ?? i.plaats))];
  const donors = realHomes.filter((i) => (i.slaapkamers ?? 0) >= 2 && !i.doelgroep);
  if (donors.length === 0) throw new Error(`site farm: no family-home record in ${ENTREE_FOLDER}`);

  const describe = (i: EntreeItem): RecordSummary => ({
    externalId: String(i.id),
    street: i.straat,
    houseNumber: `${i.huisnummer}${i.toevoeging ?? ""}`,
    municipality: i.gemeente ?? i.plaats,
    postcode: i.postcode,
  });

  return {
    platform: "entree",
    municipalities,
    modelCodes: MODELS,

    fixtureRecords: () => cloneJson(recorded),

    dates: (i) => ({ publishedAt: readAspNetDate(i.publicatiedatum), closesAt: readAspNetDate(i.einddatum) }),

    setDates(i, publishedAt, closesAt) {
      if (publishedAt) i.publicatiedatum = aspNetDate(publishedAt);
      if (closesAt) i.einddatum = aspNetDate(closesAt);
    },

    shiftCalendarDates() {
      // No calendar-date fields.
    },

    describe,
    isRealHome,

    // Entree ads run a week and close at 23:59 Amsterdam time.
    defaultClosing: (publishedAt) => localTimeAfterDays(publishedAt, 7, 23, 59),

    build(home: Home, rng: Rng): EntreeItem {
      const donor = rng.pick(donors);
      const places = realHomes.filter((i) => i.gemeente === home.municipality || i.plaats === home.municipality);
      const place = places[Math.floor(rng.next() * places.length)];
      const code = MODELS[home.model];
      if (!code) throw new RangeError(`Entree has no known model word for ${home.model}`);
      const i = cloneJson(donor);
      i.id = home.number;
      i.straat = home.street;
      i.huisnummer = home.houseNumber;
      i.toevoeging = null;
      i.postcode = home.postcode;
      i.plaats = place?.plaats ?? home.municipality;
      i.gemeente = place?.gemeente ?? home.municipality;
      i.kalehuur = home.netRent;
      i.servicekosten = home.serviceCosts;
      i.brutohuur = Math.round((home.netRent + home.serviceCosts) * 100) / 100;
      i.kamers = home.bedrooms + 1;
      i.slaapkamers = home.bedrooms;
      i.oppervlakte = home.areaM2;
      i.toewijzing = code;
      i.doelgroep = null;
      i.publicatiedatum = aspNetDate(home.publishedAt);
      i.einddatum = aspNetDate(home.closesAt);
      i.url = `/aanbod/woning/${home.number}`;
      // The donor's photo shows another home.
      i.foto = null;
      return i;
    },

    routes(site: SiteRuntime<EntreeItem>): Router {
      const router = Router();
      const listPath = typeof site.settings.listPath === "string" ? site.settings.listPath : DEFAULT_LIST_PATH;
      const methodName = listPath.split("/").pop() ?? "";
      router.get(listPath, (req, res) => {
        site.respond(req, res, methodError(`An attempt was made to call the method '${methodName}' using a GET request, which is not allowed.`));
      });
      router.post(listPath, (req, res) => {
        if (!(req.get("content-type") ?? "").toLowerCase().startsWith("application/json")) {
          // Without the JSON content type ASP.NET does not route to the method but renders the page.
          site.respond(req, res, { html: `<!DOCTYPE html><html lang="nl"><head><title>Woningaanbod</title></head><body><form method="post" action="./Aanbod.aspx"><div id="aanbod"></div></form></body></html>` });
          return;
        }
        const items = site.offer().map((l) => l.record);
        const answer = (aanbod: EntreeItem[], listKey = "aanbod"): Answer => ({
          headers: { "Content-Type": "application/json; charset=utf-8" },
          text: aspNetJson({ d: { __type: fixture.d.__type, aantal: aanbod.length, [listKey]: aanbod } }),
        });
        site.respond(req, res, {
          ...answer(items),
          // Drift as a new release of the service may bring it: the result list renamed.
          offer: { empty: () => answer([]), drift: () => answer(items, "woningen") },
        });
      });
      return router;
    },
  };
}
