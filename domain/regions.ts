// Regions as sets of municipalities, so "homes in region X" is computed, not typed by hand.
// The tables come from data files (data/krimp-anticipeer-regions.json, data/sites.json); this
// module only combines them.
import { normalizePlace } from "./matching.js";

export type RegionTable = Map<string, string[]>; // normalized region name -> municipality names

export function buildRegionTable(sources: { name: string; municipalities: string[] }[]): RegionTable {
  const table: RegionTable = new Map();
  for (const s of sources) {
    const key = normalizePlace(s.name);
    table.set(key, [...new Set([...(table.get(key) ?? []), ...s.municipalities])]);
  }
  return table;
}

/** The places a family searches in: its municipalities plus those of its regions. */
export function expandPlaces(municipalities: string[], regions: string[], table: RegionTable): string[] {
  const out = new Set(municipalities);
  for (const r of regions) for (const m of table.get(normalizePlace(r)) ?? []) out.add(m);
  return [...out];
}
