// The eligibility engine on real listing fields: every listing below is parsed from a recorded
// site response (test/fixtures/sites/) by the platform's own adapter, then decided for families
// built from the profile fields the API stores. Table-driven: one row per rule.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  bedroomsNeeded,
  buildEligibilityData,
  candidates,
  compileFamily,
  compileListing,
  decideMatch,
  defaultEligibilityData,
  deliveryFor,
  indexByPlace,
  listingAccess,
  type FamilyFacts,
  type ListingFacts,
  type MatchDecision,
} from "../../domain/eligibility.js";
import type { NormalizedListing } from "../../domain/listing.js";
import { loadCatalogue } from "../../infra/catalogue.js";
import { resolveMunicipality } from "../../workers/pipeline/listings.js";
import { parseDakOffer } from "../../workers/sites/dak/adapter.js";
import { parseEmbracePage } from "../../workers/sites/embrace/adapter.js";
import { parseZigDetail, parseZigList } from "../../workers/sites/zig/adapter.js";

const fixture = (p: string) => readFileSync(new URL(`../fixtures/sites/${p}`, import.meta.url), "utf8");
const catalogue = loadCatalogue();
const site = (id: string) => catalogue.find((s) => s.id === id)!;
const target = (id: string) => ({ id, baseUrl: site(id).baseUrl, settings: site(id).settings });

/** What the scrape stores (town → municipality from the catalogue) and the match worker reads. */
function facts(l: NormalizedListing, siteId: string, over: Partial<ListingFacts> = {}): ListingFacts {
  const s = site(siteId);
  const towns = ((s.settings as { towns?: Record<string, string> }).towns ?? {}) as Record<string, string>;
  return {
    siteId,
    siteName: s.name,
    siteHost: s.host,
    status: "open",
    city: l.city,
    municipality: resolveMunicipality(l, towns),
    bedrooms: l.bedrooms,
    netRent: l.netRent,
    dwellingKind: l.dwellingKind,
    dwellingTypeLabel: l.dwellingTypeLabel,
    allocationModel: l.allocationModel,
    targetGroups: l.targetGroups,
    minHouseholdSize: l.minHouseholdSize,
    maxHouseholdSize: l.maxHouseholdSize,
    minIncome: l.minIncome,
    maxIncome: l.maxIncome,
    minAge: l.minAge,
    maxAge: l.maxAge,
    registrationRequired: l.registrationRequired,
    publishedAt: l.publishedAt,
    closesAt: l.closesAt,
    raw: l.raw,
    ...over,
  };
}

const zig = parseZigList(fixture("zig-woonnet-haaglanden/getallobjects.json"), target("woonnet-haaglanden"));
const zigDetail = parseZigDetail(fixture("zig-woonnet-haaglanden/getobject.json"), target("woonnet-haaglanden"));
const dak = parseDakOffer(fixture("woningnet-dak/aanbod-amsterdam.json"), target("woningnet-amsterdam"));
const embrace = parseEmbracePage(fixture("embrace-woonnet-rijnmond/publications-page-1.json"), target("woonnet-rijnmond"));
const byId = (list: NormalizedListing[], id: string) => list.find((l) => l.externalId === id)!;

const Z = (id: string, over?: Partial<ListingFacts>) => facts(byId(zig, id), "woonnet-haaglanden", over);
const D = (id: string, over?: Partial<ListingFacts>) => facts(byId(dak, id), "woningnet-amsterdam", over);
const E = (id: string, over?: Partial<ListingFacts>) => facts(byId(embrace, id), "woonnet-rijnmond", over);

/** The recorded offers close on 24-29 September 2026; this is the morning of the 24th. */
const now = new Date("2026-09-24T08:00:00Z");

