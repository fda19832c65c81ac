// GET /api/health: database, Redis, queue counts and each site's last scrape. 200 when the
// database and Redis answer; 503 otherwise (a site's failure is reported, not a 503).
import { Router } from "express";
import type { Redis } from "ioredis";
import type { Db } from "../../infra/db.js";
import { QUEUE_NAMES, type Queues } from "../../workers/queues.js";

async function check<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

export function healthRouter(deps: { db: Db; redis: Redis; queues: Queues }): Router {
  const r = Router();
  r.get("/health", async (_req, res) => {
    const [database, redis] = await Promise.all([check(() => deps.db.$queryRaw`SELECT 1`), check(() => deps.redis.ping())]);
    const queues = redis.ok
      ? await check(async () =>
          Object.fromEntries(
            await Promise.all(
              QUEUE_NAMES.map(async (q) => [q, await deps.queues[q].getJobCounts("waiting", "active", "delayed", "failed", "completed")] as const),
            ),
          ),
        )
      : { ok: false as const, error: "redis unavailable" };
    const sites = database.ok
      ? await deps.db.site.findMany({
          orderBy: { id: "asc" },
          select: { id: true, name: true, platform: true, enabled: true, health: true, healthChangedAt: true, lastScrapeAt: true, lastSuccessAt: true, lastError: true, lastErrorKind: true, consecutiveFailures: true, lastListingCount: true },
        })
      : [];
    const ok = database.ok && redis.ok;
    res.status(ok ? 200 : 503).json({
      status: ok ? "ok" : "degraded",
      database: database.ok ? "ok" : database.error,
      redis: redis.ok ? "ok" : redis.error,
      queues: queues.ok ? queues.value : queues.error,
      sites,
    });
  });
  return r;
}
