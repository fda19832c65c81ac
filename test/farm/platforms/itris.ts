// Itris corporation site: GET <listPath> (default /woningaanbod/) renders the offer as HTML, one
// div.woningaanbod[data-aanbod-id][data-plaats][data-prijs][data-kamers] per home inside
// div.woningaanbod-lijst[data-totaal]. Built from the hand-written fixture itris/woningaanbod.html
// (see test/fixtures/sites/SOURCE.md), read here with htmlparser2 into records and rendered back.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Router } from "express";
import { DomUtils, parseDocument } from "htmlparser2";
import { DateTime } from "luxon";
import { AMSTERDAM, parseAmsterdamLocal } from "../../../domain/time.js";
import { localTimeAfterDays } from "../dates.js";
import { cloneJson, type Rng } from "../generate.js";
import type { Answer, FarmModel, Home, PlatformSite, RecordSummary, SiteRuntime } from "../types.js";

/** One home of the page, as the farm keeps it: the values the markup shows. */
export interface ItrisRecord {
  id: string;
  plaats: string;
  /** Kale huur in machine format, "689.12". */
  prijs: string;
  /** Rooms including the living room. */
  kamers: string;
  adres: string;
  postcode: string | null;
  href: string;
  image: string | null;
  type: string;
  /** Living area in m². */
  oppervlakte: number | null;
  model: string | null;
  doelgroep: string | null;
  /** Amsterdam wall-clock "2026-09-28T20:00". */
  sluiting: string | null;
  /** Calendar date "2026-09-21". */
  publicatie: string | null;
}

export const ITRIS_FOLDER = "itris";
export const ITRIS_FILE = "woningaanbod.html";
export const DEFAULT_LIST_PATH = "/woningaanbod/";

const MODELS: Partial<Record<FarmModel, string>> = {
  waiting_time: "Inschrijfduur",
  lottery: "Loting",
  first_come: "Direct te huur",
};

type Element = ReturnType<typeof DomUtils.findAll>[number];
const hasClass = (e: Element, token: string): boolean => (e.attribs.class ?? "").split(/\s+/).includes(token);
const textOf = (e: Element | null): string | null => (e ? DomUtils.textContent(e).replace(/\s+/g, " ").trim() : null);

