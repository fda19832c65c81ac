// Shared set-up for the delivery tests: a family, homes that match it, the delivery deps wired to
// real services (Postgres, Redis, the SMTP sink) and the providers' local fakes, and the real app.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "../../../infra/config.js";
import type { Db } from "../../../infra/db.js";
import { createLogger } from "../../../infra/logger.js";
import { createApiRedis } from "../../../infra/redis.js";
import { createApp } from "../../../server/app.js";
import { createEmailChannel } from "../../../workers/channels/email.js";
import { createPushChannel } from "../../../workers/channels/push.js";
import { createMessageBirdProvider, SMS_REPORT_PATH } from "../../../workers/channels/sms.js";
import type { NotifyDeps } from "../../../workers/processors/notify.js";
import { createQueues, type Queues } from "../../../workers/queues.js";
import type { MessageBirdFake } from "../../fakes/messagebird.js";
import type { PushServiceFake } from "../../fakes/push-service.js";
import webpush from "web-push";

export const log = createLogger(process.env.LOG_LEVEL ?? "silent", "test");
export const VAPID = webpush.generateVAPIDKeys();

let counter = 0;

export async function createFamily(
  db: Db,
  over: { email?: string | null; phone?: string | null; language?: string; dailyCap?: number; pausedUntil?: Date | null; quietFrom?: string; quietUntil?: string; digestTime?: string; municipalities?: string[] } = {},
) {
  const org = await db.organisation.upsert({ where: { name: "Delivery test org" }, create: { name: "Delivery test org" }, update: {} });
  return db.family.create({
    data: {
      displayName: "Amina",
      language: over.language ?? "nl",
      email: over.email === undefined ? "amina@example.org" : over.email,
      phone: over.phone === undefined ? "06-12345678" : over.phone,
      childBirthYears: [2016, 2020],
      organisationId: org.id,
      dailyCap: over.dailyCap ?? 10,
      pausedUntil: over.pausedUntil ?? null,
      quietFrom: over.quietFrom ?? "21:00",
      quietUntil: over.quietUntil ?? "08:00",
      digestTime: over.digestTime ?? "18:00",
      profile: { create: { municipalities: over.municipalities ?? ["Delft"], maxNetRent: 900 } },
    },
  });
}

/** A home in Delft that matches createFamily's profile. */
export async function createListing(
  db: Db,
  over: { siteId?: string; allocationModel?: string; closesAt?: Date | null; publishedAt?: Date | null; street?: string; city?: string; municipality?: string } = {},
) {
  counter += 1;
  const n = `${Date.now()}-${counter}`;
  return db.listing.create({
    data: {
      siteId: over.siteId ?? "woonnet-haaglanden",
      externalId: `t-${n}`,
      street: over.street ?? "Jan Willem Frisostraat",
      houseNumber: String(counter),
      postcode: "2628 TR",
      city: over.city ?? "Delft",
      municipality: over.municipality ?? "Delft",
      netRent: 700,
      bedrooms: 3,
      dwellingKind: "house",
      allocationModel: over.allocationModel ?? "first_come",
      targetGroups: ["regular"],
      publishedAt: over.publishedAt === undefined ? null : over.publishedAt,
      closesAt: over.closesAt === undefined ? new Date(Date.now() + 3 * 86_400_000) : over.closesAt,
      sourceUrl: `https://www.woonnet-haaglanden.nl/aanbod/te-huur/details/${n}`,
      contentHash: `h-${randomBytes(8).toString("hex")}`,
      raw: {},
    },
  });
}

/** Delivery deps on real SMTP and the fakes, as workers/main.ts builds them. */
export function deliveryDeps(
  opts: { db: Db; config: Config; smtpPort: number; sms?: MessageBirdFake; push?: PushServiceFake; queues?: Queues; publicUrl?: string; now?: () => Date },
): NotifyDeps & { offsetsHours: number[] } {
  const publicUrl = opts.publicUrl ?? "http://127.0.0.1:3000";
  return {
    db: opts.db,
    log,
    email: createEmailChannel({ host: "127.0.0.1", port: opts.smtpPort, secure: false, from: "Eldersthuis <alerts@eldersthuis.local>" }),
    sms: opts.sms ? createMessageBirdProvider({ baseUrl: opts.sms.url, accessKey: opts.sms.accessKey, originator: "Eldersthuis", reportUrl: `${publicUrl}${SMS_REPORT_PATH}` }) : null,
    push: opts.push ? createPushChannel({ publicKey: VAPID.publicKey, privateKey: VAPID.privateKey, subject: "mailto:beheer@eldersthuis.local" }, { agent: opts.push.agent }) : null,
    queues: opts.queues,
    publicUrl,
    tokenSecret: opts.config.TOKEN_SECRET,
    tokenTtlSeconds: 3600,
    reminderOffsetsHours: [24, 3],
    offsetsHours: [24, 3],
    staleClaimMs: 120_000,
    ...(opts.now ? { now: opts.now } : {}),
  };
}

export interface AppServer {
  baseUrl: string;
  /** Starts answering with the real app on this test's database and queues. */
  serve(db: Db, config: Config): void;
  close(): Promise<void>;
}

/**
 * The real app behind a port taken first: delivery reports and one-tap links are signed over
 * PUBLIC_URL, so the address must be known before the config is made and the app built with it.
 */
export async function reserveAppServer(): Promise<AppServer> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  let redis: ReturnType<typeof createApiRedis> | undefined;
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    serve(db, config) {
      redis = createApiRedis(config.REDIS_URL);
      server.on("request", createApp({ db, redis, queues: createQueues(redis, config.QUEUE_PREFIX), config, log }));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis?.disconnect();
    },
  };
}
