// The CLI as an operator runs it: a child process (`node --import tsx tools/cli/main.ts ...`),
// JSON on stdout, diagnostics on stderr, exit codes that scripts can rely on. Offline: only
// recorded responses and the data files are read.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../infra/catalogue.js";
import { loadRegions } from "../../infra/regions.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ZIG_OFFER = "test/fixtures/sites/zig-woonnet-haaglanden/getallobjects.json";

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "tools/cli/main.ts", ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe("cli sites", () => {
  it("prints the catalogue as a JSON array with the required fields", async () => {
    const { code, stdout } = await cli("sites");
    expect(code).toBe(0);
    const sites = JSON.parse(stdout) as Record<string, unknown>[];
    expect(Array.isArray(sites)).toBe(true);
    expect(sites.map((s) => s.id)).toEqual(loadCatalogue().map((s) => s.id));
    for (const s of sites) {
      for (const field of ["id", "name", "host", "platform", "regions", "krimp", "anticipeer", "verified", "registration", "municipalities"]) {
        expect(s, `${String(s.id)}.${field}`).toHaveProperty(field);
      }
      expect(Array.isArray(s.krimp) && Array.isArray(s.anticipeer) && Array.isArray(s.regions)).toBe(true);
      expect(typeof s.verified).toBe("boolean");
    }
    const achterhoek = sites.find((s) => s.id === "thuis-in-de-achterhoek")!;
    expect(achterhoek.krimp).toContain("Achterhoek");
    expect(achterhoek.adapter).toBe(true);
    expect(sites.find((s) => s.id === "groninger-huis")).toMatchObject({ platform: "unknown", adapter: false, enabled: false });
  });

  it("filters by platform", async () => {
    const { code, stdout } = await cli("sites", "--platform", "dak");
    expect(code).toBe(0);
    const sites = JSON.parse(stdout) as { platform: string }[];
    expect(sites).toHaveLength(12);
    expect(new Set(sites.map((s) => s.platform))).toEqual(new Set(["dak"]));
  });
});

describe("cli coverage", () => {
  it("lists every krimp and anticipeer region with its sites and adapter state (--json)", async () => {
    const { code, stdout } = await cli("coverage", "--json");
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { regions: { name: string; kind: string; scraped: number; sites: { id: string; adapter: string; enabled: boolean }[] }[] };
    const names = report.regions.map((r) => r.name);
    for (const r of loadRegions()) expect(names, r.name).toContain(r.name);
    expect(report.regions.filter((r) => r.kind === "krimp")).toHaveLength(9);
    const achterhoek = report.regions.find((r) => r.name === "Achterhoek")!;
    expect(achterhoek.sites).toEqual([expect.objectContaining({ id: "thuis-in-de-achterhoek", adapter: "works", enabled: true })]);
    expect(achterhoek.scraped).toBe(1);
    const noordoost = report.regions.find((r) => r.name === "Noordoost-Fryslân")!;
    expect(noordoost.sites).toEqual([expect.objectContaining({ id: "thus-wonen", adapter: "no adapter", enabled: false })]);
    expect(noordoost.scraped).toBe(0);
  });

  it("prints readable text by default", async () => {
    const { code, stdout } = await cli("coverage");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Krimp regions \(9\)$/m);
    expect(stdout).toMatch(/^Anticipeer regions \(\d+\)$/m);
    expect(stdout).toMatch(/thuis-in-de-achterhoek \[zig\] 8\/8 municipalities: adapter works, enabled/);
    expect(stdout).toMatch(/thus-wonen \[unknown\] .*no adapter, disabled/);
  });
});

describe("cli parse", () => {
  it("parses a recorded Zig offer into one JSON line per listing", async () => {
    const { code, stdout, stderr } = await cli("parse", "--platform", "zig", "--file", ZIG_OFFER);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(7);
    const listings = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(listings[0]).toMatchObject({ externalId: "266497", street: "Jan Willem Frisostraat", city: "Delft", netRent: 932.93 });
    for (const l of listings) {
      expect(l.sourceUrl).toMatch(/^https:\/\/example\.invalid\//);
      expect(l).not.toHaveProperty("raw");
    }
    expect(stderr).toContain("7 listing(s)");
  });

  it("uses the catalogue site's baseUrl and settings with --site", async () => {
    const { code, stdout } = await cli("parse", "--platform", "zig", "--file", ZIG_OFFER, "--site", "woonnet-haaglanden", "--raw");
    expect(code).toBe(0);
    const first = JSON.parse(stdout.split("\n")[0]!) as { sourceUrl: string; raw: { id: unknown } };
    expect(first.sourceUrl.startsWith("https://www.woonnet-haaglanden.nl/aanbod/te-huur/details/")).toBe(true);
    expect(first.raw.id).toBeDefined();
  });

  it("exits 2 with a clear message when the file does not have the platform's format", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "eh-cli-"));
    const broken = path.join(dir, "broken.json");
    writeFileSync(broken, JSON.stringify({ sAngularServiceData: "[]", results: [] }));
    const { code, stdout, stderr } = await cli("parse", "--platform", "zig", "--file", broken);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/does not have the zig format/);

    writeFileSync(broken, "<html>Just a moment...</html>");
    expect((await cli("parse", "--platform", "zig", "--file", broken)).code).toBe(2);
  });

  it("exits 64 for an unknown platform, a site on another platform, or settings it lacks", async () => {
    const unknown = await cli("parse", "--platform", "nope", "--file", ZIG_OFFER);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/no site adapter for platform "nope"/);
    expect((await cli("parse", "--platform", "zig", "--file", ZIG_OFFER, "--site", "woningnet-amsterdam")).code).toBe(64);
    const dak = await cli("parse", "--platform", "dak", "--file", "test/fixtures/sites/woningnet-dak/aanbod-amsterdam.json");
    expect(dak.code).toBe(64);
    expect(dak.stderr).toMatch(/region/);
    expect((await cli("parse", "--platform", "zig")).code).toBe(64);
  });
});
