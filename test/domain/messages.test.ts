import { describe, expect, it } from "vitest";
import type { MatchReason } from "../../domain/eligibility.js";
import { formatDateTime, formatMoney, LANGUAGES, renderAlertEmail, renderReason, translator } from "../../domain/messages.js";

const base = {
  familyName: "Amina",
  address: "Kalf 470",
  town: "Zaandam",
  netRent: 713.02,
  bedrooms: 2,
  closesAt: new Date("2026-09-28T21:59:00Z"),
  firstCome: false,
  siteName: "WoningNet Stadsregio Amsterdam",
  listingUrl: "https://amsterdam.mijndak.nl/HuisDetails?PublicatieId=372004",
  reasons: <MatchReason[]>[
    { key: "reason.in_area", values: { place: "Zaanstad" } },
    { key: "reason.bedrooms_fit", values: { count: 2, needed: 2 } },
    { key: "reason.rent_fits", values: { rent: 713.02, maxRent: 900 } },
    { key: "reason.registered", values: { site: "WoningNet", since: "2025-03-01" } },
  ],
  tapLinks: { responded: "https://x/r/a", not_for_us: "https://x/r/b", couldnt: "https://x/r/c", help: "https://x/r/d" },
};

describe("alert e-mail", () => {
  it("names the home, the rent in Dutch style, the closing time in Amsterdam time, reasons and four taps (nl)", () => {
    const m = renderAlertEmail({ ...base, language: "nl" });
    expect(m.subject).toBe("Nieuwe woning voor u: Kalf 470, Zaandam");
    expect(m.text).toContain("€\u00a0713,02");
    // 21:59Z in September is 23:59 in Amsterdam (summer time).
    expect(m.text).toMatch(/maandag 28 september 2026 om 23:59/);
    expect(m.text).toContain("De woning is in Zaanstad, waar u zoekt.");
    expect(m.text).toContain("Er zijn 2 slaapkamers. Uw gezin heeft er 2 nodig.");
    expect(m.text).toContain("U staat sinds 1 maart 2025 ingeschreven bij WoningNet.");
    expect(m.text).toContain("Ik heb gereageerd: https://x/r/a");
    expect(m.text).toContain("Deze woning past niet: https://x/r/b");
    expect(m.text).toContain("Het lukte niet: https://x/r/c");
    expect(m.text).toContain("Help mij: https://x/r/d");
    // "Couldn't" stands right next to "not suitable", in that order, before "help".
    expect(m.text.indexOf("https://x/r/a")).toBeLessThan(m.text.indexOf("https://x/r/b"));
    expect(m.text.indexOf("https://x/r/c")).toBeLessThan(m.text.indexOf("https://x/r/d"));
    expect(m.html).toContain('href="https://amsterdam.mijndak.nl/HuisDetails?PublicatieId=372004"');
    expect(m.html).toContain('<html lang="nl" dir="ltr">');
  });

  it("speaks English to an English-speaking family", () => {
    const m = renderAlertEmail({ ...base, language: "en" });
    expect(m.subject).toBe("A new home for you: Kalf 470, Zaandam");
    expect(m.text).toContain("I couldn't: https://x/r/c");
    expect(m.text).toContain("Not suitable: https://x/r/b");
    expect(m.text).toContain("Help me: https://x/r/d");
    expect(m.text).toMatch(/Monday,? 28 September 2026 at 23:59/);
  });

  it.each([
    ["ar", "بيت جديد لك: Kalf 470، Zaandam", "ساعدني", "713.02"],
    ["tr", "Sizin için yeni bir ev: Kalf 470, Zaandam", "Bana yardım edin", "713,02"],
    ["fr", "Un nouveau logement pour vous : Kalf 470, Zaandam", "Aidez-moi", "713,02\u00a0€"],
    ["es", "Una vivienda nueva para usted: Kalf 470, Zaandam", "Ayúdenme", "713,02\u00a0€"],
    ["pt", "Uma casa nova para a sua família: Kalf 470, Zaandam", "Ajudem-me", "713,02\u00a0€"],
  ])("renders a whole alert in %s: subject, taps, money, Amsterdam time, no untranslated keys", (lang, subject, help, money) => {
    const m = renderAlertEmail({ ...base, language: lang });
    expect(m.subject).toBe(subject);
    expect(m.text).toContain(`${help}: https://x/r/d`);
    expect(m.text).toContain(money);
    expect(m.text).toContain("23:59");
    expect(m.text).not.toMatch(/\{\{|\b(alert|reason|skip|tap)[.:][a-z_]+/);
    // Nothing fell back to Dutch.
    expect(m.text).not.toMatch(/Huur:|Reageer|slaapkamer/);
    expect(m.html).toContain(`<html lang="${lang}" dir="${lang === "ar" ? "rtl" : "ltr"}">`);
  });

  it("writes Arabic right to left, keeping the Latin address and link readable", () => {
    const m = renderAlertEmail({ ...base, language: "ar" });
    expect(m.html).toContain('dir="rtl"');
    expect(m.html).toContain("<bdi>Kalf 470, Zaandam</bdi>");
    expect(m.html).toContain('dir="ltr">https://amsterdam.mijndak.nl');
    expect(m.text).toContain("البيت في Zaanstad، حيث تبحث.");
  });

  it("falls back to Dutch for a language we do not have", () => {
    expect(renderAlertEmail({ ...base, language: "de" }).subject).toContain("Nieuwe woning");
  });

  it("escapes HTML in site-provided text", () => {
    const m = renderAlertEmail({ ...base, language: "nl", address: "<script>x</script> 1" });
    expect(m.html).not.toContain("<script>x");
  });
});

describe("reasons", () => {
  it("renders a skip reason with money", () => {
    expect(renderReason({ key: "skip.too_expensive", values: { rent: 950, maxRent: 900 } }, "nl")).toBe("De huur is te hoog: €\u00a0950,00, maximaal €\u00a0900,00.");
  });
  it("still renders reasons stored before money values had their own names", () => {
    expect(renderReason({ key: "skip.too_expensive", values: { rent: 950, max: 900 } }, "nl")).toBe("De huur is te hoog: €\u00a0950,00, maximaal €\u00a0900,00.");
  });
  it("does not take household sizes for money", () => {
    expect(renderReason({ key: "skip.household_too_large", values: { count: 5, max: 4 } }, "nl")).toBe("Het gezin is te groot: 5 personen, maximaal 4.");
  });
  it("names target groups in the reader's language", () => {
    expect(renderReason({ key: "skip.target_group", values: { group: "senior_55_plus" } }, "en")).toBe("This home is only for people aged 55 or older.");
  });
  it("writes registration dates as dates", () => {
    expect(renderReason({ key: "skip.lottery_registered_after", values: { site: "Thuis in de Achterhoek", since: "2026-09-24", published: "2026-09-23" } }, "nl")).toBe(
      "Bij Thuis in de Achterhoek doen bij loting alleen mensen mee die al ingeschreven waren toen de advertentie verscheen (23 september 2026). Het gezin staat ingeschreven sinds 24 september 2026.",
    );
  });
  it("renders every reason and skip key the engine can produce in every language", () => {
    const keys = [
      ...["in_area", "care_region", "bedrooms_fit", "bedrooms_unknown", "income_fits", "income_check", "age_min_check", "age_max_check", "rent_fits", "rent_unknown", "passend_fits", "passend_check", "wheelchair_ok", "wheelchair_unknown", "ground_floor", "lift", "access_unknown", "registered", "renewal_overdue", "register_first", "first_come", "lottery"].map((k) => `reason.${k}`),
      ...["closed", "home_swap", "not_a_home", "kind_not_wanted", "outside_area", "excluded_area", "outside_care_region", "target_group", "age_min", "age_max", "household_too_small", "household_too_large", "too_few_bedrooms", "income_too_low", "income_too_high", "too_expensive", "passend_too_expensive", "not_wheelchair", "stairs_no_lift", "lottery_not_registered", "lottery_registered_after"].map((k) => `skip.${k}`),
    ];
    const values = { place: "Delft", count: 3, needed: 2, min: 2, max: 4, rent: 700, maxRent: 764.14, income: 30000, year: 2026, site: "Woonnet", since: "2025-01-01", due: "2026-01-01", published: "2026-09-23", kind: "Flat", group: "youth", floor: 2 };
    for (const lang of LANGUAGES) {
      for (const key of keys) {
        const text = renderReason({ key, values }, lang);
        expect(text, `${lang} ${key}`).not.toMatch(/\{\{|^(reason|skip)\./);
        expect(text.length, `${lang} ${key}`).toBeGreaterThan(5);
      }
    }
  });
});

describe("plurals through i18next's plural rules", () => {
  it("Arabic has six forms", () => {
    const texts = [0, 1, 2, 3, 11, 100].map((count) => renderReason({ key: "reason.bedrooms_fit", values: { count, needed: 2 } }, "ar"));
    expect(new Set(texts).size).toBe(6);
    expect(texts[1]).toContain("غرفة نوم واحدة");
    expect(texts[2]).toContain("غرفتا نوم");
    expect(texts[3]).toContain("3 غرف نوم");
    expect(texts[4]).toContain("11 غرفة نوم");
    expect(renderReason({ key: "skip.household_too_small", values: { count: 2, min: 3 } }, "ar")).toContain("شخصان");
  });
  it.each([
    ["nl", 1, "Er is 1 slaapkamer."],
    ["nl", 3, "Er zijn 3 slaapkamers."],
    ["en", 1, "It has 1 bedroom."],
    ["fr", 2, "Il y a 2 chambres."],
    ["es", 1, "Tiene 1 dormitorio."],
    ["pt", 4, "Tem 4 quartos."],
  ])("%s, %i", (lang, count, start) => {
    expect(renderReason({ key: "reason.bedrooms_fit", values: { count, needed: 1 } }, lang).startsWith(start)).toBe(true);
  });
});

describe("dates and money", () => {
  it("always show Amsterdam time on the 24-hour clock, in every language", () => {
    const winter = new Date("2026-12-01T19:00:00Z"); // 20:00 in Amsterdam (winter time)
    for (const lang of LANGUAGES) {
      expect(formatDateTime(winter, lang), lang).toMatch(/20[:.]00/);
      // No 12-hour clock: no AM/PM, nor the Arabic ص/م after the time.
      expect(formatDateTime(winter, lang), lang).not.toMatch(/AM|PM|[صم]$/);
    }
  });
  it("formats money Dutch style in Dutch", () => {
    expect(formatMoney(1228.07, "nl")).toBe("€\u00a01.228,07");
  });
  it("gives a translator bound to a namespace", () => {
    expect(translator("tr", "tap").t("button.help")).toBe("Evet, yardım istiyorum");
    expect(translator("en").t("tap:button.help")).toBe("Yes, I want help");
  });
  it("renders a reason stored by the first matching version (bedrooms, not count)", () => {
    expect(renderReason({ key: "reason.bedrooms_fit", values: { bedrooms: 2, needed: 2 } }, "nl")).toBe("Er zijn 2 slaapkamers. Uw gezin heeft er 2 nodig.");
  });
});
