// Postcode areas for generated homes on catalogue sites, whose places the recordings never show.
// The province comes from data/municipalities-2025.csv; each province gets the broad postcode
// ranges PostNL uses there. Approximate on purpose: only the farm's made-up addresses use them, so a
// generated home in Winterswijk gets a 7xxx postcode rather than one from Delft.
import { loadMunicipalities, loadRegions } from "../../infra/regions.js";
import type { PostcodeAreas } from "./generate.js";

/** Broad 4-digit postcode ranges per province (both ends included). */
const PROVINCE_RANGES: Record<string, [number, number][]> = {
  Groningen: [[9600, 9999]],
  "Fryslân": [[8400, 9299]],
  Drenthe: [[7700, 7999], [9400, 9599]],
  Overijssel: [[7400, 7699], [8000, 8099]],
  Flevoland: [[1300, 1399], [8200, 8259], [8300, 8319]],
  Gelderland: [[3770, 3899], [4000, 4199], [6500, 7399]],
  Utrecht: [[3400, 3769], [3900, 3999]],
  "Noord-Holland": [[1000, 1299], [1400, 2099]],
  "Zuid-Holland": [[2100, 3399], [4200, 4299]],
  Zeeland: [[4300, 4599]],
  "Noord-Brabant": [[4600, 5799]],
  Limburg: [[5800, 6499]],
};

const norm = (s: string): string => s.trim().toLowerCase();

export function provinceOf(place: string): string | undefined {
  return loadMunicipalities().byName(place)?.province;
}

/** The name a site writes for a municipality: its everyday name ("Den Haag", "Middelburg") where it has one. */
export function everydayName(municipality: string): string {
  return loadMunicipalities().namesOf(municipality).at(-1) ?? municipality;
}

/**
 * Municipalities of a site's regions, for catalogue sites that list none: a krimp or anticipeer
 * region (or one of its other names), or a province ("Fryslân", "Provincie Groningen"). Regions the
 * data files do not know ("West-Brabant") give nothing.
 */
export function regionMunicipalities(regions: readonly string[]): string[] {
  const index = loadMunicipalities();
  const known = loadRegions();
  const found: string[] = [];
  for (const region of regions) {
    const r = known.find((k) => [k.name, ...k.aliases].some((n) => norm(n) === norm(region)));
    if (r) {
      found.push(...r.municipalities);
      continue;
    }
    const province = norm(region.replace(/^provincie\s+/i, ""));
    found.push(...index.all.filter((m) => norm(m.province) === province).map((m) => m.name));
  }
  return [...new Set(found)];
}

/** A stable small number from a name, so a place keeps its postcode areas across runs. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Adds postcode areas for `places` that `areas` has none for. A place's province is its own (when it
 * is a municipality), else the province most of the site's places are in (a town of that region).
 * Places in no known province keep none, and the generator falls back to the site's other areas.
 */
export function addProvinceAreas(areas: PostcodeAreas, places: readonly string[]): void {
  const counts = new Map<string, number>();
  for (const place of places) {
    const p = provinceOf(place);
    if (p) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  const regional = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  for (const place of places) {
    if ((areas.get(place) ?? []).length > 0) continue;
    const ranges = PROVINCE_RANGES[provinceOf(place) ?? regional ?? ""];
    if (!ranges) continue;
    const size = ranges.reduce((sum, [from, to]) => sum + (to - from + 1), 0);
    const picks: string[] = [];
    // Three neighbouring areas per place: enough variety, still one part of the province.
    const offset = hash(place) % size;
    for (let i = 0; i < 3; i++) {
      let o = (offset + i * 7) % size;
      for (const [from, to] of ranges) {
        const width = to - from + 1;
        if (o < width) {
          picks.push(String(from + o));
          break;
        }
        o -= width;
      }
    }
    areas.set(place, [...new Set(picks)]);
  }
}
