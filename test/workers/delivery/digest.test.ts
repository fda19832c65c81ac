// The daily digest on real Postgres, Redis and SMTP (SMS through the MessageBird fake): waiting-time
// homes wait for the family's digest time, go out once per family, day and channel, each with its
// "alert_sent" evidence entry naming the digest; the daily cap and a pause move instant homes to
// the next digest instead of dropping them; the sweep enqueues digests when they are due.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { amsterdamDay, atLocalClock } from "../../../domain/delivery-policy.js";
import { loadRegionTable } from "../../../infra/catalogue.js";
import type { Config } from "../../../infra/config.js";
import type { Db } from "../../../infra/db.js";
import { createWorkerRedis } from "../../../infra/redis.js";
import { configureDeliveryChannels } from "../../../workers/pipeline/delivery.js";
import { runDigest } from "../../../workers/processors/digest.js";
import { matchListing } from "../../../workers/processors/match.js";
import { sweepDelivery } from "../../../workers/processors/sweep.js";
import { createQueues, jobIds, type Queues } from "../../../workers/queues.js";
import { startMessageBirdFake, type MessageBirdFake } from "../../fakes/messagebird.js";
import { freshDatabase } from "../../support/database.js";
import { testConfig, testDb } from "../../support/env.js";
import { readOutbox } from "../../support/outbox.js";
import { startSmtpSink, type SmtpSink } from "../../support/smtp-sink.js";
import { createFamily, createListing, deliveryDeps, log } from "./fixtures.js";

let config: Config;
let db: Db;
let sink: SmtpSink;
let sms: MessageBirdFake;
let queues: Queues;

beforeAll(async () => {
  sink = await startSmtpSink({ port: 0, outbox: mkdtempSync(path.join(tmpdir(), "eh-digest-")) });
  sms = await startMessageBirdFake();
  config = testConfig();
  db = testDb(config);
  queues = createQueues(createWorkerRedis(config.REDIS_URL), config.QUEUE_PREFIX);
  configureDeliveryChannels({ sms: true, push: false });
});
afterAll(async () => {
  configureDeliveryChannels({ sms: false, push: false });
  await queues?.close();
  await sink?.close();
  await sms?.close();
  await db?.$disconnect();
});
beforeEach(() => freshDatabase(db));

const deps = (now?: Date) => deliveryDeps({ db, config, smtpPort: sink.port, sms, queues, ...(now ? { now: () => now } : {}) });
const match = (listing: { id: string; contentHash: string }, now?: Date) =>
  matchListing({ db, queues, log, regions: loadRegionTable(), ...(now ? { now: () => now } : {}) }, listing.id, listing.contentHash, log);
const outboxSize = async () => (await readOutbox(sink.outbox)).length;

