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

export type RegionKind = "krimp" | "anticipeer";

/** A krimp- or anticipeerregio as a set of municipalities (data/krimp-anticipeer-regions.json). */
export interface RegionDefinition {
  name: string;
  kind: RegionKind;
  municipalities: string[];
}

/**
 * The krimp and anticipeer regions a site serves: those with at least one of its municipalities.
 * Names are compared normalized, so spelling variants of one municipality still count.
 */
export function regionsServed(municipalities: string[], regions: RegionDefinition[]): { krimp: string[]; anticipeer: string[] } {
  const served = new Set(municipalities.map(normalizePlace));
  const hit = (kind: RegionKind) =>
    regions.filter((r) => r.kind === kind && r.municipalities.some((m) => served.has(normalizePlace(m)))).map((r) => r.name);
  return { krimp: hit("krimp"), anticipeer: hit("anticipeer") };
}

/** The WoningNet registration the shelter's rules ask for: WoningNet Stadsregio Amsterdam. */
export const WONINGNET_AMSTERDAM_HOST = "amsterdam.mijndak.nl";
/** Housing sites in krimpregio's a family must be registered at, besides WoningNet. */
export const KRIMP_SITES_REQUIRED = 3;

export interface RequirementSite {
  id: string;
  platform: string;
  host: string;
  /** Krimp regions the site serves, computed from its municipalities (never typed by hand). */
  krimpRegions: string[];
}

export interface RegistrationRequirement {
  /** Registered at WoningNet Stadsregio Amsterdam. */
  woningnet: boolean;
  /** Ids of the sites the family is registered at that serve a krimpregio, in registration order. */
  krimpSites: string[];
  /** WoningNet plus at least three krimp sites: the condition of stay is met. */
  met: boolean;
}

/**
 * The registration rule of the noodopvang (Nadere Regels): WoningNet Stadsregio Amsterdam and at
 * least three housing sites in krimpregio's. Registrations at sites the list does not know count
 * for nothing; a site counts once however often it is listed.
 */
export function registrationRequirement(registrations: { siteId: string }[], sites: RequirementSite[]): RegistrationRequirement {
  const byId = new Map(sites.map((s) => [s.id, s]));
  const registered = [...new Set(registrations.map((r) => r.siteId))].flatMap((id) => byId.get(id) ?? []);
  const woningnet = registered.some((s) => s.platform === "dak" && s.host.toLowerCase() === WONINGNET_AMSTERDAM_HOST);
  const krimpSites = registered.filter((s) => s.krimpRegions.length > 0).map((s) => s.id);
  return { woningnet, krimpSites, met: woningnet && krimpSites.length >= KRIMP_SITES_REQUIRED };
}
