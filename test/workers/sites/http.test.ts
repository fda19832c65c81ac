import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SiteBlockedError, SiteError, SiteUnavailableError } from "../../../workers/sites/errors.js";
import { HttpClient, parseRetryAfter } from "../../../workers/sites/http.js";

const CHALLENGE_PAGE = `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head>
<body><div id="cf-challenge-running">Checking if the site connection is secure</div></body></html>`;

// An ordinary page with a reCAPTCHA contact form: not a challenge.
const NORMAL_PAGE_WITH_RECAPTCHA = `<!doctype html><html><head><title>Woningaanbod</title>
<script src="https://www.google.com/recaptcha/api.js"></script></head>
<body><form><div class="g-recaptcha"></div></form></body></html>`;

async function errorOf(promise: Promise<unknown>): Promise<SiteError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SiteError);
    return error as SiteError;
  }
  throw new Error("expected the request to fail");
}

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-09-24T18:00:00Z");

  it("reads delta-seconds and HTTP-dates", () => {
    expect(parseRetryAfter("7", now)).toBe(7_000);
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
    expect(parseRetryAfter("Thu, 24 Sep 2026 18:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Thu, 24 Sep 2026 17:00:00 GMT", now)).toBe(0); // in the past: retry now
  });

  it("ignores absent or unreadable values", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
  });
});

describe("HttpClient", () => {
  let server: Server;
  let base: string;
  const http = new HttpClient({ userAgent: "Eldersthuis-test/1.0 (+https://example.org/bot)", timeoutMs: 300 });

  beforeAll(async () => {
    server = createServer((req, res) => {
      switch (req.url) {
        case "/json":
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ ok: true, userAgent: req.headers["user-agent"], method: req.method }));
          return;
        case "/unavailable":
          res.writeHead(503, { "retry-after": "7" }).end("maintenance");
          return;
        case "/bad-gateway":
          res.writeHead(502).end();
          return;
        case "/rate-limited":
          res.writeHead(429, { "retry-after": "60" }).end("slow down");
          return;
        case "/forbidden":
          res.writeHead(403, { "content-type": "text/html" }).end("<html><title>403</title></html>");
          return;
        case "/unauthorized":
          res.writeHead(401).end();
          return;
        case "/not-found":
          res.writeHead(404).end();
          return;
        case "/slow":
          // Answers well after the client's 300 ms budget.
          setTimeout(() => {
            if (!res.destroyed) res.writeHead(200, { "content-type": "application/json" }).end("{}");
          }, 2_000);
          return;
        case "/challenge":
          res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(CHALLENGE_PAGE);
          return;
        case "/json-labelled-html":
          res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end('{"result":[]}');
          return;
        case "/html":
          res.writeHead(200, { "content-type": "text/html" }).end(NORMAL_PAGE_WITH_RECAPTCHA);
          return;
        default:
          res.writeHead(500).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("returns a 200 JSON body and sends the User-Agent", async () => {
    const page = await http.request("test-site", `${base}/json`, { method: "POST", expect: "json" });
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${base}/json`);
    expect(JSON.parse(page.body)).toEqual({
      ok: true,
      userAgent: "Eldersthuis-test/1.0 (+https://example.org/bot)",
      method: "POST",
    });
  });

  it("maps 503 to unavailable with Retry-After", async () => {
    const error = await errorOf(http.request("test-site", `${base}/unavailable`));
    expect(error).toBeInstanceOf(SiteUnavailableError);
    expect(error.kind).toBe("unavailable");
    expect(error.retryAfterMs).toBe(7_000);
    expect(error.siteId).toBe("test-site");
    expect((await errorOf(http.request("test-site", `${base}/bad-gateway`))).kind).toBe("unavailable");
  });

  it("maps 429, 403 and 401 to blocked", async () => {
    const limited = await errorOf(http.request("test-site", `${base}/rate-limited`));
    expect(limited).toBeInstanceOf(SiteBlockedError);
    expect(limited.retryAfterMs).toBe(60_000);
    const forbidden = await errorOf(http.request("test-site", `${base}/forbidden`));
    expect(forbidden.kind).toBe("blocked");
    expect(forbidden.retryAfterMs).toBeUndefined();
    expect((await errorOf(http.request("test-site", `${base}/unauthorized`))).kind).toBe("blocked");
  });

  it("maps other non-2xx statuses to unavailable", async () => {
    expect((await errorOf(http.request("test-site", `${base}/not-found`))).kind).toBe("unavailable");
  });

  it("times out a slow response as unavailable", async () => {
    const started = Date.now();
    const error = await errorOf(http.request("test-site", `${base}/slow`));
    expect(error.kind).toBe("unavailable");
    expect(error.message).toMatch(/timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("maps a 200 challenge page to blocked, whatever was expected", async () => {
    expect((await errorOf(http.request("test-site", `${base}/challenge`, { expect: "html" }))).kind).toBe("blocked");
    expect((await errorOf(http.request("test-site", `${base}/challenge`, { expect: "json" }))).kind).toBe("blocked");
  });

  it("maps HTML where JSON was expected to blocked, but accepts it where HTML was expected", async () => {
    expect((await errorOf(http.request("test-site", `${base}/html`, { expect: "json" }))).kind).toBe("blocked");
    const page = await http.request("test-site", `${base}/html`, { expect: "html" });
    expect(page.body).toContain("g-recaptcha");
  });

  it("accepts JSON that a PHP portal labels text/html", async () => {
    const page = await http.request("test-site", `${base}/json-labelled-html`, { expect: "json" });
    expect(page.body).toBe('{"result":[]}');
  });

  it("maps a refused connection to unavailable", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await errorOf(http.request("test-site", `http://127.0.0.1:${port}/`));
    expect(error.kind).toBe("unavailable");
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("rethrows the caller's cancellation instead of blaming the site", async () => {
    const controller = new AbortController();
    const reason = new Error("worker shutting down");
    const pending = http.request("test-site", `${base}/slow`, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
  });
});
