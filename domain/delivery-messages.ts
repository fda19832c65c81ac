// Texts of the delivery machinery: SMS and push alerts, the daily digest, reminders, the
// "get alerts on this phone" link and page. From the "delivery" namespace of the translation files
// (domain/locales/<lang>/delivery.json), whole sentences only; the answer buttons use the alert
// namespace's labels, so a family sees the same words in every message.
import { escapeHtml, formatDateTime, formatDay, formatMoney, translator, type RenderedMessage } from "./messages.js";
import type { TapAction } from "./tokens.js";
import { AMSTERDAM } from "./time.js";

/** What a push notification shows (web/public/sw.js). Small: push services take about 4 KB. */
export interface PushMessage {
  title: string;
  body: string;
  /** Opened when the family taps the notification. */
  url: string;
  /** A later notification with the same tag replaces this one on the phone. */
  tag: string;
  lang: string;
  dir: "ltr" | "rtl";
}

/** One home as the family's messages show it. */
export interface HomeFacts {
  address: string; // "Kalf 470"
  town: string;
  netRent: number | null;
  bedrooms: number | null;
  closesAt: Date | null;
  firstCome: boolean;
  siteName: string;
  listingUrl: string;
  /** One-tap answers, in e-mails only (tokens are too long for SMS). */
  tapLinks?: Partial<Record<TapAction, string>>;
}

const TAP_ORDER: TapAction[] = ["responded", "not_for_us", "couldnt", "help"];

