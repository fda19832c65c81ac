// Plain HTTP for site adapters: one place that sends our User-Agent, enforces a timeout and turns every
// way a site can fail into a SiteError kind, so the scrape processor can decide retry vs back-off.
import { SiteBlockedError, SiteUnavailableError } from "./errors.js";
import type { FetchedPage } from "./types.js";

export interface HttpClientOptions {
  /** Sent on every request: sites should be able to tell who we are. */
  userAgent: string;
  /** Whole-request budget (connect, headers and body). */
  timeoutMs: number;
}

export interface HttpRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The caller's cancellation (job shutdown). Cancellation is rethrown as is, not reported as a site failure. */
  signal?: AbortSignal;
  /** What a healthy answer looks like. With "json", an HTML answer is an interstitial: blocked. */
  expect?: "json" | "html";
}

/**
 * Parses a Retry-After header: delta-seconds ("7") or an HTTP-date. Returns milliseconds to wait,
 * or undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only accept what looks like a date: Date.parse also takes odd strings such as "1".
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

// Markers of bot walls that answer 200 (Cloudflare, Imperva, DataDome, PerimeterX). Matched anywhere in an
// HTML body because they only occur in challenge pages.
const CHALLENGE_MARKERS = /cf-challenge|cf_chl_|challenge-platform|just a moment|_incapsula_resource|captcha-delivery|px-captcha/i;
// Generic words are matched only in the <title>: ordinary pages often embed a reCAPTCHA contact form, and
// calling those "blocked" would hide real listings.
const CHALLENGE_TITLE =
  /<title[^>]*>[^<]*(just a moment|captcha|attention required|access denied|security check|are you a (human|robot)|verify you are human|even geduld)[^<]*<\/title>/i;

/** Sniffs the body first: PHP portals (Zig) often send JSON labelled text/html. */
function looksLikeHtml(body: string, contentType: string | null): boolean {
  const start = body.trimStart();
  if (start.startsWith("{") || start.startsWith("[")) return false;
  if (start.startsWith("<")) return true;
  return contentType?.toLowerCase().includes("text/html") ?? false;
}

/** True for a bot challenge or interstitial delivered with a 2xx status. */
export function looksLikeChallenge(body: string): boolean {
  return CHALLENGE_MARKERS.test(body) || CHALLENGE_TITLE.test(body);
}

export class HttpClient {
  readonly userAgent: string;
  readonly timeoutMs: number;

  constructor(options: HttpClientOptions) {
    this.userAgent = options.userAgent;
    this.timeoutMs = options.timeoutMs;
  }

  async request(siteId: string, url: string, init: HttpRequestInit = {}): Promise<FetchedPage> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const headers = new Headers(init.headers);
    headers.set("user-agent", this.userAgent);

    let response: Response;
    let body: string;
    try {
      response = await fetch(url, { method: init.method ?? "GET", headers, body: init.body, signal, redirect: "follow" });
      // The body is read under the same signal, so a server that stalls mid-body also times out.
      body = await response.text();
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason;
      if (timeout.aborted) throw new SiteUnavailableError(siteId, `timed out after ${this.timeoutMs} ms: ${url}`);
      throw new SiteUnavailableError(siteId, `network error for ${url}: ${describeNetworkError(error)}`);
    }

    const status = response.status;
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
    if (status === 401 || status === 403 || status === 429) {
      throw new SiteBlockedError(siteId, `HTTP ${status} from ${url}`, retryAfterMs);
    }
    if (status >= 500) throw new SiteUnavailableError(siteId, `HTTP ${status} from ${url}`, retryAfterMs);
    if (status < 200 || status > 299) throw new SiteUnavailableError(siteId, `HTTP ${status} from ${url}`, retryAfterMs);

    const html = looksLikeHtml(body, response.headers.get("content-type"));
    if (html && looksLikeChallenge(body)) {
      throw new SiteBlockedError(siteId, `bot challenge page (HTTP ${status}) from ${url}`, retryAfterMs);
    }
    if (html && init.expect === "json") {
      throw new SiteBlockedError(siteId, `HTML where JSON was expected (HTTP ${status}) from ${url}`, retryAfterMs);
    }
    return { url, status, body };
  }
}

function describeNetworkError(error: unknown): string {
  // undici wraps the system error ("ECONNREFUSED", "ENOTFOUND") in `cause`.
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
