// Fault modes of the site farm, for every platform: first what a client sees over HTTP (status,
// Retry-After, the challenge page, an empty or drifted offer), then that the real adapters turn each
// fault into the right error kind (schema / blocked / unavailable), DAK through a real Chromium.
import { existsSync } from "node:fs";
import { pino } from "pino";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { BrowserPool } from "../../workers/sites/browser.js";
import { SiteBlockedError, SiteError, SiteSchemaError, SiteUnavailableError } from "../../workers/sites/errors.js";
import { HttpClient } from "../../workers/sites/http.js";
import { adapterFor } from "../../workers/sites/registry.js";
import type { FetchContext, SiteTarget } from "../../workers/sites/types.js";
import { farmSettings, fetchOffer, offerRequest } from "./clients.js";
import { DEFAULT_DELAY_MS, FAULTS } from "./faults.js";
import { createFarm, DEFAULT_ROBOTS, type Farm, type RunningFarm } from "./server.js";
import { TEST_CATALOGUE } from "./test-catalogue.js";
import type { PlatformId } from "./types.js";

/** One site per platform: the recorded three and the test catalogue's newer platforms. */
const SITES: { id: string; platform: PlatformId }[] = [
  { id: "woonnet-haaglanden", platform: "zig" },
  { id: "t-aanbodapi", platform: "zig-aanbodapi" },
  { id: "woningnet-amsterdam", platform: "dak" },
  { id: "woonnet-rijnmond", platform: "embrace" },
  { id: "t-woonmatch", platform: "woonmatch" },
  { id: "t-entree", platform: "entree" },
  { id: "t-itris", platform: "itris" },
];

/** What the "drift" fault renames, per platform: the original name must be gone, the new one there. */
const DRIFT: Record<PlatformId, { was: string; now: string }> = {
  zig: { was: '"street":', now: '"straat":' },
  "zig-aanbodapi": { was: '"street":', now: '"straat":' },
  dak: { was: '"PublicatieLijst":', now: '"Publicaties":' },
  embrace: { was: '"housingPublications":', now: '"publications":' },
  woonmatch: { was: '"houses":', now: '"woningen":' },
  entree: { was: '"aanbod":', now: '"woningen":' },
  itris: { was: "data-aanbod-id=", now: "data-id=" },
};

const JSON_PLATFORMS = new Set<PlatformId>(["zig", "zig-aanbodapi", "dak", "embrace", "entree"]);

let farm: Farm;
let running: RunningFarm;

beforeEach(async () => {
  farm = createFarm({ tickMs: 0, catalogue: TEST_CATALOGUE });
  running = await farm.start(0);
});
afterEach(async () => {
  await running?.close();
});

const siteUrl = (id: string) => `${running.url}/s/${id}`;
const settingsOf = (id: string) => TEST_CATALOGUE.find((c) => c.id === id)?.settings ?? (id === "woonnet-rijnmond" ? { tenantId: "woonnetrijnmond" } : {});

function target(id: string, platform: PlatformId): SiteTarget {
  const base: Record<string, unknown> = { ...settingsOf(id) };
  if (platform === "dak") base.region = "amsterdam";
  if (platform === "embrace") Object.assign(base, { apiBaseUrl: "https://gateway.invalid", tenantId: "woonnetrijnmond" });
  return { id, baseUrl: siteUrl(id), settings: farmSettings(base, siteUrl(id)) };
}

const postJson = (path: string, body: unknown) =>
  fetch(`${running.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function setFault(site: string, fault: string | null, options: Record<string, unknown> = {}): Promise<void> {
  const res = await postJson("/_farm/faults", { site, fault, ...options });
  expect(res.status).toBe(200);
  await res.text();
}

const offer = (id: string, platform: PlatformId, headers: Record<string, string> = {}) =>
  fetchOffer(siteUrl(id), platform, settingsOf(id), headers);

/** Fetch and parse as the scrape processor does; the error if any, else the listings. */
async function scrape(id: string, platform: PlatformId, timeoutMs = 3_000): Promise<SiteError | number> {
  const ctx: FetchContext = {
    http: new HttpClient({ userAgent: "Eldersthuis-test/1.0", timeoutMs }),
    browser: new BrowserPool(), // never launched: DAK is tested apart below
    log: pino({ level: "silent" }),
    signal: new AbortController().signal,
  };
  const adapter = adapterFor(platform);
  try {
    const pages = await adapter.fetch(target(id, platform), ctx);
    return pages.flatMap((p) => adapter.parse(p.body, target(id, platform))).length;
  } catch (error) {
    if (error instanceof SiteError) return error;
    throw error;
  }
}

describe("site farm: fault control API", () => {
  it("switches faults per site, lists them, and names a bad field", async () => {
    await setFault("t-itris", "http503", { retryAfter: 7, times: 3 });
    await setFault("woonnet-haaglanden", "slow");
    const list = (await (await fetch(`${running.url}/_farm/faults`)).json()) as Record<string, unknown>[];
    expect(list).toEqual([
      { site: "t-itris", fault: "http503", retryAfter: 7, delayMs: DEFAULT_DELAY_MS, remaining: 3 },
      { site: "woonnet-haaglanden", fault: "slow", retryAfter: 30, delayMs: 45_000, remaining: null },
    ]);
    await setFault("woonnet-haaglanden", null);
    expect(farm.faults().map((f) => f.site)).toEqual(["t-itris"]);

    for (const [body, field] of [
      [{ site: "t-itris", fault: "teapot" }, "fault"],
      [{ site: "t-itris", fault: "http429", retryAfter: -1 }, "retryAfter"],
      [{ site: "t-itris", fault: "slow", times: 0 }, "times"],
      [{ site: "t-itris", fault: "slow", delay: 5 }, "delay"],
      [{ fault: "slow" }, "site"],
    ] as const) {
      const res = await postJson("/_farm/faults", body);
      expect([res.status, ((await res.json()) as { field: string }).field]).toEqual([400, field]);
    }
    const unknown = await postJson("/_farm/faults", { site: "t-unknown", fault: "http500" });
    expect(unknown.status).toBe(404);
    await unknown.text();

    farm.reset();
    expect(farm.faults()).toEqual([]);
  });

  it("faults only the next N requests with times, and never robots.txt", async () => {
    await setFault("woonnet-haaglanden", "http500", { times: 2 });
    expect((await fetch(`${siteUrl("woonnet-haaglanden")}/robots.txt`).then((r) => r.text()))).toBe(DEFAULT_ROBOTS);
    expect((await offer("woonnet-haaglanden", "zig")).status).toBe(500);
    expect(farm.faults()).toMatchObject([{ site: "woonnet-haaglanden", remaining: 1 }]);
    expect((await offer("woonnet-haaglanden", "zig")).status).toBe(500);
    expect(farm.faults()).toEqual([]);
    expect((await offer("woonnet-haaglanden", "zig")).status).toBe(200);
  });

  it("lets a data fault pass over answers without the offer, without using a turn", async () => {
    // DAK: the page (cookies) is no offer; only the data action's answer is drifted, once.
    await setFault("woningnet-amsterdam", "drift", { times: 1 });
    const page = await fetch(`${siteUrl("woningnet-amsterdam")}/Woningaanbod`);
    expect(page.status).toBe(200);
    await page.text();
    expect(farm.faults()).toMatchObject([{ remaining: 1 }]);
    expect((await offer("woningnet-amsterdam", "dak")).body).toContain('"Publicaties":');
    expect((await offer("woningnet-amsterdam", "dak")).body).toContain('"PublicatieLijst":');
  });
});

describe("site farm: every fault at the HTTP level, for every platform", () => {
  for (const { id, platform } of SITES) {
    it(`${platform} (${id})`, async () => {
      const normal = await offer(id, platform);
      expect(normal.status).toBe(200);

      await setFault(id, "http500");
      expect((await offer(id, platform)).status).toBe(500);

      await setFault(id, "http503", { retryAfter: 17 });
      const unavailable = await offer(id, platform);
      expect([unavailable.status, unavailable.headers.get("retry-after")]).toEqual([503, "17"]);

      await setFault(id, "http429");
      const limited = await offer(id, platform);
      expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "30"]);

      await setFault(id, "challenge");
      const challenge = await offer(id, platform);
      expect(challenge.status).toBe(200);
      expect(challenge.headers.get("content-type")).toContain("text/html");
      expect(challenge.body).toContain("<title>Just a moment...</title>");
      expect(challenge.body).toContain("/cdn-cgi/challenge-platform/");
      expect(challenge.body).toContain("window._cf_chl_opt");

      await setFault(id, "malformed");
      const malformed = await offer(id, platform);
      expect(malformed.status).toBe(200);
      expect(malformed.body.length).toBeLessThan(normal.body.length);
      expect(normal.body.startsWith(malformed.body)).toBe(true);
      if (JSON_PLATFORMS.has(platform)) expect(() => JSON.parse(malformed.body)).toThrow(SyntaxError);
      else expect(malformed.body).not.toContain("</html>");

      await setFault(id, "empty");
      const empty = await offer(id, platform);
      expect(empty.status).toBe(200);
      const before = adapterFor(platform).parse(normal.body, target(id, platform));
      expect(before.length).toBeGreaterThanOrEqual(4);
      expect(adapterFor(platform).parse(empty.body, target(id, platform))).toEqual([]);

      await setFault(id, "drift");
      const drifted = await offer(id, platform);
      expect(drifted.status).toBe(200);
      expect(normal.body).toContain(DRIFT[platform].was);
      expect(drifted.body).not.toContain(DRIFT[platform].was);
      expect(drifted.body).toContain(DRIFT[platform].now);

      // "slow": the answer is held (45 s by default) far longer than this client's 300 ms.
      await setFault(id, "slow");
      const { path, init } = offerRequest(platform, settingsOf(id));
      const outcome = await fetch(`${siteUrl(id)}${path}`, { ...init, signal: AbortSignal.timeout(300) }).then(
        (res) => `answered ${res.status}`,
        (error: Error) => error.name,
      );
      expect(outcome).toBe("TimeoutError");
    });
  }
});

describe("site farm: the adapters see each fault as the right error kind", () => {
  const HTTP_SITES = SITES.filter((s) => s.platform !== "dak");

  for (const { id, platform } of HTTP_SITES) {
    it(`${platform}: 500/503 unavailable, 429 and challenge blocked, slow times out, malformed and drift are schema errors`, async () => {
      expect(await scrape(id, platform)).toBeGreaterThanOrEqual(4);

      await setFault(id, "http500");
      expect(await scrape(id, platform)).toBeInstanceOf(SiteUnavailableError);

      await setFault(id, "http503", { retryAfter: 12 });
      const unavailable = await scrape(id, platform);
      expect(unavailable).toBeInstanceOf(SiteUnavailableError);
      expect((unavailable as SiteError).retryAfterMs).toBe(12_000);

      await setFault(id, "http429", { retryAfter: 90 });
      const limited = await scrape(id, platform);
      expect(limited).toBeInstanceOf(SiteBlockedError);
      expect((limited as SiteError).retryAfterMs).toBe(90_000);

      await setFault(id, "challenge");
      const challenge = await scrape(id, platform);
      expect(challenge).toBeInstanceOf(SiteBlockedError);
      expect((challenge as SiteError).message).toMatch(/challenge/);

      await setFault(id, "slow");
      const slow = await scrape(id, platform, 300);
      expect(slow).toBeInstanceOf(SiteUnavailableError);
      expect((slow as SiteError).message).toMatch(/timed out after 300 ms/);

      await setFault(id, "malformed");
      expect(await scrape(id, platform)).toBeInstanceOf(SiteSchemaError);

      await setFault(id, "drift");
      expect(await scrape(id, platform)).toBeInstanceOf(SiteSchemaError);

      // An empty offer is well-formed: the adapter says "no homes", and the scrape processor's
      // implausible-drop rule is what refuses to believe it after dozens.
      await setFault(id, "empty");
      expect(await scrape(id, platform)).toBe(0);

      await setFault(id, null);
      expect(await scrape(id, platform)).toBeGreaterThanOrEqual(4);
    });
  }

  it("covers every fault mode", () => {
    expect([...FAULTS].sort()).toEqual(["challenge", "drift", "empty", "http429", "http500", "http503", "malformed", "slow"]);
  });
});

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
describe.skipIf(!existsSync(CHROMIUM))("site farm: DAK in a real browser against a fault", () => {
  const pool = new BrowserPool();
  afterAll(() => pool.close());

  it("reports the challenge page as blocked", async () => {
    await setFault("woningnet-amsterdam", "challenge");
    const ctx: FetchContext = {
      http: new HttpClient({ userAgent: "Eldersthuis-test/1.0", timeoutMs: 3_000 }),
      browser: pool,
      log: pino({ level: "silent" }),
      signal: new AbortController().signal,
    };
    const error = await adapterFor("dak")
      .fetch(target("woningnet-amsterdam", "dak"), ctx)
      .then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(SiteBlockedError);
    expect((error as Error).message).toMatch(/challenge|Just a moment/);
    // The page was requested through the fault step; no offer action was ever reached.
    const paths = farm.requests("woningnet-amsterdam").map((r) => r.path);
    expect(paths).toContain("/s/woningnet-amsterdam/Woningaanbod");
    expect(paths.some((p) => p.endsWith("/DataActionHaalUitgelogdAanbod"))).toBe(false);
  }, 30_000);
});
