import { describe, expect, it } from "vitest";
import { NormalizedListing } from "../../../domain/listing.js";
import { dakAdapter, parseDakOffer } from "../../../workers/sites/dak/adapter.js";
import { SiteUnavailableError } from "../../../workers/sites/errors.js";
import type { SiteTarget } from "../../../workers/sites/types.js";
import { countBy, fixtureReader, schemaErrorOf } from "./helpers.js";

const fixture = fixtureReader("woningnet-dak");

const site: SiteTarget = { id: "woningnet-amsterdam", baseUrl: "https://amsterdam.mijndak.nl", settings: { region: "amsterdam" } };

describe("DAK offer (Amsterdam)", () => {
  const listings = parseDakOffer(fixture("aanbod-amsterdam.json"), site);
  const byId = (id: string) => listings.find((l) => l.externalId === id)!;

  it("yields every publication as a valid NormalizedListing", () => {
    expect(listings).toHaveLength(12);
    for (const listing of listings) expect(() => NormalizedListing.parse(listing)).not.toThrow();
    expect(dakAdapter.needsBrowser).toBe(true);
  });

  it("maps the first publication field by field", () => {
    const first = listings[0]!;
    expect(first).toMatchObject({
      externalId: "372004",
      street: "Kalf",
      houseNumber: "470",
      houseNumberAddition: "",
      postcode: "1509 BE",
      city: "Zaandam",
      municipality: null,
      netRent: 713.02,
      grossRent: 727.41,
      // AantalKamers 3 includes the living room.
      bedrooms: 2,
      areaM2: 50,
      dwellingKind: "apartment",
      dwellingTypeLabel: "Maisonnette",
      allocationModel: "waiting_time",
      targetGroups: ["family"],
      registrationRequired: null,
      sourceUrl: "https://amsterdam.mijndak.nl/HuisDetails?PublicatieId=372004",
    });
    // DAK already speaks UTC: 21:59Z stays 21:59Z.
    expect(first.closesAt?.toISOString()).toBe("2026-09-28T21:59:00.000Z");
    expect(first.publishedAt?.toISOString()).toBe("2026-09-21T22:01:00.000Z");
  });

  it("counts allocation models, kinds and target groups", () => {
    expect(countBy(listings, (l) => l.allocationModel)).toEqual({ waiting_time: 8, free_sector: 3, lottery: 1 });
    expect(countBy(listings, (l) => l.dwellingKind)).toEqual({ apartment: 9, house: 2, parking: 1 });
    // "Persoon" (Therese Schwartzestraat) is the one ordinary household type that is not "Gezin".
    expect(countBy(listings, (l) => l.targetGroups.join("+"))).toEqual({ family: 8, youth: 3, regular: 1 });
  });

  it("reads a cluster's figures from Cluster", () => {
    expect(byId("382412")).toMatchObject({
      street: "Tafelbergweg",
      houseNumber: "8",
      netRent: 498.2,
      grossRent: null,
      bedrooms: 0, // AantalKamersMin 1: a one-room unit
      areaM2: 22,
      dwellingTypeLabel: "Corridorflat",
      dwellingKind: "apartment",
      targetGroups: ["youth"],
    });
  });

  it("keeps parking, with its own kind, and drops the notation dash from additions", () => {
    expect(byId("382407")).toMatchObject({
      dwellingKind: "parking",
      houseNumberAddition: "P132",
      bedrooms: null,
      areaM2: null,
      netRent: 75,
      allocationModel: "free_sector",
    });
    expect(byId("377589")).toMatchObject({ houseNumber: "108", houseNumberAddition: "3", allocationModel: "free_sector" });
    expect(byId("375742").houseNumberAddition).toBe("A");
    expect(byId("381846")).toMatchObject({ allocationModel: "lottery", targetGroups: ["youth"] });
    expect(byId("381855")).toMatchObject({ dwellingKind: "house", dwellingTypeLabel: "Hoekwoning", bedrooms: 3 });
  });

  it("gives [] for the empty list a fresh browser profile gets", () => {
    expect(parseDakOffer(fixture("aanbod-empty.json"), site)).toEqual([]);
  });
});

describe("DAK drift", () => {
  const original = JSON.parse(fixture("aanbod-amsterdam.json")) as {
    data: { PublicatieLijst: { List: Record<string, unknown>[] }; Result: Record<string, unknown> };
  };
  const mutate = (change: (copy: typeof original) => void) => {
    const copy = structuredClone(original);
    change(copy);
    return JSON.stringify(copy);
  };

  it("names the path of a renamed field", () => {
    const error = schemaErrorOf(() =>
      parseDakOffer(
        mutate((c) => {
          const first = c.data.PublicatieLijst.List[0]!;
          first.Address = first.Adres;
          delete first.Adres;
        }),
        site,
      ),
    );
    expect(error.message).toContain("data.PublicatieLijst.List.0.Adres");
  });

  it("rejects a list that is not an array, a missing list and non-JSON", () => {
    schemaErrorOf(() => parseDakOffer(mutate((c) => ((c.data.PublicatieLijst as unknown as { List: object }).List = {})), site));
    schemaErrorOf(() => parseDakOffer(JSON.stringify({ data: { Publicaties: [] } }), site));
    schemaErrorOf(() => parseDakOffer("<html><title>Just a moment...</title></html>", site));
  });

  it("rejects a rent that is no longer a number", () => {
    const error = schemaErrorOf(() =>
      parseDakOffer(
        mutate((c) => {
          (c.data.PublicatieLijst.List[0]!.Eenheid as Record<string, unknown>).NettoHuur = "€ 713,02";
        }),
        site,
      ),
    );
    expect(error.message).toContain("List.0.Eenheid.NettoHuur");
  });

  it("reports an action that says it failed instead of an empty offer", () => {
    const body = mutate((c) => {
      c.data.PublicatieLijst.List = [];
      c.data.Result = { IsSuccess: false, ErrorMessage: "Sessie verlopen", StatusCode: 1 };
    });
    expect(() => parseDakOffer(body, site)).toThrow(SiteUnavailableError);
  });
});
