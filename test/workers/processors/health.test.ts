// Site health through every fault mode of the site farm, with the real scrape path (HttpClient over
// HTTP, Chromium for DAK, Redis politeness, Postgres): the site's health changes as it should, its
// listings stay exactly as they were, the other sites keep working, operators get one notice when a
// site breaks and one when it works again, mailed once over real SMTP (also after an SMTP outage).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../../infra/db.js";
import { createLogger } from "../../../infra/logger.js";
import { createWorkerRedis } from "../../../infra/redis.js";
import { seedCatalogue } from "../../../prisma/seed.js";
import { createEmailChannel } from "../../../workers/channels/email.js";
import { operatorProcessor, sendOperatorNotice, type OperatorDeps } from "../../../workers/processors/operator.js";
import { scrapeSite, type ScrapeDeps, type ScrapeResult } from "../../../workers/processors/scrape.js";
import { sweep } from "../../../workers/processors/sweep.js";
import { createQueues, jobIds, type Queues } from "../../../workers/queues.js";
import { BrowserPool } from "../../../workers/sites/browser.js";
import { HttpClient } from "../../../workers/sites/http.js";
import { Politeness } from "../../../workers/sites/politeness.js";
import type { FaultRequest } from "../../farm/faults.js";
import { createFarm, type Farm, type RunningFarm } from "../../farm/server.js";
import { resetDatabase, testConfig, testDb } from "../../support/env.js";
import { readOutbox } from "../../support/outbox.js";
import { startSmtpSink, type SmtpSink } from "../../support/smtp-sink.js";

const ZIG = "woonnet-haaglanden";
const EMBRACE = "woonnet-rijnmond";
const DAK = "woningnet-amsterdam";
const OPERATOR = "beheer@example.org";

const config = testConfig();
const log = createLogger("silent", "test");
let db: Db;
let redis: Redis;
let queues: Queues;
let farm: Farm;
let running: RunningFarm;
let sink: SmtpSink;
let browser: BrowserPool;
let deps: ScrapeDeps;
let operator: OperatorDeps;

beforeAll(async () => {
  db = testDb(config);
  redis = createWorkerRedis(config.REDIS_URL);
  queues = createQueues(redis, config.QUEUE_PREFIX);
  sink = await startSmtpSink({ port: 0, outbox: mkdtempSync(path.join(tmpdir(), "eh-health-")) });
  browser = new BrowserPool();
  // Politeness as in production, with short delays; a Retry-After of 0 means "no back-off" here,
  // so one test can fault and heal a site quickly (back-off itself is tested in politeness.test.ts).
  const politeness = new Politeness({ redis, prefix: config.QUEUE_PREFIX, minDelayMs: 20, defaultBackoffMs: 0, maxBackoffMs: 60_000, robotsTtlSeconds: 600, robotsAgent: "Eldersthuis" });
  const http = new HttpClient({ userAgent: "Eldersthuis-test/0.1 (contact test@example.org)", timeoutMs: 2_000, politeness });
  deps = { db, queues, http, browser, log, timeoutMs: 20_000, health: { brokenAfterFormatFailures: 3, brokenAfterFailures: 5, brokenAfterMs: 24 * 3_600_000 } };
  operator = {
    db,
    log,
    email: createEmailChannel({ host: "127.0.0.1", port: sink.port, secure: false, from: "sites@eldersthuis.local" }),
    operatorEmail: OPERATOR,
    publicUrl: "http://127.0.0.1:3000",
  };
});

afterAll(async () => {
  await browser?.close();
  await queues?.close();
  await sink?.close();
  await running?.close();
  await redis?.quit();
  await db?.$disconnect();
});

beforeEach(async () => {
  // A fresh farm per test: no fault or robots.txt carries over, and the request log starts empty.
  await running?.close();
  farm = createFarm({ tickMs: 0 });
  running = await farm.start(0);
  await resetDatabase(db);
  await redis.eval(`for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end`, 0, `${config.QUEUE_PREFIX}:polite:*`);
  await seedCatalogue(db, `${running.url}/s/{site}`, 3600);
  // The catalogue decides which sites run in production; these tests scrape these three whatever it says.
  await db.site.updateMany({ where: { id: { in: [ZIG, EMBRACE, DAK] } }, data: { enabled: true } });
});

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function scrape(siteId: string): Promise<ScrapeResult | Error> {
  return scrapeSite(deps, siteId, log).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
}

/** Everything about a site's listings that a failed scrape must not change. */
async function listingState(siteId: string) {
  const rows = await db.listing.findMany({ where: { siteId }, orderBy: { externalId: "asc" }, select: { externalId: true, status: true, closedAt: true, contentHash: true } });
  return { count: rows.length, rows };
}

async function site(siteId: string) {
  return db.site.findUniqueOrThrow({ where: { id: siteId } });
}

