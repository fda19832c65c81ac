// Woonmatch offer page (Woonmatch Kop van Noord-Holland style): a server-rendered Next.js page,
// GET <offerPath> (default /aanbod), whose homes are in <script id="__NEXT_DATA__"> as
// props.pageProps.houses[], with the same homes rendered as cards. Built from the hand-written
// fixture woonmatch-kop-nh/aanbod.html (see test/fixtures/sites/SOURCE.md).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Router } from "express";
import { Parser } from "htmlparser2";
import { parseInstant } from "../../../domain/time.js";
import { embraceDateTime, localTimeAfterDays } from "../dates.js";
import { cloneJson, type Rng } from "../generate.js";
import type { Answer, FarmModel, Home, PlatformSite, RecordSummary, SiteRuntime } from "../types.js";

/** One house of pageProps.houses; fields the farm does not touch are carried along. */
export interface WoonmatchHouse {
  id: number;
  slug: string;
  street: string;
  houseNumber: number;
  houseNumberAddition: string;
  postalCode: string;
  city: string;
  municipality: string;
  rent: number;
  serviceCosts: number;
  totalRent: number;
  bedrooms: number | null;
  area: number;
  type: string;
  model: string;
  targetGroups: string[];
  publishedAt: string;
  closingAt: string;
  url: string;
  energyLabel: string | null;
  image: string | null;
  numberOfReactions: number;
  [field: string]: unknown;
}

/** The __NEXT_DATA__ envelope. */
export interface WoonmatchNextData {
  props: { pageProps: { houses: WoonmatchHouse[]; total: number; [field: string]: unknown }; [field: string]: unknown };
  [field: string]: unknown;
}

export const WOONMATCH_FOLDER = "woonmatch-kop-nh";
export const WOONMATCH_FILE = "aanbod.html";
export const DEFAULT_OFFER_PATH = "/aanbod";

/** The allocation words on the page; Woonmatch has no home swap or cooptation ads. */
const MODELS: Partial<Record<FarmModel, string>> = {
  waiting_time: "Punten",
  lottery: "Loting",
  first_come: "Direct te huur",
};

