// One zod schema for the environment, checked at start-up by every entry point.
// A bad or missing variable stops the process with a message naming it.
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1");

export const ConfigSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// URL"),
  /** Prefix for BullMQ keys, so tests and several deployments can share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[a-z0-9_-]+$/i).default("eldersthuis"),
  HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The address families' one-tap links point at. */
  PUBLIC_URL: z.string().url().default("http://127.0.0.1:3000"),
  /** Signs one-tap tokens. A secret: only from the environment. */
  TOKEN_SECRET: z.string().min(32, "must be at least 32 characters"),
  TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(60).default(14),
  SESSION_TTL_HOURS: z.coerce.number().min(0.1).max(24 * 7).default(8),
  COOKIE_SECURE: bool.optional(),
  SMTP_HOST: z.string().default("127.0.0.1"),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(2525),
  SMTP_SECURE: bool.default(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASS: z.string().optional(),
  MAIL_FROM: z.string().default("Eldersthuis <alerts@eldersthuis.local>"),
  /** Who we are to housing sites: a clear User-Agent with a contact address. */
  SCRAPER_CONTACT: z.string().email().default("beheer@eldersthuis.local"),
  SCRAPE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
  CHROMIUM_PATH: z.string().default("/usr/bin/chromium"),
  BROWSER_MAX_PAGES: z.coerce.number().int().min(1).default(50),
  /** Poll interval for sites whose catalogue entry sets none (first-come homes need 60 s). */
  DEFAULT_POLL_SECONDS: z.coerce.number().int().min(5).default(60),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * Development and tests only: point every site at the local site farm instead of its real host,
   * e.g. "http://127.0.0.1:4010/s/{site}". Never set in production.
   */
  SITE_BASE_URL_OVERRIDE: z
    .string()
    .regex(/^https?:\/\/.+\{site\}/, "must be a URL containing {site}")
    .optional(),
  /** Sweeps re-enqueue work the database says is pending (after a Redis loss or a crash). */
  SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(30),
});
export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      "Invalid configuration:\n" + issues.map((i) => `  ${i.variable}: ${i.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => ({
        variable: String(i.path[0] ?? "?"),
        message: i.message,
      })),
    );
  }
  if (result.data.NODE_ENV === "production" && result.data.SITE_BASE_URL_OVERRIDE) {
    throw new ConfigError([
      { variable: "SITE_BASE_URL_OVERRIDE", message: "must not be set in production (it points sites at the farm)" },
    ]);
  }
  return result.data;
}

export function userAgent(config: Config): string {
  return `Eldersthuis/0.1 (housing alerts for families in shelter; contact ${config.SCRAPER_CONTACT})`;
}
