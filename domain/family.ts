// Family facts shared by server and workers. Minimal by design: a pseudonymous name, a language,
// contact channels, household composition (birth years, never full dates of birth), needs that
// restrict the home (never a diagnosis), an income band (never an amount). No BSN.
import type { FamilyFacts, ListingFacts, RegistrationFacts } from "./eligibility.js";
import { expandPlaces, type RegionTable } from "./regions.js";

/** Languages families may choose; every one has a full set of messages in domain/locales/. */
export const LANGUAGES_ALL = ["nl", "en", "ar", "tr", "fr", "es", "pt"] as const;
export type FamilyLanguage = (typeof LANGUAGES_ALL)[number];

/** Needs that restrict which homes fit. A child's care that exists only in some places is a region restriction (below). */
export const NEEDS = ["wheelchair", "ground_floor_or_lift"] as const;
export type Need = (typeof NEEDS)[number];

/** Income relative to the rent-allowance (passend toewijzen) limit; null = not known. */
export const INCOME_BANDS = ["below_limit", "above_limit"] as const;
export type IncomeBand = (typeof INCOME_BANDS)[number];

// Storage conventions for two profile facts that have no column of their own (see the report that
// introduced them): the care-region restriction lives in Family.needs ("a need that restricts the
// home"), excluded places live in SearchProfile.regions. Only these helpers read or write them.
const CARE_PREFIX = "care_region:";
const EXCLUDED_PREFIX = "!";

export function splitNeeds(stored: readonly string[]): { needs: Need[]; careRegions: string[] } {
  const needs: Need[] = [];
  const careRegions: string[] = [];
  for (const s of stored) {
    if (s.startsWith(CARE_PREFIX)) careRegions.push(s.slice(CARE_PREFIX.length));
    else if ((NEEDS as readonly string[]).includes(s)) needs.push(s as Need);
  }
  return { needs, careRegions };
}

export function joinNeeds(needs: readonly Need[], careRegions: readonly string[]): string[] {
  return [...new Set(needs), ...[...new Set(careRegions)].map((r) => `${CARE_PREFIX}${r}`)];
}

export function splitRegions(stored: readonly string[]): { regions: string[]; excludedPlaces: string[] } {
  const regions: string[] = [];
  const excludedPlaces: string[] = [];
  for (const s of stored) {
    if (s.startsWith(EXCLUDED_PREFIX)) excludedPlaces.push(s.slice(EXCLUDED_PREFIX.length));
    else regions.push(s);
  }
  return { regions, excludedPlaces };
}

export function joinRegions(regions: readonly string[], excludedPlaces: readonly string[]): string[] {
  return [...new Set(regions), ...[...new Set(excludedPlaces)].map((p) => `${EXCLUDED_PREFIX}${p}`)];
}

/** A Prisma Decimal or a plain number. */
type Numberish = number | { toNumber(): number } | null | undefined;
const num = (v: Numberish): number | null => (v === null || v === undefined ? null : typeof v === "number" ? v : v.toNumber());

export interface StoredFamily {
  id: string;
  adults: number;
  childBirthYears: number[];
  needs: string[];
  incomeBand: string | null;
  profile: {
    municipalities: string[];
    regions: string[];
    minBedrooms: number | null;
    maxNetRent: Numberish;
    dwellingKinds: string[];
    qualifiesSenior: boolean;
    qualifiesStudent: boolean;
    qualifiesYouth: boolean;
  } | null;
  registrations?: RegistrationFacts[];
}

/**
 * A stored family as the eligibility engine sees it: regions expanded to municipalities through the
 * region table; excluded places and the care restriction may name regions or municipalities.
 */
export function familyFacts(f: StoredFamily, table: RegionTable): FamilyFacts {
  const { needs, careRegions } = splitNeeds(f.needs);
  const p = f.profile;
  const { regions, excludedPlaces } = splitRegions(p?.regions ?? []);
  return {
    id: f.id,
    adults: f.adults,
    childBirthYears: f.childBirthYears,
    needs,
    incomeBand: f.incomeBand,
    registrations: f.registrations ?? [],
    profile: {
      places: p ? expandPlaces(p.municipalities, regions, table) : [],
      excludedPlaces: expandPlaces(excludedPlaces, excludedPlaces, table),
      carePlaces: expandPlaces(careRegions, careRegions, table),
      minBedrooms: p?.minBedrooms ?? null,
      maxNetRent: num(p?.maxNetRent),
      dwellingKinds: p?.dwellingKinds ?? [],
      qualifiesSenior: p?.qualifiesSenior ?? false,
      qualifiesStudent: p?.qualifiesStudent ?? false,
      qualifiesYouth: p?.qualifiesYouth ?? false,
    },
  };
}

export interface StoredListing {
  siteId: string;
  site?: { name: string; host: string } | null;
  status: "open" | "closed" | "withdrawn";
  city: string;
  municipality: string | null;
  bedrooms: number | null;
  netRent: Numberish;
  dwellingKind: string;
  dwellingTypeLabel: string | null;
  allocationModel: string;
  targetGroups: string[];
  minHouseholdSize: number | null;
  maxHouseholdSize: number | null;
  minIncome: Numberish;
  maxIncome: Numberish;
  minAge: number | null;
  maxAge: number | null;
  registrationRequired: boolean | null;
  publishedAt: Date | null;
  closesAt: Date | null;
  raw?: unknown;
}

/** A stored listing (Decimals and all) as the eligibility engine sees it. */
export function listingFacts(l: StoredListing): ListingFacts {
  return {
    siteId: l.siteId,
    siteName: l.site?.name,
    siteHost: l.site?.host,
    status: l.status,
    city: l.city,
    municipality: l.municipality,
    bedrooms: l.bedrooms,
    netRent: num(l.netRent),
    dwellingKind: l.dwellingKind,
    dwellingTypeLabel: l.dwellingTypeLabel,
    allocationModel: l.allocationModel,
    targetGroups: l.targetGroups,
    minHouseholdSize: l.minHouseholdSize,
    maxHouseholdSize: l.maxHouseholdSize,
    minIncome: num(l.minIncome),
    maxIncome: num(l.maxIncome),
    minAge: l.minAge,
    maxAge: l.maxAge,
    registrationRequired: l.registrationRequired,
    publishedAt: l.publishedAt,
    closesAt: l.closesAt,
    raw: l.raw,
  };
}
