// Plain HTTP for site adapters: one place that sends our User-Agent, enforces a timeout and turns every
// way a site can fail into a SiteError kind, so the scrape processor can decide retry vs back-off.
// A site-scoped client (forSite, which the scrape processor always uses) is also polite: robots.txt,
// one request at a time per host with a minimum delay, back-off after 429/503, and conditional requests.
import { SiteBlockedError, SiteUnavailableError } from "./errors.js";
import { RobotsDisallowedError, type Politeness, type RobotsFetchResult, type RobotsRules } from "./politeness.js";
import type { FetchedPage } from "./types.js";

export interface HttpClientOptions {
  /** Sent on every request: sites should be able to tell who we are. */
  userAgent: string;
  /** Whole-request budget (connect, headers and body). */
  timeoutMs: number;
  /** Per-host politeness shared by all workers. Without it, site-scoped clients only track validators. */
  politeness?: Politeness;
  /** Set by forSite(): the site this client talks to for one scrape. */
  site?: SiteScope;
}

/** One scrape's view of its site. */
export interface SiteScope {
  siteId: string;
  /** The site's real host (catalogue): the politeness key, also when baseUrl points at the site farm. */
  host: string;
  /** Where the site is reached (its real origin, or the farm's prefix). No trailing slash. */
  baseUrl: string;
  /**
   * Validators of the site's last full answer. Sent with the scrape's first request only: they are
   * stored only when a whole offer came in one request, so the first request is that request.
   */
  validators?: { etag: string | null; lastModified: string | null };
  /** The caller already holds the host's lease for the whole fetch (browser scrapes). */
  leaseHeld?: boolean;
}

/** What a site-scoped client saw during one scrape. */
export interface ScrapeTraffic {
  /** Requests to the site, robots.txt not counted. */
  requests: number;
  /** Body bytes received, robots.txt included. */
  bytes: number;
  /** Validators of the last 2xx answer. */
  validators: { etag: string | null; lastModified: string | null } | null;
}

/**
 * Thrown by a site-scoped client when the site answers 304 to the validators we sent: the offer is
 * unchanged since our last full answer. Not an error of the site; the scrape keeps its listings.
 */
export class NotModified extends Error {
  constructor(
    readonly siteId: string,
    readonly url: string,
  ) {
    super(`${siteId}: not modified (304) ${url}`);
    this.name = "NotModified";
  }
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
  readonly politeness?: Politeness;
  readonly site?: SiteScope;
  /** Counters of a site-scoped client (zero for the shared one). */
  readonly traffic: ScrapeTraffic = { requests: 0, bytes: 0, validators: null };
  /** robots.txt rules per origin base, loaded once per scoped client. */
  private readonly robotsCache = new Map<string, Promise<RobotsRules>>();

  constructor(options: HttpClientOptions) {
    this.userAgent = options.userAgent;
    this.timeoutMs = options.timeoutMs;
    this.politeness = options.politeness;
    this.site = options.site;
  }

  /** A client for one scrape of one site: polite, and counting what it fetched. */
  forSite(site: SiteScope): HttpClient {
    return new HttpClient({ userAgent: this.userAgent, timeoutMs: this.timeoutMs, politeness: this.politeness, site });
  }

  /** The politeness key and robots.txt base for a URL: the site's own host for URLs under its baseUrl. */
  private target(url: string): { host: string; base: string } {
    const site = this.site!;
    if (site.baseUrl && (url === site.baseUrl || url.startsWith(`${site.baseUrl}/`) || url.startsWith(`${site.baseUrl}?`))) {
      return { host: site.host, base: site.baseUrl };
    }
    // Another origin (an API gateway): its own host and its own robots.txt.
    const u = new URL(url);
    return { host: u.host, base: u.origin };
  }

