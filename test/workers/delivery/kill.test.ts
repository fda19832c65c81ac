// No duplicate message when a worker process is killed mid-send: a real `node workers/main.ts`
// process takes an SMS alert, the MessageBird fake accepts the message (it is on its way to the
// phone) but never answers, and the process gets SIGKILL while it waits. A second worker process
// then finds the claim: it does not send again (it cannot know the first one's fate) but marks the
// message failed as "interrupted"; the provider's signed delivery report, which carries our
// reference, then corrects the record to "delivered". The family got exactly one SMS.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRegionTable } from "../../../infra/catalogue.js";
import type { Config } from "../../../infra/config.js";
import type { Db } from "../../../infra/db.js";
import { createWorkerRedis } from "../../../infra/redis.js";
import { configureDeliveryChannels } from "../../../workers/pipeline/delivery.js";
import { matchListing } from "../../../workers/processors/match.js";
import { createQueues, jobIds, type Queues } from "../../../workers/queues.js";
import { startMessageBirdFake, type MessageBirdFake } from "../../fakes/messagebird.js";
import { freshDatabase } from "../../support/database.js";
import { testConfig, testDb } from "../../support/env.js";
import { createFamily, createListing, log, reserveAppServer, type AppServer } from "./fixtures.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const WORKER_MAIN = path.join(ROOT, "workers/main.ts");

let config: Config;
let db: Db;
let sms: MessageBirdFake;
let queues: Queues;
let appServer: AppServer;
const logDir = mkdtempSync(path.join(tmpdir(), "eh-kill-"));
const children: ChildProcess[] = [];

beforeAll(async () => {
  sms = await startMessageBirdFake();
  appServer = await reserveAppServer();
  const baseUrl = appServer.baseUrl;
  config = testConfig({
    PUBLIC_URL: baseUrl,
    SMS_API_BASE_URL: sms.url,
    SMS_API_KEY: sms.accessKey,
    SMS_ORIGINATOR: "Eldersthuis",
    SMS_WEBHOOK_SIGNING_KEY: sms.signingKey,
  });
  db = testDb(config);
  queues = createQueues(createWorkerRedis(config.REDIS_URL), config.QUEUE_PREFIX);
  appServer.serve(db, config);
  // Sites point at a closed port and are disabled: the worker processes scrape nothing.
  await freshDatabase(db);
  await db.site.updateMany({ data: { enabled: false } });
  configureDeliveryChannels({ sms: true, push: false });
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  configureDeliveryChannels({ sms: false, push: false });
  await appServer?.close();
  await queues?.close();
  await sms?.close();
  await db?.$disconnect();
});

/** Starts `node --import tsx workers/main.ts` against this test's database, queues and fakes. */
async function startWorkerProcess(name: string): Promise<ChildProcess> {
  const logFile = path.join(logDir, `${name}.log`);
  const out = createWriteStream(logFile);
  const child = spawn(process.execPath, ["--import", "tsx", WORKER_MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      DATABASE_URL: config.DATABASE_URL,
      REDIS_URL: config.REDIS_URL,
      QUEUE_PREFIX: config.QUEUE_PREFIX,
      TOKEN_SECRET: config.TOKEN_SECRET,
      PUBLIC_URL: config.PUBLIC_URL,
      SMTP_PORT: "9",
      SMS_API_BASE_URL: sms.url,
      SMS_API_KEY: sms.accessKey,
      SMS_ORIGINATOR: "Eldersthuis",
      SMS_WEBHOOK_SIGNING_KEY: sms.signingKey,
      SITE_BASE_URL_OVERRIDE: "http://127.0.0.1:9/s/{site}",
      DEFAULT_POLL_SECONDS: "3600",
      SWEEP_INTERVAL_SECONDS: "1",
      // Sends here take well under a second; a claim older than this was left by a dead worker.
      DELIVERY_STALE_CLAIM_SECONDS: "3",
      WORKER_CONCURRENCY: "2",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const read = () => {
    try {
      return readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };
  await waitFor(`${name} to start`, 60_000, async () => {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${read().slice(-4000)}`);
    return read().includes('"workers started"');
  }, read);
  return child;
}

async function waitFor(what: string, timeoutMs: number, done: () => Promise<boolean>, context?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${context ? `\n${context().slice(-4000)}` : ""}`);
}

const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once("exit", () => resolve())));

describe("a worker process killed mid-send", () => {
  it("leaves the family with exactly one SMS, and a record that says what happened", { timeout: 180_000 }, async () => {
    const family = await createFamily(db, { email: null, phone: "06-12345678", quietFrom: "00:00", quietUntil: "00:00" });
    const listing = await createListing(db);
    const first = await startWorkerProcess("worker-1");

    // The provider takes the message and never answers: the worker is inside the send.
    sms.stallNext();
    await matchListing({ db, queues, log, regions: loadRegionTable() }, listing.id, listing.contentHash, log);
    const n = await db.notification.findFirstOrThrow();
    expect(n.channel).toBe("sms");
    await sms.waitForMessages(1, 60_000);
    await waitFor("the claim", 10_000, async () => (await db.notification.findUniqueOrThrow({ where: { id: n.id } })).status === "sending");

    first.kill("SIGKILL");
    await exited(first);
    expect(first.signalCode).toBe("SIGKILL");
    expect((await db.notification.findUniqueOrThrow({ where: { id: n.id } })).status).toBe("sending");

    await startWorkerProcess("worker-2");
    // The second worker's sweep finds the stale claim and marks it, without sending.
    await waitFor("the interrupted mark", 30_000, async () => (await db.notification.findUniqueOrThrow({ where: { id: n.id } })).status === "failed");
    const marked = await db.notification.findUniqueOrThrow({ where: { id: n.id } });
    expect(marked.error).toMatch(/^interrupted while sending; not resent/);
    // BullMQ hands the dead worker's job to the second worker once its lock expires (about 30-60 s):
    // it runs, sees the record, and sends nothing.
    await waitFor("the stalled job to be run again", 120_000, async () => (await (await queues.notify.getJob(jobIds.notify(n.id)))?.getState()) === "completed");
    expect(await (await queues.notify.getJob(jobIds.notify(n.id)))!.returnvalue).toBe("already");

    expect(sms.messages).toHaveLength(1);
    expect(sms.messages[0]!.recipients).toEqual(["31612345678"]);
    expect(sms.messages[0]!.reference).toBe(`n-${n.id}`);

    // The message did reach the phone: the provider's report corrects the record.
    expect((await sms.report(sms.messages[0]!.id, "delivered")).status).toBe(200);
    const corrected = await db.notification.findUniqueOrThrow({ where: { id: n.id } });
    expect(corrected.status).toBe("delivered");
    expect(corrected.providerMessageId).toBe(sms.messages[0]!.id);
    expect(corrected.error).toContain("corrected: the provider delivered it");
    const entries = await db.activity.findMany({ where: { familyId: family.id }, orderBy: { seq: "asc" } });
    expect(entries.map((a) => a.type)).toEqual(["offered", "alert_failed", "alert_delivered"]);
    expect(sms.messages).toHaveLength(1);
  });
});
