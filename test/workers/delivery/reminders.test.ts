// Reminders on real Postgres, Redis and SMTP: created when the alert goes, sent once at their
// time, cancelled by the family's one-tap answer (through the real tap route), never after the
// deadline, re-created by the sweep after Redis lost its jobs; WoningNet search points in the
// month's third week while below 4 responses; registration renewals.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "bullmq";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { amsterdamDay, atLocalClock } from "../../../domain/delivery-policy.js";
import { loadRegionTable } from "../../../infra/catalogue.js";
import type { Config } from "../../../infra/config.js";
import type { Db } from "../../../infra/db.js";
import { appendActivity } from "../../../infra/evidence-log.js";
import { createWorkerRedis } from "../../../infra/redis.js";
import { configureDeliveryChannels } from "../../../workers/pipeline/delivery.js";
import { matchListing } from "../../../workers/processors/match.js";
import { sendNotification } from "../../../workers/processors/notify.js";
import { planPeriodicReminders, remindersProcessor, sendReminder } from "../../../workers/processors/reminders.js";
import { sweepDelivery } from "../../../workers/processors/sweep.js";
import { createQueues, jobIds, type Queues } from "../../../workers/queues.js";
import { startMessageBirdFake, type MessageBirdFake } from "../../fakes/messagebird.js";
import { freshDatabase } from "../../support/database.js";
import { testConfig, testDb } from "../../support/env.js";
import { readOutbox, tapLinks } from "../../support/outbox.js";
import { startSmtpSink, type SmtpSink } from "../../support/smtp-sink.js";
import { createFamily, createListing, deliveryDeps, log, reserveAppServer, type AppServer } from "./fixtures.js";

let config: Config;
let db: Db;
let sink: SmtpSink;
let sms: MessageBirdFake;
let queues: Queues;
let appServer: AppServer;
let baseUrl: string;

beforeAll(async () => {
  sink = await startSmtpSink({ port: 0, outbox: mkdtempSync(path.join(tmpdir(), "eh-reminders-")) });
  sms = await startMessageBirdFake();
  appServer = await reserveAppServer();
  baseUrl = appServer.baseUrl;
  config = testConfig({ PUBLIC_URL: baseUrl });
  db = testDb(config);
  queues = createQueues(createWorkerRedis(config.REDIS_URL), config.QUEUE_PREFIX);
  appServer.serve(db, config);
  configureDeliveryChannels({ sms: true, push: false });
});
afterAll(async () => {
  configureDeliveryChannels({ sms: false, push: false });
  await appServer?.close();
  await queues?.close();
  await sink?.close();
  await sms?.close();
  await db?.$disconnect();
});
beforeEach(() => freshDatabase(db));

const deps = (now?: Date) => ({ ...deliveryDeps({ db, config, smtpPort: sink.port, sms, queues, publicUrl: baseUrl, ...(now ? { now: () => now } : {}) }) });
const outbox = () => readOutbox(sink.outbox);

/** A first-come home closing in 30 hours, matched and alerted by e-mail: its reminders exist. */
async function alerted(over: { phone?: string | null } = {}) {
  // No quiet hours, so the SMS reminders' fate depends on the test, not on the hour it runs.
  const family = await createFamily(db, { phone: over.phone === undefined ? null : over.phone, quietFrom: "00:00", quietUntil: "00:00" });
  const listing = await createListing(db, { closesAt: new Date(Date.now() + 30 * 3_600_000) });
  await matchListing({ db, queues, log, regions: loadRegionTable() }, listing.id, listing.contentHash, log);
  for (const n of await db.notification.findMany()) expect(await sendNotification(deps(), n.id, log)).toBe("sent");
  const match = await db.match.findFirstOrThrow();
  return { family, listing, match };
}

