// Redis connections. Workers wait for Redis (maxRetriesPerRequest: null, as BullMQ requires for
// blocking commands); the API fails fast so a request never hangs on a Redis outage.
import { Redis } from "ioredis";

export function createWorkerRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

export function createApiRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 });
}
