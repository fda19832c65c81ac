// Politeness across worker processes, shown from the site farm's request log: two real worker
// processes (node --import tsx workers/main.ts) scraping the same sites never send two requests to one
// host closer together than the minimum delay, nobody asks a host again before its Retry-After, and
// robots.txt stops scraping (the site is marked blocked). Plus the same rules in-process: a scrape
// deferred by back-off (BullMQ moveToDelayed), and robots.txt applied inside Chromium (DAK).
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../../infra/db.js";
import { createLogger } from "../../../infra/logger.js";
import { createWorkerRedis } from "../../../infra/redis.js";
import { seedCatalogue } from "../../../prisma/seed.js";
import { scrapeProcessor, scrapeSite, type ScrapeDeps } from "../../../workers/processors/scrape.js";
import { createQueues, type Queues } from "../../../workers/queues.js";
import { BrowserPool } from "../../../workers/sites/browser.js";
import { HttpClient } from "../../../workers/sites/http.js";
import { buildRobotsRules, HostBackoffError, pathUnder, Politeness } from "../../../workers/sites/politeness.js";
import { createFarm, type Farm, type RequestLogEntry, type RunningFarm } from "../../farm/server.js";
import { resetDatabase, testConfig, testDb } from "../../support/env.js";

const ZIG = "woonnet-haaglanden";
const EMBRACE = "woonnet-rijnmond";
const DAK = "woningnet-amsterdam";
const MIN_DELAY_MS = 300;
// The farm logs arrival times in whole milliseconds and Redis hands out whole milliseconds: allow
// for the two roundings, nothing more (slowness only makes gaps longer).
const ROUNDING_MS = 2;

const config = testConfig();
const log = createLogger("silent", "test");
let db: Db;
let farm: Farm;
let running: RunningFarm;
let queues: Queues;
let redis: Redis;

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ms = (e: RequestLogEntry) => Date.parse(e.at);

/** Gaps between consecutive requests to one site (one host), in arrival order. */
function gaps(entries: RequestLogEntry[]): number[] {
  const times = entries.map(ms).sort((a, b) => a - b);
  return times.slice(1).map((t, i) => t - times[i]!);
}

describe("pure parts", () => {
  it("reads paths below a site's base, also under the farm's prefix", () => {
    expect(pathUnder("https://www.example.nl", "https://www.example.nl/portal/x?a=1")).toBe("/portal/x?a=1");
    expect(pathUnder("http://127.0.0.1:4010/s/zig", "http://127.0.0.1:4010/s/zig/portal/x")).toBe("/portal/x");
    expect(pathUnder("http://127.0.0.1:4010/s/zig", "http://127.0.0.1:4010/s/zig")).toBe("/");
    expect(pathUnder("http://127.0.0.1:4010/s/zig", "http://127.0.0.1:4010/s/zigzag/x")).toBeNull();
    expect(pathUnder("https://a.nl", "https://b.nl/x")).toBeNull();
  });

  it("applies the real host's robots.txt to the farm's prefixed paths, for our agent", () => {
    const body = "User-agent: *\nDisallow: /private\n\nUser-agent: Eldersthuis\nDisallow: /portal/\nCrawl-delay: 4\n";
    const rules = buildRobotsRules("www.example.nl", "http://127.0.0.1:4010/s/zig", "http://127.0.0.1:4010/s/zig/robots.txt", body, "Eldersthuis");
    expect(rules.allows("http://127.0.0.1:4010/s/zig/portal/object")).toBe(false);
    expect(rules.allows("http://127.0.0.1:4010/s/zig/aanbod")).toBe(true);
    // Our own group applies, not "*".
    expect(rules.allows("http://127.0.0.1:4010/s/zig/private")).toBe(true);
    expect(rules.crawlDelayMs).toBe(4000);
    // Another origin is judged by its own robots.txt.
    expect(rules.allows("https://api.example.com/portal/")).toBe(true);
    expect(buildRobotsRules("h", "https://h", "https://h/robots.txt", "", "Eldersthuis").allows("https://h/anything")).toBe(true);
  });
});

