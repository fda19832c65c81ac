import { describe, expect, it } from "vitest";
import type { MatchReason } from "../../domain/matching.js";
import { renderAlertEmail, renderReason } from "../../domain/messages.js";

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
  reasons: <MatchReason[]>[{ key: "reason.in_area", values: { place: "Zaanstad" } }, { key: "reason.rent_fits", values: { rent: 713.02, max: 900 } }],
  tapLinks: { responded: "https://x/r/a", not_for_us: "https://x/r/b", couldnt: "https://x/r/c" },
};

describe("alert e-mail", () => {
  it("names the home, the rent in Dutch style, the closing time in Amsterdam time, reasons and three taps (nl)", () => {
    const m = renderAlertEmail({ ...base, language: "nl" });
    expect(m.subject).toBe("Nieuwe woning voor u: Kalf 470, Zaandam");
    expect(m.text).toContain("€\u00a0713,02");
    // 21:59Z in September is 23:59 in Amsterdam (summer time).
    expect(m.text).toMatch(/28 september 2026 om 23:59/);
    expect(m.text).toContain("De woning is in Zaanstad, waar u zoekt.");
    expect(m.text).toContain("Ik heb gereageerd: https://x/r/a");
    expect(m.text).toContain("Deze woning past niet: https://x/r/b");
    expect(m.text).toContain("Het lukte niet: https://x/r/c");
    expect(m.html).toContain('href="https://amsterdam.mijndak.nl/HuisDetails?PublicatieId=372004"');
  });
  it("speaks English to an English-speaking family", () => {
    const m = renderAlertEmail({ ...base, language: "en" });
    expect(m.subject).toBe("A new home for you: Kalf 470, Zaandam");
    expect(m.text).toContain("I couldn't: https://x/r/c");
  });
  it("falls back to Dutch for a language without a translation yet", () => {
    expect(renderAlertEmail({ ...base, language: "tr" }).subject).toContain("Nieuwe woning");
  });
  it("escapes HTML in site-provided text", () => {
    const m = renderAlertEmail({ ...base, language: "nl", address: "<script>x</script> 1" });
    expect(m.html).not.toContain("<script>x");
  });
  it("renders a skip reason with money", () => {
    expect(renderReason({ key: "skip.too_expensive", values: { rent: 950, max: 900 } }, "nl")).toBe("De huur is te hoog: €\u00a0950,00, maximaal €\u00a0900,00.");
  });
});
