// DAK fetch through a real BrowserPool and Debian Chromium, against a local stand-in for mijndak.nl.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BrowserPool, BrowserTimeoutError } from "../../../workers/sites/browser.js";
import { DAK_OFFER_ACTION, dakAdapter } from "../../../workers/sites/dak/adapter.js";
import { SiteBlockedError, SiteUnavailableError } from "../../../workers/sites/errors.js";
import type { FetchContext, SiteTarget } from "../../../workers/sites/types.js";
import { fixtureReader, httpContext } from "./helpers.js";

const fixture = fixtureReader("woningnet-dak");
const EMPTY_OFFER = fixture("aanbod-empty.json");
const AMSTERDAM_OFFER = fixture("aanbod-amsterdam.json");

// Like the OutSystems page, it calls the data action (relative to /Woningaanbod) while loading.
const OFFER_PAGE = `<!doctype html><html lang="nl"><head><title>Woningaanbod</title></head><body>
<img src="picture.jpg" alt=""><h1>Woningaanbod</h1>
<script>
  fetch("./screenservices/DAKWP/Overzicht/Woningaanbod/DataActionHaalUitgelogdAanbod", {
    method: "POST",
    headers: { "content-type": "application/json; charset=UTF-8" },
    body: JSON.stringify({ versionInfo: { moduleVersion: "test", apiVersion: "test" }, viewName: "Overzicht.Woningaanbod" }),
  });
</script></body></html>`;
const SILENT_PAGE = `<!doctype html><html><head><title>Woningaanbod</title></head><body><h1>Even geen aanbod</h1></body></html>`;
const CHALLENGE_PAGE = `<!doctype html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>`;

describe("DAK fetch in a real browser", () => {
  let server: Server;
  let base: string;
  const hits: Record<string, number> = {};
  const pool = new BrowserPool();

  const context = (timeoutMs: number): FetchContext => httpContext(timeoutMs, pool);
  const target = (prefix: string): SiteTarget => ({ id: `dak-${prefix}`, baseUrl: `${base}/${prefix}`, settings: { region: "amsterdam" } });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = (req.url ?? "").split("?")[0]!;
      hits[path] = (hits[path] ?? 0) + 1;
      const [, prefix, ...rest] = path.split("/");
      const route = `/${rest.join("/")}`;
      if (route === "/Woningaanbod") {
        if (prefix === "down") return void res.writeHead(503).end("onderhoud");
        const html = prefix === "never" ? SILENT_PAGE : prefix === "challenge" ? CHALLENGE_PAGE : OFFER_PAGE;
        return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
      }
      if (route === DAK_OFFER_ACTION && req.method === "POST") {
        if (prefix === "limited") return void res.writeHead(429, { "retry-after": "30" }).end();
        // A fresh profile (no session cookie yet) gets the empty list, as the real portal does.
        const hasSession = (req.headers.cookie ?? "").includes("nr2Users=");
        res.writeHead(200, {
          "content-type": "application/json; charset=utf-8",
          ...(hasSession ? {} : { "set-cookie": "nr2Users=crf%3dtest; Path=/; HttpOnly" }),
        });
        return void res.end(hasSession ? AMSTERDAM_OFFER : EMPTY_OFFER);
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    for (const key of Object.keys(hits)) delete hits[key];
  });

  afterAll(async () => {
    await pool.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("reloads once after the fresh-profile empty list and returns the full offer", { timeout: 60_000 }, async () => {
    const site = target("ok");
    const pages = await dakAdapter.fetch(site, context(15_000));
    expect(pages).toHaveLength(1);
    expect(pages[0]!.status).toBe(200);
    expect(pages[0]!.url).toBe(`${base}/ok${DAK_OFFER_ACTION}`);
    expect(hits["/ok/Woningaanbod"]).toBe(2);
    expect(hits[`/ok${DAK_OFFER_ACTION}`]).toBe(2);
    expect(hits["/ok/picture.jpg"]).toBeUndefined(); // images are blocked by the pool
    const listings = dakAdapter.parse(pages[0]!.body, site);
    expect(listings).toHaveLength(12);
    expect(listings[0]).toMatchObject({ externalId: "372004", street: "Kalf", netRent: 713.02 });
  });

  it("reports a page that never asks for the offer as unavailable", { timeout: 60_000 }, async () => {
    await expect(dakAdapter.fetch(target("never"), context(1_500))).rejects.toBeInstanceOf(SiteUnavailableError);
  });

  it("reports a challenge page as blocked", { timeout: 60_000 }, async () => {
    await expect(dakAdapter.fetch(target("challenge"), context(1_500))).rejects.toBeInstanceOf(SiteBlockedError);
  });

  it("maps the page's 5xx and the action's 429", { timeout: 60_000 }, async () => {
    await expect(dakAdapter.fetch(target("down"), context(5_000))).rejects.toBeInstanceOf(SiteUnavailableError);
    const limited = dakAdapter.fetch(target("limited"), context(5_000));
    await expect(limited).rejects.toBeInstanceOf(SiteBlockedError);
    await expect(limited).rejects.toMatchObject({ retryAfterMs: 30_000 });
  });
});

describe("BrowserPool", () => {
  const pool = new BrowserPool({ maxPagesPerBrowser: 2 });
  const opts = { timeoutMs: 20_000, userAgent: "Eldersthuis-test/1.0" };

  afterAll(async () => {
    await pool.close();
  });

  it("gives each job a fresh context and recycles the browser after maxPagesPerBrowser pages", { timeout: 60_000 }, async () => {
    const browserOf = () => pool.withPage(async (page) => page.context().browser()!, opts);
    const first = await browserOf();
    const second = await browserOf();
    expect(second).toBe(first);
    await expect.poll(() => first.isConnected(), { timeout: 10_000 }).toBe(false);
    const third = await browserOf();
    expect(third).not.toBe(first);
    expect(third.isConnected()).toBe(true);
    // Contexts are closed after each job.
    expect(third.contexts()).toHaveLength(0);
  });

  it("relaunches a browser that went away", { timeout: 60_000 }, async () => {
    const crashed = await pool.withPage(async (page) => page.context().browser()!, opts);
    await crashed.close();
    const next = await pool.withPage(async (page) => page.context().browser()!, opts);
    expect(next).not.toBe(crashed);
    expect(next.isConnected()).toBe(true);
  });

  it("enforces the hard timeout", { timeout: 60_000 }, async () => {
    const never = pool.withPage(() => new Promise<never>(() => undefined), { ...opts, timeoutMs: 500 });
    await expect(never).rejects.toBeInstanceOf(BrowserTimeoutError);
  });

  it("refuses work after close", { timeout: 60_000 }, async () => {
    const closing = new BrowserPool();
    await closing.close();
    await expect(closing.withPage(async () => 1, opts)).rejects.toThrow(/closed/);
  });
});
