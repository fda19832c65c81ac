// The normalized listing: what every site adapter yields, whatever the platform.
// Pure: no I/O. Server, workers, CLI and tests import it.
import { z } from "zod";

/** How a home is allocated. Drives matching (skip swaps) and, later, alert urgency. */
export const AllocationModel = z.enum([
  "waiting_time", // inschrijfduur / Aanbodmodel: longest registration wins
  "lottery", // loting
  "first_come", // reactiedatum, "direct te huur", DirectKans: whoever responds first
  "cooptation", // hospiteren: residents choose
  "home_swap", // woningruil: never offered to families
  "free_sector", // vrije sector (mid-rent, rarely affordable)
  "unknown",
]);
export type AllocationModel = z.infer<typeof AllocationModel>;

/** Target groups, normalized from each platform's own codes. */
export const TargetGroup = z.enum(["regular", "family", "senior_55_plus", "youth", "student", "disabled", "other"]);
export type TargetGroup = z.infer<typeof TargetGroup>;

export const DwellingKind = z.enum(["house", "apartment", "room", "parking", "other"]);
export type DwellingKind = z.infer<typeof DwellingKind>;

const money = z.number().finite().nonnegative().max(20_000);
const utcInstant = z.date();

export const NormalizedListing = z.object({
  externalId: z.string().min(1).max(200),
  street: z.string().min(1).max(200),
  houseNumber: z.string().max(20),
  houseNumberAddition: z.string().max(20).default(""),
  /** Dutch postcode "1234 AB" (normalized with a space), or null when the site hides it. */
  postcode: z
    .string()
    .regex(/^[1-9][0-9]{3} [A-Z]{2}$/)
    .nullable(),
  city: z.string().min(1).max(120),
  /** Municipality (gemeente) when the site says it; else null and the catalogue's mapping decides. */
  municipality: z.string().min(1).max(120).nullable(),
  netRent: money.nullable(),
  grossRent: money.nullable(),
  /** Bedrooms (slaapkamers). DAK gives rooms (kamers): its adapter subtracts the living room. */
  bedrooms: z.number().int().min(0).max(20).nullable(),
  areaM2: z.number().nonnegative().max(2000).nullable(),
  dwellingKind: DwellingKind,
  /** The site's own words for the type, e.g. "Eengezinswoning", "Maisonnette". */
  dwellingTypeLabel: z.string().max(120).nullable(),
  allocationModel: AllocationModel,
  targetGroups: z.array(TargetGroup),
  minHouseholdSize: z.number().int().min(0).max(20).nullable(),
  maxHouseholdSize: z.number().int().min(0).max(50).nullable(),
  minIncome: money.max(1_000_000).nullable(),
  maxIncome: money.max(1_000_000).nullable(),
  minAge: z.number().int().min(0).max(120).nullable(),
  maxAge: z.number().int().min(0).max(150).nullable(),
  registrationRequired: z.boolean().nullable(),
  publishedAt: utcInstant.nullable(),
  closesAt: utcInstant.nullable(),
  sourceUrl: z.string().url(),
  /** The platform's own record for this listing, kept for audit and re-parsing. */
  raw: z.unknown(),
});
export type NormalizedListing = z.infer<typeof NormalizedListing>;
export type NormalizedListingInput = z.input<typeof NormalizedListing>;

/** Normalizes "2628TR" / "2628 tr" to "2628 TR"; null when it is not a Dutch postcode. */
export function normalizePostcode(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const m = /^\s*([1-9][0-9]{3})\s*([a-zA-Z]{2})\s*$/.exec(raw);
  return m ? `${m[1]} ${m[2]!.toUpperCase()}` : null;
}

/** Lower case, accents removed, anything but letters and digits collapsed to one space. */
function normalizeWords(raw: string): string {
  return raw
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/**
 * Splits a house number that carries its addition ("12A", "12-3") and normalizes the addition:
 * sites write "A", "a", "-a", "3" or "-3" for the same door, so only letters and digits count.
 */
function numberAndAddition(houseNumber: string, addition: string): { number: string; addition: string } | null {
  const m = /^\s*0*(\d+)\s*(.*)$/.exec(houseNumber);
  if (!m || m[1] === "") return null;
  const extra = `${m[2] ?? ""}${addition}`.toLowerCase().replace(/[^a-z0-9]/g, "");
  return { number: m[1]!, addition: extra };
}

/**
 * The identity of a home across sites and over time: the same door published on two sites, or
 * again after a withdrawal, gets the same key. Postcode + house number + addition when the site
 * gives a postcode ("pc:2628TR:12:a"); otherwise city + street + number + addition
 * ("addr:delft:van hasseltlaan:12:a"). Null when there is no house number to tell doors apart.
 */
export function homeKey(l: Pick<NormalizedListing, "postcode" | "houseNumber" | "houseNumberAddition" | "street" | "city">): string | null {
  const door = numberAndAddition(l.houseNumber, l.houseNumberAddition ?? "");
  if (!door) return null;
  const postcode = normalizePostcode(l.postcode);
  if (postcode) return `pc:${postcode.replace(" ", "")}:${door.number}:${door.addition}`;
  const street = normalizeWords(l.street);
  const city = normalizeWords(l.city);
  if (!street || !city) return null;
  return `addr:${city}:${street}:${door.number}:${door.addition}`;
}
