// Politeness towards housing sites, shared by every worker process on every machine through Redis:
//  - one request at a time per host (a lease), and a minimum delay between two requests to one host;
//  - a "not before" per host after a 429 or 503, honouring Retry-After;
//  - robots.txt, fetched from the site and cached in Redis.
// The key is the site's real host from the catalogue, also when its baseUrl points at the site farm,
// so tests exercise exactly what production does.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import type { Page, Route } from "playwright-core";
import { BrowserPool, type WithPageOptions } from "./browser.js";
import { SiteBlockedError } from "./errors.js";

export interface PolitenessOptions {
  redis: Redis;
  /** Key prefix (the deployment's QUEUE_PREFIX), so deployments and tests sharing one Redis stay apart. */
  prefix: string;
  minDelayMs: number;
  /** Back-off after a 429 or 503 without a readable Retry-After. */
  defaultBackoffMs: number;
  /** Cap on a site's Retry-After. */
  maxBackoffMs: number;
  robotsTtlSeconds: number;
  /** Product token matched against robots.txt "User-agent" lines, e.g. "Eldersthuis". */
  robotsAgent: string;
}

// robots-parser is CommonJS whose typings declare an ES default export; require() gives the function.
const robotsParser = createRequire(import.meta.url)("robots-parser") as (typeof import("robots-parser"))["default"];

/** A robots.txt Crawl-delay above this is capped: a scrape must still fit in its time budget. */
const MAX_CRAWL_DELAY_MS = 30_000;
/** `last` is kept this long; older requests cannot matter for a minimum delay. */
const LAST_KEEP_MS = 3_600_000;

/**
 * The host asked us to wait (429/503 with Retry-After) and the wait is not over. Not a site failure:
 * the scrape processor moves the job to `notBefore` instead of counting it against the site's health.
 */
export class HostBackoffError extends Error {
  constructor(
    readonly host: string,
    readonly notBefore: Date,
  ) {
    super(`host ${host} asked us to wait until ${notBefore.toISOString()}`);
    this.name = "HostBackoffError";
  }
}

/** The site's robots.txt forbids a path we need: the site is blocked for us until it changes. */
export class RobotsDisallowedError extends SiteBlockedError {
  readonly reason = "robots" as const;
  constructor(siteId: string, url: string, robotsUrl: string) {
    super(siteId, `disallowed by robots.txt (${robotsUrl}): ${url}`);
  }
}

// Atomic acquire. Time comes from Redis (TIME), so machines with skewed clocks agree.
// Returns {1, waitMs} when the lease is ours (wait that long for the minimum delay before sending),
// {0, pttl} when another request holds it, {2, msLeft} when the host is in back-off.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nb = tonumber(redis.call('GET', KEYS[3]) or '0')
if nb > now then return {2, nb - now} end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local last = tonumber(redis.call('GET', KEYS[2]) or '0')
  local wait = last + tonumber(ARGV[3]) - now
  if wait < 0 then wait = 0 end
  if wait > 0 then redis.call('PEXPIRE', KEYS[1], wait + tonumber(ARGV[2])) end
  return {1, wait}
end
return {0, redis.call('PTTL', KEYS[1])}
`;

// Release: record when our request ended (the next one waits the minimum delay from here), set a
// back-off if the host asked for one (never shortening a longer one), and drop the lease if still ours.
const RELEASE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[2] == '1' then redis.call('SET', KEYS[2], now, 'PX', ARGV[4]) end
local backoff = tonumber(ARGV[3])
if backoff > 0 then
  local nb = now + backoff
  local cur = tonumber(redis.call('GET', KEYS[3]) or '0')
  if nb > cur then redis.call('SET', KEYS[3], nb, 'PX', backoff + 60000) end
end
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return now
`;

export interface HostLease {
  host: string;
  /** Ends the lease. `requested`: a request went out (starts the minimum delay). */
  release(opts: { requested: boolean; backoffMs?: number }): Promise<void>;
}

