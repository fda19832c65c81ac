// HTTP server entry point: config, logging, and ordered shutdown (HTTP → queues → Redis → DB).
import type { Config } from "../infra/config.js";
import { createDb } from "../infra/db.js";
import { runUntilSignal } from "../infra/lifecycle.js";
import { createLogger } from "../infra/logger.js";
import { createApiRedis } from "../infra/redis.js";
import { createQueues } from "../workers/queues.js";
import { createApp } from "./app.js";

export async function startServer(config: Config) {
  const log = createLogger(config.LOG_LEVEL, "server");
  const db = createDb(config.DATABASE_URL);
  const redis = createApiRedis(config.REDIS_URL);
  redis.on("error", (err) => log.warn({ err: err.message }, "redis error"));
  const queues = createQueues(redis, config.QUEUE_PREFIX);
  const app = createApp({ db, redis, queues, config, log });
  const server = app.listen(config.PORT, config.HOST);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  log.info({ url: `http://${config.HOST}:${port}` }, "server listening");
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queues.close();
      redis.disconnect();
      await db.$disconnect();
    })());
  return { port, close, log };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runUntilSignal(startServer, { onSignal: ({ log }, signal) => log.info({ signal }, "shutting down") });
}
