// The helpers every adapter shares: word lists, drift messages with paths, links on the site.
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { SiteSchemaError } from "../../../workers/sites/errors.js";
import {
  allocationModelFromWords,
  dwellingKindFromLabel,
  parseJsonBody,
  positiveOrNull,
  readSettings,
  schemaError,
  siteUrl,
  splitAddressLine,
  targetGroupFromWords,
  validListing,
} from "../../../workers/sites/normalize.js";

const site = { id: "s", baseUrl: "http://127.0.0.1:4010/s/woonmatch-kop-van-nh", settings: {} };

describe("shared adapter helpers", () => {
  it("names the path of the first zod issue, after a prefix", () => {
    const result = z.object({ a: z.array(z.object({ b: z.string() })) }).safeParse({ a: [{ b: "x" }, { b: 1 }] });
    expect(result.success).toBe(false);
    const error = schemaError("site-1", "thing", result.error!, ["data"]);
    expect(error).toBeInstanceOf(SiteSchemaError);
    expect(error.message).toMatch(/^site-1: thing does not match at data\.a\.1\.b: /);
    const root = z.string().safeParse(3);
    expect(schemaError("site-1", "thing", root.error!).message).toContain("at (root)");
  });

  it("tells dwelling kinds apart, apartments before houses", () => {
    expect(
      ["Eengezinswoning", "Benedenwoning", "Portiekwoning", "Galerijflat", "Maisonnette", "Studio", "Kamer", "Garagebox", "Parkeerplaats", "Bedrijfsruimte", null].map(
        dwellingKindFromLabel,
      ),
    ).toEqual(["house", "apartment", "apartment", "apartment", "apartment", "apartment", "room", "parking", "parking", "other", "other"]);
  });

  it("maps allocation words", () => {
    expect(
      ["Inschrijfduur", "Woonduur", "Punten", "Loting", "Direct te huur", "Reactiedatum", "Eerst reageren", "Hospiteren", "Woningruil", "Vrije sector", "", "Veiling"].map(
        allocationModelFromWords,
      ),
    ).toEqual(["waiting_time", "waiting_time", "waiting_time", "lottery", "first_come", "first_come", "first_come", "cooptation", "home_swap", "free_sector", "unknown", "unknown"]);
  });

  it("maps target-group words", () => {
    expect(["Regulier", "", null, "Geen", "55+", "Senioren", "Jongeren tot 23 jaar", "Studenten", "Gezinnen met kinderen", "Rolstoelwoning", "Statushouders"].map(targetGroupFromWords)).toEqual([
      "regular",
      "regular",
      "regular",
      "regular",
      "senior_55_plus",
      "senior_55_plus",
      "youth",
      "student",
      "family",
      "disabled",
      "other",
    ]);
  });

  it("builds links on the site's baseUrl, keeps absolute links, refuses the rest", () => {
    expect(siteUrl(site, "/aanbod/1-a")).toBe("http://127.0.0.1:4010/s/woonmatch-kop-van-nh/aanbod/1-a");
    expect(siteUrl(site, "https://www.woonmatchkopnh.nl/aanbod/1")).toBe("https://www.woonmatchkopnh.nl/aanbod/1");
    expect(siteUrl(site, "//evil.example/x")).toBeNull();
    expect(siteUrl(site, "aanbod/1")).toBeNull();
    expect(siteUrl(site, "javascript:alert(1)")).toBeNull();
  });

  it("reads JSON, settings, numbers and addresses the same way everywhere", () => {
    expect(() => parseJsonBody("<html>", "s", "X")).toThrow(SiteSchemaError);
    expect(parseJsonBody('{"a":1}', "s", "X")).toEqual({ a: 1 });
    expect(() => readSettings(z.object({ p: z.string() }), site, "x")).toThrow(/invalid x settings/);
    expect([positiveOrNull(0), positiveOrNull(-2), positiveOrNull(null), positiveOrNull(Number.NaN), positiveOrNull(3.5)]).toEqual([null, null, null, null, 3.5]);
    expect(splitAddressLine("Misterweg 118 B")).toEqual({ street: "Misterweg", houseNumber: "118", houseNumberAddition: "B" });
    expect(() => validListing("s", "listing", { externalId: "" }, "items.0")).toThrow(/items\.0\.externalId/);
  });
});