  /**
   * robots.txt rules for the site (or another origin it uses), from Redis or fetched politely.
   * A 4xx robots.txt means "no rules" (RFC 9309); 5xx or no answer is the site being unavailable.
   */
  async robotsFor(url: string, signal?: AbortSignal): Promise<RobotsRules | null> {
    if (!this.site || !this.politeness) return null;
    const politeness = this.politeness;
    const { host, base } = this.target(url);
    let rules = this.robotsCache.get(base);
    if (!rules) {
      rules = politeness.robots(host, base, async (robotsUrl): Promise<RobotsFetchResult> => {
        const lease = this.site!.leaseHeld ? null : await politeness.acquire(host, { holdMs: this.timeoutMs + 5000, signal });
        let answer: { response: Response; body: string };
        try {
          answer = await this.send(this.site!.siteId, robotsUrl, { signal }, new Headers());
        } catch (error) {
          await lease?.release({ requested: true });
          throw error;
        }
        const status = answer.response.status;
        const retryAfterMs = parseRetryAfter(answer.response.headers.get("retry-after"));
        const backoffMs = status === 429 || status === 503 ? politeness.backoffFor(retryAfterMs) : 0;
        await (lease ? lease.release({ requested: true, backoffMs }) : politeness.backoff(host, backoffMs));
        this.traffic.bytes += Buffer.byteLength(answer.body);
        if (status === 429) throw new SiteBlockedError(this.site!.siteId, `HTTP 429 from ${robotsUrl}`, retryAfterMs);
        if (status >= 500) throw new SiteUnavailableError(this.site!.siteId, `HTTP ${status} from ${robotsUrl}`, retryAfterMs);
        if (status >= 400) return "none";
        if (status < 200 || status > 299) throw new SiteUnavailableError(this.site!.siteId, `HTTP ${status} from ${robotsUrl}`);
        if (looksLikeHtml(answer.body, answer.response.headers.get("content-type")) && looksLikeChallenge(answer.body)) {
          throw new SiteBlockedError(this.site!.siteId, `bot challenge page instead of ${robotsUrl}`, retryAfterMs);
        }
        return { body: answer.body };
      });
      this.robotsCache.set(base, rules);
      // A failed fetch is not cached: the next request (or scrape) tries again.
      rules.catch(() => this.robotsCache.delete(base));
    }
    return rules;
  }

  async request(siteId: string, url: string, init: HttpRequestInit = {}): Promise<FetchedPage> {
    const headers = new Headers(init.headers);
    const scoped = this.site;
    const politeness = scoped ? this.politeness : undefined;

    let lease: Awaited<ReturnType<Politeness["acquire"]>> | null = null;
    let host: string | null = null;
    if (scoped && politeness) {
      host = this.target(url).host;
      const rules = await this.robotsFor(url, init.signal);
      if (rules && !rules.allows(url)) throw new RobotsDisallowedError(siteId, url, rules.robotsUrl);
      if (!scoped.leaseHeld) {
        lease = await politeness.acquire(host, { holdMs: this.timeoutMs + 5000, minDelayMs: rules?.crawlDelayMs, signal: init.signal });
      }
    }
    // Conditional request: only the scrape's first request, and only with validators of a full answer.
    const conditional = scoped?.validators && this.traffic.requests === 0 ? scoped.validators : null;
    if (conditional?.etag) headers.set("if-none-match", conditional.etag);
    if (conditional?.lastModified) headers.set("if-modified-since", conditional.lastModified);

    let answer: { response: Response; body: string };
    try {
      answer = await this.send(siteId, url, init, headers);
    } catch (error) {
      await lease?.release({ requested: true });
      throw error;
    }
    const { response, body } = answer;
    const status = response.status;
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
    if (politeness && host) {
      // The host said "too many" or "not now": nobody asks it again before it allows.
      const backoffMs = status === 429 || status === 503 ? politeness.backoffFor(retryAfterMs) : 0;
      await (lease ? lease.release({ requested: true, backoffMs }) : politeness.backoff(host, backoffMs));
    }
    if (scoped) {
      this.traffic.requests += 1;
      this.traffic.bytes += Buffer.byteLength(body);
    }

    if (status === 304 && conditional) throw new NotModified(siteId, url);
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
    if (scoped) this.traffic.validators = { etag: response.headers.get("etag"), lastModified: response.headers.get("last-modified") };
    return { url, status, body };
  }

  /** One exchange under the timeout; network failures become SiteUnavailableError. */
  private async send(siteId: string, url: string, init: HttpRequestInit, headers: Headers): Promise<{ response: Response; body: string }> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    headers.set("user-agent", this.userAgent);
    try {
      const response = await fetch(url, { method: init.method ?? "GET", headers, body: init.body, signal, redirect: "follow" });
      // The body is read under the same signal, so a server that stalls mid-body also times out.
      const body = await response.text();
      return { response, body };
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason;
      if (timeout.aborted) throw new SiteUnavailableError(siteId, `timed out after ${this.timeoutMs} ms: ${url}`);
      throw new SiteUnavailableError(siteId, `network error for ${url}: ${describeNetworkError(error)}`);
    }
  }
}

function describeNetworkError(error: unknown): string {
  // undici wraps the system error ("ECONNREFUSED", "ENOTFOUND") in `cause`.
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