export interface RobotsRules {
  robotsUrl: string;
  /** True when robots.txt lets us fetch this URL (a URL of the robots.txt's site). */
  allows(url: string): boolean;
  /** Crawl-delay in ms (capped), when robots.txt sets one for us. */
  crawlDelayMs?: number;
}

/** What fetching robots.txt gave: its text, or "none" (4xx: no rules, everything allowed). */
export type RobotsFetchResult = { body: string } | "none";

export class Politeness {
  readonly minDelayMs: number;
  readonly defaultBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly robotsAgent: string;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly robotsTtlSeconds: number;

  constructor(options: PolitenessOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix;
    this.minDelayMs = options.minDelayMs;
    this.defaultBackoffMs = options.defaultBackoffMs;
    this.maxBackoffMs = options.maxBackoffMs;
    this.robotsTtlSeconds = options.robotsTtlSeconds;
    this.robotsAgent = options.robotsAgent;
  }

  private keys(host: string): [string, string, string] {
    const base = `${this.prefix}:polite:${host.toLowerCase()}`;
    return [`${base}:lease`, `${base}:last`, `${base}:notbefore`];
  }

  /** The host's back-off end, or null when it may be asked now. */
  async notBefore(host: string): Promise<Date | null> {
    const [, , nbKey] = this.keys(host);
    const [value, [sec, micro]] = await Promise.all([this.redis.get(nbKey), this.redis.time()]);
    const now = Number(sec) * 1000 + Math.floor(Number(micro) / 1000);
    const nb = Number(value ?? 0);
    return nb > now ? new Date(Date.now() + (nb - now)) : null;
  }

  /** The back-off a 429/503 answer asks for: Retry-After when given (capped), else the default. */
  backoffFor(retryAfterMs: number | undefined): number {
    return Math.min(this.maxBackoffMs, Math.max(0, retryAfterMs ?? this.defaultBackoffMs));
  }

  /** Records a back-off for a host outside a lease (the browser path learns about 429s late). */
  async backoff(host: string, ms: number): Promise<void> {
    if (ms <= 0) return;
    await this.redis.eval(RELEASE, 3, ...this.keys(host), "", "0", String(ms), String(LAST_KEEP_MS));
  }

  /**
   * One deferred scrape per site: true when `jobId` may wait for the host's back-off (it is the first,
   * or the one already waiting), false when another job of the site already waits.
   */
  async claimDeferral(siteId: string, jobId: string, ttlMs: number): Promise<boolean> {
    const key = `${this.prefix}:polite:deferred:${siteId}`;
    const ttl = String(Math.max(1000, Math.ceil(ttlMs)));
    if ((await this.redis.set(key, jobId, "PX", ttl, "NX")) === "OK") return true;
    if ((await this.redis.get(key)) !== jobId) return false;
    await this.redis.set(key, jobId, "PX", ttl);
    return true;
  }

  /**
   * Waits until this process may send the next request to `host`: the lease is free, the minimum
   * delay since the host's last request has passed, and the host is not in back-off (then it throws
   * HostBackoffError at once: waiting minutes inside a job would hold a worker slot).
   * `holdMs` bounds how long the lease lives if this process dies while holding it.
   */
  async acquire(host: string, opts: { holdMs: number; minDelayMs?: number; signal?: AbortSignal }): Promise<HostLease> {
    const token = randomUUID();
    const keys = this.keys(host);
    const minDelay = Math.max(this.minDelayMs, opts.minDelayMs ?? 0);
    for (;;) {
      opts.signal?.throwIfAborted();
      const [state, ms] = (await this.redis.eval(ACQUIRE, 3, ...keys, token, String(Math.max(1000, opts.holdMs)), String(minDelay))) as [number, number];
      if (state === 2) throw new HostBackoffError(host, new Date(Date.now() + ms));
      if (state === 1) {
        const lease: HostLease = {
          host,
          release: async ({ requested, backoffMs }) => {
            await this.redis.eval(RELEASE, 3, ...keys, token, requested ? "1" : "0", String(Math.max(0, backoffMs ?? 0)), String(LAST_KEEP_MS));
          },
        };
        if (ms > 0) {
          try {
            await sleep(ms, undefined, { signal: opts.signal });
          } catch (error) {
            await lease.release({ requested: false }).catch(() => undefined);
            throw error;
          }
        }
        return lease;
      }
      // Someone else is talking to this host. Poll with jitter; the holder is done within its request.
      const pause = Math.min(Math.max(ms, 20), 100) + Math.floor(Math.random() * 30);
      await sleep(pause, undefined, { signal: opts.signal });
    }
  }