/** Reads the fixture page into records. */
export function readItrisPage(html: string): ItrisRecord[] {
  const doc = parseDocument(html);
  const items = DomUtils.findAll((e) => e.name === "div" && hasClass(e, "woningaanbod"), doc.children);
  return items.map((item) => {
    const find = (test: (e: Element) => boolean): Element | null => DomUtils.findOne(test, item.children, true);
    const time = (holder: string): string | null => {
      const h = find((e) => hasClass(e, holder));
      const t = h ? DomUtils.findOne((e) => e.name === "time", h.children, true) : null;
      return t?.attribs.datetime ?? null;
    };
    const area = textOf(find((e) => e.name === "li" && hasClass(e, "oppervlakte")));
    return {
      id: item.attribs["data-aanbod-id"] ?? "",
      plaats: item.attribs["data-plaats"] ?? "",
      prijs: item.attribs["data-prijs"] ?? "",
      kamers: item.attribs["data-kamers"] ?? "",
      adres: textOf(find((e) => hasClass(e, "woningaanbod__adres"))) ?? "",
      postcode: textOf(find((e) => hasClass(e, "postcode"))),
      href: find((e) => e.name === "a" && hasClass(e, "woningaanbod__link"))?.attribs.href ?? "",
      image: find((e) => e.name === "img")?.attribs.src ?? null,
      type: textOf(find((e) => e.name === "li" && hasClass(e, "type"))) ?? "",
      oppervlakte: area ? Number(area.replace(/\s*m²$/, "")) : null,
      model: textOf(find((e) => e.name === "li" && hasClass(e, "model"))),
      doelgroep: textOf(find((e) => e.name === "li" && hasClass(e, "doelgroep"))),
      sluiting: time("woningaanbod__reageren"),
      publicatie: time("woningaanbod__gepubliceerd"),
    };
  });
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const money = (prijs: string): string =>
  new Intl.NumberFormat("nl-NL", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Number(prijs));

const longDate = (iso: string, withTime: boolean): string => {
  const dt = DateTime.fromISO(iso, { zone: AMSTERDAM }).setLocale("nl");
  return withTime ? `${dt.toFormat("d MMMM yyyy, HH:mm")} uur` : dt.toFormat("d MMMM yyyy");
};

function renderItem(r: ItrisRecord, idAttribute: string): string {
  const lines = [
    `    <div class="woningaanbod" ${idAttribute}="${escapeHtml(r.id)}" data-plaats="${escapeHtml(r.plaats)}" data-prijs="${escapeHtml(r.prijs)}" data-kamers="${escapeHtml(r.kamers)}">`,
    `      <a class="woningaanbod__link" href="${escapeHtml(r.href)}">`,
    r.image
      ? `        <img class="woningaanbod__foto" src="${escapeHtml(r.image)}" alt="${escapeHtml(`${r.adres}, ${r.plaats}`)}" loading="lazy">`
      : `        <span class="woningaanbod__geen-foto">Geen foto</span>`,
    `      </a>`,
    `      <div class="woningaanbod__info">`,
    `        <h2 class="woningaanbod__adres">${escapeHtml(r.adres)}</h2>`,
    `        <p class="woningaanbod__plaats">${r.postcode ? `<span class="postcode">${escapeHtml(r.postcode)}</span> ` : ""}${escapeHtml(r.plaats)}</p>`,
    `        <ul class="woningaanbod__kenmerken">`,
    `          <li class="type">${escapeHtml(r.type)}</li>`,
    ...(r.oppervlakte !== null ? [`          <li class="oppervlakte">${r.oppervlakte} m²</li>`] : []),
    ...(r.kamers ? [`          <li class="kamers">${escapeHtml(r.kamers)} ${r.kamers === "1" ? "kamer" : "kamers"}</li>`] : []),
    ...(r.prijs ? [`          <li class="huur">&euro; ${money(r.prijs)} kale huur</li>`] : []),
    ...(r.model ? [`          <li class="model">${escapeHtml(r.model)}</li>`] : []),
    ...(r.doelgroep ? [`          <li class="doelgroep">${escapeHtml(r.doelgroep)}</li>`] : []),
    `        </ul>`,
    ...(r.sluiting
      ? [`        <p class="woningaanbod__reageren">Reageren tot <time datetime="${escapeHtml(r.sluiting)}">${longDate(r.sluiting, true)}</time></p>`]
      : []),
    ...(r.publicatie
      ? [`        <p class="woningaanbod__gepubliceerd">Geplaatst op <time datetime="${escapeHtml(r.publicatie)}">${longDate(r.publicatie, false)}</time></p>`]
      : []),
    `      </div>`,
    `    </div>`,
  ];
  return lines.join("\n");
}

/**
 * The whole page as the corporation's CMS renders it. The fixture is this rendering of its own
 * records (farm.test.ts checks that). `idAttribute` renames data-aanbod-id for the "drift" fault.
 */
export function renderItrisPage(records: ItrisRecord[], idAttribute = "data-aanbod-id"): string {
  const count = records.length;
  const list =
    count === 0
      ? `    <p class="woningaanbod-leeg">Er is op dit moment geen woningaanbod. Kijk later nog eens.</p>`
      : records.map((r) => renderItem(r, idAttribute)).join("\n");
  return `<!DOCTYPE html>
<html lang="nl">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Woningaanbod - Huren in de Achterhoek</title>
  <link rel="stylesheet" href="/static/css/site.min.css?v=4.12.1">
  <script src="/static/js/site.min.js?v=4.12.1" defer></script>
</head>
<body class="page page--woningaanbod">
  <a class="skiplink" href="#inhoud">Naar de inhoud</a>
  <header class="site-header">
    <a class="site-header__logo" href="/"><img src="/static/img/logo.svg" alt="Home"></a>
    <nav class="site-header__nav">
      <a href="/woningaanbod/" aria-current="page">Woningaanbod</a>
      <a href="/inschrijven/">Inschrijven</a>
      <a href="/mijn-omgeving/">Mijn omgeving</a>
    </nav>
  </header>
  <main id="inhoud" class="site-main">
  <h1>Woningaanbod</h1>
  <form class="woningaanbod-filter" method="get" action="/woningaanbod/">
    <label for="plaats">Plaats</label>
    <select id="plaats" name="plaats"><option value="">Alle plaatsen</option></select>
    <button type="submit">Zoeken</button>
  </form>
  <p class="woningaanbod-aantal"><strong>${count}</strong> ${count === 1 ? "woning" : "woningen"} gevonden</p>
  <div class="woningaanbod-lijst" data-totaal="${count}">
${list}
  </div>
  </main>
  <footer class="site-footer">
    <p>Reageren kan alleen met een inschrijving. Vragen? Bel ons op werkdagen.</p>
  </footer>
</body>
</html>
`;
}

const slugPart = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

export function itrisPlatform(fixturesDir: string): PlatformSite<ItrisRecord> {
  const path = join(fixturesDir, ITRIS_FOLDER, ITRIS_FILE);
  let recorded: ItrisRecord[];
  try {
    recorded = readItrisPage(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`site farm: cannot read fixture ${path}: ${(err as Error).message}`);
  }
  const isRealHome = (r: ItrisRecord): boolean => !/parkeer|garage|berging/i.test(r.type);
  const realHomes = recorded.filter(isRealHome);
  const towns = [...new Set(realHomes.map((r) => r.plaats))];
  const donors = realHomes.filter((r) => Number(r.kamers) >= 3 && !r.doelgroep);
  if (donors.length === 0) throw new Error(`site farm: no family-home record in ${ITRIS_FOLDER}`);

  const describe = (r: ItrisRecord): RecordSummary => {
    const m = /^(.*\S)\s+(\d+.*)$/.exec(r.adres);
    return {
      externalId: r.id,
      street: m ? m[1]! : r.adres,
      houseNumber: m ? m[2]!.replace(/\s+/g, "") : "",
      municipality: r.plaats,
      postcode: r.postcode,
    };
  };

  return {
    platform: "itris",
    municipalities: towns,
    modelCodes: MODELS,

    fixtureRecords: () => cloneJson(recorded),

    dates: (r) => ({ publishedAt: parseAmsterdamLocal(r.publicatie), closesAt: parseAmsterdamLocal(r.sluiting) }),

    setDates(r, publishedAt, closesAt) {
      // The page shows the publication as a calendar date and the closing as a local time.
      if (publishedAt) r.publicatie = DateTime.fromJSDate(publishedAt, { zone: AMSTERDAM }).toFormat("yyyy-MM-dd");
      if (closesAt) r.sluiting = DateTime.fromJSDate(closesAt, { zone: AMSTERDAM }).toFormat("yyyy-MM-dd'T'HH:mm");
    },

    shiftCalendarDates() {
      // The publication date is moved with the publication instant.
    },

    describe,
    isRealHome,

    // These corporations close responses at 20:00 Amsterdam time, a week after publication.
    defaultClosing: (publishedAt) => localTimeAfterDays(publishedAt, 7, 20, 0),

    build(home: Home, rng: Rng): ItrisRecord {
      const donor = rng.pick(donors);
      const code = MODELS[home.model];
      if (!code) throw new RangeError(`Itris has no known model word for ${home.model}`);
      const r = cloneJson(donor);
      r.id = String(home.number);
      r.plaats = home.municipality;
      r.prijs = home.netRent.toFixed(2);
      r.kamers = String(home.bedrooms + 1);
      r.adres = `${home.street} ${home.houseNumber}`;
      r.postcode = home.postcode;
      r.href = `/woningaanbod/${home.number}-${slugPart(home.street)}-${home.houseNumber}`;
      // The donor's photo shows another home.
      r.image = null;
      r.oppervlakte = home.areaM2;
      r.model = code;
      r.doelgroep = null;
      r.publicatie = DateTime.fromJSDate(home.publishedAt, { zone: AMSTERDAM }).toFormat("yyyy-MM-dd");
      r.sluiting = DateTime.fromJSDate(home.closesAt, { zone: AMSTERDAM }).toFormat("yyyy-MM-dd'T'HH:mm");
      return r;
    },

    routes(site: SiteRuntime<ItrisRecord>): Router {
      const router = Router();
      const listPath = typeof site.settings.listPath === "string" ? site.settings.listPath : DEFAULT_LIST_PATH;
      router.get(listPath, (req, res) => {
        const records = site.offer().map((l) => l.record);
        const page = (items: ItrisRecord[], idAttribute?: string): Answer => ({ html: renderItrisPage(items, idAttribute) });
        site.respond(req, res, {
          ...page(records),
          // The CMS sends an ETag for the page and answers If-None-Match with 304.
          etag: true,
          // Drift as a new theme of the site may bring it: the id attribute renamed.
          offer: { empty: () => page([]), drift: () => page(records, "data-id") },
        });
      });
      return router;
    },
  };
}
