// The one typed registry of queues and job payloads. Producers (server, workers, sweeps) and
// processors share these schemas; job data holds ids only, never personal data or whole records.
import { Queue, type JobsOptions, type ConnectionOptions } from "bullmq";
import { z } from "zod";

export const JOBS = {
  scrape: { scrape: z.object({ siteId: z.string().min(1) }) },
  match: { "match-listing": z.object({ listingId: z.string().uuid(), contentHash: z.string().min(8) }) },
  notify: {
    "notify-send": z.object({ notificationId: z.string().uuid() }),
    // One family's digest of one Amsterdam day, all channels (workers/processors/digest.ts).
    "digest-send": z.object({ familyId: z.string().uuid(), day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
  },
  maintenance: { sweep: z.object({}) },
  operator: { "operator-notice": z.object({ noticeId: z.string().uuid() }) },
  reminders: { "reminder-send": z.object({ reminderId: z.string().uuid() }), "reminders-plan": z.object({}) },
} as const;

export type QueueName = keyof typeof JOBS;
export type JobName<Q extends QueueName> = keyof (typeof JOBS)[Q] & string;
export type JobData<Q extends QueueName, N extends JobName<Q>> = z.infer<(typeof JOBS)[Q][N]>;
export const QUEUE_NAMES = Object.keys(JOBS) as QueueName[];

/**
 * Defaults per queue: retries with exponential backoff (BullMQ adds no jitter to "exponential",
 * so a small random delay is added by the backoff strategy in worker settings), and completed
 * jobs removed after a while. Removal frees a job id: once-only effects are guarded in Postgres.
 */
export const DEFAULT_JOB_OPTIONS: Record<QueueName, JobsOptions> = {
  scrape: { attempts: 3, backoff: { type: "exponential", delay: 5_000 }, removeOnComplete: { age: 3600, count: 500 }, removeOnFail: { age: 24 * 3600 } },
  match: { attempts: 8, backoff: { type: "exponential", delay: 2_000 }, removeOnComplete: { age: 3600, count: 5000 }, removeOnFail: { age: 7 * 24 * 3600 } },
  notify: { attempts: 8, backoff: { type: "exponential", delay: 5_000 }, removeOnComplete: { age: 3600, count: 5000 }, removeOnFail: { age: 7 * 24 * 3600 } },
  maintenance: { attempts: 1, removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } },
  operator: { attempts: 8, backoff: { type: "exponential", delay: 10_000 }, removeOnComplete: { age: 3600, count: 500 }, removeOnFail: { age: 7 * 24 * 3600 } },
  reminders: { attempts: 8, backoff: { type: "exponential", delay: 5_000 }, removeOnComplete: { age: 3600, count: 5000 }, removeOnFail: { age: 7 * 24 * 3600 } },
};

/** Job ids from business keys. BullMQ forbids ":" in custom ids and all-digit ids. */
export const jobIds = {
  match: (listingId: string, contentHash: string) => `match-${listingId}-${contentHash.slice(0, 16)}`,
  notify: (notificationId: string) => `notify-${notificationId}`,
  scrapeScheduler: (siteId: string) => `scrape-${siteId}`,
  sweepScheduler: () => "sweep",
  operatorNotice: (noticeId: string) => `operator-notice-${noticeId}`,
  digest: (familyId: string, day: string) => `digest-${familyId}-${day}`,
  reminder: (reminderId: string) => `reminder-${reminderId}`,
  remindersPlanScheduler: () => "reminders-plan",
};

/**
 * Enqueues a job under its business-key id even when an earlier run of that id is still kept as
 * completed or failed (which would make a plain add a silent no-op): the database, not the queue,
 * says whether there is work, so a finished job is removed and the work added again. A job still
 * waiting, delayed or active is left alone. Returns whether a job was added.
 */
export async function enqueueAgain<Q extends QueueName, N extends JobName<Q>>(
  queues: Queues,
  queue: Q,
  name: N,
  data: JobData<Q, N>,
  opts: JobsOptions & { jobId: string },
): Promise<boolean> {
  const existing = await queues[queue].getJob(opts.jobId);
  if (existing) {
    const state = await existing.getState();
    if (state !== "completed" && state !== "failed" && state !== "unknown") return false;
    // A job that finished between our look and the removal is just as finished: ignore a failure here.
    await existing.remove().catch(() => undefined);
  }
  await queues.add(queue, name, data, opts);
  return true;
}

export type Queues = { [Q in QueueName]: Queue } & {
  add<Q extends QueueName, N extends JobName<Q>>(
    queue: Q,
    name: N,
    data: JobData<Q, N>,
    opts?: JobsOptions,
  ): Promise<void>;
  close(): Promise<void>;
};

export function createQueues(connection: ConnectionOptions, prefix: string): Queues {
  const queues = Object.fromEntries(
    QUEUE_NAMES.map((q) => [q, new Queue(q, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS[q] })]),
  ) as { [Q in QueueName]: Queue };
  return {
    ...queues,
    async add(queue, name, data, opts) {
      // Validate at the producer too: a bad payload is a bug here, not a job failure later.
      const schema = (JOBS[queue] as Record<string, z.ZodType>)[name]!;
      await queues[queue].add(name, schema.parse(data), opts);
    },
    async close() {
      await Promise.all(QUEUE_NAMES.map((q) => queues[q].close()));
    },
  };
}

/** Parses a job's data with its registered schema; throws a ZodError for a malformed payload. */
export function parseJob<Q extends QueueName, N extends JobName<Q>>(queue: Q, name: N, data: unknown): JobData<Q, N> {
  const schema = (JOBS[queue] as Record<string, z.ZodType>)[name];
  if (!schema) throw new Error(`unknown job ${queue}/${name}`);
  return schema.parse(data) as JobData<Q, N>;
}
