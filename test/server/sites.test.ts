// GET /api/sites/health on real Postgres: staff only, each site's health with its listing-count
// trend from ScrapeRun, the operator notices, and a 400 that names a bad query field.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AxeBuilder } from "@axe-core/playwright";
import argon2 from "argon2";
import { chromium } from "playwright-core";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../infra/db.js";
import { CHROMIUM_ARGS } from "../../workers/sites/browser.js";
import { startTestApi, type TestApi } from "../support/api.js";
import { testConfig } from "../support/env.js";

const config = testConfig();
let db: Db;
let api: TestApi;
let app: TestApi["app"];
const ZIG = "woonnet-haaglanden";

beforeAll(async () => {
  api = await startTestApi(config);
  ({ db, app } = api);
  const org = await db.organisation.create({ data: { name: "Org" } });
  await db.user.create({ data: { email: "ops@org.test", name: "Ops", role: "admin", passwordHash: await argon2.hash("correct horse battery"), organisationId: org.id } });
  // Seven runs, oldest first: counts, a failure, a deferred wait (not an attempt), counts again.
  const t0 = Date.parse("2026-09-24T10:00:00Z");
  const runs = [
    { ok: true, listingsSeen: 40 },
    { ok: true, listingsSeen: 41 },
    { ok: false, errorKind: "schema" },
    { ok: false, errorKind: "deferred" },
    { ok: true, listingsSeen: 42 },
    { ok: true, listingsSeen: 43 },
    { ok: true, listingsSeen: 44 },
  ];
  for (const [i, r] of runs.entries()) {
    await db.scrapeRun.create({ data: { siteId: ZIG, startedAt: new Date(t0 + i * 60_000), finishedAt: new Date(t0 + i * 60_000 + 1000), ...r } });
  }
  // A run still going is not part of the trend.
  await db.scrapeRun.create({ data: { siteId: ZIG, startedAt: new Date(t0 + 10 * 60_000) } });
  await db.site.update({
    where: { id: ZIG },
    data: { health: "broken", healthChangedAt: new Date(t0), lastError: "woonnet-haaglanden: Zig getallobjects response does not match at result.0.street", lastErrorKind: "schema", consecutiveFailures: 3 },
  });
  await db.operatorNotice.create({ data: { siteId: ZIG, kind: "broken", transitionAt: new Date(t0), detail: "the site's answer did not have the expected form 3 times in a row" } });
});

afterAll(() => api.close());

describe("GET /api/sites/health", () => {
  it("is for staff only", async () => {
    expect((await request(app).get("/api/sites/health")).status).toBe(401);
  });

  it("gives each site's health, last error, failures in a row and listing-count trend", async () => {
    const agent = request.agent(app);
    expect((await agent.post("/api/auth/login").send({ email: "ops@org.test", password: "correct horse battery" })).status).toBe(200);
    const res = await agent.get("/api/sites/health?runs=5");
    expect(res.status).toBe(200);
    const sites = res.body.sites as Record<string, unknown>[];
    expect(sites.length).toBe(await db.site.count());
    const zig = sites.find((s) => s.id === ZIG)!;
    expect(zig).toMatchObject({
      name: "Woonnet Haaglanden",
      platform: "zig",
      host: "www.woonnet-haaglanden.nl",
      health: "broken",
      healthChangedAt: "2026-09-24T10:00:00.000Z",
      lastErrorKind: "schema",
      consecutiveFailures: 3,
      lastSuccessAt: null,
      // The last five attempts, oldest first; the failed one as null, the deferred wait left out.
      listingCountTrend: [41, null, 42, 43, 44],
    });
    expect(zig.lastError).toMatch(/does not match/);
    const other = sites.find((s) => s.id !== ZIG)!;
    expect(other).toMatchObject({ health: "healthy", listingCountTrend: [] });
    expect(res.body.notices).toEqual([expect.objectContaining({ siteId: ZIG, kind: "broken", sentAt: null })]);

    expect((await agent.get("/api/sites/health")).body.sites.find((s: { id: string }) => s.id === ZIG).listingCountTrend).toEqual([40, 41, null, 42, 43, 44]);
  });

  it("names a bad query field", async () => {
    const agent = request.agent(app);
    await agent.post("/api/auth/login").send({ email: "ops@org.test", password: "correct horse battery" });
    const bad = await agent.get("/api/sites/health?runs=500");
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].field).toBe("runs");
    const unknown = await agent.get("/api/sites/health?site=x");
    expect(unknown.status).toBe(400);
  });
});

describe("the operator page", () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("shows each site's status in words and passes an accessibility check", async () => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await chromium.launch({ executablePath: config.CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      const context = await browser.newContext({ locale: "nl-NL" });
      const page = await context.newPage();
      await page.goto(`${base}/sites.html`);
      await page.getByText("Eerst aanmelden").waitFor();
      expect(await page.getByRole("link", { name: "Meld u aan" }).count()).toBe(1);

      expect((await context.request.post(`${base}/api/auth/login`, { data: { email: "ops@org.test", password: "correct horse battery" } })).status()).toBe(200);
      await page.reload();
      const row = page.locator("#sites tr", { has: page.getByRole("rowheader", { name: /Woonnet Haaglanden/ }) });
      await row.waitFor();
      expect(await row.getByText("Kapot", { exact: true }).count()).toBe(1);
      expect(await row.textContent()).toContain("40, 41, mislukt, 42, 43, 44");
      expect(await page.getByRole("cell", { name: /3 times in a row/ }).count()).toBe(1);
      const results = await new AxeBuilder({ page }).analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
