// The API as the server tests use it: the real app on the test database (emptied, catalogue seeded
// with sites pointing at a closed port, so nothing is ever fetched), real Redis and queues; and
// staff sign-in with the session's CSRF token set on every later request.
import request from "supertest";
import { expect } from "vitest";
import type { Config } from "../../infra/config.js";
import type { Db } from "../../infra/db.js";
import { createLogger } from "../../infra/logger.js";
import { createApiRedis } from "../../infra/redis.js";
import { createApp } from "../../server/app.js";
import { createQueues, type Queues } from "../../workers/queues.js";
import { freshDatabase } from "./database.js";
import { testDb } from "./env.js";

export const TEST_PASSWORD = "correct horse battery";

export interface TestApi {
  db: Db;
  redis: ReturnType<typeof createApiRedis>;
  queues: Queues;
  app: ReturnType<typeof createApp>;
  /** Queues, then Redis, then the database. */
  close(): Promise<void>;
}

export async function startTestApi(config: Config): Promise<TestApi> {
  const db = testDb(config);
  await freshDatabase(db);
  const redis = createApiRedis(config.REDIS_URL);
  const queues = createQueues(redis, config.QUEUE_PREFIX);
  const app = createApp({ db, redis, queues, config, log: createLogger("silent", "test") });
  return {
    db,
    redis,
    queues,
    app,
    close: async () => {
      await queues.close();
      redis.disconnect();
      await db.$disconnect();
    },
  };
}

/** Signs a staff member in (expecting 200); cookie-authenticated writes carry the session's CSRF token. */
export async function signIn(app: TestApi["app"], email: string, password = TEST_PASSWORD) {
  const agent = request.agent(app);
  const res = await agent.post("/api/auth/login").send({ email, password });
  expect(res.status).toBe(200);
  agent.set("X-CSRF-Token", res.body.csrfToken as string);
  return agent;
}
