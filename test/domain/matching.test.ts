import { describe, expect, it } from "vitest";
import { bedroomsNeeded, decideMatch, type FamilyFacts, type ListingFacts } from "../../domain/matching.js";

const now = new Date("2026-11-27T12:00:00Z");
const listing = (over: Partial<ListingFacts> = {}): ListingFacts => ({
  status: "open",
  city: "Zaandam",
  municipality: "Zaanstad",
  bedrooms: 2,
  netRent: 713.02,
  dwellingKind: "apartment",
  dwellingTypeLabel: "Maisonnette",
  allocationModel: "waiting_time",
  targetGroups: ["family"],
  minHouseholdSize: null,
  maxHouseholdSize: null,
  closesAt: new Date("2026-11-30T21:59:00Z"),
  ...over,
});
const family = (over: Partial<FamilyFacts["profile"]> = {}, children = [2016, 2020]): FamilyFacts => ({
  adults: 1,
  childBirthYears: children,
  profile: { places: ["Zaanstad"], minBedrooms: null, maxNetRent: 900, dwellingKinds: [], qualifiesSenior: false, qualifiesStudent: false, qualifiesYouth: false, ...over },
});

describe("decideMatch", () => {
  it("matches a home in the area with enough bedrooms and affordable rent, with reasons", () => {
    const d = decideMatch(listing(), family(), now);
    expect(d.match).toBe(true);
    if (d.match) {
      expect(d.reasons.map((r) => r.key)).toEqual(["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits"]);
      expect(d.reasons[0]!.values).toEqual({ place: "Zaanstad" });
    }
  });

  it.each([
    ["closed listing", listing({ status: "closed" }), family(), "skip.closed"],
    ["closing time passed", listing({ closesAt: new Date("2026-11-27T11:59:00Z") }), family(), "skip.closed"],
    ["home swap", listing({ allocationModel: "home_swap" }), family(), "skip.home_swap"],
    ["parking space", listing({ dwellingKind: "parking", dwellingTypeLabel: "Parkeergelegenheid" }), family(), "skip.not_a_home"],
    ["55+ only", listing({ targetGroups: ["senior_55_plus"] }), family(), "skip.target_group"],
    ["students only", listing({ targetGroups: ["student"] }), family(), "skip.target_group"],
    ["outside the area", listing({ city: "Delft", municipality: "Delft" }), family(), "skip.outside_area"],
    ["too few bedrooms for 1 adult + 3 children", listing({ bedrooms: 2 }), family({}, [2014, 2016, 2020]), "skip.too_few_bedrooms"],
    ["rent above the family's maximum", listing({ netRent: 950 }), family(), "skip.too_expensive"],
    ["household above the listing's maximum", listing({ maxHouseholdSize: 2 }), family(), "skip.household_too_large"],
    ["household below the listing's minimum", listing({ minHouseholdSize: 4 }), family(), "skip.household_too_small"],
    ["a kind the family excluded", listing({ dwellingKind: "apartment" }), family({ dwellingKinds: ["house"] }), "skip.kind_not_wanted"],
  ])("skips: %s", (_name, l, f, key) => {
    const d = decideMatch(l, f, now);
    expect(d.match).toBe(false);
    if (!d.match) expect(d.skip.key).toBe(key);
  });

  it("lets a 55+ home through for a household that qualifies", () => {
    expect(decideMatch(listing({ targetGroups: ["senior_55_plus"] }), family({ qualifiesSenior: true }), now).match).toBe(true);
  });

  it("does not skip a home open to regular households as well as 55+", () => {
    expect(decideMatch(listing({ targetGroups: ["regular", "senior_55_plus"] }), family(), now).match).toBe(true);
  });

  it("matches by town when the municipality is unknown, ignoring case and accents", () => {
    const d = decideMatch(listing({ municipality: null, city: "'s-Gravenhage" }), family({ places: ["s-gravenhage"] }), now);
    expect(d.match).toBe(true);
  });

  it("keeps a listing without bedrooms or rent, and says so", () => {
    const d = decideMatch(listing({ bedrooms: null, netRent: null }), family(), now);
    expect(d.match && d.reasons.map((r) => r.key)).toEqual(["reason.in_area", "reason.bedrooms_unknown", "reason.rent_unknown"]);
  });
});

describe("bedroomsNeeded", () => {
  it.each([
    [1, [], 1],
    [1, [2020], 2],
    [1, [2016, 2020], 2],
    [1, [2014, 2016, 2020], 3],
    [2, [2014, 2016, 2018, 2020], 3],
  ])("%i adult(s) and %j children need %i", (adults, children, n) => {
    expect(bedroomsNeeded({ adults, childBirthYears: children, profile: family().profile })).toBe(n);
  });
  it("honours a higher minimum from the profile", () => {
    expect(bedroomsNeeded({ adults: 1, childBirthYears: [2020], profile: family({ minBedrooms: 3 }).profile })).toBe(3);
  });
});
