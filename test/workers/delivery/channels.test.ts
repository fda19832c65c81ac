// Each channel sends and records, on real Postgres, Redis and SMTP, with local fakes of
// MessageBird's SMS API and of a browser's push service (HTTPS): a first-come home reaches the
// family at once by e-mail, SMS and push; each message has its delivery record and evidence
// entry; SMS delivery reports come back through the signed webhook; gone push subscriptions are
// deleted; quiet hours hold the SMS; a pause moves the home to the digest.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "bullmq";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadRegionTable } from "../../../infra/catalogue.js";
import type { Config } from "../../../infra/config.js";
import type { Db } from "../../../infra/db.js";
import { createWorkerRedis } from "../../../infra/redis.js";
import { configureDeliveryChannels } from "../../../workers/pipeline/delivery.js";
import { matchListing } from "../../../workers/processors/match.js";
import { notifyProcessor, sendNotification } from "../../../workers/processors/notify.js";
import { createQueues, jobIds, type Queues } from "../../../workers/queues.js";
import { startMessageBirdFake, type MessageBirdFake } from "../../fakes/messagebird.js";
import { startPushServiceFake, type PushServiceFake } from "../../fakes/push-service.js";
import { freshDatabase } from "../../support/database.js";
import { testConfig, testDb } from "../../support/env.js";
import { readOutbox } from "../../support/outbox.js";
import { startSmtpSink, type SmtpSink } from "../../support/smtp-sink.js";
import { createFamily, createListing, deliveryDeps, log, reserveAppServer, VAPID, type AppServer } from "./fixtures.js";

let config: Config;
let db: Db;
let sink: SmtpSink;
let sms: MessageBirdFake;
let push: PushServiceFake;
let queues: Queues;
let appServer: AppServer;
let baseUrl: string;

beforeAll(async () => {
  sink = await startSmtpSink({ port: 0, outbox: mkdtempSync(path.join(tmpdir(), "eh-channels-")) });
  sms = await startMessageBirdFake();
  push = await startPushServiceFake();
  config = testConfig({
    PORT: "0",
    SMS_API_BASE_URL: sms.url,
    SMS_API_KEY: sms.accessKey,
    SMS_ORIGINATOR: "Eldersthuis",
    SMS_WEBHOOK_SIGNING_KEY: sms.signingKey,
    VAPID_PUBLIC_KEY: VAPID.publicKey,
    VAPID_PRIVATE_KEY: VAPID.privateKey,
    VAPID_SUBJECT: "mailto:beheer@eldersthuis.local",
  });
  // Delivery reports are signed over the URL the provider calls: ours, as PUBLIC_URL says, so the
  // port is taken first and the app built with it.
  appServer = await reserveAppServer();
  baseUrl = appServer.baseUrl;
  config = { ...config, PUBLIC_URL: baseUrl };
  db = testDb(config);
  appServer.serve(db, config);
  queues = createQueues(createWorkerRedis(config.REDIS_URL), config.QUEUE_PREFIX);
  configureDeliveryChannels({ sms: true, push: true });
});

afterAll(async () => {
  configureDeliveryChannels({ sms: false, push: false });
  await appServer?.close();
  await queues?.close();
  await sink?.close();
  await sms?.close();
  await push?.close();
  await db?.$disconnect();
});

beforeEach(() => freshDatabase(db));

const deps = (now?: () => Date) => deliveryDeps({ db, config, smtpPort: sink.port, sms, push, queues, publicUrl: baseUrl, now });

async function subscribe(familyId: string) {
  const sub = push.createSubscription();
  await db.pushSubscription.create({ data: { familyId, endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth } });
  return sub;
}

async function matchedNotifications(listingId: string, contentHash: string, now?: Date) {
  await matchListing({ db, queues, log, regions: loadRegionTable(), ...(now ? { now: () => now } : {}) }, listingId, contentHash, log);
  return db.notification.findMany({ orderBy: { channel: "asc" } });
}

