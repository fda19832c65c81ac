// New listings for the farm: a seeded PRNG (repeatable runs) and the platform-neutral facts of a
// plausible social-rent family home. Platforms turn a Home into their own record format.
import type { FarmModel, Home } from "./types.js";

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: tiny, fast, good enough for test data, and identical on every machine. */
export function makeRng(seed: number, salt: string): Rng {
  // FNV-1a over seed and salt, so each site gets its own stream from the same farm seed.
  let h = 0x811c9dc5;
  for (const ch of `${seed}:${salt}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  let state = h >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError("pick from an empty list");
      return items[Math.floor(next() * items.length)] as T;
    },
  };
}

/** Street names found in most Dutch towns, so a generated address looks ordinary anywhere. */
const STREETS = [
  "Lindelaan",
  "Beukenlaan",
  "Eikenlaan",
  "Kastanjelaan",
  "Esdoornstraat",
  "Berkenstraat",
  "Merelstraat",
  "Lijsterstraat",
  "Spreeuwstraat",
  "Zwaluwstraat",
  "Tulpstraat",
  "Rozenstraat",
  "Narcissenstraat",
  "Dahliastraat",
  "Anjerstraat",
  "Irisstraat",
  "Rembrandtstraat",
  "Vermeerstraat",
  "Frans Halsstraat",
  "Jan Steenstraat",
  "Karel Doormanstraat",
  "Piet Heinstraat",
  "De Ruyterstraat",
  "Julianastraat",
  "Beatrixlaan",
  "Wilhelminastraat",
  "Emmastraat",
  "Oranjestraat",
  "Nassaulaan",
  "Molenweg",
  "Kerkstraat",
  "Schoolstraat",
] as const;

const LETTERS = "ABCDEFGHJKLMNPRSTVWXZ";
/** PostNL never issues these letter pairs. */
const FORBIDDEN_PAIRS = new Set(["SA", "SD", "SS"]);

/** Postcode digits ("2628") per municipality, collected from a site's fixture records. */
export type PostcodeAreas = Map<string, string[]>;

export function collectPostcodeAreas(places: { municipality: string; postcode: string | null }[]): PostcodeAreas {
  const areas: PostcodeAreas = new Map();
  for (const { municipality, postcode } of places) {
    const digits = postcode ? /^([1-9]\d{3})/.exec(postcode)?.[1] : undefined;
    if (!digits) continue;
    const list = areas.get(municipality) ?? [];
    if (!list.includes(digits)) list.push(digits);
    areas.set(municipality, list);
  }
  return areas;
}

export interface HomeRequest {
  municipality?: string;
  bedrooms?: number;
  netRent?: number;
  model?: FarmModel;
  /** Closing moment; defaults to the platform's usual closing. */
  closesAt?: Date;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Draws a home. Every random value is drawn whether or not it is overridden, so an override on one
 * publish does not change the homes that follow it.
 */
export function drawHome(
  rng: Rng,
  number: number,
  municipalities: readonly string[],
  areas: PostcodeAreas,
  publishedAt: Date,
  defaultClosing: Date,
  request: HomeRequest,
): Home {
  const drawnMunicipality = rng.pick(municipalities);
  const municipality = request.municipality ?? drawnMunicipality;
  const street = rng.pick(STREETS);
  const houseNumber = rng.int(1, 180);
  const drawnBedrooms = rng.int(2, 3);
  const bedrooms = request.bedrooms ?? drawnBedrooms;
  const drawnRent = round2(600 + rng.next() * 280);
  const serviceCosts = round2(3 + rng.next() * 57);
  const areaNoise = rng.int(0, 15);
  // An unknown municipality (an override) borrows a postcode area of the site: the site's region.
  const ownAreas = areas.get(municipality);
  const anyArea = [...areas.values()].flat();
  const digits = rng.pick(ownAreas && ownAreas.length > 0 ? ownAreas : anyArea);
  let letters = "";
  do letters = rng.pick([...LETTERS]) + rng.pick([...LETTERS]);
  while (FORBIDDEN_PAIRS.has(letters));
  return {
    number,
    street,
    houseNumber,
    postcode: `${digits} ${letters}`,
    municipality,
    bedrooms,
    netRent: request.netRent ?? drawnRent,
    serviceCosts,
    areaM2: 30 + Math.min(bedrooms, 5) * 14 + areaNoise,
    model: request.model ?? "waiting_time",
    publishedAt,
    closesAt: request.closesAt ?? defaultClosing,
  };
}

/** Deep clone for JSON records (fixtures are plain JSON). */
export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}

/** A decimal with two places as a string, the way OutSystems (DAK) sends money ("713.02"). */
export function decimalString(n: number): string {
  return n.toFixed(2);
}

/** Moves a "52.0083"-style coordinate a little, keeping its number of decimals. */
export function jitterCoordinate(raw: string, rng: Rng): string {
  const value = Number(raw);
  const decimals = raw.includes(".") ? raw.split(".")[1]!.length : 0;
  const moved = value + (rng.next() - 0.5) * 0.01;
  return Number.isFinite(value) && value !== 0 ? moved.toFixed(decimals) : raw;
}