/** Reads the JSON of <script id="__NEXT_DATA__"> from a page. */
export function readNextData(html: string): WoonmatchNextData {
  let inside = false;
  let text: string | null = null;
  const parser = new Parser({
    onopentag(name, attributes) {
      if (text === null && name === "script" && attributes.id === "__NEXT_DATA__") {
        inside = true;
        text = "";
      }
    },
    ontext(data) {
      if (inside) text += data;
    },
    onclosetag(name) {
      if (name === "script") inside = false;
    },
  });
  parser.write(html);
  parser.end();
  if (text === null) throw new Error("site farm: no __NEXT_DATA__ script in the Woonmatch page");
  return JSON.parse(text) as WoonmatchNextData;
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Next.js escapes these in the JSON it embeds, so a "</script>" in the data cannot end the script. */
const escapeJsonForHtml = (json: string): string =>
  json.replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

const euro = (n: number): string =>
  new Intl.NumberFormat("nl-NL", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);

const deadline = (iso: string): string =>
  new Intl.DateTimeFormat("nl-NL", { timeZone: "Europe/Amsterdam", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" }).format(
    new Date(iso),
  );

function card(h: WoonmatchHouse): string {
  const number = `${h.houseNumber}${h.houseNumberAddition ? ` ${h.houseNumberAddition}` : ""}`;
  const facts = [h.type, h.bedrooms !== null ? `${h.bedrooms} ${h.bedrooms === 1 ? "slaapkamer" : "slaapkamers"}` : "", `${h.area} m²`]
    .filter(Boolean)
    .map((f) => `<span>${escapeHtml(f)}</span>`)
    .join("");
  const postal = h.postalCode ? `${h.postalCode.replace(/^(\d{4})\s*([A-Z]{2})$/, "$1 $2")} ` : "";
  return (
    `<li class="HouseCard_card__Qm3x1"><a href="${escapeHtml(h.url)}" class="HouseCard_link__P0b2v">` +
    `<div class="HouseCard_address__Lk2p9">${escapeHtml(`${h.street} ${number}`)}</div>` +
    `<div class="HouseCard_city__Hd7s4">${escapeHtml(`${postal}${h.city}`)}</div>` +
    `<div class="HouseCard_facts__Vb8n3">${facts}</div>` +
    `<div class="HouseCard_rent__Tr5c6">€ ${euro(h.rent)} kale huur</div>` +
    `<div class="HouseCard_model__Yw1e2">${escapeHtml(h.model)}</div>` +
    `<div class="HouseCard_deadline__Gz4k8">Reageren tot ${escapeHtml(deadline(h.closingAt))}</div>` +
    `</a></li>`
  );
}

/**
 * The whole offer page, as the Next.js server renders it: head with the build's chunks, the cards,
 * then the data script. The fixture is this rendering of its own data (farm.test.ts checks that).
 * `listKey` renames the houses field for the "drift" fault.
 */
export function renderWoonmatchPage(data: WoonmatchNextData, listKey = "houses"): string {
  const { houses } = data.props.pageProps;
  const buildId = String(data.buildId ?? "");
  const { houses: _houses, ...pagePropsRest } = data.props.pageProps;
  const shown = { ...data, props: { ...data.props, pageProps: { [listKey]: houses, ...pagePropsRest } } };
  const list =
    houses.length === 0
      ? `<p class="Aanbod_empty__Fq2w7">Er is op dit moment geen woningaanbod. Kijk later nog eens.</p>`
      : `<ul class="Aanbod_list__Nc4r1">${houses.map(card).join("")}</ul>`;
  return (
    `<!DOCTYPE html><html lang="nl"><head><meta charSet="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>` +
    `<title>Woningaanbod | Woonmatch Kop van Noord-Holland</title><meta name="description" content="Bekijk het actuele huuraanbod in Den Helder en Hollands Kroon."/>` +
    `<meta name="next-head-count" content="4"/><link rel="preload" href="/_next/static/css/7a0e3c2b1f9d4e58.css" as="style"/>` +
    `<link rel="stylesheet" href="/_next/static/css/7a0e3c2b1f9d4e58.css" data-n-g=""/><noscript data-n-css=""></noscript>` +
    `<script defer="" nomodule="" src="/_next/static/chunks/polyfills-42372ed130431b0a.js"></script>` +
    `<script src="/_next/static/chunks/webpack-59c5c889f52620d6.js" defer=""></script>` +
    `<script src="/_next/static/chunks/framework-64ad27b21261a9ce.js" defer=""></script>` +
    `<script src="/_next/static/chunks/main-3b1d0a6c8e7f2d45.js" defer=""></script>` +
    `<script src="/_next/static/chunks/pages/_app-9c1e4b7d2a6f3e80.js" defer=""></script>` +
    `<script src="/_next/static/chunks/pages/aanbod-5d8f2a1c7b3e9046.js" defer=""></script>` +
    `<script src="/_next/static/${escapeHtml(buildId)}/_buildManifest.js" defer=""></script>` +
    `<script src="/_next/static/${escapeHtml(buildId)}/_ssgManifest.js" defer=""></script></head>` +
    `<body><div id="__next"><header class="Header_header__Rr0a1"><a class="Header_logo__Kx9b2" href="/">Woonmatch Kop van Noord-Holland</a>` +
    `<nav class="Header_nav__Wd3c4"><a href="/aanbod">Aanbod</a><a href="/inschrijven">Inschrijven</a><a href="/inloggen">Inloggen</a></nav></header>` +
    `<main class="Aanbod_main__Hs6d2"><h1>Woningaanbod</h1><p class="Aanbod_count__Jp5e3">${houses.length} ${houses.length === 1 ? "woning" : "woningen"}</p>${list}</main>` +
    `<footer class="Footer_footer__Zt7f5"><p>Woonmatch Kop van Noord-Holland</p></footer></div>` +
    `<script id="__NEXT_DATA__" type="application/json">${escapeJsonForHtml(JSON.stringify(shown))}</script></body></html>`
  );
}

const slugPart = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

export function woonmatchPlatform(fixturesDir: string): PlatformSite<WoonmatchHouse> {
  const path = join(fixturesDir, WOONMATCH_FOLDER, WOONMATCH_FILE);
  let data: WoonmatchNextData;
  try {
    data = readNextData(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`site farm: cannot read fixture ${path}: ${(err as Error).message}`);
  }
  const recorded = data.props.pageProps.houses;
  const isRealHome = (h: WoonmatchHouse): boolean => !/garage|parkeer|berging/i.test(h.type);
  const realHomes = recorded.filter(isRealHome);
  const municipalities = [...new Set(realHomes.map((h) => h.municipality))];
  const donors = realHomes.filter((h) => (h.bedrooms ?? 0) >= 2 && h.targetGroups.every((g) => g === "Regulier"));
  if (donors.length === 0) throw new Error(`site farm: no family-home record in ${WOONMATCH_FOLDER}`);

  const describe = (h: WoonmatchHouse): RecordSummary => ({
    externalId: String(h.id),
    street: h.street,
    houseNumber: `${h.houseNumber}${h.houseNumberAddition}`,
    municipality: h.municipality,
    postcode: h.postalCode ? h.postalCode.replace(/^(\d{4})\s*([A-Z]{2})$/, "$1 $2") : null,
  });

  return {
    platform: "woonmatch",
    municipalities,
    modelCodes: MODELS,

    fixtureRecords: () => cloneJson(recorded),

    dates: (h) => ({ publishedAt: parseInstant(h.publishedAt), closesAt: parseInstant(h.closingAt) }),

    setDates(h, publishedAt, closesAt) {
      if (publishedAt) h.publishedAt = embraceDateTime(publishedAt);
      if (closesAt) h.closingAt = embraceDateTime(closesAt);
    },

    shiftCalendarDates() {
      // No calendar-date fields.
    },

    describe,
    isRealHome,

    // Woonmatch ads run a week and close at 23:59 Amsterdam time.
    defaultClosing: (publishedAt) => localTimeAfterDays(publishedAt, 7, 23, 59),

    build(home: Home, rng: Rng): WoonmatchHouse {
      const donor = rng.pick(donors);
      const places = realHomes.filter((h) => h.municipality === home.municipality || h.city === home.municipality);
      const place = places[Math.floor(rng.next() * places.length)];
      const code = MODELS[home.model];
      if (!code) throw new RangeError(`Woonmatch has no known model word for ${home.model}`);
      const h = cloneJson(donor);
      const city = place?.city ?? home.municipality;
      h.id = home.number;
      h.street = home.street;
      h.houseNumber = home.houseNumber;
      h.houseNumberAddition = "";
      h.postalCode = home.postcode.replace(" ", "");
      h.city = city;
      h.municipality = place?.municipality ?? home.municipality;
      h.rent = home.netRent;
      h.serviceCosts = home.serviceCosts;
      h.totalRent = Math.round((home.netRent + home.serviceCosts) * 100) / 100;
      h.bedrooms = home.bedrooms;
      h.area = home.areaM2;
      h.model = code;
      h.targetGroups = ["Regulier"];
      h.publishedAt = embraceDateTime(home.publishedAt);
      h.closingAt = embraceDateTime(home.closesAt);
      h.slug = `${home.number}-${slugPart(home.street)}-${home.houseNumber}-${slugPart(city)}`;
      h.url = `/aanbod/${h.slug}`;
      // The donor's photo shows another home.
      h.image = null;
      h.numberOfReactions = 0;
      return h;
    },

    routes(site: SiteRuntime<WoonmatchHouse>): Router {
      const router = Router();
      const offerPath = typeof site.settings.offerPath === "string" ? site.settings.offerPath : DEFAULT_OFFER_PATH;
      router.get(offerPath, (req, res) => {
        const houses = site.offer().map((l) => l.record);
        const page = (items: WoonmatchHouse[], listKey?: string): Answer => ({
          html: renderWoonmatchPage({ ...data, props: { ...data.props, pageProps: { ...data.props.pageProps, houses: items, total: items.length } } }, listKey),
        });
        site.respond(req, res, {
          ...page(houses),
          // Next.js sends an ETag for server-rendered pages and answers If-None-Match with 304.
          etag: true,
          offer: { empty: () => page([]), drift: () => page(houses, "woningen") },
        });
      });
      return router;
    },
  };
}