describe("two worker processes", () => {
  const children: { proc: ChildProcess; pid: number; scrapes: number }[] = [];

  beforeAll(async () => {
    db = testDb(config);
    redis = createWorkerRedis(config.REDIS_URL);
    queues = createQueues(redis, config.QUEUE_PREFIX);
    farm = createFarm({ tickMs: 0 });
    running = await farm.start(0);
    await resetDatabase(db);
    await seedCatalogue(db, `${running.url}/s/{site}`, 3600);
    // Two sites, scraped every 2 s by both processes; the rest of the catalogue is left alone.
    await db.site.updateMany({ where: { id: { notIn: [ZIG, EMBRACE] } }, data: { enabled: false } });
    await db.site.updateMany({ where: { id: { in: [ZIG, EMBRACE] } }, data: { pollIntervalSeconds: 2, enabled: true } });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      DATABASE_URL: config.DATABASE_URL,
      REDIS_URL: config.REDIS_URL,
      QUEUE_PREFIX: config.QUEUE_PREFIX,
      TOKEN_SECRET: config.TOKEN_SECRET,
      SITE_BASE_URL_OVERRIDE: `${running.url}/s/{site}`,
      POLITENESS_MIN_DELAY_MS: String(MIN_DELAY_MS),
      ROBOTS_CACHE_SECONDS: "2",
      SWEEP_INTERVAL_SECONDS: "3600",
      SMTP_PORT: "9",
    };
    await Promise.all(
      [1, 2].map(
        (n) =>
          new Promise<void>((resolve, reject) => {
            const proc = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], { env, stdio: ["ignore", "pipe", "inherit"] });
            const child = { proc, pid: proc.pid!, scrapes: 0 };
            children.push(child);
            proc.once("exit", (code) => reject(new Error(`worker ${n} exited with ${code}`)));
            createInterface({ input: proc.stdout! }).on("line", (line) => {
              let entry: { msg?: string };
              try {
                entry = JSON.parse(line) as { msg?: string };
              } catch {
                return;
              }
              if (entry.msg === "workers started") resolve();
              if (entry.msg?.startsWith("scrape done")) child.scrapes += 1;
            });
          }),
      ),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(
      children.map(
        ({ proc }) =>
          new Promise<void>((resolve) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
            proc.removeAllListeners("exit");
            const kill = setTimeout(() => proc.kill("SIGKILL"), 20_000);
            proc.once("exit", () => {
              clearTimeout(kill);
              resolve();
            });
            proc.kill("SIGTERM");
          }),
      ),
    );
    await queues?.close();
    await redis?.quit();
    await running?.close();
    await db?.$disconnect();
  }, 60_000);

  it("never send two requests to one host closer together than the minimum delay", async () => {
    // Pile up scrapes of both sites at once: four job slots in two processes compete for each host.
    for (let i = 0; i < 6; i++) {
      await queues.add("scrape", "scrape", { siteId: ZIG }, { jobId: `burst-zig-${i}` });
      await queues.add("scrape", "scrape", { siteId: EMBRACE }, { jobId: `burst-embrace-${i}` });
    }
    await until("ten finished runs per site, by both processes", async () => {
      const [zig, embrace] = await Promise.all([ZIG, EMBRACE].map((siteId) => db.scrapeRun.count({ where: { siteId, ok: true } })));
      return zig! >= 10 && embrace! >= 10 && children.every((c) => c.scrapes > 0);
    }, 90_000);

    for (const siteId of [ZIG, EMBRACE]) {
      const entries = farm.requests(siteId);
      expect(entries.length).toBeGreaterThanOrEqual(10);
      const smallest = Math.min(...gaps(entries));
      expect(smallest).toBeGreaterThanOrEqual(MIN_DELAY_MS - ROUNDING_MS);
      // The scrapes really did run at the same time (and so competed for the host).
      const runs = await db.scrapeRun.findMany({ where: { siteId, finishedAt: { not: null } }, orderBy: { startedAt: "asc" } });
      const overlapping = runs.some((r, i) => i > 0 && r.startedAt < runs[i - 1]!.finishedAt!);
      expect(overlapping).toBe(true);
    }
  }, 120_000);

  it("honour Retry-After: nobody asks the host again before it allows", async () => {
    const retryAfter = 3;
    const since = Date.now();
    farm.setFault(ZIG, { fault: "http429", retryAfter, times: 1 });
    const blockedRun = await until("the 429 run", () => db.scrapeRun.findFirst({ where: { siteId: ZIG, errorKind: "blocked", startedAt: { gte: new Date(since - 5_000) } } }));
    expect(blockedRun.error).toMatch(/HTTP 429/);
    // A scrape asked for right now must wait too.
    await queues.add("scrape", "scrape", { siteId: ZIG }, { jobId: "after-429" });
    await until("the site healthy again", async () => {
      const s = await db.site.findUniqueOrThrow({ where: { id: ZIG } });
      return s.health === "healthy" && s.lastSuccessAt! > blockedRun.finishedAt! && s;
    });
    const entries = farm.requests(ZIG).filter((e) => ms(e) >= since - 1000);
    // The 429 was the first request for the offer after the fault was set (robots.txt is never faulted).
    const faulted = entries.filter((e) => !e.path.endsWith("/robots.txt") && ms(e) >= since).sort((a, b) => ms(a) - ms(b))[0]!;
    const next = entries.filter((e) => ms(e) > ms(faulted)).sort((a, b) => ms(a) - ms(b))[0]!;
    expect(ms(next) - ms(faulted)).toBeGreaterThanOrEqual(retryAfter * 1000 - ROUNDING_MS);
    expect((await db.site.findUniqueOrThrow({ where: { id: ZIG } })).health).toBe("healthy");
  }, 60_000);

  it("honour a 503's Retry-After as well", async () => {
    const retryAfter = 2;
    const since = Date.now();
    farm.setFault(EMBRACE, { fault: "http503", retryAfter, times: 1 });
    const failedRun = await until("the 503 run", () => db.scrapeRun.findFirst({ where: { siteId: EMBRACE, errorKind: "unavailable", startedAt: { gte: new Date(since - 5_000) } } }));
    await until("the site healthy again", async () => {
      const s = await db.site.findUniqueOrThrow({ where: { id: EMBRACE } });
      return s.health === "healthy" && s.lastSuccessAt! > failedRun.finishedAt! && s;
    });
    const entries = farm.requests(EMBRACE).filter((e) => ms(e) >= since && !e.path.endsWith("/robots.txt")).sort((a, b) => ms(a) - ms(b));
    const faulted = entries[0]!;
    const next = farm.requests(EMBRACE).filter((e) => ms(e) > ms(faulted)).sort((a, b) => ms(a) - ms(b))[0]!;
    expect(ms(next) - ms(faulted)).toBeGreaterThanOrEqual(retryAfter * 1000 - ROUNDING_MS);
  }, 60_000);

  it("robots.txt that disallows the site stops scraping and marks the site blocked", async () => {
    farm.setRobots(EMBRACE, "User-agent: *\nDisallow: /\n");
    const blocked = await until("the site blocked by robots.txt", async () => {
      const s = await db.site.findUniqueOrThrow({ where: { id: EMBRACE } });
      return s.health === "blocked" && s.lastErrorKind === "robots" && s;
    });
    expect(blocked.lastError).toMatch(/disallowed by robots\.txt/);
    // A scrape that had already loaded the old rules may still finish; after that, only robots.txt.
    await new Promise((r) => setTimeout(r, 1_500));
    const from = Date.now();
    await new Promise((r) => setTimeout(r, 4_500));
    const later = farm.requests(EMBRACE).filter((e) => ms(e) >= from);
    expect(later.every((e) => e.path.endsWith("/robots.txt"))).toBe(true);
    expect(await db.scrapeRun.count({ where: { siteId: EMBRACE, errorKind: "robots", startedAt: { gte: new Date(from) } } })).toBeGreaterThan(0);
    expect((await db.site.findUniqueOrThrow({ where: { id: EMBRACE } })).health).toBe("blocked");
    // The other site is not affected.
    expect((await db.site.findUniqueOrThrow({ where: { id: ZIG } })).health).toBe("healthy");

    // Allowed again: scraping resumes once the cached robots.txt expires.
    farm.setRobots(EMBRACE, null);
    await until("the site healthy again", async () => (await db.site.findUniqueOrThrow({ where: { id: EMBRACE } })).health === "healthy");
  }, 60_000);
});