describe("the daily digest", () => {
  it("sends waiting-time homes once per family, day and channel, with evidence naming the digest", async () => {
    // Digest time 00:00 and no quiet hours: due now, whatever the hour the test runs.
    const family = await createFamily(db, { digestTime: "00:00", quietFrom: "00:00", quietUntil: "00:00" });
    const homes = [await createListing(db, { allocationModel: "waiting_time" }), await createListing(db, { allocationModel: "lottery" })];
    for (const h of homes) await match(h);
    expect((await db.match.findMany()).map((m) => m.delivery)).toEqual(["digest", "digest"]);
    expect(await db.notification.count()).toBe(0);

    const today = amsterdamDay(new Date());
    const mails = await outboxSize();
    const smsCount = sms.messages.length;
    const result = await runDigest(deps(), family.id, today, log);
    expect(result).toMatchObject({ assembled: 2, sent: ["email", "sms"], failed: [] });

    const mail = (await readOutbox(sink.outbox)).at(-1)!;
    expect(await outboxSize()).toBe(mails + 1);
    expect(mail.subject).toBe("Nieuwe woningen voor u vandaag: 2");
    for (const h of homes) expect(mail.text).toContain(`Jan Willem Frisostraat ${h.houseNumber}, Delft`);
    expect(mail.text).toContain("Ik heb gereageerd: http");
    expect(sms.messages.length).toBe(smsCount + 1);
    expect(sms.messages.at(-1)!.body).toBe("Eldersthuis: nieuwe woningen voor u vandaag: 2. De lijst staat in uw e-mail.");

    const digests = await db.digest.findMany({ orderBy: { channel: "asc" } });
    expect(digests.map((d) => [d.channel, d.status, d.day.toISOString().slice(0, 10)])).toEqual([
      ["email", "sent", today],
      ["sms", "sent", today],
    ]);
    expect(digests.find((d) => d.channel === "sms")!.providerMessageId).toBe(sms.messages.at(-1)!.id);
    const ns = await db.notification.findMany();
    expect(ns).toHaveLength(4);
    expect(ns.every((n) => n.status === "sent" && digests.some((d) => n.providerMessageId === `digest:${d.id}`))).toBe(true);
    const entries = await db.activity.findMany({ where: { type: "alert_sent" } });
    expect(entries).toHaveLength(4);
    expect(new Set(entries.map((e) => (e.payload as { digestId: string }).digestId))).toEqual(new Set(digests.map((d) => d.id)));
    // Deadline reminders for both homes (24 h and 3 h before; e-mail and SMS).
    expect(await db.reminder.count({ where: { kind: "deadline" } })).toBe(8);

    // Once: the same day again sends nothing, even with a new home waiting (it goes tomorrow).
    const late = await createListing(db, { allocationModel: "waiting_time" });
    await match(late);
    expect(await runDigest(deps(), family.id, today, log)).toMatchObject({ assembled: 0, sent: [] });
    expect(await outboxSize()).toBe(mails + 1);
    expect(sms.messages.length).toBe(smsCount + 1);
    const tomorrow = atLocalClock(amsterdamDay(new Date(Date.now() + 86_400_000)), { hour: 0, minute: 5 });
    const next = await runDigest(deps(tomorrow), family.id, amsterdamDay(tomorrow), log);
    expect(next).toMatchObject({ assembled: 1, sent: ["email", "sms"] });
    expect((await readOutbox(sink.outbox)).at(-1)!.subject).toBe("Nieuwe woningen voor u vandaag: 1");
  });

  it("is enqueued by the sweep once the family's digest time has passed, not before", async () => {
    const family = await createFamily(db, { digestTime: "18:00" });
    await match(await createListing(db, { allocationModel: "waiting_time" }));
    const today = amsterdamDay(new Date());
    const before = atLocalClock(today, { hour: 17, minute: 59 });
    const after = atLocalClock(today, { hour: 18, minute: 1 });
    const sweepDeps = (now: Date) => ({ db, queues, log, defaultPollSeconds: 60, now: () => now });
    expect((await sweepDelivery(sweepDeps(before))).digests).toBe(0);
    expect(await queues.notify.getJob(jobIds.digest(family.id, today))).toBeUndefined();
    expect((await sweepDelivery(sweepDeps(after))).digests).toBe(1);
    const job = await queues.notify.getJob(jobIds.digest(family.id, today));
    expect(job?.name).toBe("digest-send");
    expect(job?.data).toEqual({ familyId: family.id, day: today });
    // Still waiting in the queue: a second sweep adds nothing.
    expect((await sweepDelivery(sweepDeps(after))).digests).toBe(0);
    await job!.remove();
  });

  it("moves instant homes over the daily cap to the next digest, never drops them", async () => {
    const family = await createFamily(db, { dailyCap: 2, phone: null, digestTime: "00:00" });
    const homes = [await createListing(db), await createListing(db), await createListing(db)];
    for (const h of homes) await match(h);
    const matches = await db.match.findMany({ orderBy: { createdAt: "asc" }, include: { notifications: true } });
    expect(matches.map((m) => [m.delivery, m.notifications.length])).toEqual([
      ["instant", 1],
      ["instant", 1],
      ["digest", 0],
    ]);
    const result = await runDigest(deps(), family.id, amsterdamDay(new Date()), log);
    expect(result).toMatchObject({ assembled: 1, sent: ["email"] });
    expect((await readOutbox(sink.outbox)).at(-1)!.text).toContain(`Jan Willem Frisostraat ${homes[2]!.houseNumber}, Delft`);
  });

  it("sends nothing during a pause; the homes come in the first digest after it", async () => {
    const pausedUntil = new Date(Date.now() + 2 * 3_600_000);
    const family = await createFamily(db, { pausedUntil, phone: null, digestTime: "00:00" });
    const home = await createListing(db); // first come: instant, were it not for the pause
    await match(home);
    expect((await db.match.findFirstOrThrow()).delivery).toBe("digest");
    expect(await db.notification.count()).toBe(0);
    const mails = await outboxSize();
    expect(await runDigest(deps(), family.id, amsterdamDay(new Date()), log)).toMatchObject({ assembled: 0, sent: [] });
    expect(await outboxSize()).toBe(mails);
    const afterPause = new Date(pausedUntil.getTime() + 60_000);
    expect(await runDigest(deps(afterPause), family.id, amsterdamDay(afterPause), log)).toMatchObject({ assembled: 1, sent: ["email"] });
    expect(await outboxSize()).toBe(mails + 1);
  });

  it("holds the SMS digest until quiet hours end and sends the e-mail at once", async () => {
    const hour = Number(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Amsterdam", hour: "2-digit", hourCycle: "h23" }).format(new Date()));
    const hh = (h: number) => `${String((h + 24) % 24).padStart(2, "0")}:00`;
    const family = await createFamily(db, { digestTime: "00:00", quietFrom: hh(hour - 1), quietUntil: hh(hour + 2) });
    await match(await createListing(db, { allocationModel: "waiting_time" }));
    const now = new Date();
    const smsCount = sms.messages.length;
    const result = await runDigest(deps(now), family.id, amsterdamDay(now), log);
    expect(result.sent).toEqual(["email"]);
    expect(result.later!.getTime()).toBeGreaterThan(now.getTime());
    expect(sms.messages.length).toBe(smsCount);
    expect((await db.digest.findFirstOrThrow({ where: { channel: "sms" } })).status).toBe("queued");
    // At the end of quiet hours the same job sends it.
    const end = result.later!;
    expect(await runDigest(deps(end), family.id, amsterdamDay(now), log)).toMatchObject({ assembled: 0, sent: ["sms"] });
    expect(sms.messages.length).toBe(smsCount + 1);
  });
});
