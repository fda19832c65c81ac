// Messages for families, from translation files (domain/locales/<lang>.json), never by concatenating
// sentences in code. Short sentences at B1 level; dates in Europe/Amsterdam; money in Dutch style.
import { createRequire } from "node:module";
import i18next, { type TFunction } from "i18next";
import type { MatchReason } from "./matching.js";
import type { TapAction } from "./tokens.js";
import { formatAmsterdam, formatEuro } from "./time.js";

const require = createRequire(import.meta.url);
export const LANGUAGES = ["nl", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

const i18n = i18next.createInstance();
void i18n.init({
  initAsync: false,
  lng: "nl",
  fallbackLng: "nl",
  supportedLngs: [...LANGUAGES],
  resources: Object.fromEntries(
    LANGUAGES.map((l) => [l, { translation: require(`./locales/${l}.json`) as Record<string, unknown> }]),
  ),
  // We escape for HTML ourselves where HTML is produced; plain text must stay plain.
  interpolation: { escapeValue: false },
});

const LOCALE: Record<Language, string> = { nl: "nl-NL", en: "en-GB" };

export function languageOf(code: string | null | undefined): Language {
  return (LANGUAGES as readonly string[]).includes(code ?? "") ? (code as Language) : "nl";
}

export function translator(lang: string): { t: TFunction; lang: Language; locale: string } {
  const l = languageOf(lang);
  return { t: i18n.getFixedT(l), lang: l, locale: LOCALE[l] };
}

/** Renders a match/skip reason in the family's (or counsellor's) language. Money values get € style. */
export function renderReason(reason: MatchReason, lang: string): string {
  const { t, locale } = translator(lang);
  const values: Record<string, string | number> = { ...(reason.values ?? {}) };
  for (const k of ["rent", "max"]) {
    if (typeof values[k] === "number") values[k] = formatEuro(values[k] as number, locale);
  }
  return t(reason.key, values);
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

export function renderAlertEmail(a: AlertInput): RenderedMessage {
  const { t, locale, lang } = translator(a.language);
  const lines = {
    greeting: t("alert.greeting", { name: a.familyName }),
    intro: t("alert.intro"),
    rent: a.netRent !== null ? t("alert.rent", { rent: formatEuro(a.netRent, locale) }) : t("alert.rentUnknown"),
    bedrooms: a.bedrooms !== null ? t("alert.bedrooms", { count: a.bedrooms }) : t("alert.bedroomsUnknown"),
    closes: a.closesAt ? t("alert.closes", { when: formatAmsterdam(a.closesAt, locale) }) : t("alert.closesUnknown"),
    why: t("alert.why"),
    site: t("alert.siteAction", { site: a.siteName }),
    tellUs: t("alert.tellUs"),
    footer: t("alert.footer"),
  };
  const reasons = a.reasons.map((r) => renderReason(r, lang));
  const taps = (Object.keys(a.tapLinks) as TapAction[]).map((action) => ({
    label: t(`alert.tap.${action}`),
    url: a.tapLinks[action],
  }));
  const subject = t("alert.subject", { address: a.address, town: a.town });

  const text = [
    lines.greeting,
    "",
    lines.intro,
    `${a.address}, ${a.town}`,
    lines.rent,
    lines.bedrooms,
    lines.closes,
    ...(a.firstCome ? [t("alert.firstCome")] : []),
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
  const dir = lang === ("ar" as string) ? "rtl" : "ltr";
  const html = `<!doctype html><html lang="${lang}" dir="${dir}"><head><meta charset="utf-8"><title>${e(subject)}</title></head>
<body style="font-family:Arial,sans-serif;font-size:17px;line-height:1.5;color:#000;max-width:36em">
<p>${e(lines.greeting)}</p>
<p>${e(lines.intro)}</p>
<p><strong>${e(a.address)}, ${e(a.town)}</strong><br>${e(lines.rent)}<br>${e(lines.bedrooms)}<br><strong>${e(lines.closes)}</strong></p>
${a.firstCome ? `<p><strong>${e(t("alert.firstCome"))}</strong></p>` : ""}
<p>${e(lines.why)}</p>
<ul>${reasons.map((r) => `<li>${e(r)}</li>`).join("")}</ul>
<p>${e(lines.site)}<br><a href="${e(a.listingUrl)}">${e(a.listingUrl)}</a></p>
<p>${e(lines.tellUs)}</p>
<p>${taps
    .map(
      (tap) =>
        `<a href="${e(tap.url)}" style="display:inline-block;margin:0 8px 8px 0;padding:12px 16px;background:#004699;color:#fff;text-decoration:none;border-radius:4px">${e(tap.label)}</a>`,
    )
    .join("")}</p>
<p style="font-size:14px;color:#444">${e(lines.footer)}</p>
</body></html>`;
  return { subject, text, html };
}
