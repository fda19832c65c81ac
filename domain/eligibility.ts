// The eligibility engine: can this family get this home, and why (not)? Pure and deterministic,
// shared by the match worker, the server ("why didn't she get this one?") and the benchmark.
//
// Every decision carries its reasons (match) or its one skip reason, as message keys with values
// ("reason.in_area", "skip.closed"; the part before the first dot is the i18next namespace), so a
// counsellor can answer for any listing, and the family reads them in its own language.
//
// Built for the hot path: compileListing() and compileFamily() do the per-listing and per-family
// work once (normalized place sets, bedrooms needed, rent caps, access facts), decide() only
// compares, and indexByPlace() lets a listing look only at the families searching in its place.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { z } from "zod";
import type { AllocationModel, DwellingKind, TargetGroup } from "./listing.js";
import { AMSTERDAM } from "./time.js";

export interface MatchReason {
  key: string;
  values?: Record<string, string | number>;
}

export type MatchDecision = { match: true; reasons: MatchReason[] } | { match: false; skip: MatchReason };

export type Delivery = "instant" | "digest";

/** What we know about reaching the front door; null = unknown (never read as "no"). */
export interface AccessFacts {
  /** 0 = ground floor (or a house with its own front door); null = unknown. */
  floor: number | null;
  lift: boolean | null;
  /** Suited for a wheelchair (a wheelchair home, or known to be reachable without steps). */
  wheelchair: boolean | null;
}

export interface ListingFacts {
  siteId?: string;
  siteName?: string;
  /** The site's host, the key of per-site rules in data/eligibility-rules.json. */
  siteHost?: string;
  status: "open" | "closed" | "withdrawn";
  city: string;
  municipality: string | null;
  bedrooms: number | null;
  netRent: number | null;
  dwellingKind: DwellingKind | string;
  dwellingTypeLabel: string | null;
  allocationModel: AllocationModel | string;
  targetGroups: (TargetGroup | string)[];
  minHouseholdSize: number | null;
  maxHouseholdSize: number | null;
  minIncome?: number | null;
  maxIncome?: number | null;
  minAge?: number | null;
  maxAge?: number | null;
  registrationRequired?: boolean | null;
  publishedAt?: Date | null;
  closesAt: Date | null;
  /** Derived from the label (and the platform's own record) when not given: see listingAccess(). */
  access?: AccessFacts;
  /** The platform's own record, read only for access facts the normalized listing lacks (Zig's floor). */
  raw?: unknown;
}

export interface RegistrationFacts {
  siteId: string;
  registeredOn: Date;
  renewalDueOn?: Date | null;
}

export interface FamilyFacts {
  id?: string;
  adults: number;
  childBirthYears: number[];
  /** "wheelchair", "ground_floor_or_lift" (see domain/family.ts). */
  needs?: string[];
  incomeBand?: string | null;
  registrations?: RegistrationFacts[];
  profile: {
    /** Municipalities and towns the family searches in, regions already expanded. */
    places: string[];
    /** Places the family does not want (regions already expanded); they win over `places`. */
    excludedPlaces?: string[];
    /** A child's care exists only here (regions already expanded); empty/absent = no restriction. */
    carePlaces?: string[];
    minBedrooms: number | null;
    maxNetRent: number | null;
    dwellingKinds: string[];
    qualifiesSenior: boolean;
    qualifiesStudent: boolean;
    qualifiesYouth: boolean;
  };
}

// ---------------------------------------------------------------------------------------------
// Rule data (data/passend-toewijzen.json, data/eligibility-rules.json, municipality names)

const RentCaps = z.object({
  year: z.number().int().min(2000).max(2100),
  lowCap: z.number().positive(),
  highCap: z.number().positive(),
  verified: z.boolean(),
  source: z.string(),
});
const IncomeLimits = z.object({
  year: z.number().int().min(2000).max(2100),
  onePerson: z.number().positive().nullable(),
  multiPerson: z.number().positive().nullable(),
  verified: z.boolean(),
  source: z.string(),
});
export const PassendToewijzenFile = z.object({ about: z.string(), rentCaps: z.array(RentCaps).min(1), incomeLimits: z.array(IncomeLimits) });
const SiteRule = z.object({
  host: z.string().min(1),
  name: z.string(),
  lotteryCountsOnlyAdsPublishedAfterRegistration: z.boolean().default(false),
  checked: z.string().optional(),
  verified: z.boolean(),
  source: z.string(),
});
export const EligibilityRulesFile = z.object({ about: z.string(), sites: z.array(SiteRule) });

