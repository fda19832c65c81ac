// Messages for families, from translation files through i18next, never by concatenating sentences
// in code. One file per language and namespace: domain/locales/<lang>/<ns>.json ("alert",
// "reason", "skip", "tap", and whatever other namespaces are present, e.g. "delivery"). Every file
// found is loaded, so a new namespace needs no change here.
// Short sentences at B1 level. Times always in Europe/Amsterdam with the 24-hour clock; dates and
// amounts in the language's own style (Dutch for Dutch).
import { readdirSync, readFileSync } from "node:fs";
import i18next, { type TFunction } from "i18next";
import type { MatchReason } from "./eligibility.js";
import { LANGUAGES_ALL } from "./family.js";
import type { TapAction } from "./tokens.js";
import { AMSTERDAM } from "./time.js";

export const LANGUAGES = LANGUAGES_ALL;
export type Language = (typeof LANGUAGES)[number];

const LOCALES_DIR = new URL("./locales/", import.meta.url);

/** Every <ns>.json of every language folder, read once at start-up. */
function loadResources(): { resources: Record<string, Record<string, Record<string, unknown>>>; namespaces: string[] } {
  const resources: Record<string, Record<string, Record<string, unknown>>> = {};
  const namespaces = new Set<string>();
  for (const lang of LANGUAGES) {
    resources[lang] = {};
    const dir = new URL(`${lang}/`, LOCALES_DIR);
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
      const ns = file.slice(0, -".json".length);
      resources[lang][ns] = JSON.parse(readFileSync(new URL(file, dir), "utf8")) as Record<string, unknown>;
      namespaces.add(ns);
    }
  }
  return { resources, namespaces: [...namespaces].sort() };
}

const { resources, namespaces } = loadResources();
export const NAMESPACES: readonly string[] = namespaces;

const i18n = i18next.createInstance();
void i18n.init({
  initAsync: false,
  lng: "nl",
  fallbackLng: "nl",
  supportedLngs: [...LANGUAGES],
  ns: namespaces,
  defaultNS: "alert",
  resources,
  // We escape for HTML ourselves where HTML is produced; plain text must stay plain.
  interpolation: { escapeValue: false },
  returnNull: false,
});

/** Intl locales: Arabic with Western digits, as Dutch letters, forms and phones show them. */
const LOCALE: Record<Language, string> = {
  nl: "nl-NL",
  en: "en-GB",
  ar: "ar-u-nu-latn",
  tr: "tr-TR",
  fr: "fr-FR",
  es: "es-ES",
  pt: "pt-PT",
};
const RTL = new Set<Language>(["ar"]);

export function languageOf(code: string | null | undefined): Language {
  return (LANGUAGES as readonly string[]).includes(code ?? "") ? (code as Language) : "nl";
}

export function textDirection(lang: string): "rtl" | "ltr" {
  return RTL.has(languageOf(lang)) ? "rtl" : "ltr";
}

/**
 * The translation function for a language. Keys are "<ns>:<key>" ("alert:subject",
 * "delivery:sms.alert"); with `ns` given, keys of that namespace need no prefix.
 */
export function translator(lang: string, ns?: string): { t: TFunction; lang: Language; locale: string; dir: "rtl" | "ltr" } {
  const l = languageOf(lang);
  return { t: i18n.getFixedT(l, ns ?? null), lang: l, locale: LOCALE[l], dir: textDirection(l) };
}

/** € 713,02 in Dutch; the amount style follows the language. */
export function formatMoney(amount: number, lang: string): string {
  return new Intl.NumberFormat(LOCALE[languageOf(lang)], { style: "currency", currency: "EUR" }).format(amount);
}