describe("in one process", () => {
  let browser: BrowserPool;
  let deps: ScrapeDeps;
  const prefix = `${config.QUEUE_PREFIX}-inproc`;

  beforeAll(async () => {
    db = testDb(config);
    redis = createWorkerRedis(config.REDIS_URL);
    queues = createQueues(redis, prefix);
    farm = createFarm({ tickMs: 0 });
    running = await farm.start(0);
    await resetDatabase(db);
    await seedCatalogue(db, `${running.url}/s/{site}`, 3600);
    await db.site.updateMany({ where: { id: { in: [ZIG, DAK] } }, data: { enabled: true } });
    browser = new BrowserPool();
    const politeness = new Politeness({ redis, prefix, minDelayMs: 50, defaultBackoffMs: 60_000, maxBackoffMs: 60_000, robotsTtlSeconds: 600, robotsAgent: "Eldersthuis" });
    deps = { db, queues, log, browser, timeoutMs: 20_000, http: new HttpClient({ userAgent: "Eldersthuis/0.1 (test)", timeoutMs: 3_000, politeness }) };
  });

  afterAll(async () => {
    await browser?.close();
    await queues?.close();
    await redis?.quit();
    await running?.close();
    await db?.$disconnect();
  });

  it("defers a scrape that finds its host in back-off (BullMQ moveToDelayed), without counting it against the site", async () => {
    expect(await scrapeSite(deps, ZIG, log)).toMatchObject({ seen: expect.any(Number) });
    const retryAfter = 3;
    farm.setFault(ZIG, { fault: "http429", retryAfter, times: 1 });
    await expect(scrapeSite(deps, ZIG, log)).rejects.toThrow(/HTTP 429/);
    const faultedAt = ms(farm.requests(ZIG).at(-1)!);
    const runsBefore = await db.scrapeRun.count({ where: { siteId: ZIG } });

    // Straight away: not run at all, no request, no ScrapeRun, health unchanged.
    const backoff = await scrapeSite(deps, ZIG, log).catch((e: unknown) => e);
    expect(backoff).toBeInstanceOf(HostBackoffError);
    expect((backoff as HostBackoffError).notBefore.getTime()).toBeGreaterThan(Date.now());
    expect(farm.requests(ZIG).filter((e) => ms(e) > faultedAt)).toHaveLength(0);
    expect(await db.scrapeRun.count({ where: { siteId: ZIG } })).toBe(runsBefore);
    expect((await db.site.findUniqueOrThrow({ where: { id: ZIG } })).health).toBe("blocked");

    // Through a real BullMQ worker: the job is delayed to the back-off's end, then runs; a second job
    // for the same site meanwhile is dropped (one deferred scrape per site is enough).
    const worker = new Worker("scrape", scrapeProcessor(deps), { connection: createWorkerRedis(config.REDIS_URL), prefix, concurrency: 1 });
    try {
      const job = await queues.scrape.add("scrape", { siteId: ZIG }, { jobId: "deferred-1" });
      await until("the job delayed", async () => (await job.getState()) === "delayed");
      const second = await queues.scrape.add("scrape", { siteId: ZIG }, { jobId: "deferred-2" });
      await until("the second job done", async () => (await second.getState()) === "completed");
      expect((await queues.scrape.getJob("deferred-2"))!.returnvalue).toEqual({ skipped: "backoff" });
      await until("the deferred job done", async () => (await job.getState()) === "completed", 30_000);
      const after = farm.requests(ZIG).filter((e) => ms(e) > faultedAt);
      expect(after.length).toBeGreaterThan(0);
      expect(Math.min(...after.map(ms)) - faultedAt).toBeGreaterThanOrEqual(retryAfter * 1000 - ROUNDING_MS);
      expect((await db.site.findUniqueOrThrow({ where: { id: ZIG } })).health).toBe("healthy");
      expect(await db.scrapeRun.count({ where: { siteId: ZIG, ok: false } })).toBe(1);
    } finally {
      await worker.close();
    }
  }, 60_000);

  it("applies robots.txt inside Chromium: DAK's offer page is never loaded when disallowed for us", async () => {
    farm.setRobots(DAK, "User-agent: Eldersthuis\nDisallow: /Woningaanbod\n");
    const error = await scrapeSite(deps, DAK, log).catch((e: unknown) => e);
    expect(String(error)).toMatch(/disallowed by robots\.txt/);
    expect(farm.requests(DAK).map((e) => e.path)).toEqual([`/s/${DAK}/robots.txt`]);
    const site = await db.site.findUniqueOrThrow({ where: { id: DAK } });
    expect(site).toMatchObject({ health: "blocked", lastErrorKind: "robots" });
    expect(await db.listing.count({ where: { siteId: DAK } })).toBe(0);
  }, 60_000);
});
