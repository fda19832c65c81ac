// Real services for integration tests: the test database (tools/test.sh prepares it), Redis with a
// fresh queue prefix per test file, and a config object like production's.
import { randomBytes } from "node:crypto";
import { loadConfig, type Config } from "../../infra/config.js";
import { createDb, type Db } from "../../infra/db.js";

export function testConfig(over: Partial<Record<keyof Config, string>> = {}): Config {
  return loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
    DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/eldersthuis_test",
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    QUEUE_PREFIX: `test-${randomBytes(4).toString("hex")}`,
    TOKEN_SECRET: randomBytes(32).toString("base64url"),
    ...over,
  });
}

/**
 * Empties every table. The evidence log refuses DELETE by trigger; TRUNCATE is not a row delete,
 * which is why only tests use it (production erasure is a separate, audited procedure).
 */
export async function resetDatabase(db: Db): Promise<void> {
  await db.$executeRawUnsafe(
    `TRUNCATE "AccessLog", "TokenUse", "Activity", "Notification", "Match", "SearchProfile", "Family", "Session", "OperatorNotice", "Registration", "PushSubscription", "Reminder", "Digest", "Task", "FamilyLoginCode", "EvaluationShare", "Evaluation", "User", "Organisation", "ScrapeRun", "Listing", "Site" CASCADE`,
  );
}

export function testDb(config: Config): Db {
  return createDb(config.DATABASE_URL, 5);
}