function fault(siteId: string, request: Omit<FaultRequest, "site">) {
  farm.setFault(siteId, request);
}

describe("site health through the farm's fault modes", () => {
  const cases: { name: string; site: string; fault: Omit<FaultRequest, "site">; kind: string; health: string }[] = [
    { name: "HTTP 500", site: ZIG, fault: { fault: "http500" }, kind: "unavailable", health: "degraded" },
    { name: "HTTP 503", site: ZIG, fault: { fault: "http503", retryAfter: 0 }, kind: "unavailable", health: "degraded" },
    { name: "a site too slow to answer", site: ZIG, fault: { fault: "slow", delayMs: 10_000 }, kind: "unavailable", health: "degraded" },
    { name: "a malformed body", site: ZIG, fault: { fault: "malformed" }, kind: "schema", health: "degraded" },
    { name: "format drift", site: ZIG, fault: { fault: "drift" }, kind: "schema", health: "degraded" },
    { name: "an offer that suddenly empties", site: ZIG, fault: { fault: "empty" }, kind: "suspicious", health: "degraded" },
    { name: "a challenge page", site: ZIG, fault: { fault: "challenge" }, kind: "blocked", health: "blocked" },
    { name: "HTTP 429", site: ZIG, fault: { fault: "http429", retryAfter: 0 }, kind: "blocked", health: "blocked" },
    { name: "HTTP 503 on Embrace's GraphQL", site: EMBRACE, fault: { fault: "http503", retryAfter: 0 }, kind: "unavailable", health: "degraded" },
    { name: "format drift on Embrace", site: EMBRACE, fault: { fault: "drift" }, kind: "schema", health: "degraded" },
  ];

  it.each(cases)("$name: health $health, listings untouched, other sites fine, healthy again after", async (c) => {
    const other = c.site === ZIG ? EMBRACE : ZIG;
    expect(await scrape(c.site)).not.toBeInstanceOf(Error);
    const before = await listingState(c.site);
    expect(before.count).toBeGreaterThan(0);
    // An empty offer is only disbelieved when the site had a real offer before.
    if (c.kind === "suspicious") expect(before.count).toBeGreaterThanOrEqual(5);

    fault(c.site, c.fault);
    const [failed, otherRun] = await Promise.all([scrape(c.site), scrape(other)]);
    expect(failed).toBeInstanceOf(Error);
    expect(otherRun).not.toBeInstanceOf(Error);
    const s = await site(c.site);
    expect(s.lastErrorKind).toBe(c.kind);
    expect(s.health).toBe(c.health);
    expect(s.consecutiveFailures).toBe(1);
    expect(s.healthChangedAt).not.toBeNull();
    expect(await listingState(c.site)).toEqual(before);
    expect((await site(other)).health).toBe("healthy");
    const run = await db.scrapeRun.findFirstOrThrow({ where: { siteId: c.site }, orderBy: { startedAt: "desc" } });
    expect(run).toMatchObject({ ok: false, errorKind: c.kind, closed: 0 });

    fault(c.site, { fault: null });
    expect(await scrape(c.site)).not.toBeInstanceOf(Error);
    const healed = await site(c.site);
    expect(healed.health).toBe("healthy");
    expect(healed.consecutiveFailures).toBe(0);
    expect(await listingState(c.site)).toEqual(before);
    // Degraded or blocked is not broken: operators are not mailed for a single failure.
    expect(await db.operatorNotice.count()).toBe(0);
  });

  it("a challenge page in Chromium (DAK) blocks the site and keeps its listings", async () => {
    expect(await scrape(DAK)).not.toBeInstanceOf(Error);
    const before = await listingState(DAK);
    expect(before.count).toBeGreaterThan(0);
    fault(DAK, { fault: "challenge" });
    const [failed, otherRun] = await Promise.all([scrape(DAK), scrape(ZIG)]);
    expect(failed).toBeInstanceOf(Error);
    expect(otherRun).not.toBeInstanceOf(Error);
    expect(await site(DAK)).toMatchObject({ health: "blocked", lastErrorKind: "blocked" });
    expect(await listingState(DAK)).toEqual(before);
    fault(DAK, { fault: null });
    expect(await scrape(DAK)).not.toBeInstanceOf(Error);
    expect((await site(DAK)).health).toBe("healthy");
    expect(await listingState(DAK)).toEqual(before);
  });
});