describe("deadline reminders", () => {
  it("are created when the alert goes: 24 h and 3 h before closing, by e-mail and SMS", async () => {
    const { match, listing } = await alerted({ phone: "+31 6 1234 5678" });
    const rows = await db.reminder.findMany({ orderBy: [{ dueAt: "asc" }, { channel: "asc" }] });
    expect(rows.map((r) => [r.key, r.dueAt.toISOString(), r.status])).toEqual([
      [`deadline-${match.id}-24h-email`, new Date(listing.closesAt!.getTime() - 24 * 3_600_000).toISOString(), "scheduled"],
      [`deadline-${match.id}-24h-sms`, new Date(listing.closesAt!.getTime() - 24 * 3_600_000).toISOString(), "scheduled"],
      [`deadline-${match.id}-3h-email`, new Date(listing.closesAt!.getTime() - 3 * 3_600_000).toISOString(), "scheduled"],
      [`deadline-${match.id}-3h-sms`, new Date(listing.closesAt!.getTime() - 3 * 3_600_000).toISOString(), "scheduled"],
    ]);
    // Their delayed jobs are in the queue.
    for (const r of rows) {
      const job = await queues.reminders.getJob(jobIds.reminder(r.id));
      expect(await job?.getState()).toBe("delayed");
      await job!.remove();
    }
  });

  it("go once at their time, with one-tap answers, and are logged", async () => {
    const { match, family } = await alerted();
    const r = await db.reminder.findFirstOrThrow({ where: { key: { endsWith: "-24h-email" } } });
    const early = await sendReminder(deps(), r.id, log);
    expect(early).toEqual({ later: r.dueAt });
    const mails = (await outbox()).length;
    expect(await sendReminder(deps(r.dueAt), r.id, log)).toBe("sent");
    expect(await sendReminder(deps(r.dueAt), r.id, log)).toBe("already");
    const all = await outbox();
    expect(all.length).toBe(mails + 1);
    const mail = all.at(-1)!;
    expect(mail.subject).toMatch(/^Herinnering: reageer voor /);
    expect(mail.text).toContain('Heeft u al gereageerd? Tik dan op "Ik heb gereageerd".');
    expect(tapLinks(mail).length).toBeGreaterThanOrEqual(3);
    const sent = await db.reminder.findUniqueOrThrow({ where: { id: r.id } });
    expect(sent.status).toBe("sent");
    const entry = await db.activity.findFirstOrThrow({ where: { type: "reminder_sent" } });
    expect(entry).toMatchObject({ familyId: family.id, matchId: match.id, payload: { reminderId: r.id, kind: "deadline", channel: "email" } });
  });

  it("are cancelled by the family's one-tap answer", async () => {
    await alerted();
    const alert = (await outbox()).at(-1)!;
    const [responded] = tapLinks(alert);
    const tap = await fetch(responded!, { method: "POST" });
    expect(tap.status).toBe(200);
    expect(await db.activity.count({ where: { type: "responded" } })).toBe(1);

    const mails = (await outbox()).length;
    for (const r of await db.reminder.findMany()) expect(await sendReminder(deps(r.dueAt), r.id, log)).toBe("cancelled");
    expect((await outbox()).length).toBe(mails);
    expect((await db.reminder.findMany()).map((r) => [r.status, r.reason])).toEqual([
      ["cancelled", "answered"],
      ["cancelled", "answered"],
    ]);
    expect(await db.activity.count({ where: { type: "reminder_sent" } })).toBe(0);
  });

  it("never go after the deadline or for a closed home", async () => {
    const { listing } = await alerted();
    const [first, second] = await db.reminder.findMany({ orderBy: { dueAt: "asc" } });
    expect(await sendReminder(deps(new Date(listing.closesAt!.getTime() + 60_000)), first!.id, log)).toBe("skipped");
    expect((await db.reminder.findUniqueOrThrow({ where: { id: first!.id } })).reason).toBe("after_deadline");
    await db.listing.update({ where: { id: listing.id }, data: { status: "closed", closedAt: new Date() } });
    expect(await sendReminder(deps(second!.dueAt), second!.id, log)).toBe("skipped");
    expect((await db.reminder.findUniqueOrThrow({ where: { id: second!.id } })).reason).toBe("home_closed");
  });

  it("survive a Redis flush: the sweep re-creates the job, and a worker sends it", async () => {
    const { family } = await alerted();
    // Bring the 3 h reminder to a moment just ahead, as if its time had nearly come.
    const r = await db.reminder.findFirstOrThrow({ where: { key: { endsWith: "-3h-email" } } });
    await db.reminder.deleteMany({ where: { id: { not: r.id } } });
    const dueAt = new Date(Date.now() + 1500);
    await db.reminder.update({ where: { id: r.id }, data: { dueAt } });

    // Redis loses everything under this test's prefix (others share this Redis: no FLUSHALL).
    const redis = createWorkerRedis(config.REDIS_URL);
    const keys = await redis.keys(`${config.QUEUE_PREFIX}:*`);
    if (keys.length) await redis.del(...keys);
    expect(await queues.reminders.getJob(jobIds.reminder(r.id))).toBeUndefined();

    const swept = await sweepDelivery({ db, queues, log, defaultPollSeconds: 60 });
    expect(swept.reminders).toBe(1);
    expect(await queues.reminders.getJob(jobIds.reminder(r.id))).toBeDefined();
    // A second sweep finds the job waiting and adds nothing.
    expect((await sweepDelivery({ db, queues, log, defaultPollSeconds: 60 })).reminders).toBe(0);

    const mails = (await outbox()).length;
    const worker = new Worker("reminders", remindersProcessor({ ...deps(), offsetsHours: [24, 3] }), { connection: redis, prefix: config.QUEUE_PREFIX });
    try {
      const deadline = Date.now() + 20_000;
      while ((await db.reminder.findUniqueOrThrow({ where: { id: r.id } })).status !== "sent" && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    } finally {
      await worker.close();
      await redis.quit();
    }
    expect((await db.reminder.findUniqueOrThrow({ where: { id: r.id } })).status).toBe("sent");
    expect((await outbox()).length).toBe(mails + 1);
    expect(await db.activity.count({ where: { familyId: family.id, type: "reminder_sent" } })).toBe(1);
  });
});

describe("periodic reminders", () => {
  it("remind of WoningNet search points in the third week while the month has fewer than 4 responses", async () => {
    const family = await createFamily(db, { phone: null, municipalities: ["Zaandam"] });
    await db.registration.create({ data: { familyId: family.id, siteId: "woningnet-amsterdam", registeredOn: new Date("2025-03-02") } });
    // The 16th of this month, 12:00 local; one response this month to a WoningNet home.
    const month = amsterdamDay(new Date()).slice(0, 7);
    const now = atLocalClock(`${month}-16`, { hour: 12, minute: 0 });
    const listing = await createListing(db, { siteId: "woningnet-amsterdam", city: "Zaandam", municipality: "Zaandam", allocationModel: "waiting_time" });
    const m = await db.match.create({ data: { familyId: family.id, listingId: listing.id, reasons: [], delivery: "digest" } });
    await db.$transaction((tx) => appendActivity(tx, { familyId: family.id, type: "responded", actor: "family", matchId: m.id, payload: {}, occurredAt: atLocalClock(`${month}-03`, { hour: 10, minute: 0 }) }));

    expect(await planPeriodicReminders({ ...deps(now) })).toEqual({ created: 1 });
    expect(await planPeriodicReminders({ ...deps(now) })).toEqual({ created: 0 });
    const r = await db.reminder.findFirstOrThrow({ where: { kind: "search_points" } });
    expect(r.key).toBe(`search_points-${family.id}-${month}-email`);
    expect(await sendReminder(deps(now), r.id, log)).toBe("sent");
    const mail = (await outbox()).at(-1)!;
    expect(mail.subject).toBe("WoningNet: reageer deze maand nog op 3 woningen");
    expect(mail.text).toContain("Deze maand heeft u op 1 woningen gereageerd bij WoningNet.");
  });

  it("skip the search-points reminder once the month has 4 responses", async () => {
    const family = await createFamily(db, { phone: null, municipalities: ["Zaandam"] });
    await db.registration.create({ data: { familyId: family.id, siteId: "woningnet-amsterdam", registeredOn: new Date("2025-03-02") } });
    const month = amsterdamDay(new Date()).slice(0, 7);
    const now = atLocalClock(`${month}-17`, { hour: 12, minute: 0 });
    for (let i = 0; i < 4; i += 1) {
      const listing = await createListing(db, { siteId: "woningnet-amsterdam", city: "Zaandam", municipality: "Zaandam" });
      const m = await db.match.create({ data: { familyId: family.id, listingId: listing.id, reasons: [] } });
      await db.$transaction((tx) => appendActivity(tx, { familyId: family.id, type: "responded", actor: "family", matchId: m.id, payload: {}, occurredAt: atLocalClock(`${month}-0${i + 1}`, { hour: 10, minute: 0 }) }));
    }
    await planPeriodicReminders({ ...deps(now) });
    const r = await db.reminder.findFirstOrThrow({ where: { kind: "search_points" } });
    const mails = (await outbox()).length;
    expect(await sendReminder(deps(now), r.id, log)).toBe("skipped");
    expect((await db.reminder.findUniqueOrThrow({ where: { id: r.id } })).reason).toBe("enough_responses");
    expect((await outbox()).length).toBe(mails);
  });

  it("remind of a registration renewal due within 30 days, and drop it when the date changes", async () => {
    const family = await createFamily(db, { phone: null });
    const due = amsterdamDay(new Date(Date.now() + 20 * 86_400_000));
    const reg = await db.registration.create({ data: { familyId: family.id, siteId: "woonnet-haaglanden", registeredOn: new Date("2024-01-10"), renewalDueOn: new Date(`${due}T00:00:00Z`) } });
    expect((await planPeriodicReminders({ ...deps() })).created).toBe(1);
    const r = await db.reminder.findFirstOrThrow({ where: { kind: "renewal" } });
    expect(r.key).toBe(`renewal-${reg.id}-${due}-email`);
    expect(await sendReminder(deps(r.dueAt), r.id, log)).toBe("sent");
    expect((await outbox()).at(-1)!.subject).toMatch(/^Verleng uw inschrijving bij Woonnet Haaglanden voor \d+ \w+ \d{4}$/);

    // Renewed: the counsellor moved the date a year on; a reminder planned for the old date is dropped.
    await db.reminder.update({ where: { id: r.id }, data: { status: "scheduled", sentAt: null } });
    await db.registration.update({ where: { id: reg.id }, data: { renewalDueOn: new Date(`${Number(due.slice(0, 4)) + 1}${due.slice(4)}T00:00:00Z`) } });
    expect(await sendReminder(deps(), r.id, log)).toBe("cancelled");
    expect((await db.reminder.findUniqueOrThrow({ where: { id: r.id } })).reason).toBe("renewal_date_changed");
  });
});
