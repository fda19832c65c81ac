// The site catalogue and region data, read from the repository's data/ folder.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { AllocationModel } from "../domain/listing.js";
import { normalizePlace } from "../domain/matching.js";
import { buildRegionTable, type RegionTable } from "../domain/regions.js";
import { loadMunicipalities, loadRegions, siteRegions } from "./regions.js";

const DATA_DIR = new URL("../data/", import.meta.url);

/**
 * Platform families a catalogue entry may name. "unknown": no adapter exists, so the site is
 * catalogued (for registrations and coverage) but never scraped.
 */
export const CATALOGUE_PLATFORMS = ["zig", "zig-aanbodapi", "dak", "embrace", "woonmatch", "entree", "itris", "unknown"] as const;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");
const euros = z.number().finite().nonnegative().nullable().default(null);
const text = z.string().min(1).nullable().default(null);

/** Unknown facts stay null: a null is "not checked", never "none". */
export const Registration = z.object({
  /** What registering costs, in the site's own terms ("€15 one-off plus €10 a year"). */
  cost: text,
  oneOffFeeEur: euros,
  yearlyFeeEur: euros,
  /** What keeps a registration alive ("renew every year, or the waiting time is lost"). */
  renewal: text,
});

export const ResponseLimits = z.object({
  /** Open responses allowed at once; "unlimited" when the site says so. */
  maxOpenResponses: z.union([z.number().int().positive(), z.literal("unlimited")]).nullable().default(null),
  note: text,
});

export const Penalties = z.object({
  missedViewing: text,
  other: text,
});

export const CatalogueSite = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    name: z.string().min(1),
    host: z.string().min(1),
    baseUrl: z.string().url(),
    platform: z.enum(CATALOGUE_PLATFORMS),
    /** Platform settings (the adapter validates them), plus `towns` where a site names towns, not municipalities. */
    settings: z.record(z.string(), z.unknown()).default({}),
    /** Housing-region names, as the site or its region calls itself. */
    regions: z.array(z.string().min(1)).default([]),
    /** CBS names of the municipalities the site serves; [] when not known. */
    municipalities: z.array(z.string().min(1)).default([]),
    /** Seconds between scrapes; sites with first-come homes need 60. */
    pollIntervalSeconds: z.number().int().min(5).optional(),
    /** Whether the site publishes first-come homes; null when not known. */
    firstCome: z.boolean().nullable().default(false),
    /** False: catalogued but never scraped. */
    enabled: z.boolean().default(true),
    registration: Registration.prefault({}),
    responseLimits: ResponseLimits.prefault({}),
    penalties: Penalties.prefault({}),
    /** When responding usually closes, in words. */
    typicalClosingTime: text,
    /** Allocation models the site is known to use (possibly not all); null when not known. */
    allocationModels: z.array(AllocationModel).nullable().default(null),
    /** The date the entry's facts were last looked at. */
    checked: isoDate.optional(),
    /** Whether the facts were confirmed at the site itself. */
    verified: z.boolean().default(false),
    /** Where the facts come from. */
    sources: z.array(z.string().min(1)).default([]),
    notes: text,
  })
  .superRefine((site, ctx) => {
    if (site.platform === "unknown" && site.enabled) {
      ctx.addIssue({ code: "custom", path: ["enabled"], message: 'a site without a known platform ("unknown") cannot be enabled' });
    }
    const towns = z.record(z.string().min(1), z.string().min(1)).optional().safeParse(site.settings.towns);
    if (!towns.success) ctx.addIssue({ code: "custom", path: ["settings", "towns"], message: "must map town names to municipality names" });
  });
export type CatalogueSite = z.infer<typeof CatalogueSite>;

const CatalogueFile = z.object({ sites: z.array(CatalogueSite) });

/** Problems the schema cannot see: duplicate ids, and names that are not CBS municipality names. */
export function catalogueProblems(sites: CatalogueSite[]): string[] {
  const index = loadMunicipalities();
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const s of sites) {
    if (seen.has(s.id)) problems.push(`${s.id}: id appears twice`);
    seen.add(s.id);
    for (const m of s.municipalities) {
      if (!index.isCbsName(m)) problems.push(`${s.id}: municipality ${JSON.stringify(m)} is not a CBS name${index.byName(m) ? ` (use ${JSON.stringify(index.byName(m)!.name)})` : ""}`);
    }
    const towns = (s.settings.towns ?? {}) as Record<string, string>;
    for (const [town, m] of Object.entries(towns)) {
      if (!s.municipalities.includes(m)) problems.push(`${s.id}: town ${JSON.stringify(town)} maps to ${JSON.stringify(m)}, which is not in its municipalities`);
    }
  }
  return problems;
}

export function parseCatalogue(raw: unknown): CatalogueSite[] {
  const { sites } = CatalogueFile.parse(raw);
  const problems = catalogueProblems(sites);
  if (problems.length > 0) throw new Error(`data/sites.json:\n  ${problems.join("\n  ")}`);
  return sites;
}

export function loadCatalogue(): CatalogueSite[] {
  return parseCatalogue(JSON.parse(readFileSync(new URL("sites.json", DATA_DIR), "utf8")));
}

/** A catalogue site with the krimp and anticipeer regions it serves, computed from its municipalities. */
export type SiteWithRegions = CatalogueSite & { krimp: string[]; anticipeer: string[] };

export function withRegions(catalogue: CatalogueSite[] = loadCatalogue()): SiteWithRegions[] {
  const regions = loadRegions();
  return catalogue.map((s) => ({ ...s, ...siteRegions(s, regions) }));
}

/**
 * Region name → places, for expanding a family's regions: the krimp/anticipeer regions (and their
 * other names), plus each catalogue site's own housing region. Every municipality also brings its
 * everyday name ("Den Haag" next to "'s-Gravenhage"), since sites write that one. A site's region is
 * added only when it is the site's single region and not a krimp/anticipeer name: the region file
 * decides those, and a site with two regions cannot say which municipality is in which.
 */
export function loadRegionTable(catalogue: CatalogueSite[] = loadCatalogue()): RegionTable {
  const index = loadMunicipalities();
  const regions = loadRegions();
  const withEverydayNames = (names: string[]) => names.flatMap((n) => index.namesOf(n));
  const official = new Set(regions.flatMap((r) => [r.name, ...r.aliases]).map(normalizePlace));
  return buildRegionTable([
    ...regions.flatMap((r) => [r.name, ...r.aliases].map((name) => ({ name, municipalities: withEverydayNames(r.municipalities) }))),
    ...catalogue
      .filter((s) => s.regions.length === 1 && s.municipalities.length > 0 && !official.has(normalizePlace(s.regions[0]!)))
      .map((s) => ({ name: s.regions[0]!, municipalities: withEverydayNames(s.municipalities) })),
  ]);
}

/** Where a site lives in this deployment: its real baseUrl, or the farm in development and tests. */
export function effectiveBaseUrl(site: Pick<CatalogueSite, "id" | "baseUrl">, override: string | undefined): string {
  return override ? override.replaceAll("{site}", site.id) : site.baseUrl;
}