describe("broken sites and operator notices", () => {
  it("drift three times in a row: broken, one notice and one e-mail; recovered: one more", async () => {
    expect(await scrape(ZIG)).not.toBeInstanceOf(Error);
    const before = await listingState(ZIG);
    const mailsBefore = (await readOutbox(sink.outbox)).length;

    fault(ZIG, { fault: "drift" });
    const healthSeen: string[] = [];
    for (let i = 0; i < 5; i++) {
      expect(await scrape(ZIG)).toBeInstanceOf(Error);
      healthSeen.push((await site(ZIG)).health);
    }
    expect(healthSeen).toEqual(["degraded", "degraded", "broken", "broken", "broken"]);
    expect(await listingState(ZIG)).toEqual(before);
    const broken = await db.operatorNotice.findMany({ where: { siteId: ZIG } });
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({ kind: "broken", sentAt: null });
    expect(broken[0]!.detail).toMatch(/3 times in a row/);
    // The scrape enqueued the mailing job under the notice's business key.
    expect(await queues.operator.getJob(jobIds.operatorNotice(broken[0]!.id))).toBeDefined();

    expect(await sendOperatorNotice(operator, broken[0]!.id, log)).toBe("sent");
    expect(await sendOperatorNotice(operator, broken[0]!.id, log)).toBe("already");

    fault(ZIG, { fault: null });
    expect(await scrape(ZIG)).not.toBeInstanceOf(Error);
    expect((await site(ZIG)).health).toBe("healthy");
    expect(await scrape(ZIG)).not.toBeInstanceOf(Error);
    const notices = await db.operatorNotice.findMany({ where: { siteId: ZIG }, orderBy: { transitionAt: "asc" } });
    expect(notices.map((n) => n.kind)).toEqual(["broken", "recovered"]);
    expect(await sendOperatorNotice(operator, notices[1]!.id, log)).toBe("sent");

    const mails = (await readOutbox(sink.outbox)).slice(mailsBefore);
    expect(mails.map((m) => m.subject)).toEqual(["[Eldersthuis] Site werkt niet: Woonnet Haaglanden", "[Eldersthuis] Site werkt weer: Woonnet Haaglanden"]);
    expect(mails.every((m) => (m.to && "value" in m.to ? m.to.value[0]!.address : undefined) === OPERATOR)).toBe(true);
    expect(mails[0]!.text).toContain("www.woonnet-haaglanden.nl");
    expect(mails[0]!.text).toContain("De woningen van deze site blijven staan");
    expect(await listingState(ZIG)).toEqual(before);
  });

  it("five unavailable answers in a row: broken; the other sites keep working", async () => {
    expect(await scrape(ZIG)).not.toBeInstanceOf(Error);
    fault(ZIG, { fault: "http500" });
    const healthSeen: string[] = [];
    for (let i = 0; i < 5; i++) {
      expect(await scrape(ZIG)).toBeInstanceOf(Error);
      expect(await scrape(EMBRACE)).not.toBeInstanceOf(Error);
      healthSeen.push((await site(ZIG)).health);
    }
    expect(healthSeen).toEqual(["degraded", "degraded", "degraded", "degraded", "broken"]);
    expect((await site(ZIG)).consecutiveFailures).toBe(5);
    expect((await site(EMBRACE)).health).toBe("healthy");
    expect(await db.operatorNotice.count({ where: { siteId: ZIG, kind: "broken" } })).toBe(1);
  });

  it("an SMTP outage loses no notice: the sweep enqueues it again and it is mailed once", async () => {
    expect(await scrape(ZIG)).not.toBeInstanceOf(Error);
    fault(ZIG, { fault: "malformed" });
    for (let i = 0; i < 3; i++) await scrape(ZIG);
    const notice = await db.operatorNotice.findFirstOrThrow({ where: { siteId: ZIG, kind: "broken" } });
    const mailsBefore = (await readOutbox(sink.outbox)).length;

    // SMTP down: nothing listens on port 9.
    const down = { ...operator, email: createEmailChannel({ host: "127.0.0.1", port: 9, secure: false, from: "sites@eldersthuis.local" }) };
    await expect(sendOperatorNotice(down, notice.id, log)).rejects.toThrow();
    const failed = await db.operatorNotice.findUniqueOrThrow({ where: { id: notice.id } });
    expect(failed.sentAt).toBeNull();
    expect(failed.error).toBeTruthy();

    // The mailing job used up its attempts while SMTP was down (one attempt here, to be quick).
    const jobId = jobIds.operatorNotice(notice.id);
    await queues.operator.remove(jobId);
    await queues.add("operator", "operator-notice", { noticeId: notice.id }, { jobId, attempts: 1 });
    const worker = new Worker("operator", operatorProcessor(down), { connection: createWorkerRedis(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    try {
      await until(async () => (await queues.operator.getJob(jobId))?.failedReason !== undefined);
    } finally {
      await worker.close();
    }
    expect(await (await queues.operator.getJob(jobId))!.getState()).toBe("failed");
    // The sweep puts it back (also after a Redis flush: the row is the truth).
    const swept = await sweep({ db, queues, log, defaultPollSeconds: 3600, graceMs: 0, operatorEmail: OPERATOR });
    expect(swept.operatorNotices).toBe(1);
    expect(await (await queues.operator.getJob(jobId))!.getState()).toBe("waiting");
    await queues.operator.obliterate({ force: true });
    await sweep({ db, queues, log, defaultPollSeconds: 3600, graceMs: 0, operatorEmail: OPERATOR });
    expect(await queues.operator.getJob(jobId)).toBeDefined();
    // Without OPERATOR_EMAIL notices are only recorded.
    expect((await sweep({ db, queues, log, defaultPollSeconds: 3600, graceMs: 0 })).operatorNotices).toBe(0);
    expect(await sendOperatorNotice({ ...operator, operatorEmail: undefined }, notice.id, log)).toBe("not_configured");

    expect(await sendOperatorNotice(operator, notice.id, log)).toBe("sent");
    expect(await sendOperatorNotice(operator, notice.id, log)).toBe("already");
    expect((await sweep({ db, queues, log, defaultPollSeconds: 3600, graceMs: 0, operatorEmail: OPERATOR })).operatorNotices).toBe(0);
    const mails = (await readOutbox(sink.outbox)).slice(mailsBefore);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe("[Eldersthuis] Site werkt niet: Woonnet Haaglanden");
  });
});

describe("listing lifecycle", () => {
  it("a 304 keeps every listing open, marks them seen, and closes nothing", async () => {
    const first = await scrape(ZIG);
    expect(first).not.toBeInstanceOf(Error);
    const s1 = await site(ZIG);
    expect(s1.etag).toBeTruthy();
    const before = await listingState(ZIG);
    const seenBefore = await db.listing.findFirstOrThrow({ where: { siteId: ZIG }, select: { lastSeenAt: true } });

    const second = (await scrape(ZIG)) as ScrapeResult;
    expect(second.notModified).toBe(true);
    expect(second.seen).toBe(before.count);
    expect(await listingState(ZIG)).toEqual(before);
    const seenAfter = await db.listing.findFirstOrThrow({ where: { siteId: ZIG }, select: { lastSeenAt: true } });
    expect(seenAfter.lastSeenAt.getTime()).toBeGreaterThan(seenBefore.lastSeenAt.getTime());
    expect((await site(ZIG)).health).toBe("healthy");
    // The 304 was asked with the validator of the last full answer.
    const requests = farm.requests(ZIG).filter((r) => r.path.endsWith("/getallobjects/format/json"));
    expect(requests).toHaveLength(2);

    // A change on the site gives a full answer again, with the new home.
    const home = farm.publish(ZIG, { municipality: "Delft" });
    const third = (await scrape(ZIG)) as ScrapeResult;
    expect(third.notModified).toBeUndefined();
    expect(third.created).toBe(1);
    expect(await db.listing.count({ where: { siteId: ZIG, externalId: home.externalId } })).toBe(1);
    expect((await site(ZIG)).etag).not.toBe(s1.etag);
  });

  it("closes a listing that left a healthy site's full offer, as of when it was last seen", async () => {
    const home = farm.publish(ZIG, { municipality: "Delft" });
    expect(await scrape(ZIG)).not.toBeInstanceOf(Error);
    const seen = await db.listing.findUniqueOrThrow({ where: { siteId_externalId: { siteId: ZIG, externalId: home.externalId } } });
    expect(seen.homeKey).toMatch(/^pc:\d{4}[A-Z]{2}:\d+:/);

    // Gone while the site fails: nothing is closed.
    farm.close(ZIG, home.externalId);
    fault(ZIG, { fault: "http500" });
    expect(await scrape(ZIG)).toBeInstanceOf(Error);
    expect((await db.listing.findUniqueOrThrow({ where: { id: seen.id } })).status).toBe("open");

    // The next full offer from the healthy site: closed, with the time it was last seen.
    fault(ZIG, { fault: null });
    const result = (await scrape(ZIG)) as ScrapeResult;
    expect(result.closed).toBe(1);
    const closed = await db.listing.findUniqueOrThrow({ where: { id: seen.id } });
    expect(closed.status).toBe("closed");
    expect(closed.closedAt?.getTime()).toBe(seen.lastSeenAt.getTime());
    // Every other listing of the site is still open.
    expect(await db.listing.count({ where: { siteId: ZIG, status: "closed" } })).toBe(1);
  });

  it("stores a homeKey for every listing with a house number", async () => {
    for (const id of [ZIG, EMBRACE]) expect(await scrape(id)).not.toBeInstanceOf(Error);
    const listings = await db.listing.findMany({ where: { siteId: { in: [ZIG, EMBRACE] } }, select: { houseNumber: true, homeKey: true } });
    expect(listings.length).toBeGreaterThan(5);
    for (const l of listings) {
      if (/^\d/.test(l.houseNumber)) expect(l.homeKey).toMatch(/^(pc|addr):/);
      else expect(l.homeKey).toBeNull();
    }
  });
});
