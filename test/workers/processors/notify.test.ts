// Once-only alerts, guarded in Postgres: a repeated match or notify job gives one e-mail, a worker
// that died mid-send is not repeated blindly, an SMTP outage loses nothing.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../../infra/db.js";
import { loadRegionTable } from "../../../infra/catalogue.js";
import { createLogger } from "../../../infra/logger.js";
import { createWorkerRedis } from "../../../infra/redis.js";
import { seedCatalogue } from "../../../prisma/seed.js";
import { createEmailChannel } from "../../../workers/channels/email.js";
import { matchListing } from "../../../workers/processors/match.js";
import { sendNotification } from "../../../workers/processors/notify.js";
import { createQueues, type Queues } from "../../../workers/queues.js";
import { resetDatabase, testConfig, testDb } from "../../support/env.js";
import { readOutbox } from "../../support/outbox.js";
import { startSmtpSink, type SmtpSink } from "../../support/smtp-sink.js";

const config = testConfig();
const log = createLogger("silent", "test");
let db: Db;
let sink: SmtpSink;
let queues: Queues;
let listingId: string;

const deps = (port = sink.port) => ({
  db,
  log,
  email: createEmailChannel({ host: "127.0.0.1", port, secure: false, from: "test@eldersthuis.local" }),
  publicUrl: "http://127.0.0.1:3000",
  tokenSecret: config.TOKEN_SECRET,
  tokenTtlSeconds: 3600,
});

beforeAll(async () => {
  db = testDb(config);
  sink = await startSmtpSink({ port: 0, outbox: mkdtempSync(path.join(tmpdir(), "eh-notify-")) });
  queues = createQueues(createWorkerRedis(config.REDIS_URL), config.QUEUE_PREFIX);
});
afterAll(async () => {
  await queues.close();
  await sink.close();
  await db.$disconnect();
});

beforeEach(async () => {
  await resetDatabase(db);
  await seedCatalogue(db, "http://127.0.0.1:9/s/{site}");
  const org = await db.organisation.create({ data: { name: "Org" } });
  await db.family.create({
    data: {
      displayName: "Amina",
      email: "amina@example.org",
      childBirthYears: [2016, 2020],
      organisationId: org.id,
      profile: { create: { municipalities: ["Delft"], maxNetRent: 900 } },
    },
  });
  const listing = await db.listing.create({
    data: {
      siteId: "woonnet-haaglanden",
      externalId: `t-${Date.now()}`,
      street: "Jan Willem Frisostraat",
      houseNumber: "52",
      postcode: "2628 TR",
      city: "Delft",
      municipality: "Delft",
      netRent: 700,
      bedrooms: 3,
      dwellingKind: "house",
      // First come: an instant alert (waiting-time homes go to the daily digest: digest.test.ts).
      allocationModel: "first_come",
      targetGroups: ["regular"],
      closesAt: new Date(Date.now() + 3 * 86_400_000),
      sourceUrl: "https://www.woonnet-haaglanden.nl/aanbod/te-huur/details/x",
      contentHash: "h1-0123456789abcdef",
      raw: {},
    },
  });
  listingId = listing.id;
});

async function onlyNotification() {
  return db.notification.findFirstOrThrow();
}

describe("once-only alerts", () => {
  it("a match job run twice creates one match, one notification, one 'offered' entry", async () => {
    const mdeps = { db, queues, log, regions: loadRegionTable() };
    await matchListing(mdeps, listingId, "h1-0123456789abcdef", log);
    await matchListing(mdeps, listingId, "h1-0123456789abcdef", log);
    expect(await db.match.count()).toBe(1);
    expect(await db.notification.count()).toBe(1);
    expect(await db.activity.count({ where: { type: "offered" } })).toBe(1);
  });

  it("a notify job run twice sends one e-mail", async () => {
    await matchListing({ db, queues, log, regions: loadRegionTable() }, listingId, "h1-0123456789abcdef", log);
    const n = await onlyNotification();
    const before = (await readOutbox(sink.outbox)).length;
    expect(await sendNotification(deps(), n.id, log)).toBe("sent");
    expect(await sendNotification(deps(), n.id, log)).toBe("already");
    expect((await readOutbox(sink.outbox)).length).toBe(before + 1);
    const after = await onlyNotification();
    expect(after.status).toBe("sent");
    expect(after.providerMessageId).toBe(`<notification-${n.id}@eldersthuis>`);
    expect(await db.activity.count({ where: { type: "alert_sent" } })).toBe(1);
  });

  it("does not resend after a worker died mid-send, and records the failure", async () => {
    await matchListing({ db, queues, log, regions: loadRegionTable() }, listingId, "h1-0123456789abcdef", log);
    const n = await onlyNotification();
    // What a killed worker leaves behind: claimed, never marked sent.
    await db.notification.update({ where: { id: n.id }, data: { status: "sending", claimedAt: new Date(Date.now() - 10 * 60_000) } });
    const before = (await readOutbox(sink.outbox)).length;
    expect(await sendNotification(deps(), n.id, log)).toBe("interrupted");
    expect(await sendNotification(deps(), n.id, log)).toBe("already");
    expect((await readOutbox(sink.outbox)).length).toBe(before);
    expect((await onlyNotification()).status).toBe("failed");
    expect(await db.activity.count({ where: { type: "alert_failed" } })).toBe(1);
  });

  it("keeps the alert queued through an SMTP outage and sends it once SMTP is back", async () => {
    await matchListing({ db, queues, log, regions: loadRegionTable() }, listingId, "h1-0123456789abcdef", log);
    const n = await onlyNotification();
    await expect(sendNotification(deps(9), n.id, log)).rejects.toThrow();
    const queued = await onlyNotification();
    expect(queued.status).toBe("queued");
    expect(queued.error).toBeTruthy();
    expect(await sendNotification(deps(), n.id, log)).toBe("sent");
  });
});