type FamilyOver = Partial<Omit<FamilyFacts, "profile">> & { profile?: Partial<FamilyFacts["profile"]> };
/** One parent, two children (2016, 2020): three people, two bedrooms needed. */
function family(over: FamilyOver = {}): FamilyFacts {
  const { profile, ...rest } = over;
  return {
    id: "f1",
    adults: 1,
    childBirthYears: [2016, 2020],
    needs: [],
    incomeBand: null,
    registrations: [],
    ...rest,
    profile: {
      places: ["Delft", "Den Haag", "Zoetermeer", "Leidschendam-Voorburg", "Zaanstad", "Amsterdam", "Rotterdam", "Vlaardingen"],
      excludedPlaces: [],
      carePlaces: [],
      minBedrooms: null,
      maxNetRent: 950,
      dwellingKinds: [],
      qualifiesSenior: false,
      qualifiesStudent: false,
      qualifiesYouth: false,
      ...profile,
    },
  };
}

const keys = (d: MatchDecision) => (d.match ? d.reasons.map((r) => r.key) : [d.skip.key]);
const registered = (siteId: string, on: string, renewal?: string) => ({ siteId, registeredOn: new Date(`${on}T00:00:00Z`), renewalDueOn: renewal ? new Date(`${renewal}T00:00:00Z`) : null });
const achterhoek = { siteId: "thuis-in-de-achterhoek", siteName: "Thuis in de Achterhoek", siteHost: "www.thuisindeachterhoek.nl" };

describe("the fixtures parse into the listings these tests rely on", () => {
  it("has the recorded homes", () => {
    expect(byId(zig, "266497")).toMatchObject({ city: "Delft", netRent: 932.93, bedrooms: 3, allocationModel: "waiting_time", registrationRequired: true });
    expect(zigDetail).toMatchObject({ externalId: "266497", minHouseholdSize: 2, maxHouseholdSize: 4, minAge: 18 });
    expect(byId(dak, "372004")).toMatchObject({ city: "Zaandam", municipality: null, netRent: 713.02 });
    expect(byId(embrace, "100123313")).toMatchObject({ dwellingTypeLabel: "Flatwoning zonder lift", bedrooms: 3 });
  });
});