describe("each channel sends and records", () => {
  it("sends a first-come home at once by e-mail, SMS and push, each with its record and evidence", async () => {
    const family = await createFamily(db);
    await subscribe(family.id);
    const listing = await createListing(db);
    const ns = await matchedNotifications(listing.id, listing.contentHash);
    expect(ns.map((n) => [n.channel, n.status, n.notBefore])).toEqual([
      ["email", "queued", null],
      ["push", "queued", null],
      ["sms", "queued", null],
    ]);
    const before = (await readOutbox(sink.outbox)).length;
    for (const n of ns) expect(await sendNotification(deps(), n.id, log)).toBe("sent");

    // E-mail: in the sink, with the one-tap answers and the "get alerts on this phone" link.
    const mails = await readOutbox(sink.outbox);
    expect(mails.length).toBe(before + 1);
    const mail = mails.at(-1)!;
    expect(mail.subject).toContain(`Jan Willem Frisostraat ${listing.houseNumber}`);
    expect(mail.text).toMatch(new RegExp(`${baseUrl}/r/[A-Za-z0-9_.-]+`));
    expect(mail.text).toMatch(new RegExp(`${baseUrl}/push\\.html#t=[A-Za-z0-9_.-]+`));

    // SMS: MessageBird got one message for the Dutch number, with our reference and report URL.
    expect(sms.messages).toHaveLength(1);
    const text = sms.messages[0]!;
    const smsRow = ns.find((n) => n.channel === "sms")!;
    expect(text.recipients).toEqual(["31612345678"]);
    expect(text.originator).toBe("Eldersthuis");
    expect(text.reference).toBe(`n-${smsRow.id}`);
    expect(text.reportUrl).toBe(`${baseUrl}/hooks/sms/messagebird`);
    expect(text.body).toContain(`Jan Willem Frisostraat ${listing.houseNumber}, Delft`);
    expect(text.body).toContain("Wees snel");
    expect(text.body).toContain(listing.sourceUrl);

    // Push: the push service got it encrypted for this phone, signed with our VAPID key.
    expect(push.received).toHaveLength(1);
    const p = push.received[0]!;
    expect(p.vapid.publicKey).toBe(VAPID.publicKey);
    expect(p.vapid.aud).toBe(push.origin);
    expect(p.urgency).toBe("high");
    expect(p.ttl).toBeGreaterThan(2 * 86_400);
    expect(p.payload).toMatchObject({ title: `Nieuwe woning: Jan Willem Frisostraat ${listing.houseNumber}, Delft`, url: listing.sourceUrl, lang: "nl", dir: "ltr" });

    const after = await db.notification.findMany({ orderBy: { channel: "asc" } });
    expect(after.map((n) => [n.channel, n.status])).toEqual([
      ["email", "sent"],
      ["push", "sent"],
      ["sms", "sent"],
    ]);
    expect(after.find((n) => n.channel === "email")!.providerMessageId).toBe(`<notification-${ns[0]!.id}@eldersthuis>`);
    expect(after.find((n) => n.channel === "sms")!.providerMessageId).toBe(text.id);
    expect(after.find((n) => n.channel === "push")!.providerMessageId).toBe(p.location);
    const sent = await db.activity.findMany({ where: { type: "alert_sent" } });
    expect(sent.map((a) => (a.payload as { channel: string }).channel).sort()).toEqual(["email", "push", "sms"]);
    // Sending again changes nothing.
    for (const n of ns) expect(await sendNotification(deps(), n.id, log)).toBe("already");
    expect(sms.messages).toHaveLength(1);
    expect(push.received).toHaveLength(1);
  });

  it("records SMS delivery reports from the signed webhook, once, and refuses unsigned or altered ones", async () => {
    const family = await createFamily(db, { email: null });
    const listing = await createListing(db);
    const [n] = await matchedNotifications(listing.id, listing.contentHash);
    expect(n!.channel).toBe("sms");
    await sendNotification(deps(), n!.id, log);
    const message = sms.messages.at(-1)!;

    const forged = await sms.report(message.id, "delivered", { signingKey: "not-the-signing-key-of-this-account" });
    expect(forged.status).toBe(401);
    const unsigned = await fetch(`${baseUrl}/hooks/sms/messagebird?id=${message.id}&reference=n-${n!.id}&recipient=31612345678&status=delivered&statusDatetime=2026-01-01T10:00:00%2B00:00`);
    expect(unsigned.status).toBe(401);
    const altered = await sms.report(message.id, "delivery_failed", { tamper: true });
    expect(altered.status).toBe(401);
    expect((await db.notification.findUniqueOrThrow({ where: { id: n!.id } })).status).toBe("sent");

    const ok = await sms.report(message.id, "delivered");
    expect(ok.status).toBe(200);
    const delivered = await db.notification.findUniqueOrThrow({ where: { id: n!.id } });
    expect(delivered.status).toBe("delivered");
    expect(delivered.deliveredAt).toBeInstanceOf(Date);
    expect((await sms.report(message.id, "delivered")).status).toBe(200);
    expect(await db.activity.count({ where: { familyId: family.id, type: "alert_delivered" } })).toBe(1);
  });

  it("records a failed delivery report as a failed message", async () => {
    await createFamily(db, { email: null });
    const listing = await createListing(db);
    const [n] = await matchedNotifications(listing.id, listing.contentHash);
    await sendNotification(deps(), n!.id, log);
    expect((await sms.report(sms.messages.at(-1)!.id, "delivery_failed")).status).toBe(200);
    const failed = await db.notification.findUniqueOrThrow({ where: { id: n!.id } });
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain("delivery_failed");
    expect(await db.activity.count({ where: { type: "alert_failed" } })).toBe(1);
  });

  it("retries when the SMS provider is down, and records a refused number as failed without retrying", async () => {
    await createFamily(db, { email: null });
    const listing = await createListing(db);
    const [n] = await matchedNotifications(listing.id, listing.contentHash);
    const count = sms.messages.length;
    sms.failNext(503);
    await expect(sendNotification(deps(), n!.id, log)).rejects.toThrow(/503/);
    expect((await db.notification.findUniqueOrThrow({ where: { id: n!.id } })).status).toBe("queued");
    expect(await sendNotification(deps(), n!.id, log)).toBe("sent");
    expect(sms.messages.length).toBe(count + 1);

    const other = await createListing(db);
    await matchListing({ db, queues, log, regions: loadRegionTable() }, other.id, other.contentHash, log);
    const n2 = await db.notification.findFirstOrThrow({ where: { match: { listingId: other.id } } });
    sms.failNext(422, { code: 9, description: "no (correct) recipients found", parameter: "recipients" });
    expect(await sendNotification(deps(), n2.id, log)).toBe("failed");
    const refused = await db.notification.findUniqueOrThrow({ where: { id: n2.id } });
    expect(refused.status).toBe("failed");
    expect(refused.error).toMatch(/^rejected: .*recipients/);
  });

  it("deletes a push subscription the push service says is gone", async () => {
    const family = await createFamily(db, { email: null, phone: null });
    const gone = await subscribe(family.id);
    const kept = await subscribe(family.id);
    push.expire(gone.endpoint);
    const listing = await createListing(db);
    const [n] = await matchedNotifications(listing.id, listing.contentHash);
    expect(n!.channel).toBe("push");
    const received = push.received.length;
    expect(await sendNotification(deps(), n!.id, log)).toBe("sent");
    expect(push.received.length).toBe(received + 1);
    expect((await db.pushSubscription.findMany()).map((s) => s.endpoint)).toEqual([kept.endpoint]);

    // With no device left, the message fails for good (not retried).
    push.expire(kept.endpoint);
    const other = await createListing(db);
    await matchListing({ db, queues, log, regions: loadRegionTable() }, other.id, other.contentHash, log);
    const n2 = await db.notification.findFirstOrThrow({ where: { match: { listingId: other.id } } });
    expect(await sendNotification(deps(), n2.id, log)).toBe("failed");
    expect(await db.pushSubscription.count()).toBe(0);
  });

  it("holds the SMS in quiet hours while e-mail goes at once", async () => {
    await createFamily(db);
    const listing = await createListing(db);
    const night = new Date();
    // Quiet hours from an hour before until two hours after now (Amsterdam): now is quiet.
    const hour = Number(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Amsterdam", hour: "2-digit", hourCycle: "h23" }).format(night));
    const hh = (h: number) => `${String((h + 24) % 24).padStart(2, "0")}:00`;
    await db.family.updateMany({ data: { quietFrom: hh(hour - 1), quietUntil: hh(hour + 2) } });
    const ns = await matchedNotifications(listing.id, listing.contentHash, night);
    const smsRow = ns.find((n) => n.channel === "sms")!;
    const emailRow = ns.find((n) => n.channel === "email")!;
    expect(emailRow.notBefore).toBeNull();
    expect(smsRow.notBefore!.getTime()).toBeGreaterThan(night.getTime());
    expect(await sendNotification(deps(), emailRow.id, log)).toBe("sent");
    const result = await sendNotification(deps(), smsRow.id, log);
    expect(result).toEqual({ later: smsRow.notBefore });
    expect((await db.notification.findUniqueOrThrow({ where: { id: smsRow.id } })).status).toBe("queued");
  });

  it("keeps a notify job for an SMS in quiet hours delayed in the queue, under its own id, until they end", async () => {
    const family = await createFamily(db, { email: null });
    const listing = await createListing(db);
    const [n] = await matchedNotifications(listing.id, listing.contentHash);
    // Quiet hours begin after the alert was planned (the family changed them): the job finds out.
    const hour = Number(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Amsterdam", hour: "2-digit", hourCycle: "h23" }).format(new Date()));
    const hh = (h: number) => `${String((h + 24) % 24).padStart(2, "0")}:00`;
    await db.family.update({ where: { id: family.id }, data: { quietFrom: hh(hour - 1), quietUntil: hh(hour + 2) } });
    const connection = createWorkerRedis(config.REDIS_URL);
    const worker = new Worker("notify", notifyProcessor(deps()), { connection, prefix: config.QUEUE_PREFIX });
    try {
      const job = (await queues.notify.getJob(jobIds.notify(n!.id)))!;
      const deadline = Date.now() + 15_000;
      while ((await job.getState()) !== "delayed" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await job.getState()).toBe("delayed");
      const row = await db.notification.findUniqueOrThrow({ where: { id: n!.id } });
      expect(row.status).toBe("queued");
      const fresh = (await queues.notify.getJob(jobIds.notify(n!.id)))!;
      expect(fresh.timestamp + fresh.delay).toBeGreaterThanOrEqual(row.notBefore!.getTime() - 1000);
      expect(sms.messages.filter((m) => m.reference === `n-${n!.id}`)).toHaveLength(0);
    } finally {
      await worker.close();
      await connection.quit();
    }
  });

  it("moves a planned alert to the digest when the family pauses before it goes", async () => {
    const family = await createFamily(db, { phone: null });
    const listing = await createListing(db);
    const [n] = await matchedNotifications(listing.id, listing.contentHash);
    await db.family.update({ where: { id: family.id }, data: { pausedUntil: new Date(Date.now() + 86_400_000) } });
    expect(await sendNotification(deps(), n!.id, log)).toBe("deferred");
    expect(await db.notification.count()).toBe(0);
    expect((await db.match.findFirstOrThrow()).delivery).toBe("digest");
  });
});
