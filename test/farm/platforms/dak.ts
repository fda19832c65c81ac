// WoningNet on the DAK platform (an OutSystems app), as recorded on Regio Amsterdam.
// Page: GET /Woningaanbod, whose script POSTs the screen data action
// /screenservices/DAKWP/Overzicht/Woningaanbod/DataActionHaalUitgelogdAanbod.
import { randomBytes } from "node:crypto";
import { Router, type Request } from "express";
import { DateTime } from "luxon";
import { AMSTERDAM, parseInstant } from "../../../domain/time.js";
import { DAY, dakDateTime, localTimeAfterDays, shiftCalendarDate } from "../dates.js";
import { readFixture } from "../fixtures.js";
import { cloneJson, decimalString, jitterCoordinate, type Rng } from "../generate.js";
import type { Answer, FarmModel, Home, PlatformSite, RecordSummary, SiteRuntime } from "../types.js";

/** The fields of a DAK publication the farm reads or writes; types per field as recorded. */
export interface DakPublicatie {
  Id: string;
  EinddatumTijd: string;
  PublicatieModel: string;
  PublicatieModule: string;
  PublicatieDatum: string;
  Foto_Locatie: string;
  GepersonaliseerdeHuur: string;
  IsCluster: boolean;
  EenheidSoort: string;
  Adres: {
    Straatnaam: string;
    Huisnummer: number;
    Huisletter: string;
    HuisnummerToevoeging: string;
    Postcode: string;
    Woonplaats: string;
    Wijk: string;
    PublicatieId: string;
  };
  Eenheid: {
    AantalKamers: number;
    TotaleOppervlakte: string;
    WoonVertrekkenTotOpp: string;
    Doelgroep: string;
    NettoHuurBekend: boolean;
    NettoHuur: string;
    BrutoHuurBekend: boolean;
    Brutohuur: string;
    Lengtegraad: string;
    Breedtegraad: string;
    PublicatieId: string;
    Eigenaar: string;
    [field: string]: unknown;
  };
  PublicatieLabel: string;
  PublicatieOmschrijving: { Id: string; Tekst: string };
  AantalReactiesOpPublicatie: string;
  Opleverdatum: string;
  [field: string]: unknown;
}

interface DakOffer {
  versionInfo: { hasModuleVersionChanged: boolean; hasApiVersionChanged: boolean };
  data: { PublicatieLijst: { List: DakPublicatie[]; [field: string]: unknown }; Result: unknown };
  [field: string]: unknown;
}

const FOLDER = "woningnet-dak";
export const DAK_ACTION_PATH = "/screenservices/DAKWP/Overzicht/Woningaanbod/DataActionHaalUitgelogdAanbod";

/** Only the models seen in the recording; the farm does not invent DAK words for the others. */
const MODELS: Partial<Record<FarmModel, string>> = {
  waiting_time: "Aanbodmodel",
  lottery: "Lotingmodel",
};

/** The page's own version tokens; the real portal changes them with every deploy. */
const MODULE_VERSION = "KfS0cGw1s2x1oY3Tz7kQnA";
const API_VERSION = "b3RjeZ0u7dC0xWJb2Zr8Qg";

function readCookies(req: Request): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) jar.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return jar;
}

const hasSession = (req: Request): boolean => {
  const jar = readCookies(req);
  return Boolean(jar.get("nr1Users")) && Boolean(jar.get("nr2Users"));
};

/** OutSystems' anonymous session cookies; the CSRF token the page script sends is nr2Users' crf. */
function sessionCookies(req: Request): NonNullable<Answer["cookies"]> {
  const path = `${req.baseUrl}/`;
  const token = (): string => randomBytes(20).toString("base64");
  return [
    { name: "nr1Users", value: `lid=Anonymous;tuu=${Date.now()};exp=0;rhs=${token()};hmc=${token()}`, path, httpOnly: true },
    { name: "nr2Users", value: `crf=${token()};uid=0;unm=`, path, httpOnly: false },
  ];
}