export interface EligibilityData {
  rentCaps: z.infer<typeof RentCaps>[];
  incomeLimits: z.infer<typeof IncomeLimits>[];
  /** Per-site rules by host without "www.". */
  siteRules: Map<string, z.infer<typeof SiteRule>>;
  /** normalizePlace(official or common name) -> one key per municipality ("s gravenhage" -> "den haag"). */
  placeAliases: Map<string, string>;
}

export function buildEligibilityData(input: {
  passend: unknown;
  rules: unknown;
  /** Rows of data/municipalities-2025.csv: official name and everyday name. */
  municipalities?: { name: string; commonName: string | null }[];
}): EligibilityData {
  const passend = PassendToewijzenFile.parse(input.passend);
  const rules = EligibilityRulesFile.parse(input.rules);
  const placeAliases = new Map<string, string>();
  for (const m of input.municipalities ?? []) {
    if (!m.commonName) continue;
    placeAliases.set(normalizePlace(m.name), normalizePlace(m.commonName));
  }
  return {
    rentCaps: [...passend.rentCaps].sort((a, b) => a.year - b.year),
    incomeLimits: [...passend.incomeLimits].sort((a, b) => a.year - b.year),
    siteRules: new Map(rules.sites.map((s) => [bareHost(s.host), s])),
    placeAliases,
  };
}

let defaultData: EligibilityData | undefined;

/** The repository's rule data, read once. Like the locales, these are data files, not code. */
export function defaultEligibilityData(): EligibilityData {
  if (defaultData) return defaultData;
  const require = createRequire(import.meta.url);
  const csv = readFileSync(new URL("../data/municipalities-2025.csv", import.meta.url), "utf8");
  const municipalities = csv
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "")
    .map((line) => {
      // name may be quoted and contain commas ("Nuenen, Gerwen en Nederwetten")
      const cells = [...line.matchAll(/("([^"]*)"|[^,]*)(,|$)/g)].map((m) => m[2] ?? m[1] ?? "");
      return { name: cells[1] ?? "", commonName: cells[2] || null };
    });
  defaultData = buildEligibilityData({
    passend: require("../data/passend-toewijzen.json"),
    rules: require("../data/eligibility-rules.json"),
    municipalities,
  });
  return defaultData;
}

// ---------------------------------------------------------------------------------------------
// Small pure helpers

function bareHost(host: string): string {
  return host.toLowerCase().replace(/^www\./, "");
}

