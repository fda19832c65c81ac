// "Get alerts on this phone", end to end: the alert e-mail carries a signed, expiring link; the page
// it opens (web/public/push.html, in Debian's Chromium) registers the service worker, subscribes
// and posts the subscription, which the server validates; the next alert then reaches the phone
// through the push service (local HTTPS fake). The browser's own push service (FCM, Mozilla...) is
// out of reach here, so PushManager.subscribe in the page returns a subscription of the fake.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPushLinkToken } from "../../../domain/push-link.js";
import { loadRegionTable } from "../../../infra/catalogue.js";
import type { Config } from "../../../infra/config.js";
import type { Db } from "../../../infra/db.js";
import { createWorkerRedis } from "../../../infra/redis.js";
import { configureDeliveryChannels } from "../../../workers/pipeline/delivery.js";
import { matchListing } from "../../../workers/processors/match.js";
import { sendNotification } from "../../../workers/processors/notify.js";
import { createQueues, type Queues } from "../../../workers/queues.js";
import { startPushServiceFake, type PushServiceFake } from "../../fakes/push-service.js";
import { freshDatabase } from "../../support/database.js";
import { testConfig, testDb } from "../../support/env.js";
import { readOutbox } from "../../support/outbox.js";
import { startSmtpSink, type SmtpSink } from "../../support/smtp-sink.js";
import { createFamily, createListing, deliveryDeps, log, reserveAppServer, VAPID, type AppServer } from "./fixtures.js";

let config: Config;
let db: Db;
let sink: SmtpSink;
let push: PushServiceFake;
let queues: Queues;
let appServer: AppServer;
let baseUrl: string;
let browser: Browser | undefined;

beforeAll(async () => {
  sink = await startSmtpSink({ port: 0, outbox: mkdtempSync(path.join(tmpdir(), "eh-pushlink-")) });
  push = await startPushServiceFake();
  appServer = await reserveAppServer();
  baseUrl = appServer.baseUrl;
  config = testConfig({ PUBLIC_URL: baseUrl, VAPID_PUBLIC_KEY: VAPID.publicKey, VAPID_PRIVATE_KEY: VAPID.privateKey, VAPID_SUBJECT: "mailto:beheer@eldersthuis.local" });
  db = testDb(config);
  queues = createQueues(createWorkerRedis(config.REDIS_URL), config.QUEUE_PREFIX);
  appServer.serve(db, config);
  configureDeliveryChannels({ sms: false, push: true });
});
afterAll(async () => {
  configureDeliveryChannels({ sms: false, push: false });
  await browser?.close();
  await appServer?.close();
  await queues?.close();
  await sink?.close();
  await push?.close();
  await db?.$disconnect();
});
beforeEach(() => freshDatabase(db));

const deps = () => deliveryDeps({ db, config, smtpPort: sink.port, push, queues, publicUrl: baseUrl });

/** Matches a new home and sends its alerts; returns the channels that went. */
async function alert(): Promise<string[]> {
  const listing = await createListing(db);
  await matchListing({ db, queues, log, regions: loadRegionTable() }, listing.id, listing.contentHash, log);
  const ns = await db.notification.findMany({ where: { match: { listingId: listing.id } } });
  for (const n of ns) expect(await sendNotification(deps(), n.id, log)).toBe("sent");
  return ns.map((n) => n.channel).sort();
}

function linkFrom(text: string): { url: string; token: string } {
  const m = new RegExp(`(${baseUrl}/push\\.html#t=([A-Za-z0-9_.-]+))`).exec(text);
  if (!m) throw new Error("no push link in the e-mail");
  return { url: m[1]!, token: m[2]! };
}

