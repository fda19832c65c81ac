// The delivery texts in all seven languages: every key translated (no raw keys, no leftover
// {{placeholders}}), Arabic right to left, Amsterdam time with the 24-hour clock, SMS short
// enough for MessageBird, push payloads small enough for push services.
import { describe, expect, it } from "vitest";
import {
  pushPageTexts,
  renderAlertPush,
  renderAlertSms,
  renderDeadlineReminderEmail,
  renderDeadlineReminderPush,
  renderDeadlineReminderSms,
  renderDigestEmail,
  renderDigestPush,
  renderDigestSms,
  renderRenewalReminderEmail,
  renderRenewalReminderSms,
  renderSearchPointsReminderEmail,
  renderSearchPointsReminderSms,
  withPushLink,
  type HomeFacts,
} from "../../../domain/delivery-messages.js";
import { LANGUAGES } from "../../../domain/messages.js";
import { SMS_MAX_CHARS } from "../../../workers/channels/sms.js";

const home: HomeFacts & { closesAt: Date } = {
  address: "Jan Willem Frisostraat 52",
  town: "Delft",
  netRent: 745,
  bedrooms: 3,
  closesAt: new Date("2026-09-24T18:00:00Z"), // 20:00 in Amsterdam
  firstCome: true,
  siteName: "Woonnet Haaglanden",
  listingUrl: "https://www.woonnet-haaglanden.nl/aanbod/te-huur/details/52-jan-willem-frisostraat-delft",
  tapLinks: { responded: "http://x/r/1", not_for_us: "http://x/r/2", couldnt: "http://x/r/3", help: "http://x/r/4" },
};
const many = Array.from({ length: 8 }, (_, i) => ({ ...home, address: `Kalf ${470 + i}` }));
const searchPoints = { count: 1, missing: 3, lastDay: "2026-11-30", siteUrl: "https://amsterdam.mijndak.nl" };
const renewal = { siteName: "Thuis in Limburg", day: "2026-03-02", siteUrl: "https://www.thuisinlimburg.nl" };

function allTexts(lang: string): string[] {
  const out: string[] = [];
  const mail = (m: { subject: string; text: string; html: string }) => out.push(m.subject, m.text, m.html);
  out.push(renderAlertSms(lang, home, { hasEmail: true }), renderAlertSms(lang, { ...home, closesAt: null, netRent: null } as unknown as HomeFacts, { hasEmail: false }));
  const p = renderAlertPush(lang, home, "home-1");
  out.push(p.title, p.body);
  mail(renderDigestEmail(lang, "Amina", many));
  out.push(renderDigestSms(lang, many, { hasEmail: true }), renderDigestSms(lang, many, { hasEmail: false }));
  const dp = renderDigestPush(lang, many, "digest-1", home.listingUrl);
  out.push(dp.title, dp.body);
  mail(renderDeadlineReminderEmail(lang, "Amina", home));
  out.push(renderDeadlineReminderSms(lang, home), renderDeadlineReminderPush(lang, home, "home-1").title);
  mail(renderSearchPointsReminderEmail(lang, "Amina", searchPoints));
  out.push(renderSearchPointsReminderSms(lang, searchPoints));
  mail(renderRenewalReminderEmail(lang, "Amina", renewal));
  out.push(renderRenewalReminderSms(lang, renewal));
  mail(withPushLink({ subject: "s", text: "t", html: "<html><body><p>x</p></body></html>" }, lang, "http://x/push.html#t=abc"));
  out.push(...Object.values(pushPageTexts(lang).texts));
  return out;
}

describe("delivery texts", () => {
  it.each([...LANGUAGES])("are complete in %s", (lang) => {
    for (const text of allTexts(lang)) {
      expect(text).not.toMatch(/\{\{|\}\}/);
      expect(text).not.toMatch(/\b(delivery|alert):[a-z]/);
      expect(text).not.toMatch(/(?<![/\w])(sms|push|digest|reminder|page)\.[a-zA-Z]+\b/);
    }
  });

  it.each([...LANGUAGES])("keep SMS within the provider's limit and push payloads small in %s", (lang) => {
    for (const sms of [renderAlertSms(lang, home, { hasEmail: false }), renderDigestSms(lang, many, { hasEmail: false }), renderDeadlineReminderSms(lang, home), renderSearchPointsReminderSms(lang, searchPoints), renderRenewalReminderSms(lang, renewal)]) {
      expect(sms.length).toBeLessThanOrEqual(SMS_MAX_CHARS);
      // Unicode SMS (Arabic, Turkish letters) are 67 characters a part: stay within 8 parts.
      expect(sms.length).toBeLessThanOrEqual(8 * 67);
    }
    expect(Buffer.byteLength(JSON.stringify(renderDigestPush(lang, many, "digest-1", home.listingUrl)))).toBeLessThan(3000);
  });

  it("say the time in Amsterdam with the 24-hour clock, in Dutch style for Dutch", () => {
    expect(renderAlertSms("nl", home, { hasEmail: true })).toBe(
      "Eldersthuis: een nieuwe woning voor u: Jan Willem Frisostraat 52, Delft. Reageer voor do 24 sep, 20:00. Huur € 745,00. Wees snel: wie het eerst reageert, maakt kans. Meer in uw e-mail. https://www.woonnet-haaglanden.nl/aanbod/te-huur/details/52-jan-willem-frisostraat-delft",
    );
    expect(renderAlertSms("en", home, { hasEmail: false })).toContain("Respond before Thu 24 Sept, 20:00.");
    expect(renderDeadlineReminderEmail("nl", "Amina", home).text).toContain("U kunt nog reageren tot donderdag 24 september 2026 om 20:00.");
  });

  it("write Arabic right to left, with Western digits", () => {
    const mail = renderDigestEmail("ar", "Amina", many);
    expect(mail.html).toContain('<html lang="ar" dir="rtl">');
    expect(renderAlertPush("ar", home, "home-1").dir).toBe("rtl");
    expect(pushPageTexts("ar").dir).toBe("rtl");
    expect(renderDeadlineReminderSms("ar", home)).toMatch(/24.*20:00/);
  });

  it("list the one-tap answers in e-mails, 'couldn't' next to 'not suitable', and the same words as the alert", () => {
    const text = renderDigestEmail("en", "Amina", [home]).text;
    expect(text).toContain("I responded: http://x/r/1\nNot suitable: http://x/r/2\nI couldn't: http://x/r/3\nHelp me: http://x/r/4");
    expect(renderDeadlineReminderEmail("en", "Amina", home).text).toContain('Did you already respond? Then tap "I responded".');
  });

  it("name only three homes in an SMS digest without e-mail, and count the rest", () => {
    const sms = renderDigestSms("nl", many, { hasEmail: false });
    expect(sms.split("\n")).toHaveLength(5);
    expect(sms).toContain("En nog 5.");
  });
});
