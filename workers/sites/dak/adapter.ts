// WoningNet DAK ({region}.mijndak.nl, an OutSystems app). The offer comes from a screen data action whose
// tokens (CSRF, versionToken, apiVersion) change with every deploy of the portal, so instead of replaying
// that dance we load /Woningaanbod in a real browser and capture the action's answer.
// See docs/sites.md, "WoningNet DAK".
import { errors as playwrightErrors, type Page, type Response as PageResponse } from "playwright-core";
import {
  normalizePostcode,
  type NormalizedListing,
  type AllocationModel,
  type DwellingKind,
  type TargetGroup,
} from "../../../domain/listing.js";
import { parseInstant } from "../../../domain/time.js";
import { BrowserTimeoutError } from "../browser.js";
import { SiteBlockedError, SiteError, SiteUnavailableError } from "../errors.js";
import { looksLikeChallenge, parseRetryAfter } from "../http.js";
import {
  dateOrDrift,
  dwellingKindFromLabel,
  NO_STATED_LIMITS,
  parseJsonBody,
  positiveOrNull,
  readSettings,
  schemaError,
  validListing,
} from "../normalize.js";
import type { FetchContext, FetchedPage, SiteAdapter, SiteTarget } from "../types.js";
import { DakOfferResponse, DakSettings, type DakPublication } from "./schema.js";

/** Path of the data action that answers the anonymous offer. */
export const DAK_OFFER_ACTION = "/screenservices/DAKWP/Overzicht/Woningaanbod/DataActionHaalUitgelogdAanbod";

const BLOCKED_STATUSES = new Set([401, 403, 429]);
const CHALLENGE_TEXT = /challenge|captcha|just a moment/i;
/** Slack on top of two page loads for context set-up and teardown. */
const BROWSER_SLACK_MS = 15_000;

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}

/** A fresh browser profile first gets an empty list; that answer is worth one reload. */
function isEmptyOffer(body: string): boolean {
  try {
    const list = (JSON.parse(body) as { data?: { PublicatieLijst?: { List?: unknown } } })?.data?.PublicatieLijst?.List;
    return Array.isArray(list) && list.length === 0;
  } catch {
    return false; // not JSON: parse will report it
  }
}

async function pageLooksLikeChallenge(page: Page): Promise<boolean> {
  const title = await page.title().catch(() => "");
  const text = await page
    .locator("body")
    .innerText({ timeout: 1_000 })
    .catch(() => "");
  const html = await page.content().catch(() => "");
  return CHALLENGE_TEXT.test(title) || CHALLENGE_TEXT.test(text) || looksLikeChallenge(html);
}

/**
 * Navigates (goto or reload) and captures the offer action's response. The wait is registered before
 * navigating: the page fires the action while loading, and a listener added later could miss it.
 */
async function captureOffer(
  page: Page,
  siteId: string,
  navigate: () => Promise<PageResponse | null>,
  waitMs: number,
): Promise<FetchedPage> {
  const offer = page.waitForResponse((response) => response.url().includes(DAK_OFFER_ACTION), { timeout: waitMs });
  offer.catch(() => undefined); // awaited below; this only stops an unhandled rejection if navigation throws first

  let document: PageResponse | null;
  try {
    document = await navigate();
  } catch (error) {
    throw new SiteUnavailableError(siteId, `could not load the offer page: ${firstLine(error)}`);
  }
  if (document && document.status() >= 500) {
    throw new SiteUnavailableError(siteId, `HTTP ${document.status()} for ${document.url()}`);
  }
  // A 401/403/429 page may still be a challenge that solves itself and then loads the offer, so keep waiting.

  let response: PageResponse;
  try {
    response = await offer;
  } catch (error) {
    if (!(error instanceof playwrightErrors.TimeoutError)) throw error;
    const blockedStatus = document !== null && BLOCKED_STATUSES.has(document.status());
    if (blockedStatus || (await pageLooksLikeChallenge(page))) {
      throw new SiteBlockedError(siteId, `the offer page is a challenge or refused (page title ${JSON.stringify(await page.title().catch(() => ""))})`);
    }
    throw new SiteUnavailableError(siteId, `the offer page did not request the offer within ${waitMs} ms`);
  }

  const status = response.status();
  const retryAfterMs = parseRetryAfter(response.headers()["retry-after"] ?? null);
  if (BLOCKED_STATUSES.has(status)) throw new SiteBlockedError(siteId, `HTTP ${status} from the offer action`, retryAfterMs);
  if (status < 200 || status > 299) {
    throw new SiteUnavailableError(siteId, `HTTP ${status} from the offer action`, retryAfterMs);
  }
  return { url: response.url(), status, body: await response.text() };
}