describe("get alerts on this phone", () => {
  it("validates the link and the subscription, naming the field that is wrong", async () => {
    const family = await createFamily(db, { phone: null, language: "ar" });
    expect(await alert()).toEqual(["email"]);
    const { token } = linkFrom((await readOutbox(sink.outbox)).at(-1)!.text ?? "");

    const setup = await fetch(`${baseUrl}/push/setup?t=${encodeURIComponent(token)}`);
    expect(setup.status).toBe(200);
    expect(await setup.json()).toMatchObject({ publicKey: VAPID.publicKey, lang: "ar", dir: "rtl", texts: { title: "التنبيهات على هذا الهاتف" } });

    const sub = push.createSubscription();
    const post = (body: unknown) => fetch(`${baseUrl}/push/subscriptions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const missing = await post({ token, subscription: { endpoint: sub.endpoint, keys: { p256dh: sub.keys.p256dh } } });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { message: string }).message).toContain("subscription.keys.auth");
    const short = await post({ token, subscription: { endpoint: sub.endpoint, keys: { p256dh: sub.keys.p256dh.slice(0, 40), auth: sub.keys.auth } } });
    expect(((await short.json()) as { message: string }).message).toContain("subscription.keys.p256dh");
    const plain = await post({ token, subscription: { endpoint: sub.endpoint.replace("https:", "http:"), keys: sub.keys } });
    expect(((await plain.json()) as { message: string }).message).toContain("subscription.endpoint");

    const expired = createPushLinkToken({ familyId: family.id, ttlSeconds: 60 }, config.TOKEN_SECRET, new Date(Date.now() - 3600_000));
    const late = await post({ token: expired, subscription: sub });
    expect(late.status).toBe(410);
    expect(await late.json()).toMatchObject({ error: "expired" });
    const forged = createPushLinkToken({ familyId: family.id, ttlSeconds: 3600 }, "another-secret-another-secret-another-secret");
    expect((await post({ token: forged, subscription: sub })).status).toBe(400);
    expect(await db.pushSubscription.count()).toBe(0);

    const ok = await post({ token, subscription: { ...sub, expirationTime: null } });
    expect(ok.status).toBe(201);
    expect(await post({ token, subscription: sub }).then((r) => r.status)).toBe(201); // the same phone again: one row
    expect(await db.pushSubscription.findMany({ select: { familyId: true, endpoint: true } })).toEqual([{ familyId: family.id, endpoint: sub.endpoint }]);
  });

  it("from the e-mail link, the page subscribes the phone and the next alert reaches it", async () => {
    await createFamily(db, { phone: null });
    expect(await alert()).toEqual(["email"]);
    const { url } = linkFrom((await readOutbox(sink.outbox)).at(-1)!.text ?? "");
    const sub = push.createSubscription();

    browser = await chromium.launch({
      executablePath: config.CHROMIUM_PATH,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const context = await browser.newContext({ locale: "nl-NL" });
    await context.grantPermissions(["notifications"], { origin: baseUrl });
    // Stand-in for the browser's push service: hand out the fake's subscription, and keep what the
    // page asked for (the application server key must be our 65-byte VAPID key).
    await context.addInitScript((fake) => {
      const w = window as unknown as { __subscribeOptions?: { userVisibleOnly: boolean; keyLength: number } };
      PushManager.prototype.getSubscription = async () => null;
      PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
        const key = options?.applicationServerKey as Uint8Array;
        w.__subscribeOptions = { userVisibleOnly: Boolean(options?.userVisibleOnly), keyLength: key.byteLength };
        return { toJSON: () => fake } as unknown as PushSubscription;
      };
    }, { endpoint: sub.endpoint, expirationTime: null, keys: sub.keys });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    await page.getByRole("button", { name: "Meldingen op deze telefoon" }).click();
    await page.getByText("Klaar. U krijgt vanaf nu meldingen op deze telefoon.").waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { __subscribeOptions: unknown }).__subscribeOptions)).toEqual({ userVisibleOnly: true, keyLength: 65 });
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration("/"))?.active?.scriptURL)).toBe(`${baseUrl}/sw.js`);
    expect(errors).toEqual([]);
    await context.close();

    expect(await db.pushSubscription.count()).toBe(1);
    const received = push.received.length;
    expect(await alert()).toEqual(["email", "push"]);
    expect(push.received.length).toBe(received + 1);
    expect(push.received.at(-1)!.payload).toMatchObject({ title: expect.stringMatching(/^Nieuwe woning: Jan Willem Frisostraat \d+, Delft$/), lang: "nl" });
  });
});
