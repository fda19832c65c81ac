// `npm run cli -- parse --platform <platform> --file <recorded response> [--site <id>] [--raw]`:
// parses a recorded response offline with the platform's adapter and prints one normalized listing
// per line (JSON Lines). Exit codes: 0 parsed, 2 the file does not have the platform's format
// (SiteSchemaError), 64 usage (unknown platform or site, missing option, settings), 66 unreadable file.
import { readFileSync } from "node:fs";
import type { z } from "zod";
import { loadCatalogue } from "../../infra/catalogue.js";
import { SiteSchemaError } from "../../workers/sites/errors.js";
import { adapterFor } from "../../workers/sites/registry.js";
import type { SiteAdapter, SiteTarget } from "../../workers/sites/types.js";
import type { CliCommand } from "./registry.js";

/** Without --site: nothing real, so links in the output point nowhere by construction. */
const PLACEHOLDER_BASE_URL = "https://example.invalid";

const USAGE = "usage: npm run cli -- parse --platform <platform> --file <recorded response> [--site <id>] [--raw]";

/** Zod issues on one line, for a message on stderr. */
function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ");
}

function fail(code: number, message: string): number {
  process.stderr.write(`parse: ${message}\n`);
  return code;
}

export const command: CliCommand = {
  summary: "parse a recorded response offline with a platform adapter; prints listings as JSON lines",
  options: { platform: { type: "string" }, file: { type: "string" }, site: { type: "string" }, raw: { type: "boolean" } },
  async run({ values }) {
    const { platform, file, site: siteId } = values;
    if (typeof platform !== "string" || typeof file !== "string") return fail(64, `--platform and --file are required\n${USAGE}`);

    let adapter: SiteAdapter;
    try {
      adapter = adapterFor(platform);
    } catch (err) {
      return fail(64, (err as Error).message);
    }

    let target: SiteTarget = { id: "cli", baseUrl: PLACEHOLDER_BASE_URL, settings: {} };
    if (typeof siteId === "string") {
      const site = loadCatalogue().find((s) => s.id === siteId);
      if (!site) return fail(64, `no site ${JSON.stringify(siteId)} in data/sites.json`);
      if (site.platform !== platform) return fail(64, `site ${siteId} is on platform ${site.platform}, not ${platform}`);
      target = { id: site.id, baseUrl: site.baseUrl, settings: site.settings };
    }
    const settings = adapter.settingsSchema.safeParse(target.settings);
    if (!settings.success) {
      const hint = typeof siteId === "string" ? "" : "; pass --site <id> to use a catalogue site's settings";
      return fail(64, `settings for ${platform}: ${issuesText(settings.error)}${hint}`);
    }

    let body: string;
    try {
      body = readFileSync(file, "utf8");
    } catch (err) {
      return fail(66, `cannot read ${file}: ${(err as Error).message}`);
    }

    let listings;
    try {
      listings = adapter.parse(body, target);
    } catch (err) {
      if (err instanceof SiteSchemaError) return fail(2, `${file} does not have the ${platform} format: ${err.message}`);
      throw err;
    }
    // A reader that stops early (`| head`) is not an error of ours.
    process.stdout.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
    });
    for (const listing of listings) {
      const { raw, ...fields } = listing;
      process.stdout.write(`${JSON.stringify(values.raw ? { ...fields, raw } : fields)}\n`);
    }
    process.stderr.write(`parse: ${listings.length} listing(s) from ${file}\n`);
    return 0;
  },
};