export function dakDwellingKind(eenheidSoort: string, detailSoort: string): DwellingKind {
  // Hoekwoning, Tussenwoning, Eengezinswoning, Benedenwoning: the shared words know them all.
  const kind = dwellingKindFromLabel(detailSoort);
  if (eenheidSoort === "Parkeergelegenheid" || kind === "parking") return "parking";
  if (eenheidSoort !== "Woonruimte") return "other";
  return kind;
}

export function dakAllocationModel(publicatieModel: string): AllocationModel {
  const model = publicatieModel.toLowerCase();
  if (model === "aanbodmodel") return "waiting_time";
  if (model.includes("loting")) return "lottery";
  if (model === "vrije sector") return "free_sector";
  if (model.includes("direct") || model.includes("snel")) return "first_come";
  return "unknown";
}

/** Maps Eenheid.Doelgroep. "Gezin" and "Persoon" are the household types seen on ordinary homes. */
export function dakTargetGroup(doelgroep: string): TargetGroup {
  const group = doelgroep.trim().toLowerCase();
  if (group === "" || /regulier|persoon|iedereen|geen/.test(group)) return "regular";
  if (/gezin/.test(group)) return "family";
  if (/senior|55|65|ouderen/.test(group)) return "senior_55_plus";
  if (/student/.test(group)) return "student";
  if (/jongere/.test(group)) return "youth";
  if (/rolstoel|mindervalide|beperking|handicap|zorg/.test(group)) return "disabled";
  return "other";
}

/** PublicatieLabel ("Met situatiepunten~Jongerenwoning") also marks homes reserved for a group. */
function labelTargetGroups(label: string): TargetGroup[] {
  const groups: TargetGroup[] = [];
  for (const part of label.split("~").map((p) => p.trim().toLowerCase())) {
    if (/jongeren/.test(part)) groups.push("youth");
    else if (/senior|55\+|65\+|ouderen/.test(part)) groups.push("senior_55_plus");
    else if (/student/.test(part)) groups.push("student");
  }
  return groups;
}

function targetGroups(doelgroep: string, label: string): TargetGroup[] {
  const groups = new Set<TargetGroup>([dakTargetGroup(doelgroep), ...labelTargetGroups(label)]);
  if (groups.size > 1) groups.delete("regular"); // a reserved home is not also open to everyone
  return [...groups];
}

/** DAK counts rooms including the living room; bedrooms are one fewer. */
function bedroomsFromRooms(rooms: number): number | null {
  return rooms > 0 ? Math.max(0, Math.round(rooms) - 1) : null;
}

/** "-3" (third floor in Amsterdam notation), "H", "P132": the leading dash is notation, not part of the addition. */
function houseNumberAddition(letter: string, addition: string): string {
  return [letter.trim(), addition.trim().replace(/^[-\s]+/, "")].filter(Boolean).join(" ");
}

function instant(siteId: string, raw: string, path: string): Date | null {
  return dateOrDrift(siteId, "DAK offer", parseInstant, raw, path);
}