/** The offer page: like the portal, its script loads the list from the data action and renders it. */
const PAGE = `<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Woningaanbod</title>
</head>
<body>
<h1>Woningaanbod</h1>
<p id="status">Het aanbod wordt geladen...</p>
<ul id="aanbod"></ul>
<script>
(function () {
  var match = document.cookie.match(/(?:^|;\\s*)nr2Users=([^;]*)/);
  var session = match ? decodeURIComponent(match[1]) : "";
  var crf = (session.match(/crf=([^;]*)/) || [])[1] || "";
  var status = document.getElementById("status");
  var list = document.getElementById("aanbod");
  fetch("./screenservices/DAKWP/Overzicht/Woningaanbod/DataActionHaalUitgelogdAanbod", {
    method: "POST",
    headers: { "Content-Type": "application/json; charset=UTF-8", "X-CSRFToken": crf },
    body: JSON.stringify({
      versionInfo: { moduleVersion: "${MODULE_VERSION}", apiVersion: "${API_VERSION}" },
      viewName: "Overzicht.Woningaanbod",
      screenData: { variables: {} }
    })
  })
    .then(function (response) { return response.json(); })
    .then(function (json) {
      var items = (json && json.data && json.data.PublicatieLijst && json.data.PublicatieLijst.List) || [];
      items.forEach(function (p) {
        var a = p.Adres || {};
        var li = document.createElement("li");
        li.textContent = [a.Straatnaam, String(a.Huisnummer) + (a.Huisletter || "") + (a.HuisnummerToevoeging ? "-" + a.HuisnummerToevoeging : "")].join(" ") + ", " + a.Woonplaats;
        list.appendChild(li);
      });
      status.textContent = items.length === 0 ? "Er is op dit moment geen aanbod." : items.length + " woningen";
    })
    .catch(function () { status.textContent = "Het aanbod kon niet worden geladen."; });
})();
</script>
</body>
</html>
`;