describe("decisions on recorded listings", () => {
  it.each<[string, ListingFacts, FamilyFacts, string | string[]]>([
    // Where
    ["DAK town Zaandam counts for municipality Zaanstad", D("372004"), family({ profile: { places: ["Zaanstad"] } }), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits"]],
    ["outside the family's places (DAK Aalsmeer)", D("380053", { targetGroups: ["regular"] }), family(), "skip.outside_area"],
    ["an excluded place wins over a wanted one (Embrace Vlaardingen)", E("100123310"), family({ profile: { excludedPlaces: ["Vlaardingen"] } }), "skip.excluded_area"],
    ["outside the region where the child's care is (Den Haag, care in Delft)", Z("267161"), family({ profile: { carePlaces: ["Delft"] } }), "skip.outside_care_region"],
    ["inside the care region (Delft)", Z("266497"), family({ incomeBand: "above_limit", profile: { carePlaces: ["Delft"] } }), ["reason.in_area", "reason.care_region", "reason.bedrooms_fit", "reason.rent_fits", "reason.register_first"]],
    ["the official name 's-Gravenhage finds Den Haag", Z("267161"), family({ incomeBand: "above_limit", profile: { places: ["'s-Gravenhage"] } }), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.register_first", "reason.lottery"]],
    // What kind of home
    ["a home swap (Zig)", Z("251735"), family(), "skip.home_swap"],
    ["a parking place (DAK)", D("382407"), family(), "skip.not_a_home"],
    ["a kind the family does not want (Zig flat, family wants a house)", Z("267161"), family({ profile: { dwellingKinds: ["house"] } }), "skip.kind_not_wanted"],
    // Who may rent
    ["55+ only (Zig Pijperring)", Z("266783"), family(), "skip.target_group"],
    ["55+ for a household that qualifies", Z("266783", { netRent: 700 }), family({ profile: { qualifiesSenior: true } }), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.register_first"]],
    ["youth only (DAK Jongerenwoning)", D("382412"), family(), "skip.target_group"],
    ["a home for people up to 27", Z("267161", { maxAge: 27 }), family(), "skip.age_max"],
    ["a home for people from 55 on", Z("267161", { minAge: 55 }), family(), "skip.age_min"],
    ["minimum age 18 says nothing about a parent (Zig detail)", facts(zigDetail, "woonnet-haaglanden"), family({ incomeBand: "above_limit" }), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.register_first"]],
    ["a minimum age of 23 is checked by the family", Z("266497", { minAge: 23 }), family({ incomeBand: "above_limit" }), ["reason.in_area", "reason.bedrooms_fit", "reason.age_min_check", "reason.rent_fits", "reason.register_first"]],
    // Household and bedrooms
    ["household above the maximum of 4 (Zig detail)", facts(zigDetail, "woonnet-haaglanden"), family({ childBirthYears: [2012, 2014, 2016, 2020] }), "skip.household_too_large"],
    ["household below the minimum of 2 (Zig detail)", facts(zigDetail, "woonnet-haaglanden"), family({ childBirthYears: [] }), "skip.household_too_small"],
    ["too few bedrooms for a parent and three children (DAK 2 bedrooms)", D("372004"), family({ childBirthYears: [2014, 2016, 2020], profile: { places: ["Zaanstad"] } }), "skip.too_few_bedrooms"],
    // Rent
    ["above the family's own maximum (DAK free sector 1228.07)", D("377589"), family(), "skip.too_expensive"],
    ["passend toewijzen: 932.93 is above the high cap for a low income of 3", Z("266497"), family({ incomeBand: "below_limit" }), "skip.passend_too_expensive"],
    ["passend toewijzen: 713.02 is within the cap", Z("267161"), family({ incomeBand: "below_limit" }), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.passend_fits", "reason.register_first", "reason.lottery"]],
    ["passend toewijzen for 2 people: low cap, 764.14 is too much", D("379975"), family({ incomeBand: "below_limit", childBirthYears: [2020] }), "skip.passend_too_expensive"],
    ["income above the limit: passend toewijzen does not apply", Z("266497"), family({ incomeBand: "above_limit" }), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.register_first"]],
    ["income band unknown: the cap is a reason to check, not a skip", Z("266497"), family(), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.passend_check", "reason.register_first"]],
    // Access
    ["ground floor or lift: first floor without a lift (Zig Kapelland)", Z("267138"), family({ childBirthYears: [], needs: ["ground_floor_or_lift"] }), "skip.stairs_no_lift"],
    ["wheelchair: first floor without a lift", Z("267138"), family({ childBirthYears: [], needs: ["wheelchair"] }), "skip.not_wheelchair"],
    ["ground floor (Zig Benedenwoning, floor 'begane grond')", Z("267161"), family({ incomeBand: "above_limit", needs: ["ground_floor_or_lift"] }), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.ground_floor", "reason.register_first", "reason.lottery"]],
    ["a lift (Zig 'Flat met lift', 4th floor)", Z("267041", { targetGroups: ["regular"] }), family({ childBirthYears: [], needs: ["ground_floor_or_lift"], incomeBand: "above_limit" }), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.lift", "reason.register_first"]],
    ["unknown floor is said, not skipped (Embrace 'Flatwoning zonder lift')", E("100123313"), family({ needs: ["ground_floor_or_lift"], incomeBand: "above_limit" }), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.access_unknown", "reason.register_first"]],
    ["wheelchair suitability unknown is said, not skipped (DAK)", D("372004"), family({ needs: ["wheelchair"], incomeBand: "above_limit", profile: { places: ["Zaanstad"] } }), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.wheelchair_unknown"]],
    // Registration
    ["registered at the site: said, with the date", Z("266497"), family({ incomeBand: "above_limit", registrations: [registered("woonnet-haaglanden", "2025-03-01")] }), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.registered"]],
    ["a renewal date that has passed", Z("266497"), family({ incomeBand: "above_limit", registrations: [registered("woonnet-haaglanden", "2024-03-01", "2026-03-01")] }), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.registered", "reason.renewal_overdue"]],
    ["Achterhoek lottery: registered after the ad was published", Z("267161", achterhoek), family({ incomeBand: "above_limit", registrations: [registered("thuis-in-de-achterhoek", "2026-09-24")] }), "skip.lottery_registered_after"],
    ["Achterhoek lottery: not registered", Z("267161", achterhoek), family({ incomeBand: "above_limit" }), "skip.lottery_not_registered"],
    ["Achterhoek lottery: registered the day the ad came out counts", Z("267161", achterhoek), family({ incomeBand: "above_limit", registrations: [registered("thuis-in-de-achterhoek", "2026-09-23")] }), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.registered", "reason.lottery"]],
    ["the same late registration elsewhere does not matter (no such rule)", Z("267161"), family({ incomeBand: "above_limit", registrations: [registered("woonnet-haaglanden", "2026-09-24")] }), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.registered", "reason.lottery"]],
    ["Achterhoek waiting-time homes have no such rule", Z("266497", achterhoek), family({ incomeBand: "above_limit" }), ["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.register_first"]],
    // Time
    ["closing time passed", Z("266497"), family(), "skip.closed"],
  ])("%s", (name, listing, fam, expected) => {
    const at = name === "closing time passed" ? new Date("2026-09-24T18:00:00Z") : now;
    const d = decideMatch(listing, fam, at);
    if (typeof expected === "string") {
      expect(d.match).toBe(false);
      expect(keys(d)).toEqual([expected]);
    } else {
      expect(d.match).toBe(true);
      expect(keys(d)).toEqual(expected);
    }
  });

  it("carries the values a counsellor and family need to read the reason", () => {
    const passend = decideMatch(Z("266497"), family({ incomeBand: "below_limit" }), now);
    expect(!passend.match && passend.skip.values).toEqual({ rent: 932.93, maxRent: 764.14, year: 2026 });
    const late = decideMatch(Z("267161", achterhoek), family({ registrations: [registered("thuis-in-de-achterhoek", "2026-09-24")] }), now);
    expect(!late.match && late.skip.values).toEqual({ site: "Thuis in de Achterhoek", since: "2026-09-24", published: "2026-09-23" });
    const fits = decideMatch(Z("266497"), family({ incomeBand: "above_limit" }), now);
    expect(fits.match && fits.reasons.find((r) => r.key === "reason.bedrooms_fit")?.values).toEqual({ count: 3, needed: 2 });
  });

  it("uses the year's rent caps from the data file, and older years for older dates", () => {
    const in2024 = new Date("2024-06-01T10:00:00Z");
    const l = Z("267161", { closesAt: null, netRent: 690 });
    // 690 is under the 2024 high cap (697.07) but above the 2024 low cap (650.43).
    expect(decideMatch(l, family({ incomeBand: "below_limit" }), in2024).match).toBe(true);
    expect(keys(decideMatch(l, family({ incomeBand: "below_limit", childBirthYears: [2020] }), in2024))).toEqual(["skip.passend_too_expensive"]);
  });
});

describe("income limits (amounts from the data file, when known)", () => {
  const base = defaultEligibilityData();
  const withLimits = buildEligibilityData({
    passend: {
      about: "test",
      rentCaps: base.rentCaps,
      incomeLimits: [{ year: 2026, onePerson: 33_000, multiPerson: 45_000, verified: false, source: "test values" }],
    },
    rules: { about: "test", sites: [] },
  });
  it.each<[string, Partial<ListingFacts>, string | null, string]>([
    ["low income, the home asks for more", { minIncome: 50_000 }, "below_limit", "skip.income_too_low"],
    ["higher income, the home is for lower incomes", { maxIncome: 40_000 }, "above_limit", "skip.income_too_high"],
    ["low income, the home's maximum is above the limit", { maxIncome: 52_000 }, "below_limit", "reason.income_fits"],
    ["higher income, the home's maximum is above the limit: it may or may not fit", { maxIncome: 52_000 }, "above_limit", "reason.income_check"],
    ["income band unknown", { maxIncome: 52_000 }, null, "reason.income_check"],
  ])("%s", (_name, over, band, expected) => {
    const d = decideMatch(Z("267161", over), family({ incomeBand: band }), now, withLimits);
    expect(d.match ? d.reasons.map((r) => r.key) : [d.skip.key]).toContain(expected);
  });
  it("without amounts in the data file, a listing's income limit is a reason to check, never a skip", () => {
    const d = decideMatch(Z("267161", { minIncome: 50_000 }), family({ incomeBand: "below_limit" }), now);
    expect(d.match && d.reasons.map((r) => r.key)).toContain("reason.income_check");
  });
});

describe("listingAccess", () => {
  it.each<[string, NormalizedListing, { floor: number | null; lift: boolean | null; wheelchair: boolean | null }]>([
    ["Eengezinswoning, begane grond", byId(zig, "266497"), { floor: 0, lift: null, wheelchair: null }],
    ["Flat met lift, 4e etage", byId(zig, "267041"), { floor: 4, lift: true, wheelchair: null }],
    ["Flat zonder lift, 1e etage", byId(zig, "267138"), { floor: 1, lift: false, wheelchair: false }],
    ["Benedenwoning (DAK, no floor field)", byId(dak, "372369"), { floor: 0, lift: null, wheelchair: null }],
    ["Portiekwoning (DAK): nothing known", byId(dak, "375742"), { floor: null, lift: null, wheelchair: null }],
    ["Flatwoning zonder lift (Embrace, floor unknown)", byId(embrace, "100123313"), { floor: null, lift: false, wheelchair: null }],
  ])("%s", (_name, l, expected) => {
    expect(listingAccess(l)).toEqual(expected);
  });
});

describe("deliveryFor", () => {
  it.each<[string, ListingFacts, "instant" | "digest"]>([
    ["waiting time, four more days to respond (DAK Kalf)", D("372004"), "digest"],
    ["lottery with a one-day window (Zig Goudenregenstraat)", Z("267161"), "instant"],
    ["lottery with a week (DAK Gaasperdamstraat)", D("381846", { closesAt: new Date("2026-09-29T21:59:00Z") }), "digest"],
    ["first come (DirectKans, direct te huur)", E("100123313", { allocationModel: "first_come" }), "instant"],
    ["waiting time, closing tonight (Zig Jan Willem Frisostraat)", Z("266497"), "instant"],
    ["free sector or unknown: at once", D("377589"), "instant"],
  ])("%s", (_name, l, expected) => {
    expect(deliveryFor(l, now)).toBe(expected);
  });
});

describe("the place index", () => {
  const data = defaultEligibilityData();
  const families = [
    compileFamily(family({ id: "delft", profile: { places: ["Delft"] } }), data),
    compileFamily(family({ id: "zaanstad", profile: { places: ["Zaanstad"] } }), data),
    compileFamily(family({ id: "zaandam", profile: { places: ["Zaandam"] } }), data),
    compileFamily(family({ id: "both", profile: { places: ["Zaandam", "Zaanstad", "Delft"] } }), data),
  ];
  const index = indexByPlace(families);
  it("gives a listing only the families searching in its municipality or town, each once", () => {
    const ids = (l: ListingFacts) => candidates(index, compileListing(l, data, now)).map((f) => f.id).sort();
    expect(ids(Z("266497"))).toEqual(["both", "delft"]);
    expect(ids(D("372004"))).toEqual(["both", "zaandam", "zaanstad"]);
    expect(ids(E("100123313"))).toEqual([]);
  });
  it("decides the same as deciding every family", () => {
    for (const l of [Z("266497"), D("372004"), E("100123313")]) {
      const cl = compileListing(l, data, now);
      const viaIndex = new Set(candidates(index, cl).filter((f) => decideMatch(l, family({ id: f.id, profile: { places: [...f.places] } }), now).match).map((f) => f.id));
      const all = new Set(families.filter((f) => decideMatch(l, family({ id: f.id, profile: { places: [...f.places] } }), now).match).map((f) => f.id));
      expect(viaIndex).toEqual(all);
    }
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
});
