// End to end on real services: the site farm publishes → a real BullMQ worker scrapes it over HTTP
// → listing stored → matched → e-mail over real SMTP into the sink → the family's one-tap link →
// Activity in the evidence log.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstBrokenEntry } from "../../domain/evidence.js";
import type { Config } from "../../infra/config.js";
import type { Db } from "../../infra/db.js";
import { seedCatalogue } from "../../prisma/seed.js";
import { startServer } from "../../server/main.js";
import { startWorkers } from "../../workers/main.js";
import { createQueues, type Queues } from "../../workers/queues.js";
import { createWorkerRedis } from "../../infra/redis.js";
import { createFarm, type PublishRequest, type RunningFarm } from "../farm/server.js";
import { resetDatabase, testConfig, testDb } from "../support/env.js";
import { readOutbox, tapLinks, waitForMail } from "../support/outbox.js";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.js";

let config: Config;
let db: Db;
let farm: ReturnType<typeof createFarm>;
let runningFarm: RunningFarm;
let sink: SmtpSink;
let server: Awaited<ReturnType<typeof startServer>>;
let workers: Awaited<ReturnType<typeof startWorkers>>;
let queues: Queues;
let familyId: string;
let baseUrl: string;

beforeAll(async () => {
  farm = createFarm({ tickMs: 0 });
  runningFarm = await farm.start(0);
  sink = await startSmtpSink({ port: 0, outbox: mkdtempSync(path.join(tmpdir(), "eh-outbox-")) });
  const probe = testConfig();
  db = testDb(probe);
  await resetDatabase(db);
  config = testConfig({
    PORT: "0",
    SMTP_PORT: String(sink.port),
    SITE_BASE_URL_OVERRIDE: `${runningFarm.url}/s/{site}`,
    // Long intervals: the test triggers scrapes itself, so the count of runs is known.
    DEFAULT_POLL_SECONDS: "3600",
    SWEEP_INTERVAL_SECONDS: "3600",
  });
  await seedCatalogue(db, config.SITE_BASE_URL_OVERRIDE, 3600);
  // Only the three recorded sites: this test is about the pipeline, not about coverage.
  await db.site.updateMany({ data: { pollIntervalSeconds: 3600 } });
  await db.site.updateMany({ where: { id: { notIn: ["woonnet-haaglanden", "woningnet-amsterdam", "woonnet-rijnmond"] } }, data: { enabled: false } });
  const org = await db.organisation.create({ data: { name: "Test org" } });
  const family = await db.family.create({
    data: {
      displayName: "Amina",
      language: "nl",
      email: "amina@example.org",
      adults: 1,
      childBirthYears: [2016, 2020],
      organisationId: org.id,
      profile: { create: { regions: ["Haaglanden"], municipalities: [], maxNetRent: 900, dwellingKinds: [] } },
    },
  });
  familyId = family.id;
  await db.family.create({
    data: {
      displayName: "Grace",
      language: "en",
      email: "grace@example.org",
      adults: 1,
      childBirthYears: [2019],
      organisationId: org.id,
      profile: { create: { regions: ["Stadsregio Amsterdam", "Rijnmond"], municipalities: [], maxNetRent: 900, dwellingKinds: [] } },
    },
  });
  server = await startServer(config);
  baseUrl = `http://127.0.0.1:${server.port}`;
  config = { ...config, PUBLIC_URL: baseUrl };
  workers = await startWorkers(config);
  queues = createQueues(createWorkerRedis(config.REDIS_URL), config.QUEUE_PREFIX);
});

afterAll(async () => {
  await workers?.close();
  await server?.close();
  await queues?.close();
  await sink?.close();
  await runningFarm?.close();
  await db?.$disconnect();
});

/** Waits until every alert that was decided has left (or failed): no e-mail still in flight. */
async function settled(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const pending = await db.notification.count({ where: { status: { in: ["queued", "sending"] } } });
    const [match, notify] = await Promise.all([queues.match.getJobCounts("waiting", "active", "delayed"), queues.notify.getJobCounts("waiting", "active", "delayed")]);
    const busy = Object.values(match).concat(Object.values(notify)).some((n) => n > 0);
    if (pending === 0 && !busy) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("pipeline did not settle within 30 s");
}