export function dakPlatform(fixturesDir: string): PlatformSite<DakPublicatie> {
  const offer = readFixture<DakOffer>(fixturesDir, FOLDER, "aanbod-amsterdam.json");
  const empty = readFixture<unknown>(fixturesDir, FOLDER, "aanbod-empty.json");
  const recorded = offer.data.PublicatieLijst.List;
  const isRealHome = (p: DakPublicatie): boolean => p.EenheidSoort === "Woonruimte";
  const realHomes = recorded.filter(isRealHome);
  const towns = [...new Set(realHomes.map((p) => p.Adres.Woonplaats).filter(Boolean))];
  // Family-home donors: single social-rent family units.
  const donors = realHomes.filter(
    (p) => !p.IsCluster && p.PublicatieModule === "Sociale huur" && p.Eenheid.Doelgroep === "Gezin",
  );
  if (donors.length === 0) throw new Error(`site farm: no family-home record in ${FOLDER}`);

  const describe = (p: DakPublicatie): RecordSummary => ({
    externalId: p.Id,
    street: p.Adres.Straatnaam,
    houseNumber: `${p.Adres.Huisnummer}${p.Adres.Huisletter}${p.Adres.HuisnummerToevoeging ? `-${p.Adres.HuisnummerToevoeging}` : ""}`,
    municipality: p.Adres.Woonplaats,
    postcode: p.Adres.Postcode ? p.Adres.Postcode.replace(/^(\d{4})\s*([A-Z]{2})$/, "$1 $2") : null,
  });

  return {
    platform: "dak",
    municipalities: towns,
    modelCodes: MODELS,

    fixtureRecords: () => cloneJson(recorded),

    dates: (p) => ({ publishedAt: parseInstant(p.PublicatieDatum), closesAt: parseInstant(p.EinddatumTijd) }),

    setDates(p, publishedAt, closesAt) {
      if (publishedAt) p.PublicatieDatum = dakDateTime(publishedAt);
      if (closesAt) p.EinddatumTijd = dakDateTime(closesAt);
    },

    shiftCalendarDates(p, days) {
      p.Opleverdatum = shiftCalendarDate(p.Opleverdatum, days);
    },

    describe,
    isRealHome,

    // DAK ads run about a week and close at 23:59 Amsterdam time (21:59Z in summer, 22:59Z in winter).
    defaultClosing: (publishedAt) => localTimeAfterDays(publishedAt, 7, 23, 59),

    build(home: Home, rng: Rng): DakPublicatie {
      const donor = rng.pick(donors);
      const places = realHomes.filter((p) => p.Adres.Woonplaats === home.municipality);
      // Drawn even when unused, so the stream of later homes does not depend on this one's town.
      const placeDraw = rng.next();
      const place = places[Math.floor(placeDraw * places.length)];
      // "0.0" is the platform's own "unknown" coordinate (see aanbod-empty.json).
      const latitude = jitterCoordinate(place?.Eenheid.Breedtegraad ?? "0.0", rng);
      const longitude = jitterCoordinate(place?.Eenheid.Lengtegraad ?? "0.0", rng);
      const code = MODELS[home.model];
      if (!code) throw new RangeError(`DAK has no known model word for ${home.model}`);
      const p = cloneJson(donor);
      const id = String(home.number);
      p.Id = id;
      p.PublicatieModel = code;
      p.PublicatieModule = "Sociale huur";
      p.PublicatieDatum = dakDateTime(home.publishedAt);
      p.EinddatumTijd = dakDateTime(home.closesAt);
      // "Met situatiepunten" is the recorded label of Aanbodmodel ads; a plain ad otherwise.
      p.PublicatieLabel = home.model === "waiting_time" ? "Met situatiepunten" : "";
      // The donor's photo shows another home; "" is the platform's own "no photo".
      p.Foto_Locatie = "";
      p.GepersonaliseerdeHuur = decimalString(home.netRent);
      p.Adres = {
        ...p.Adres,
        Straatnaam: home.street,
        Huisnummer: home.houseNumber,
        Huisletter: "",
        HuisnummerToevoeging: "",
        Postcode: home.postcode.replace(" ", ""),
        Woonplaats: home.municipality,
        Wijk: place?.Adres.Wijk ?? "",
        PublicatieId: id,
      };
      p.Eenheid = {
        ...p.Eenheid,
        // DAK counts rooms (kamers) including the living room.
        AantalKamers: home.bedrooms + 1,
        TotaleOppervlakte: decimalString(home.areaM2),
        WoonVertrekkenTotOpp: decimalString(Math.round(home.areaM2 * 0.75)),
        Doelgroep: "Gezin",
        NettoHuurBekend: true,
        NettoHuur: decimalString(home.netRent),
        BrutoHuurBekend: true,
        Brutohuur: decimalString(home.netRent + home.serviceCosts),
        Lengtegraad: longitude,
        Breedtegraad: latitude,
        PublicatieId: id,
        Eigenaar: place?.Eenheid.Eigenaar || donor.Eenheid.Eigenaar,
      };
      p.PublicatieOmschrijving = { Id: id, Tekst: "" };
      p.AantalReactiesOpPublicatie = "0";
      const delivery = DateTime.fromMillis(home.closesAt.getTime() + 14 * DAY, { zone: AMSTERDAM });
      p.Opleverdatum = `${delivery.toFormat("yyyy-MM-dd")}T00:00:00Z`;
      return p;
    },

    routes(site: SiteRuntime<DakPublicatie>): Router {
      const router = Router();
      router.get("/Woningaanbod", (req, res) => {
        // Set once per browser profile, as the portal does; the script reads the CSRF token from it.
        site.respond(req, res, { html: PAGE, cookies: hasSession(req) ? [] : sessionCookies(req) });
      });
      router.post(DAK_ACTION_PATH, (req, res) => {
        if (!hasSession(req)) {
          // A fresh profile gets the recorded empty list; the cookies make the next call succeed.
          site.respond(req, res, { json: cloneJson(empty), cookies: sessionCookies(req) });
          return;
        }
        const { List: _recordedList, ...listFields } = offer.data.PublicatieLijst;
        const { PublicatieLijst: _recordedLijst, ...dataFields } = offer.data;
        const records = site.offer().map((l) => l.record);
        const list = (items: DakPublicatie[], listKey = "PublicatieLijst"): Answer => ({
          json: { ...offer, data: { ...dataFields, [listKey]: { ...listFields, List: items } } },
        });
        site.respond(req, res, {
          ...list(records),
          // Drift as an OutSystems redeploy may bring it: the list variable renamed.
          offer: { empty: () => list([]), drift: () => list(records, "Publicaties") },
        });
      });
      return router;
    },
  };
}