  /**
   * The robots.txt rules for `host`, whose robots.txt lives at `robotsUrl`. Cached in Redis for
   * robotsTtlSeconds; `fetchRobots` is called on a miss (the caller fetches it politely, under a lease).
   * Paths are checked relative to `base` (the site's baseUrl, which under the farm has a prefix).
   */
  async robots(host: string, base: string, fetchRobots: (robotsUrl: string) => Promise<RobotsFetchResult>): Promise<RobotsRules> {
    const robotsUrl = `${base}/robots.txt`;
    const cacheKey = `${this.prefix}:polite:${host.toLowerCase()}:robots`;
    let body = await this.redis.get(cacheKey);
    if (body === null) {
      const result = await fetchRobots(robotsUrl);
      body = result === "none" ? "" : result.body;
      await this.redis.set(cacheKey, body, "EX", this.robotsTtlSeconds);
    }
    return buildRobotsRules(host, base, robotsUrl, body, this.robotsAgent);
  }
}

/**
 * Rules from a robots.txt body. robots-parser matches URLs of its own host, so paths under `base`
 * are checked as https://<host><path>: the real host's rules apply to the farm's prefixed paths too.
 */
export function buildRobotsRules(host: string, base: string, robotsUrl: string, body: string, agent: string): RobotsRules {
  const parser = robotsParser(`https://${host}/robots.txt`, body);
  const delay = parser.getCrawlDelay(agent);
  return {
    robotsUrl,
    allows(url: string): boolean {
      const path = pathUnder(base, url);
      if (path === null) return true; // another origin: its own robots.txt applies, not this one
      return parser.isAllowed(`https://${host}${path}`, agent) !== false;
    },
    crawlDelayMs: delay !== undefined && Number.isFinite(delay) && delay > 0 ? Math.min(MAX_CRAWL_DELAY_MS, delay * 1000) : undefined,
  };
}

/** The path (with query) of `url` below `base`, or null when `url` is not under `base`. */
export function pathUnder(base: string, url: string): string | null {
  let b: URL;
  let u: URL;
  try {
    b = new URL(base);
    u = new URL(url);
  } catch {
    return null;
  }
  if (b.origin !== u.origin) return null;
  const prefix = b.pathname.replace(/\/+$/, "");
  if (prefix && u.pathname !== prefix && !u.pathname.startsWith(`${prefix}/`)) return null;
  const rest = u.pathname.slice(prefix.length) || "/";
  return `${rest}${u.search}`;
}

/**
 * A browser pool for one scrape that refuses requests robots.txt disallows. It delegates to the
 * worker's shared pool (one Chromium per process) and only adds a page-level route, which Playwright
 * consults before the pool's context route. A refused request is remembered, so the scrape reports
 * "disallowed by robots.txt" instead of the page error the adapter sees.
 */
export class RobotsCheckedBrowser extends BrowserPool {
  /** The first URL robots.txt refused, if any. */
  refused: string | null = null;

  constructor(
    private readonly inner: BrowserPool,
    private readonly rules: RobotsRules,
  ) {
    super();
  }

  override withPage<T>(fn: (page: Page) => Promise<T>, opts: WithPageOptions): Promise<T> {
    return this.inner.withPage(async (page) => {
      await page.route("**/*", (route: Route) => {
        const url = route.request().url();
        if (this.rules.allows(url)) return route.fallback();
        this.refused ??= url;
        return route.abort("blockedbyclient");
      });
      return fn(page);
    }, opts);
  }

  /** The shared pool belongs to the worker process; a scrape never closes it. */
  override async close(): Promise<void> {}
}