export function normalizePlace(name: string): string {
  return name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/^'s-?/, "s-")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** One key per municipality or town: normalized, with official names mapped to everyday ones. */
export function placeKey(name: string, data: Pick<EligibilityData, "placeAliases">): string {
  const n = normalizePlace(name);
  return data.placeAliases.get(n) ?? n;
}

/** Place names repeat across thousands of profiles: normalize each spelling once. */
const placeKeyCache = new WeakMap<EligibilityData["placeAliases"], Map<string, string>>();
function cachedPlaceKey(name: string, data: Pick<EligibilityData, "placeAliases">): string {
  let cache = placeKeyCache.get(data.placeAliases);
  if (!cache) placeKeyCache.set(data.placeAliases, (cache = new Map()));
  let key = cache.get(name);
  if (key === undefined) {
    key = placeKey(name, data);
    if (cache.size < 100_000) cache.set(name, key);
  }
  return key;
}

export function householdSize(f: Pick<FamilyFacts, "adults" | "childBirthYears">): number {
  return f.adults + f.childBirthYears.length;
}

/**
 * Bedrooms a household needs: one for the parent(s), and children two to a room.
 * A common corporation rule of thumb; a family's own minimum in its profile overrides upward.
 */
export function bedroomsNeeded(f: Pick<FamilyFacts, "adults" | "childBirthYears" | "profile">): number {
  const forChildren = Math.ceil(f.childBirthYears.length / 2);
  const needed = Math.max(1, (f.adults > 0 ? 1 : 0) + forChildren);
  return Math.max(needed, f.profile.minBedrooms ?? 0);
}

const dayFormat = new Intl.DateTimeFormat("en-CA", { timeZone: AMSTERDAM, year: "numeric", month: "2-digit", day: "2-digit" });
/** The calendar day in Amsterdam, "2026-09-24". */
export function amsterdamDay(d: Date): string {
  return dayFormat.format(d);
}
/** A @db.Date value (midnight UTC) as its day. */
function dateDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

const FLOOR_WORDS: [RegExp, number][] = [
  [/begane grond|parterre|benedenwoning|gelijkvloers/, 0],
  [/bovenwoning/, 1],
];
const HOUSE_LABEL = /eengezins|hoekwoning|tussenwoning|twee.?onder|vrijstaand|bungalow|geschakeld|patiowoning|rijtjes|herenhuis/;

/**
 * Access facts from what sites publish: the type label ("Flat met lift", "Benedenwoning",
 * "Flatwoning zonder lift"), a wheelchair target group, and Zig's `floor.localizedName`
 * ("begane grond", "4e etage"). Anything not said stays null: unknown, not "no".
 */
export function listingAccess(l: Pick<ListingFacts, "dwellingKind" | "dwellingTypeLabel" | "targetGroups" | "raw">): AccessFacts {
  const label = (l.dwellingTypeLabel ?? "").toLowerCase();
  let floor: number | null = null;
  const rawFloor = (l.raw as { floor?: { localizedName?: unknown } } | null | undefined)?.floor?.localizedName;
  if (typeof rawFloor === "string") {
    const f = rawFloor.toLowerCase();
    const n = /(\d+)\s*e?\s*(etage|verdieping)/.exec(f);
    if (n) floor = Number(n[1]);
    else if (/begane grond|parterre|souterrain/.test(f)) floor = 0;
  }
  if (floor === null) for (const [re, value] of FLOOR_WORDS) if (re.test(label)) floor = value;
  if (floor === null && (l.dwellingKind === "house" || HOUSE_LABEL.test(label))) floor = 0;
  const lift = /zonder lift/.test(label) ? false : /lift/.test(label) ? true : null;
  let wheelchair: boolean | null = null;
  if (l.targetGroups.includes("disabled") || /rolstoel/.test(label)) wheelchair = true;
  else if (floor !== null && floor > 0 && lift === false) wheelchair = false;
  return { floor, lift, wheelchair };
}

/**
 * How a new match is sent: at once for first come and short windows (DirectKans, "direct te
 * huur", or closing within a day and a half, when a daily digest could arrive too late); in the
 * daily digest for waiting-time and lottery homes, where a few hours make no difference.
 */
export function deliveryFor(l: Pick<ListingFacts, "allocationModel" | "publishedAt" | "closesAt">, now: Date = new Date()): Delivery {
  if (l.allocationModel === "first_come") return "instant";
  const closes = l.closesAt?.getTime();
  if (closes !== undefined) {
    const published = l.publishedAt?.getTime();
    if (published !== undefined && closes - published <= SHORT_WINDOW_MS) return "instant";
    if (closes - now.getTime() <= SOON_MS) return "instant";
  }
  return l.allocationModel === "waiting_time" || l.allocationModel === "lottery" ? "digest" : "instant";
}
const SHORT_WINDOW_MS = 48 * 3600_000;
const SOON_MS = 36 * 3600_000;

// ---------------------------------------------------------------------------------------------
// Compiled forms

/** Homes a family can live in. Rooms and parking are never family homes unless asked for. */
const FAMILY_HOME_KINDS = new Set(["house", "apartment"]);
/** Target groups that restrict who may rent, and the family fact that opens them. */
const RESTRICTED_GROUPS: Record<string, "senior" | "student" | "youth" | "wheelchair"> = {
  senior_55_plus: "senior",
  student: "student",
  youth: "youth",
  disabled: "wheelchair",
};
/** Minimum ages at or under this say only "adults": every parent qualifies. */
const ADULT_AGE = 18;
/** A minimum age from this on marks a senior home. */
const SENIOR_AGE = 55;
/** A maximum age up to this marks a youth home (jongerenwoning: under 23 or 27 or 28). */
const YOUTH_MAX_AGE = 28;
/** Rents are compared to the cent. */
const CENT = 0.005;

export interface CompiledListing {
  facts: ListingFacts;
  closesAtMs: number | null;
  /** Place keys with the names as published: municipality first, then town. */
  placeKeys: string[];
  placeNames: string[];
  /** Closed or a home swap: the same skip for every family (one shared object). */
  listingSkip: MatchDecision | null;
  /** Today in Amsterdam, for renewal dates. */
  today: string;
  /** Skips whose values depend on the listing alone, built once and shared by every family. */
  skips: Map<string, MatchDecision>;
  kindLabel: string;
  /** Restricted groups when the home is open to no one else; null = open. */
  restrictedTo: string[] | null;
  access: AccessFacts;
  publishedDay: string | null;
  lotteryAfterRegistration: boolean;
  rentCaps: { year: number; low: number; high: number } | null;
  incomeLimits: { onePerson: number | null; multiPerson: number | null } | null;
  delivery: Delivery;
}

export interface CompiledFamily {
  id: string;
  size: number;
  bedroomsNeeded: number;
  places: Set<string>;
  excluded: Set<string> | null;
  care: Set<string> | null;
  kinds: Set<string> | null;
  maxNetRent: number | null;
  incomeBand: "below_limit" | "above_limit" | null;
  wheelchair: boolean;
  groundOrLift: boolean;
  senior: boolean;
  student: boolean;
  youth: boolean;
  registrations: Map<string, { registeredDay: string; renewalDueDay: string | null }>;
}

function forYear<T extends { year: number }>(rows: T[], year: number): T | null {
  let found: T | null = null;
  for (const r of rows) if (r.year <= year) found = r; // rows are sorted by year
  return found ?? rows[0] ?? null;
}

export function compileListing(l: ListingFacts, data: EligibilityData, now: Date): CompiledListing {
  const placeKeys: string[] = [];
  const placeNames: string[] = [];
  for (const name of [l.municipality, l.city]) {
    if (!name) continue;
    const key = cachedPlaceKey(name, data);
    if (!placeKeys.includes(key)) {
      placeKeys.push(key);
      placeNames.push(name);
    }
  }
  const closesAtMs = l.closesAt ? l.closesAt.getTime() : null;
  const listingSkip =
    l.status !== "open" || (closesAtMs !== null && closesAtMs <= now.getTime())
      ? skip("skip.closed")
      : l.allocationModel === "home_swap"
        ? skip("skip.home_swap")
        : null;
  const open = l.targetGroups.filter((g) => !(g in RESTRICTED_GROUPS));
  const restricted = l.targetGroups.filter((g) => g in RESTRICTED_GROUPS);
  const year = Number(amsterdamDay(now).slice(0, 4));
  const caps = forYear(data.rentCaps, year);
  const income = forYear(data.incomeLimits, year);
  const rule = l.siteHost ? data.siteRules.get(bareHost(l.siteHost)) : undefined;
  return {
    facts: l,
    closesAtMs,
    placeKeys,
    placeNames,
    listingSkip,
    today: amsterdamDay(now),
    skips: new Map(),
    kindLabel: l.dwellingTypeLabel ?? l.dwellingKind,
    restrictedTo: restricted.length > 0 && open.length === 0 ? restricted : null,
    access: l.access ?? listingAccess(l),
    publishedDay: l.publishedAt ? amsterdamDay(l.publishedAt) : null,
    lotteryAfterRegistration: rule?.lotteryCountsOnlyAdsPublishedAfterRegistration === true,
    rentCaps: caps ? { year: caps.year, low: caps.lowCap, high: caps.highCap } : null,
    incomeLimits: income ? { onePerson: income.onePerson, multiPerson: income.multiPerson } : null,
    delivery: deliveryFor(l, now),
  };
}

export function compileFamily(f: FamilyFacts, data: EligibilityData): CompiledFamily {
  const keys = (names: string[] | undefined) => (names && names.length > 0 ? new Set(names.map((n) => cachedPlaceKey(n, data))) : null);
  const needs = new Set(f.needs ?? []);
  const band = f.incomeBand === "below_limit" || f.incomeBand === "above_limit" ? f.incomeBand : null;
  const registrations = new Map<string, { registeredDay: string; renewalDueDay: string | null }>();
  for (const r of f.registrations ?? []) {
    registrations.set(r.siteId, { registeredDay: dateDay(r.registeredOn), renewalDueDay: r.renewalDueOn ? dateDay(r.renewalDueOn) : null });
  }
  return {
    id: f.id ?? "",
    size: householdSize(f),
    bedroomsNeeded: bedroomsNeeded(f),
    places: keys(f.profile.places) ?? new Set(),
    excluded: keys(f.profile.excludedPlaces),
    care: keys(f.profile.carePlaces),
    kinds: f.profile.dwellingKinds.length > 0 ? new Set(f.profile.dwellingKinds) : null,
    maxNetRent: f.profile.maxNetRent,
    incomeBand: band,
    wheelchair: needs.has("wheelchair"),
    groundOrLift: needs.has("ground_floor_or_lift"),
    senior: f.profile.qualifiesSenior,
    student: f.profile.qualifiesStudent,
    youth: f.profile.qualifiesYouth,
    registrations,
  };
}

/** Families by place key, so a listing looks only at the families searching where it is. */
export type PlaceIndex = Map<string, CompiledFamily[]>;

export function indexByPlace(families: Iterable<CompiledFamily>): PlaceIndex {
  const index: PlaceIndex = new Map();
  for (const f of families) {
    for (const p of f.places) {
      const list = index.get(p);
      if (list) list.push(f);
      else index.set(p, [f]);
    }
  }
  return index;
}

/** Each family searching in the listing's municipality or town, once. */
export function candidates(index: PlaceIndex, l: CompiledListing): CompiledFamily[] {
  const lists: CompiledFamily[][] = [];
  for (const key of l.placeKeys) {
    const list = index.get(key);
    if (list) lists.push(list);
  }
  if (lists.length === 0) return [];
  if (lists.length === 1) return lists[0]!;
  const seen = new Set<CompiledFamily>(lists[0]);
  for (let i = 1; i < lists.length; i++) for (const f of lists[i]!) seen.add(f);
  return [...seen];
}

// ---------------------------------------------------------------------------------------------
// The decision

function skip(key: string, values?: MatchReason["values"]): MatchDecision {
  return { match: false, skip: values ? { key, values } : { key } };
}

/** Keeps a listing-level skip for the next family (decisions are read-only for callers). */
function keep(l: CompiledListing, d: MatchDecision & { match: false }): MatchDecision {
  l.skips.set(d.skip.key, d);
  return d;
}

/** Reasons without values are the same object every time (frozen: callers only read them). */
const constant = (key: string): MatchReason => Object.freeze({ key });
const R = {
  care: constant("reason.care_region"),
  incomeFits: constant("reason.income_fits"),
  incomeCheck: constant("reason.income_check"),
  rentUnknown: constant("reason.rent_unknown"),
  wheelchairOk: constant("reason.wheelchair_ok"),
  wheelchairUnknown: constant("reason.wheelchair_unknown"),
  groundFloor: constant("reason.ground_floor"),
  lift: constant("reason.lift"),
  accessUnknown: constant("reason.access_unknown"),
  firstCome: constant("reason.first_come"),
  lottery: constant("reason.lottery"),
};

/**
 * Decides one listing for one family. Checks run from the most basic (open at all?) to the most
 * particular (registration dates); the first one that fails is the skip reason. Decisions are
 * read-only: a skip that depends on the listing alone is one object shared by every family.
 */
export function decide(l: CompiledListing, f: CompiledFamily, now: Date): MatchDecision {
  if (l.listingSkip) return l.listingSkip;
  const facts = l.facts;
  if (l.closesAtMs !== null && l.closesAtMs <= now.getTime()) return skip("skip.closed");
  if (!FAMILY_HOME_KINDS.has(facts.dwellingKind) && !(f.kinds?.has(facts.dwellingKind) ?? false)) {
    return l.skips.get("skip.not_a_home") ?? keep(l, { match: false, skip: { key: "skip.not_a_home", values: { kind: l.kindLabel } } });
  }
  if (f.kinds && !f.kinds.has(facts.dwellingKind)) {
    return l.skips.get("skip.kind_not_wanted") ?? keep(l, { match: false, skip: { key: "skip.kind_not_wanted", values: { kind: l.kindLabel } } });
  }

  // Where: in the family's places, not in an excluded one, and where the child's care is.
  const keys = l.placeKeys;
  let place: string | null = null;
  for (let i = 0; i < keys.length; i++) {
    if (f.places.has(keys[i]!)) {
      place = l.placeNames[i]!;
      break;
    }
  }
  if (place === null) return l.skips.get("skip.outside_area") ?? keep(l, { match: false, skip: { key: "skip.outside_area", values: { place: facts.city } } });
  if (f.excluded) for (let i = 0; i < keys.length; i++) if (f.excluded.has(keys[i]!)) return skip("skip.excluded_area", { place: l.placeNames[i]! });
  if (f.care) {
    let inCare = false;
    for (let i = 0; i < keys.length && !inCare; i++) inCare = f.care.has(keys[i]!);
    if (!inCare) return l.skips.get("skip.outside_care_region") ?? keep(l, { match: false, skip: { key: "skip.outside_care_region", values: { place: facts.city } } });
  }

  // Who may rent it: target groups and age limits.
  if (l.restrictedTo) {
    let qualifies = false;
    for (let i = 0; i < l.restrictedTo.length && !qualifies; i++) qualifies = f[RESTRICTED_GROUPS[l.restrictedTo[i]!]!];
    if (!qualifies) return l.skips.get("skip.target_group") ?? keep(l, { match: false, skip: { key: "skip.target_group", values: { group: l.restrictedTo[0]! } } });
  }
  const minAge = facts.minAge ?? null;
  const maxAge = facts.maxAge ?? null;
  if (minAge !== null && minAge >= SENIOR_AGE && !f.senior) return l.skips.get("skip.age_min") ?? keep(l, { match: false, skip: { key: "skip.age_min", values: { min: minAge } } });
  if (maxAge !== null && maxAge <= YOUTH_MAX_AGE && !f.youth) return l.skips.get("skip.age_max") ?? keep(l, { match: false, skip: { key: "skip.age_max", values: { max: maxAge } } });

  const size = f.size;
  if (facts.minHouseholdSize !== null && size < facts.minHouseholdSize) {
    return skip("skip.household_too_small", { count: size, min: facts.minHouseholdSize });
  }
  if (facts.maxHouseholdSize !== null && size > facts.maxHouseholdSize) {
    return skip("skip.household_too_large", { count: size, max: facts.maxHouseholdSize });
  }

  const reasons: MatchReason[] = [{ key: "reason.in_area", values: { place } }];
  if (f.care) reasons.push(R.care);
  const needed = f.bedroomsNeeded;
  if (facts.bedrooms === null) {
    reasons.push({ key: "reason.bedrooms_unknown", values: { needed } });
  } else if (facts.bedrooms < needed) {
    return skip("skip.too_few_bedrooms", { count: facts.bedrooms, needed });
  } else {
    reasons.push({ key: "reason.bedrooms_fit", values: { count: facts.bedrooms, needed } });
  }

  // Income: the family's band against the listing's limits, where the band's amount is known.
  const minIncome = facts.minIncome ?? null;
  const maxIncome = facts.maxIncome ?? null;
  if (minIncome !== null || maxIncome !== null) {
    const limits = l.incomeLimits;
    const limit = limits ? (size === 1 ? limits.onePerson : limits.multiPerson) : null;
    if (f.incomeBand !== null && limit !== null) {
      if (f.incomeBand === "below_limit" && minIncome !== null && minIncome > limit) return skip("skip.income_too_low", { income: minIncome });
      if (f.incomeBand === "above_limit" && maxIncome !== null && maxIncome <= limit) return skip("skip.income_too_high", { income: maxIncome });
      const fits =
        f.incomeBand === "below_limit" ? minIncome === null && (maxIncome === null || maxIncome >= limit) : maxIncome === null && (minIncome === null || minIncome <= limit);
      reasons.push(fits ? R.incomeFits : R.incomeCheck);
    } else {
      reasons.push(R.incomeCheck);
    }
  }
  if (minAge !== null && minAge > ADULT_AGE && !(minAge >= SENIOR_AGE && f.senior)) reasons.push({ key: "reason.age_min_check", values: { min: minAge } });
  if (maxAge !== null && !(maxAge <= YOUTH_MAX_AGE && f.youth) && maxAge < 100) reasons.push({ key: "reason.age_max_check", values: { max: maxAge } });

  // Rent: the family's own maximum, then passend toewijzen.
  const rent = facts.netRent;
  const max = f.maxNetRent;
  if (rent === null) {
    reasons.push(R.rentUnknown);
  } else {
    if (max !== null && rent > max + CENT) return skip("skip.too_expensive", { rent, maxRent: max });
    if (max !== null) reasons.push({ key: "reason.rent_fits", values: { rent, maxRent: max } });
    if (l.rentCaps) {
      const cap = size <= 2 ? l.rentCaps.low : l.rentCaps.high;
      if (f.incomeBand === "below_limit") {
        if (rent > cap + CENT) return skip("skip.passend_too_expensive", { rent, maxRent: cap, year: l.rentCaps.year });
        reasons.push({ key: "reason.passend_fits", values: { rent, maxRent: cap } });
      } else if (f.incomeBand === null && rent > cap + CENT) {
        reasons.push({ key: "reason.passend_check", values: { rent, maxRent: cap } });
      }
    }
  }

  // Access: unknown is said, not skipped.
  const a = l.access;
  if (f.wheelchair) {
    if (a.wheelchair === false) return l.skips.get("skip.not_wheelchair") ?? keep(l, { match: false, skip: { key: "skip.not_wheelchair" } });
    reasons.push(a.wheelchair === true ? R.wheelchairOk : R.wheelchairUnknown);
  }
  if (f.groundOrLift) {
    if (a.floor !== null && a.floor > 0 && a.lift === false) {
      return l.skips.get("skip.stairs_no_lift") ?? keep(l, { match: false, skip: { key: "skip.stairs_no_lift", values: { floor: a.floor } } });
    }
    reasons.push(a.floor === 0 ? R.groundFloor : a.lift === true ? R.lift : R.accessUnknown);
  }

  // Registration at the site: the per-site lottery rule, then what the family must do.
  const site = facts.siteName ?? facts.siteId ?? "";
  const reg = facts.siteId ? f.registrations.get(facts.siteId) : undefined;
  if (l.lotteryAfterRegistration && facts.allocationModel === "lottery") {
    if (!reg) return l.skips.get("skip.lottery_not_registered") ?? keep(l, { match: false, skip: { key: "skip.lottery_not_registered", values: { site } } });
    // Same day counts: the ad may well have come out after the registration that day.
    if (l.publishedDay !== null && reg.registeredDay > l.publishedDay) {
      return skip("skip.lottery_registered_after", { site, since: reg.registeredDay, published: l.publishedDay });
    }
  }
  if (reg) {
    reasons.push({ key: "reason.registered", values: { site, since: reg.registeredDay } });
    if (reg.renewalDueDay !== null && reg.renewalDueDay < l.today) reasons.push({ key: "reason.renewal_overdue", values: { site, due: reg.renewalDueDay } });
  } else if (facts.registrationRequired === true) {
    reasons.push({ key: "reason.register_first", values: { site } });
  }

  if (facts.allocationModel === "first_come") reasons.push(R.firstCome);
  else if (facts.allocationModel === "lottery") reasons.push(R.lottery);
  return { match: true, reasons };
}

/** One listing, one family, from plain facts: for the server and for tests. */
export function decideMatch(listing: ListingFacts, family: FamilyFacts, now: Date, data: EligibilityData = defaultEligibilityData()): MatchDecision {
  return decide(compileListing(listing, data, now), compileFamily(family, data), now);
}
