// `npm run cli -- coverage [--json]`: per krimp and anticipeer region, the catalogue sites that serve
// it and whether their adapter works. "Works" means an adapter is registered for the platform, the
// site's settings satisfy it, and, where the platform has a recorded real offer, its parser reads that
// offer with the site's settings. Nothing here touches the network.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { normalizePlace } from "../../domain/matching.js";
import { withRegions, type SiteWithRegions } from "../../infra/catalogue.js";
import { loadRegions, type Region } from "../../infra/regions.js";
import { adapters } from "../../workers/sites/registry.js";
import type { SiteAdapter } from "../../workers/sites/types.js";
import type { CliCommand } from "./registry.js";

const FIXTURES = new URL("../../test/fixtures/sites/", import.meta.url);

/** One recorded real offer per platform (test/fixtures/sites); add a line when a platform gets one. */
export const RECORDED_OFFERS: Readonly<Record<string, string>> = {
  zig: "zig-woonnet-haaglanden/getallobjects.json",
  dak: "woningnet-dak/aanbod-amsterdam.json",
  embrace: "embrace-woonnet-rijnmond/publications-page-1.json",
};

export interface AdapterCheck {
  adapter: "works" | "fails" | "no adapter";
  detail: string;
}

function adapterOf(platform: string): SiteAdapter<unknown> | undefined {
  return Object.hasOwn(adapters, platform) ? (adapters as Record<string, SiteAdapter<unknown>>)[platform] : undefined;
}

const recordings = new Map<string, string>();

/** Zod issues on one line: "offerPath: Invalid input: expected string, received null". */
function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ");
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function checkAdapter(site: Pick<SiteWithRegions, "id" | "platform" | "baseUrl" | "settings">): AdapterCheck {
  const adapter = adapterOf(site.platform);
  if (!adapter) return { adapter: "no adapter", detail: `no adapter for platform ${site.platform}` };
  const settings = adapter.settingsSchema.safeParse(site.settings);
  if (!settings.success) return { adapter: "fails", detail: `settings: ${issuesText(settings.error)}` };
  const file = RECORDED_OFFERS[site.platform];
  if (!file) return { adapter: "works", detail: "adapter registered; no recorded offer of this platform to check its parser on" };
  let body = recordings.get(file);
  if (body === undefined) {
    body = readFileSync(new URL(file, FIXTURES), "utf8");
    recordings.set(file, body);
  }
  try {
    const listings = adapter.parse(body, { id: site.id, baseUrl: site.baseUrl, settings: site.settings });
    if (listings.length === 0) return { adapter: "fails", detail: `parsed no listings from ${file}` };
    return { adapter: "works", detail: `parsed ${listings.length} listings from ${file}` };
  } catch (err) {
    return { adapter: "fails", detail: `parsing ${file}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export interface RegionCoverage {
  name: string;
  kind: Region["kind"];
  /** Whether the region's municipality list is confirmed (data/krimp-anticipeer-regions.json). */
  verified: boolean;
  municipalities: string[];
  sites: {
    id: string;
    name: string;
    platform: string;
    enabled: boolean;
    verified: boolean;
    adapter: AdapterCheck["adapter"];
    detail: string;
    /** The region's municipalities this site serves. */
    municipalities: string[];
  }[];
  /** Sites that are enabled and whose adapter works: the ones that bring alerts. */
  scraped: number;
}

export function coverage(sites: SiteWithRegions[] = withRegions(), regions: Region[] = loadRegions()): RegionCoverage[] {
  const checks = new Map(sites.map((s) => [s.id, checkAdapter(s)]));
  return regions.map((r) => {
    const serving = sites
      .filter((s) => (r.kind === "krimp" ? s.krimp : s.anticipeer).includes(r.name))
      .map((s) => {
        const check = checks.get(s.id)!;
        const own = new Set(s.municipalities.map(normalizePlace));
        return {
          id: s.id,
          name: s.name,
          platform: s.platform,
          enabled: s.enabled,
          verified: s.verified,
          adapter: check.adapter,
          detail: check.detail,
          municipalities: r.municipalities.filter((m) => own.has(normalizePlace(m))),
        };
      });
    return {
      name: r.name,
      kind: r.kind,
      verified: r.verified,
      municipalities: r.municipalities,
      sites: serving,
      scraped: serving.filter((s) => s.enabled && s.adapter === "works").length,
    };
  });
}

function asText(report: RegionCoverage[]): string {
  const lines: string[] = [];
  for (const kind of ["krimp", "anticipeer"] as const) {
    const regions = report.filter((r) => r.kind === kind);
    lines.push(`${kind === "krimp" ? "Krimp" : "Anticipeer"} regions (${regions.length})`);
    for (const r of regions) {
      const list = r.verified ? "" : ", list not confirmed";
      lines.push(`  ${r.name} (${count(r.municipalities.length, "municipality", "municipalities")}${list}): ${count(r.scraped, "site", "sites")} scraped`);
      if (r.sites.length === 0) lines.push("    no site in the catalogue serves it");
      for (const s of r.sites) {
        const state = [
          s.adapter === "works" ? "adapter works" : s.adapter === "fails" ? `adapter fails (${s.detail})` : "no adapter",
          s.enabled ? "enabled" : "disabled",
          s.verified ? "verified" : "unverified",
        ].join(", ");
        lines.push(`    ${s.id} [${s.platform}] ${s.municipalities.length}/${r.municipalities.length} municipalities: ${state}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

export const command: CliCommand = {
  summary: "krimp/anticipeer regions, the sites serving each, and whether their adapter works (--json)",
  options: { json: { type: "boolean" } },
  async run({ values }) {
    const report = coverage();
    process.stdout.write(values.json ? `${JSON.stringify({ regions: report }, null, 2)}\n` : asText(report));
    return 0;
  },
};