/** "donderdag 24 september 2026 om 20:00": always Amsterdam time, always the 24-hour clock. */
export function formatDateTime(d: Date, lang: string): string {
  return new Intl.DateTimeFormat(LOCALE[languageOf(lang)], {
    timeZone: AMSTERDAM,
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(d);
}

/** "24 september 2026" for a day ("2026-09-24") or an instant (its Amsterdam day). */
export function formatDay(day: string | Date, lang: string): string {
  const d = typeof day === "string" ? new Date(`${day}T12:00:00Z`) : day;
  return new Intl.DateTimeFormat(LOCALE[languageOf(lang)], { timeZone: AMSTERDAM, day: "numeric", month: "long", year: "numeric" }).format(d);
}

/** "20:00" in Amsterdam. */
export function formatTime(d: Date, lang: string): string {
  return new Intl.DateTimeFormat(LOCALE[languageOf(lang)], { timeZone: AMSTERDAM, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);
}

const MONEY_VALUES = new Set(["rent", "maxRent", "income"]);
const DAY_VALUES = new Set(["since", "published", "due"]);
/** Reasons stored before money values had their own names used "max" for a rent. */
const LEGACY_MONEY_MAX = new Set(["skip.too_expensive", "reason.rent_fits"]);

/** "reason.in_area" -> namespace "reason", key "in_area". Also accepts "reason:in_area". */
export function splitKey(key: string): { ns: string; key: string } {
  const colon = key.indexOf(":");
  if (colon > 0) return { ns: key.slice(0, colon), key: key.slice(colon + 1) };
  const dot = key.indexOf(".");
  return dot > 0 ? { ns: key.slice(0, dot), key: key.slice(dot + 1) } : { ns: "alert", key };
}

/** Renders a match/skip reason in the family's (or counsellor's) language. */
export function renderReason(reason: MatchReason, lang: string): string {
  const { t, lang: l } = translator(lang);
  const values: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(reason.values ?? {})) {
    if (k === "max" && typeof v === "number" && LEGACY_MONEY_MAX.has(reason.key)) values.maxRent ??= formatMoney(v, l);
    else if (typeof v === "number" && MONEY_VALUES.has(k)) values[k] = formatMoney(v, l);
    else if (typeof v === "string" && DAY_VALUES.has(k) && /^\d{4}-\d{2}-\d{2}$/.test(v)) values[k] = formatDay(v, l);
    else if (k === "group" && typeof v === "string") values[k] = t(`skip:group.${v}`, { defaultValue: v });
    else values[k] = v;
  }
  // Reasons stored before the eligibility engine named the bedroom count "bedrooms"; the plural
  // forms of the current texts need "count".
  if (values.count === undefined && typeof values.bedrooms === "number") values.count = values.bedrooms;
  const { ns, key } = splitKey(reason.key);
  return t(`${ns}:${key}`, values);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export interface AlertInput {
  language: string;
  familyName: string;
  address: string; // "Kalf 470"
  town: string;
  netRent: number | null;
  bedrooms: number | null;
  closesAt: Date | null;
  firstCome: boolean;
  siteName: string;
  listingUrl: string;
  reasons: MatchReason[];
  tapLinks: Record<TapAction, string>;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/** The order of the one-tap answers in every message. */
const TAP_ORDER: TapAction[] = ["responded", "not_for_us", "couldnt", "help"];

export function renderAlertEmail(a: AlertInput): RenderedMessage {
  const { t, lang, dir } = translator(a.language, "alert");
  const lines = {
    greeting: t("greeting", { name: a.familyName }),
    intro: t("intro"),
    rent: a.netRent !== null ? t("rent", { rent: formatMoney(a.netRent, lang) }) : t("rentUnknown"),
    bedrooms: a.bedrooms !== null ? t("bedrooms", { count: a.bedrooms }) : t("bedroomsUnknown"),
    closes: a.closesAt ? t("closes", { when: formatDateTime(a.closesAt, lang) }) : t("closesUnknown"),
    why: t("why"),
    site: t("siteAction", { site: a.siteName }),
    tellUs: t("tellUs"),
    footer: t("footer"),
  };
  const reasons = a.reasons.map((r) => renderReason(r, lang));
  const taps = TAP_ORDER.filter((action) => a.tapLinks[action]).map((action) => ({
    action,
    label: t(`tap.${action}`),
    url: a.tapLinks[action],
  }));
  const subject = t("subject", { address: a.address, town: a.town });

  const text = [
    lines.greeting,
    "",
    lines.intro,
    `${a.address}, ${a.town}`,
    lines.rent,
    lines.bedrooms,
    lines.closes,
    ...(a.firstCome ? [t("firstCome")] : []),
    "",
    lines.why,
    ...reasons.map((r) => `- ${r}`),
    "",
    lines.site,
    a.listingUrl,
    "",
    lines.tellUs,
    ...taps.map((tap) => `${tap.label}: ${tap.url}`),
    "",
    lines.footer,
  ].join("\n");

  const e = escapeHtml;
  // "Help me" looks different: it is not an answer about the home but a call for a person.
  const button = (tap: (typeof taps)[number]) =>
    `<a href="${e(tap.url)}" style="display:inline-block;margin:0 8px 8px 0;padding:12px 16px;background:${tap.action === "help" ? "#fff;color:#004699;border:2px solid #004699" : "#004699;color:#fff"};text-decoration:none;border-radius:4px">${e(tap.label)}</a>`;
  const html = `<!doctype html><html lang="${lang}" dir="${dir}"><head><meta charset="utf-8"><title>${e(subject)}</title></head>
<body style="font-family:Arial,sans-serif;font-size:17px;line-height:1.5;color:#000;max-width:36em">
<p>${e(lines.greeting)}</p>
<p>${e(lines.intro)}</p>
<p><strong><bdi>${e(a.address)}, ${e(a.town)}</bdi></strong><br>${e(lines.rent)}<br>${e(lines.bedrooms)}<br><strong>${e(lines.closes)}</strong></p>
${a.firstCome ? `<p><strong>${e(t("firstCome"))}</strong></p>` : ""}
<p>${e(lines.why)}</p>
<ul>${reasons.map((r) => `<li>${e(r)}</li>`).join("")}</ul>
<p>${e(lines.site)}<br><a href="${e(a.listingUrl)}" dir="ltr">${e(a.listingUrl)}</a></p>
<p>${e(lines.tellUs)}</p>
<p>${taps.map(button).join("")}</p>
<p style="font-size:14px;color:#444">${e(lines.footer)}</p>
</body></html>`;
  return { subject, text, html };
}