describe("pipeline end to end", () => {
  it("publishes, scrapes, matches, mails, and records the family's one-tap answer", async () => {
    // First come: an alert at once (waiting-time and lottery homes wait for the daily digest).
    const home = farm.publish("woonnet-haaglanden", { municipality: "Delft", bedrooms: 3, netRent: 745, model: "first_come" });
    await queues.add("scrape", "scrape", { siteId: "woonnet-haaglanden" }, { jobId: "e2e-scrape-1" });

    const mail = await waitForMail(sink.outbox, (m) => (m.subject ?? "").includes(`${home.street} ${home.houseNumber}`));
    expect(mail.to && "value" in mail.to ? mail.to.value[0]!.address : undefined).toBe("amina@example.org");
    expect(mail.subject).toBe(`Nieuwe woning voor u: ${home.street} ${home.houseNumber}, Delft`);
    const text = mail.text ?? "";
    expect(text).toContain("Huur: €\u00a0745,00 per maand");
    expect(text).toContain("Slaapkamers: 3");
    expect(text).toMatch(/Reageren kan tot \w+ \d+ \w+ \d{4} om 20:00\./);
    expect(text).toContain("De woning is in Delft, waar u zoekt.");
    expect(text).toContain(`${runningFarm.url}/s/woonnet-haaglanden/aanbod/te-huur/details/`);

    const listing = await db.listing.findUniqueOrThrow({ where: { siteId_externalId: { siteId: "woonnet-haaglanden", externalId: home.externalId } } });
    expect(listing.municipality).toBe("Delft");
    expect(listing.closesAt?.toISOString()).toBe(home.closesAt);

    const [responded, notSuitable, couldnt, help] = tapLinks(mail);
    expect([notSuitable, couldnt, help].every((l) => l?.startsWith(`${baseUrl}/r/`))).toBe(true);
    expect(text).toContain("Help mij:");
    expect(responded).toMatch(new RegExp(`^${baseUrl}/r/`));
    const page = await fetch(responded!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Ja, ik heb gereageerd");

    const confirm = await fetch(responded!, { method: "POST" });
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain("u heeft gereageerd op");
    const again = await fetch(responded!, { method: "POST" });
    expect(await again.text()).toContain("Deze link is al gebruikt");

    const match = await db.match.findUniqueOrThrow({ where: { familyId_listingId: { familyId, listingId: listing.id } } });
    const log = await db.activity.findMany({ where: { familyId }, orderBy: { seq: "asc" } });
    const forThisHome = log.filter((a) => a.matchId === match.id).map((a) => a.type);
    expect(forThisHome).toEqual(["offered", "alert_sent", "responded"]);
    expect(firstBrokenEntry(log.map((a) => ({ ...a, payload: a.payload as unknown })))).toBeNull();
  });

  it("shows a clear page, not an error trace, for a broken or expired link", async () => {
    const broken = await fetch(`${baseUrl}/r/not-a-token`);
    expect(broken.status).toBe(400);
    const body = await broken.text();
    expect(body).toContain("Deze link werkt niet");
    expect(body).not.toMatch(/Error|at .*\.ts/);
  });

  it("sends one e-mail per family and home when the same listing is scraped again", async () => {
    await settled();
    const before = (await readOutbox(sink.outbox)).length;
    const runs = await db.scrapeRun.count({ where: { siteId: "woonnet-haaglanden", ok: true } });
    await queues.add("scrape", "scrape", { siteId: "woonnet-haaglanden" }, { jobId: "e2e-scrape-2" });
    // Wait for that scrape run to finish, then give matching time to (not) produce mail.
    const deadline = Date.now() + 30_000;
    while ((await db.scrapeRun.count({ where: { siteId: "woonnet-haaglanden", ok: true } })) <= runs && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1500));
    await settled();
    expect((await readOutbox(sink.outbox)).length).toBe(before);
    const perHome = await db.notification.groupBy({ by: ["matchId"], _count: true });
    expect(perHome.every((g) => g._count === 1)).toBe(true);
  });

  // Homes that are sent at once: DirectKans on Embrace; on DAK (no first-come model) a home that
  // closes within a day, too soon for the daily digest.
  it.each<[string, string, string, PublishRequest]>([
    ["woningnet-amsterdam", "Zaandam", "HuisDetails?PublicatieId=", { closesInHours: 24 }],
    ["woonnet-rijnmond", "Rotterdam", "/aanbod/nu-te-huur/huurwoningen/details/", { model: "first_come" }],
  ])("reaches a family through %s too (DAK in Chromium, Embrace GraphQL)", async (siteId, town, detail, request) => {
    const home = farm.publish(siteId, { municipality: town, bedrooms: 2, netRent: 700, ...request });
    await queues.add("scrape", "scrape", { siteId }, { jobId: `e2e-${siteId}` });
    const mail = await waitForMail(sink.outbox, (m) => (m.subject ?? "").includes(`${home.street} ${home.houseNumber}`), 90_000);
    expect(mail.subject).toContain("A new home for you");
    expect(mail.text).toContain(detail);
    expect(mail.text).toContain("I couldn't:");
  });
});