/** "do 24 sep 20:00": short enough for an SMS, always Amsterdam time and the 24-hour clock. */
export function formatShortDateTime(d: Date, lang: string): string {
  const { locale } = translator(lang);
  return new Intl.DateTimeFormat(locale, { timeZone: AMSTERDAM, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);
}

const joinSentences = (parts: (string | false | null | undefined)[]) => parts.filter(Boolean).join(" ");

/**
 * Plain spaces in SMS: Intl's no-break spaces (in "€ 745,00", French "20 h") are not in the GSM
 * 7-bit alphabet and would turn a whole Dutch SMS into unicode, at 70 instead of 160 characters a part.
 */
const smsText = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

function homeLines(lang: string, h: HomeFacts): string[] {
  const { t } = translator(lang, "delivery");
  return [
    h.netRent !== null ? t("rent", { rent: formatMoney(h.netRent, lang) }) : t("rentUnknown"),
    h.bedrooms !== null ? t("bedrooms", { count: h.bedrooms }) : t("bedroomsUnknown"),
    h.closesAt ? t("closes", { when: formatDateTime(h.closesAt, lang) }) : t("closesUnknown"),
  ];
}

function taps(lang: string, links: Partial<Record<TapAction, string>> | undefined): { action: TapAction; label: string; url: string }[] {
  const { t } = translator(lang);
  return TAP_ORDER.filter((a) => links?.[a]).map((action) => ({ action, label: t(`alert:tap.${action}`), url: links![action]! }));
}

function tapButtonsHtml(list: ReturnType<typeof taps>): string {
  const e = escapeHtml;
  return list
    .map(
      (tap) =>
        `<a href="${e(tap.url)}" style="display:inline-block;margin:0 8px 8px 0;padding:12px 16px;background:${tap.action === "help" ? "#fff;color:#004699;border:2px solid #004699" : "#004699;color:#fff"};text-decoration:none;border-radius:4px">${e(tap.label)}</a>`,
    )
    .join("");
}

function htmlPage(lang: string, dir: string, subject: string, body: string): string {
  return `<!doctype html><html lang="${lang}" dir="${dir}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Arial,sans-serif;font-size:17px;line-height:1.5;color:#000;max-width:36em">
${body}
</body></html>`;
}

// ---------------------------------------------------------------------------------------------
// Alerts on SMS and push (the alert e-mail itself is domain/messages.ts's renderAlertEmail).

export function renderAlertSms(lang: string, h: HomeFacts, opts: { hasEmail: boolean }): string {
  const { t } = translator(lang, "delivery");
  return smsText(joinSentences([
    h.closesAt ? t("sms.alert", { address: h.address, town: h.town, when: formatShortDateTime(h.closesAt, lang) }) : t("sms.alertNoDate", { address: h.address, town: h.town }),
    h.netRent !== null && t("sms.rent", { rent: formatMoney(h.netRent, lang) }),
    h.firstCome && t("sms.firstCome"),
    opts.hasEmail && t("sms.seeEmail"),
    h.listingUrl,
  ]));
}

export function renderAlertPush(lang: string, h: HomeFacts, tag: string): PushMessage {
  const { t, dir, lang: l } = translator(lang, "delivery");
  return {
    title: t("push.alertTitle", { address: h.address, town: h.town }),
    body: joinSentences([h.closesAt ? t("push.alertBody", { when: formatShortDateTime(h.closesAt, lang) }) : t("push.alertBodyNoDate"), h.firstCome && t("push.firstCome")]),
    url: h.listingUrl,
    tag,
    lang: l,
    dir,
  };
}

/**
 * Adds "Get alerts on this phone" with its link to an e-mail, as the last paragraph before the
 * footer's end. The e-mail's own renderer stays untouched.
 */
export function withPushLink(message: RenderedMessage, lang: string, url: string): RenderedMessage {
  const { t } = translator(lang, "delivery");
  const e = escapeHtml;
  const para = `<p style="font-size:15px">${e(t("pushLink.intro"))}<br><a href="${e(url)}">${e(t("pushLink.button"))}</a></p>`;
  const html = message.html.includes("</body>") ? message.html.replace("</body>", `${para}\n</body>`) : `${message.html}\n${para}`;
  return { subject: message.subject, text: `${message.text}\n\n${t("pushLink.intro")}\n${url}`, html };
}

// ---------------------------------------------------------------------------------------------
// The daily digest (waiting-time and lottery homes, and homes over the daily cap or after a pause).

export function renderDigestEmail(lang: string, familyName: string, homes: HomeFacts[]): RenderedMessage {
  const { t, dir, lang: l } = translator(lang, "delivery");
  const subject = t("digest.subject", { count: homes.length });
  const e = escapeHtml;
  const text: string[] = [t("greeting", { name: familyName }), "", t("digest.intro"), ""];
  const html: string[] = [`<p>${e(t("greeting", { name: familyName }))}</p>`, `<p>${e(t("digest.intro"))}</p>`];
  homes.forEach((h, i) => {
    const heading = t("digest.home", { number: i + 1, count: homes.length });
    const lines = homeLines(lang, h);
    const tapList = taps(lang, h.tapLinks);
    text.push(
      `${heading}: ${h.address}, ${h.town}`,
      ...lines,
      t("siteAction", { site: h.siteName }),
      h.listingUrl,
      ...(tapList.length ? [t("tellUs"), ...tapList.map((tap) => `${tap.label}: ${tap.url}`)] : []),
      "",
    );
    html.push(
      `<hr><p>${e(heading)}<br><strong><bdi>${e(h.address)}, ${e(h.town)}</bdi></strong><br>${lines.map(e).join("<br>")}</p>`,
      `<p>${e(t("siteAction", { site: h.siteName }))}<br><a href="${e(h.listingUrl)}" dir="ltr">${e(h.listingUrl)}</a></p>`,
      ...(tapList.length ? [`<p>${e(t("tellUs"))}</p><p>${tapButtonsHtml(tapList)}</p>`] : []),
    );
  });
  text.push(t("footer"));
  html.push(`<p style="font-size:14px;color:#444">${e(t("footer"))}</p>`);
  return { subject, text: text.join("\n"), html: htmlPage(l, dir, subject, html.join("\n")) };
}

/** At most this many homes are listed in a digest SMS; the rest are counted. */
export const SMS_DIGEST_MAX_HOMES = 3;

export function renderDigestSms(lang: string, homes: HomeFacts[], opts: { hasEmail: boolean }): string {
  const { t } = translator(lang, "delivery");
  if (opts.hasEmail) return smsText(joinSentences([t("sms.digest", { count: homes.length }), t("sms.digestSeeEmail")]));
  const shown = homes.slice(0, SMS_DIGEST_MAX_HOMES);
  return smsText([
    t("sms.digest", { count: homes.length }),
    ...shown.map((h) => `${h.address}, ${h.town}${h.closesAt ? ` (${formatShortDateTime(h.closesAt, lang)})` : ""}: ${h.listingUrl}`),
    ...(homes.length > shown.length ? [t("sms.more", { count: homes.length - shown.length })] : []),
  ].join("\n"));
}

export function renderDigestPush(lang: string, homes: HomeFacts[], tag: string, url: string): PushMessage {
  const { t, dir, lang: l } = translator(lang, "delivery");
  return {
    title: t("push.digestTitle", { count: homes.length }),
    body: homes.slice(0, 4).map((h) => `${h.address}, ${h.town}`).join("\n"),
    url,
    tag,
    lang: l,
    dir,
  };
}

// ---------------------------------------------------------------------------------------------
// Reminders.

export function renderDeadlineReminderEmail(lang: string, familyName: string, h: HomeFacts & { closesAt: Date }): RenderedMessage {
  const { t, dir, lang: l } = translator(lang, "delivery");
  const when = formatDateTime(h.closesAt, lang);
  const subject = t("reminder.deadline.subject", { when: formatShortDateTime(h.closesAt, lang), address: h.address, town: h.town });
  const tapList = taps(lang, h.tapLinks);
  const done = t("reminder.deadline.done", { button: translator(lang).t("alert:tap.responded") });
  const e = escapeHtml;
  const text = [
    t("greeting", { name: familyName }),
    "",
    t("reminder.deadline.intro", { when }),
    `${h.address}, ${h.town}`,
    ...homeLines(lang, h).slice(0, 2),
    "",
    t("siteAction", { site: h.siteName }),
    h.listingUrl,
    "",
    done,
    ...tapList.map((tap) => `${tap.label}: ${tap.url}`),
    "",
    t("footer"),
  ].join("\n");
  const html = htmlPage(
    l,
    dir,
    subject,
    [
      `<p>${e(t("greeting", { name: familyName }))}</p>`,
      `<p><strong>${e(t("reminder.deadline.intro", { when }))}</strong></p>`,
      `<p><strong><bdi>${e(h.address)}, ${e(h.town)}</bdi></strong><br>${homeLines(lang, h).slice(0, 2).map(e).join("<br>")}</p>`,
      `<p>${e(t("siteAction", { site: h.siteName }))}<br><a href="${e(h.listingUrl)}" dir="ltr">${e(h.listingUrl)}</a></p>`,
      `<p>${e(done)}</p><p>${tapButtonsHtml(tapList)}</p>`,
      `<p style="font-size:14px;color:#444">${e(t("footer"))}</p>`,
    ].join("\n"),
  );
  return { subject, text, html };
}

export function renderDeadlineReminderSms(lang: string, h: HomeFacts & { closesAt: Date }): string {
  const { t } = translator(lang, "delivery");
  return smsText(joinSentences([t("sms.reminderDeadline", { when: formatShortDateTime(h.closesAt, lang), address: h.address, town: h.town }), h.listingUrl]));
}

export function renderDeadlineReminderPush(lang: string, h: HomeFacts & { closesAt: Date }, tag: string): PushMessage {
  const { t, dir, lang: l } = translator(lang, "delivery");
  return {
    title: t("push.reminderTitle", { address: h.address, town: h.town }),
    body: t("push.reminderBody", { when: formatShortDateTime(h.closesAt, lang) }),
    url: h.listingUrl,
    tag,
    lang: l,
    dir,
  };
}

export interface SearchPointsFacts {
  count: number;
  missing: number;
  /** The last day of the month, "2026-11-30". */
  lastDay: string;
  siteUrl: string;
}

export function renderSearchPointsReminderEmail(lang: string, familyName: string, f: SearchPointsFacts): RenderedMessage {
  const { t, dir, lang: l } = translator(lang, "delivery");
  const day = formatDay(f.lastDay, lang);
  const subject = t("reminder.searchPoints.subject", { missing: f.missing });
  const lines = [t("reminder.searchPoints.count", { count: f.count }), t("reminder.searchPoints.why"), t("reminder.searchPoints.action", { missing: f.missing, day })];
  const e = escapeHtml;
  const text = [t("greeting", { name: familyName }), "", ...lines, "", t("reminder.searchPoints.site"), f.siteUrl, "", t("footer")].join("\n");
  const html = htmlPage(
    l,
    dir,
    subject,
    [
      `<p>${e(t("greeting", { name: familyName }))}</p>`,
      ...lines.map((line) => `<p>${e(line)}</p>`),
      `<p>${e(t("reminder.searchPoints.site"))}<br><a href="${e(f.siteUrl)}" dir="ltr">${e(f.siteUrl)}</a></p>`,
      `<p style="font-size:14px;color:#444">${e(t("footer"))}</p>`,
    ].join("\n"),
  );
  return { subject, text, html };
}

export function renderSearchPointsReminderSms(lang: string, f: SearchPointsFacts): string {
  const { t } = translator(lang, "delivery");
  return smsText(joinSentences([t("sms.reminderSearchPoints", { count: f.count, missing: f.missing, day: formatDay(f.lastDay, lang) }), f.siteUrl]));
}

export function renderSearchPointsReminderPush(lang: string, f: SearchPointsFacts, tag: string): PushMessage {
  const { t, dir, lang: l } = translator(lang, "delivery");
  return { title: t("push.searchPointsTitle", { missing: f.missing }), body: t("push.searchPointsBody", { count: f.count }), url: f.siteUrl, tag, lang: l, dir };
}

export interface RenewalFacts {
  siteName: string;
  /** The renewal day, "2026-03-02". */
  day: string;
  siteUrl: string;
}

export function renderRenewalReminderEmail(lang: string, familyName: string, f: RenewalFacts): RenderedMessage {
  const { t, dir, lang: l } = translator(lang, "delivery");
  const day = formatDay(f.day, lang);
  const subject = t("reminder.renewal.subject", { site: f.siteName, day });
  const lines = [t("reminder.renewal.intro", { site: f.siteName, day }), t("reminder.renewal.why")];
  const e = escapeHtml;
  const text = [t("greeting", { name: familyName }), "", ...lines, "", t("reminder.renewal.site", { site: f.siteName }), f.siteUrl, "", t("reminder.renewal.help"), "", t("footer")].join("\n");
  const html = htmlPage(
    l,
    dir,
    subject,
    [
      `<p>${e(t("greeting", { name: familyName }))}</p>`,
      ...lines.map((line) => `<p>${e(line)}</p>`),
      `<p>${e(t("reminder.renewal.site", { site: f.siteName }))}<br><a href="${e(f.siteUrl)}" dir="ltr">${e(f.siteUrl)}</a></p>`,
      `<p>${e(t("reminder.renewal.help"))}</p>`,
      `<p style="font-size:14px;color:#444">${e(t("footer"))}</p>`,
    ].join("\n"),
  );
  return { subject, text, html };
}

export function renderRenewalReminderSms(lang: string, f: RenewalFacts): string {
  const { t } = translator(lang, "delivery");
  return smsText(joinSentences([t("sms.reminderRenewal", { site: f.siteName, day: formatDay(f.day, lang) }), f.siteUrl]));
}

export function renderRenewalReminderPush(lang: string, f: RenewalFacts, tag: string): PushMessage {
  const { t, dir, lang: l } = translator(lang, "delivery");
  return { title: t("push.renewalTitle", { site: f.siteName }), body: t("push.renewalBody", { day: formatDay(f.day, lang) }), url: f.siteUrl, tag, lang: l, dir };
}

// ---------------------------------------------------------------------------------------------
// The "get alerts on this phone" page (web/public/push.html), in the family's language.

export const PUSH_PAGE_KEYS = ["title", "intro", "button", "working", "done", "denied", "unsupported", "expired", "invalid", "error"] as const;

export function pushPageTexts(lang: string): { lang: string; dir: "ltr" | "rtl"; texts: Record<(typeof PUSH_PAGE_KEYS)[number], string> } {
  const { t, dir, lang: l } = translator(lang, "delivery");
  return { lang: l, dir, texts: Object.fromEntries(PUSH_PAGE_KEYS.map((k) => [k, t(`page.${k}`)])) as Record<(typeof PUSH_PAGE_KEYS)[number], string> };
}
