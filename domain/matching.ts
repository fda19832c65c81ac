// Matching, first version: does this listing suit this family's search profile?
// Pure and deterministic. Every decision carries its reasons (match) or its one skip reason, as
// message keys with values, so a counsellor can answer "why didn't she get this one?".
import type { AllocationModel, DwellingKind, TargetGroup } from "./listing.js";

export interface MatchReason {
  key: string;
  values?: Record<string, string | number>;
}

export type MatchDecision =
  | { match: true; reasons: MatchReason[] }
  | { match: false; skip: MatchReason };

export interface ListingFacts {
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
  closesAt: Date | null;
}

export interface FamilyFacts {
  adults: number;
  childBirthYears: number[];
  profile: {
    /** Municipalities and towns the family searches in, regions already expanded. */
    places: string[];
    minBedrooms: number | null;
    maxNetRent: number | null;
    dwellingKinds: string[];
    qualifiesSenior: boolean;
    qualifiesStudent: boolean;
    qualifiesYouth: boolean;
  };
}

/** Homes a family can live in. Rooms and parking are never family homes unless asked for. */
const FAMILY_HOME_KINDS = new Set(["house", "apartment"]);
/** Target groups that restrict who may rent; "regular", "family" and "other" do not. */
const RESTRICTED_GROUPS: Record<string, keyof FamilyFacts["profile"]> = {
  senior_55_plus: "qualifiesSenior",
  student: "qualifiesStudent",
  youth: "qualifiesYouth",
};

export function householdSize(f: Pick<FamilyFacts, "adults" | "childBirthYears">): number {
  return f.adults + f.childBirthYears.length;
}

/**
 * Bedrooms a household needs: one for the parent(s), and children two to a room.
 * A common corporation rule of thumb; a family's own minimum in its profile overrides upward.
 */
export function bedroomsNeeded(f: FamilyFacts): number {
  const forChildren = Math.ceil(f.childBirthYears.length / 2);
  const needed = Math.max(1, (f.adults > 0 ? 1 : 0) + forChildren);
  return Math.max(needed, f.profile.minBedrooms ?? 0);
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

export function decideMatch(listing: ListingFacts, family: FamilyFacts, now: Date): MatchDecision {
  const skip = (key: string, values?: MatchReason["values"]): MatchDecision => ({
    match: false,
    skip: values ? { key, values } : { key },
  });

  if (listing.status !== "open" || (listing.closesAt && listing.closesAt.getTime() <= now.getTime())) {
    return skip("skip.closed");
  }
  if (listing.allocationModel === "home_swap") return skip("skip.home_swap");
  const kinds = family.profile.dwellingKinds.length > 0 ? new Set(family.profile.dwellingKinds) : FAMILY_HOME_KINDS;
  if (!kinds.has(listing.dwellingKind)) {
    return listing.dwellingKind === "parking" || !FAMILY_HOME_KINDS.has(listing.dwellingKind)
      ? skip("skip.not_a_home", { kind: listing.dwellingTypeLabel ?? listing.dwellingKind })
      : skip("skip.kind_not_wanted", { kind: listing.dwellingTypeLabel ?? listing.dwellingKind });
  }
  const open = listing.targetGroups.filter((g) => !(g in RESTRICTED_GROUPS));
  const restricted = listing.targetGroups.filter((g) => g in RESTRICTED_GROUPS);
  if (restricted.length > 0 && open.length === 0) {
    const qualifies = restricted.some((g) => family.profile[RESTRICTED_GROUPS[g]!] === true);
    if (!qualifies) return skip("skip.target_group", { group: restricted[0]! });
  }

  const places = new Set(family.profile.places.map(normalizePlace));
  const where = [listing.municipality, listing.city].filter((p): p is string => !!p);
  const place = where.find((p) => places.has(normalizePlace(p)));
  if (!place) return skip("skip.outside_area", { place: listing.city });

  const size = householdSize(family);
  if (listing.minHouseholdSize !== null && size < listing.minHouseholdSize) {
    return skip("skip.household_too_small", { size, min: listing.minHouseholdSize });
  }
  if (listing.maxHouseholdSize !== null && size > listing.maxHouseholdSize) {
    return skip("skip.household_too_large", { size, max: listing.maxHouseholdSize });
  }

  const reasons: MatchReason[] = [{ key: "reason.in_area", values: { place } }];
  const needed = bedroomsNeeded(family);
  if (listing.bedrooms === null) {
    reasons.push({ key: "reason.bedrooms_unknown", values: { needed } });
  } else if (listing.bedrooms < needed) {
    return skip("skip.too_few_bedrooms", { bedrooms: listing.bedrooms, needed });
  } else {
    reasons.push({ key: "reason.bedrooms_fit", values: { bedrooms: listing.bedrooms, needed } });
  }

  const max = family.profile.maxNetRent;
  if (max !== null && listing.netRent !== null && listing.netRent > max) {
    return skip("skip.too_expensive", { rent: listing.netRent, max });
  }
  if (max !== null && listing.netRent !== null) {
    reasons.push({ key: "reason.rent_fits", values: { rent: listing.netRent, max } });
  } else if (listing.netRent === null) {
    reasons.push({ key: "reason.rent_unknown" });
  }
  if (listing.allocationModel === "first_come") reasons.push({ key: "reason.first_come" });
  return { match: true, reasons };
}