export function normalizeDakPublication(
  publication: DakPublication,
  raw: unknown,
  site: SiteTarget,
  path: string,
): NormalizedListing {
  const { Adres: address, Eenheid: unit, Cluster: cluster } = publication;
  const id = String(publication.Id);
  // A cluster's own unit record is empty; its figures are in Cluster (prices and sizes as minimums).
  const detailSoort = (publication.IsCluster ? cluster.DetailSoort || unit.DetailSoort : unit.DetailSoort).trim();
  const doelgroep = publication.IsCluster ? cluster.Doelgroep || unit.Doelgroep : unit.Doelgroep;
  const netRent = publication.IsCluster
    ? cluster.PrijsMinBekend
      ? positiveOrNull(cluster.PrijsMin)
      : null
    : unit.NettoHuurBekend
      ? positiveOrNull(unit.NettoHuur)
      : null;
  const grossRent = !publication.IsCluster && unit.BrutoHuurBekend ? positiveOrNull(unit.Brutohuur) : null;
  const areaM2 = publication.IsCluster
    ? cluster.WoonOppervlakteMinBekend
      ? positiveOrNull(cluster.WoonVertrekkenTotOppMin)
      : null
    : (positiveOrNull(unit.WoonVertrekkenTotOpp) ?? positiveOrNull(unit.TotaleOppervlakte));
  const houseNumber = String(address.Huisnummer).trim();

  const candidate = {
    externalId: id,
    street: address.Straatnaam.trim(),
    houseNumber: houseNumber === "0" ? "" : houseNumber,
    houseNumberAddition: houseNumberAddition(address.Huisletter, address.HuisnummerToevoeging),
    postcode: normalizePostcode(address.Postcode),
    city: address.Woonplaats.trim(),
    municipality: null, // DAK names only the town; the catalogue maps towns to municipalities
    netRent,
    grossRent,
    bedrooms: bedroomsFromRooms(publication.IsCluster ? cluster.AantalKamersMin : unit.AantalKamers),
    areaM2,
    dwellingKind: dakDwellingKind(publication.EenheidSoort, detailSoort),
    dwellingTypeLabel: detailSoort || null,
    allocationModel: dakAllocationModel(publication.PublicatieModel),
    targetGroups: targetGroups(doelgroep, publication.PublicatieLabel),
    ...NO_STATED_LIMITS,
    registrationRequired: null,
    publishedAt: instant(site.id, publication.PublicatieDatum, `${path}.PublicatieDatum`),
    closesAt: instant(site.id, publication.EinddatumTijd, `${path}.EinddatumTijd`),
    sourceUrl: `${site.baseUrl}/HuisDetails?PublicatieId=${encodeURIComponent(id)}`,
    raw,
  };
  return validListing(site.id, "normalized DAK listing", candidate, path);
}

export function parseDakOffer(body: string, site: SiteTarget): NormalizedListing[] {
  const json = parseJsonBody(body, site.id, "DAK offer");
  const parsed = DakOfferResponse.safeParse(json);
  if (!parsed.success) throw schemaError(site.id, "DAK offer", parsed.error);
  const result = parsed.data.data.Result;
  if (result && !result.IsSuccess) {
    // The action answered but says it failed: its (empty) list is not the offer.
    throw new SiteUnavailableError(site.id, `DAK offer action failed: ${result.ErrorMessage || "no message"}`);
  }
  const rawItems = (json as { data: { PublicatieLijst: { List: unknown[] } } }).data.PublicatieLijst.List;
  return parsed.data.data.PublicatieLijst.List.map((publication, i) =>
    normalizeDakPublication(publication, rawItems[i], site, `data.PublicatieLijst.List.${i}`),
  );
}

export const dakAdapter: SiteAdapter<DakSettings> = {
  platform: "dak",
  needsBrowser: true,
  settingsSchema: DakSettings,

  async fetch(site: SiteTarget, ctx: FetchContext): Promise<FetchedPage[]> {
    readSettings(DakSettings, site, "dak");
    const waitMs = ctx.http.timeoutMs;
    const offerPage = `${site.baseUrl}/Woningaanbod`;
    try {
      return await ctx.browser.withPage(
        async (page) => {
          // Playwright takes no AbortSignal: closing the page makes every pending call reject.
          const onAbort = () => void page.close().catch(() => undefined);
          ctx.signal.addEventListener("abort", onAbort, { once: true });
          try {
            let captured = await captureOffer(
              page,
              site.id,
              () => page.goto(offerPage, { waitUntil: "commit", timeout: waitMs }),
              waitMs,
            );
            if (isEmptyOffer(captured.body)) {
              ctx.log.debug({ siteId: site.id }, "DAK answered an empty offer on first load; reloading once");
              captured = await captureOffer(
                page,
                site.id,
                () => page.reload({ waitUntil: "commit", timeout: waitMs }),
                waitMs,
              );
            }
            return [captured];
          } finally {
            ctx.signal.removeEventListener("abort", onAbort);
          }
        },
        { timeoutMs: 2 * waitMs + BROWSER_SLACK_MS, userAgent: ctx.http.userAgent },
      );
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (error instanceof SiteError) throw error;
      if (error instanceof BrowserTimeoutError) throw new SiteUnavailableError(site.id, error.message);
      throw error; // browser start-up and other local failures are not the site's health
    }
  },

  parse: parseDakOffer,
};
