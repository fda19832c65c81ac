// The site catalogue and region data, read from the repository's data/ folder.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { buildRegionTable, type RegionTable } from "../domain/regions.js";

const DATA_DIR = new URL("../data/", import.meta.url);

export const CatalogueSite = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  host: z.string().min(1),
  baseUrl: z.string().url(),
  platform: z.string().min(1),
  settings: z.record(z.string(), z.unknown()).default({}),
  regions: z.array(z.string()).default([]),
  municipalities: z.array(z.string()).default([]),
  /** Seconds between scrapes; sites with first-come homes need 60. */
  pollIntervalSeconds: z.number().int().min(5).optional(),
  firstCome: z.boolean().default(false),
  checked: z.string().optional(),
  verified: z.boolean().default(false),
});
export type CatalogueSite = z.infer<typeof CatalogueSite>;

export function loadCatalogue(): CatalogueSite[] {
  const raw = JSON.parse(readFileSync(new URL("sites.json", DATA_DIR), "utf8")) as { sites: unknown };
  return z.array(CatalogueSite).parse(raw.sites);
}

const RegionFile = z.object({
  regions: z.array(z.object({ name: z.string(), kind: z.string(), municipalities: z.array(z.object({ name: z.string() })) })),
});

/** Krimp/anticipeer regions plus each catalogue site's own housing region. */
export function loadRegionTable(catalogue: CatalogueSite[] = loadCatalogue()): RegionTable {
  const regionFile = RegionFile.parse(JSON.parse(readFileSync(new URL("krimp-anticipeer-regions.json", DATA_DIR), "utf8")));
  return buildRegionTable([
    ...regionFile.regions.map((r) => ({ name: r.name, municipalities: r.municipalities.map((m) => m.name) })),
    ...catalogue.flatMap((s) => s.regions.map((name) => ({ name, municipalities: s.municipalities }))),
  ]);
}

/** Where a site lives in this deployment: its real baseUrl, or the farm in development and tests. */
export function effectiveBaseUrl(site: Pick<CatalogueSite, "id" | "baseUrl">, override: string | undefined): string {
  return override ? override.replaceAll("{site}", site.id) : site.baseUrl;
}
