// Worker process entry point: owns config, logging and shutdown. Several of these may run on
// several machines: they share nothing but Redis (schedules, queues) and Postgres (data).
import { Worker, type Processor } from "bullmq";
import { userAgent, type Config } from "../infra/config.js";
import { loadRegionTable } from "../infra/catalogue.js";
import { createDb } from "../infra/db.js";
import { runUntilSignal } from "../infra/lifecycle.js";
import { createLogger } from "../infra/logger.js";
import { createWorkerRedis } from "../infra/redis.js";
import { parseReminderOffsets } from "../domain/delivery-policy.js";
import { createEmailChannel } from "./channels/email.js";
import { createPushChannel, pushSettingsFrom } from "./channels/push.js";
import { createMessageBirdProvider, smsSettingsFrom } from "./channels/sms.js";
import { configureDeliveryChannels } from "./pipeline/delivery.js";
import { matchProcessor } from "./processors/match.js";
import { notifyProcessor } from "./processors/notify.js";
import { operatorProcessor } from "./processors/operator.js";
import { remindersProcessor } from "./processors/reminders.js";
import { scrapeProcessor } from "./processors/scrape.js";
import { sweepProcessor, syncSchedulers } from "./processors/sweep.js";
import { createQueues, jobIds, type QueueName } from "./queues.js";
import { BrowserPool } from "./sites/browser.js";
import { HttpClient } from "./sites/http.js";
import { Politeness } from "./sites/politeness.js";

export async function startWorkers(config: Config) {
  const log = createLogger(config.LOG_LEVEL, "workers");
  const db = createDb(config.DATABASE_URL, config.WORKER_CONCURRENCY + 4);
  const connection = createWorkerRedis(config.REDIS_URL);
  const queues = createQueues(connection, config.QUEUE_PREFIX);
  const browser = new BrowserPool({ maxPagesPerBrowser: config.BROWSER_MAX_PAGES, executablePath: config.CHROMIUM_PATH });
  // Politeness lives in Redis so every worker process on every machine shares it.
  const politeness = new Politeness({
    redis: connection,
    prefix: config.QUEUE_PREFIX,
    minDelayMs: config.POLITENESS_MIN_DELAY_MS,
    defaultBackoffMs: config.POLITENESS_DEFAULT_BACKOFF_MS,
    maxBackoffMs: config.POLITENESS_MAX_BACKOFF_MS,
    robotsTtlSeconds: config.ROBOTS_CACHE_SECONDS,
    robotsAgent: "Eldersthuis",
  });
  const http = new HttpClient({ userAgent: userAgent(config), timeoutMs: config.SCRAPE_TIMEOUT_MS, politeness });
  const email = createEmailChannel({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    user: config.SMTP_USER,
    pass: config.SMTP_PASS,
    from: config.MAIL_FROM,
  });
  // Alerts, digests and reminders: e-mail always; SMS and Web Push when configured.
  const smsSettings = smsSettingsFrom(config);
  const pushSettings = pushSettingsFrom(config);
  const delivery = {
    email,
    sms: smsSettings ? createMessageBirdProvider(smsSettings) : null,
    push: pushSettings ? createPushChannel(pushSettings) : null,
    queues,
    publicUrl: config.PUBLIC_URL,
    tokenSecret: config.TOKEN_SECRET,
    tokenTtlSeconds: config.TOKEN_TTL_DAYS * 86_400,
    reminderOffsetsHours: parseReminderOffsets(config.REMINDER_OFFSETS_HOURS),
    staleClaimMs: config.DELIVERY_STALE_CLAIM_SECONDS * 1000,
  };
  configureDeliveryChannels({ sms: Boolean(delivery.sms), push: Boolean(delivery.push) });

  const processors: Record<QueueName, { fn: Processor; concurrency: number }> = {
    scrape: {
      fn: scrapeProcessor({
        db,
        queues,
        http,
        browser,
        log,
        timeoutMs: config.SCRAPE_TIMEOUT_MS + 15_000,
        health: {
          brokenAfterFormatFailures: config.SITE_BROKEN_AFTER_FORMAT_FAILURES,
          brokenAfterFailures: config.SITE_BROKEN_AFTER_FAILURES,
          brokenAfterMs: config.SITE_BROKEN_AFTER_HOURS * 3_600_000,
        },
      }),
      concurrency: 2,
    },
    match: { fn: matchProcessor({ db, queues, log, regions: loadRegionTable() }), concurrency: config.WORKER_CONCURRENCY },
    notify: {
      fn: notifyProcessor({ db, log, ...delivery }),
      concurrency: config.WORKER_CONCURRENCY,
    },
    maintenance: { fn: sweepProcessor({ db, queues, log, defaultPollSeconds: config.DEFAULT_POLL_SECONDS, operatorEmail: config.OPERATOR_EMAIL, staleClaimMs: delivery.staleClaimMs }), concurrency: 1 },
    reminders: { fn: remindersProcessor({ db, log, ...delivery, offsetsHours: delivery.reminderOffsetsHours }), concurrency: config.WORKER_CONCURRENCY },
    operator: { fn: operatorProcessor({ db, email, log, operatorEmail: config.OPERATOR_EMAIL, publicUrl: config.PUBLIC_URL }), concurrency: 1 },
  };
  const workers = (Object.keys(processors) as QueueName[]).map((name) => {
    const w = new Worker(name, processors[name].fn, {
      connection: createWorkerRedis(config.REDIS_URL),
      prefix: config.QUEUE_PREFIX,
      concurrency: processors[name].concurrency,
    });
    w.on("failed", (job, err) => log.warn({ queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, "job failed"));
    w.on("error", (err) => log.error({ queue: name, err: err.message }, "worker error"));
    return w;
  });

  // One start-up path for recurring work; upserts are idempotent, so every worker may run it.
  await syncSchedulers({ db, queues, defaultPollSeconds: config.DEFAULT_POLL_SECONDS });
  await queues.maintenance.upsertJobScheduler(jobIds.sweepScheduler(), { every: config.SWEEP_INTERVAL_SECONDS * 1000 }, { name: "sweep", data: {} });
  await queues.reminders.upsertJobScheduler(jobIds.remindersPlanScheduler(), { every: 3_600_000 }, { name: "reminders-plan", data: {} });
  log.info({ queues: Object.keys(processors) }, "workers started");

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      log.info("shutting down: workers (finishing active jobs), browser, queues, database");
      // Workers first: close() waits for active jobs, so none is left half-done.
      await Promise.all(workers.map((w) => w.close()));
      await browser.close();
      email.close();
      await queues.close();
      await connection.quit();
      await db.$disconnect();
      log.info("shut down");
    })());
  return { close, log };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runUntilSignal(startWorkers, { onCloseError: ({ log }, err) => log.error({ err }, "shutdown failed") });
}
