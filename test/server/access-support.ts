// Shared set-up for the access and sign-in tests: a real app on the test database and Redis, an
// SMTP sink, and three organisations with staff of every role and families.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import argon2 from "argon2";
import { generate } from "otplib";
import request from "supertest";
import { expect } from "vitest";
import type { Config } from "../../infra/config.js";
import { encryptSecret, totpKey } from "../../infra/crypto.js";
import type { Db } from "../../infra/db.js";
import { createLogger } from "../../infra/logger.js";
import { createApiRedis } from "../../infra/redis.js";
import { createApp } from "../../server/app.js";
import { newTotpSecret } from "../../server/auth.js";
import { createQueues, type Queues } from "../../workers/queues.js";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.js";
import { resetDatabase, testConfig, testDb } from "../support/env.js";

export const PASSWORD = "correct horse battery";

export interface World {
  config: Config;
  db: Db;
  redis: ReturnType<typeof createApiRedis>;
  queues: Queues;
  sink: SmtpSink;
  app: ReturnType<typeof createApp>;
  orgs: { x: string; y: string; ggd: string };
  users: Record<"cx" | "cx2" | "ax" | "cy" | "ev" | "ev2" | "tx", { id: string; email: string }>;
  totpSecret: string;
  families: Record<"fx" | "fx2" | "fxU" | "fy", { id: string; email: string }>;
  close(): Promise<void>;
}

export async function buildWorld(over: Partial<Record<keyof Config, string>> = {}): Promise<World> {
  const outbox = mkdtempSync(path.join(tmpdir(), "eh-access-outbox-"));
  const sink = await startSmtpSink({ port: 0, outbox });
  const config = testConfig({ SMTP_PORT: String(sink.port), ...over });
  const db = testDb(config);
  await resetDatabase(db);
  const redis = createApiRedis(config.REDIS_URL);
  const queues = createQueues(redis, config.QUEUE_PREFIX);
  const app = createApp({ db, redis, queues, config, log: createLogger("silent", "test") });

  const [x, y, ggd] = await Promise.all(["Org X", "Org Y", "GGD"].map((name) => db.organisation.create({ data: { name } })));
  const passwordHash = await argon2.hash(PASSWORD);
  const mk = async (email: string, name: string, role: "admin" | "counsellor" | "evaluator", organisationId: string) => {
    const u = await db.user.create({ data: { email, name, role, passwordHash, organisationId } });
    return { id: u.id, email };
  };
  const users = {
    cx: await mk("cx@x.test", "Counsellor X", "counsellor", x!.id),
    cx2: await mk("cx2@x.test", "Colleague X", "counsellor", x!.id),
    ax: await mk("ax@x.test", "Admin X", "admin", x!.id),
    cy: await mk("cy@y.test", "Counsellor Y", "counsellor", y!.id),
    ev: await mk("ev@ggd.test", "Evaluator GGD", "evaluator", ggd!.id),
    ev2: await mk("ev2@ggd.test", "Other evaluator", "evaluator", ggd!.id),
    tx: await mk("tx@x.test", "TOTP counsellor", "counsellor", x!.id),
  };
  const totpSecret = newTotpSecret();
  await db.user.update({ where: { id: users.tx.id }, data: { totpEnabled: true, totpSecret: encryptSecret(totpSecret, totpKey(config), users.tx.id) } });

  const fam = async (displayName: string, email: string, organisationId: string, counsellorId: string | null) => {
    const f = await db.family.create({ data: { displayName, email, organisationId, counsellorId, childBirthYears: [2018] } });
    return { id: f.id, email };
  };
  const families = {
    fx: await fam("A.", "fam-a@example.org", x!.id, users.cx.id),
    fx2: await fam("B.", "fam-b@example.org", x!.id, users.cx2.id),
    fxU: await fam("C.", "fam-c@example.org", x!.id, null),
    fy: await fam("D.", "fam-d@example.org", y!.id, users.cy.id),
  };
  return {
    config,
    db,
    redis,
    queues,
    sink,
    app,
    orgs: { x: x!.id, y: y!.id, ggd: ggd!.id },
    users,
    totpSecret,
    families,
    async close() {
      await queues.close();
      redis.disconnect();
      await sink.close();
      await db.$disconnect();
    },
  };
}

/** A signed-in staff agent (password only) that sends its CSRF token on writes. */
export async function staffAgent(w: World, email: string) {
  const agent = request.agent(w.app);
  const res = await agent.post("/api/auth/login").send({ email, password: PASSWORD });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.secondFactor).toBe("none");
  agent.set("X-CSRF-Token", res.body.csrfToken as string);
  return agent;
}

/**
 * The TOTP code of the time step `steps` away from now, as the authenticator app shows it then.
 * The server accepts one step of drift, so steps -1, 0 and 1 all pass once each.
 */
export const totpCode = (secret: string, steps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });
