// `npm run cli -- sites`: the site catalogue as a JSON array, each site with the krimp and
// anticipeer regions it serves (computed from its municipalities) and whether an adapter reads it.
import { withRegions } from "../../infra/catalogue.js";
import { adapters } from "../../workers/sites/registry.js";
import type { CliCommand } from "./registry.js";

export const command: CliCommand = {
  summary: "print the site catalogue as JSON, with the krimp/anticipeer regions each site serves",
  options: { platform: { type: "string" } },
  async run({ values }) {
    const platform = typeof values.platform === "string" ? values.platform : undefined;
    const sites = withRegions()
      .filter((s) => !platform || s.platform === platform)
      .map((s) => ({
        id: s.id,
        name: s.name,
        host: s.host,
        baseUrl: s.baseUrl,
        platform: s.platform,
        adapter: Object.hasOwn(adapters, s.platform),
        enabled: s.enabled,
        regions: s.regions,
        krimp: s.krimp,
        anticipeer: s.anticipeer,
        municipalities: s.municipalities,
        verified: s.verified,
        checked: s.checked ?? null,
        registration: s.registration,
        responseLimits: s.responseLimits,
        penalties: s.penalties,
        typicalClosingTime: s.typicalClosingTime,
        allocationModels: s.allocationModels,
        firstCome: s.firstCome,
        pollIntervalSeconds: s.pollIntervalSeconds ?? null,
        settings: s.settings,
        sources: s.sources,
        notes: s.notes,
      }));
    process.stdout.write(`${JSON.stringify(sites, null, 2)}\n`);
    return 0;
  },
};
