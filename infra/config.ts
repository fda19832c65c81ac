// One zod schema for the environment, checked at start-up by every entry point.
// A bad or missing variable stops the process with a message naming it.
import { z } from "zod";
import { decodeKey32 } from "./crypto.js";

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
  /** A staff session ends after this many minutes without a request (and always after SESSION_TTL_HOURS). */
  SESSION_IDLE_MINUTES: z.coerce.number().min(1).max(24 * 60).default(30),
  /** A family's session (signed in with a code) lasts this long. */
  FAMILY_SESSION_TTL_HOURS: z.coerce.number().min(0.1).max(24 * 30).default(24),
  /** Encrypts staff TOTP secrets (AES-256-GCM): 32 random bytes, base64. Required in production. */
  TOTP_ENCRYPTION_KEY: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.string().refine((v) => decodeKey32(v) !== null, "must be 32 bytes, base64 (e.g. openssl rand -base64 32)").optional(),
  ),
  /** When true, staff without TOTP can only enrol (set up TOTP) before they reach any data. */
  STAFF_TOTP_REQUIRED: bool.default(false),
  /** Sign-in rate limits (per 15 minutes): failed staff sign-ins per account and per IP address. */
  LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).max(1000).default(10),
  LOGIN_FAILURES_PER_IP: z.coerce.number().int().min(1).max(10_000).default(50),
  /** Family sign-in codes asked per IP address per 15 minutes (per address: at most 3). */
  FAMILY_CODE_REQUESTS_PER_IP: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Days after a family left the shelter before its data is erased (npm run cli -- erase-due). */
  ERASE_AFTER_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
  COOKIE_SECURE: bool.optional(),
  SMTP_HOST: z.string().default("127.0.0.1"),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(2525),
  SMTP_SECURE: bool.default(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASS: z.string().optional(),
  MAIL_FROM: z.string().default("Eldersthuis <alerts@eldersthuis.local>"),
  /** SMS through MessageBird's REST API (https://rest.messagebird.com). SMS is off unless all three are set. */
  SMS_API_BASE_URL: z.preprocess((v) => (v === "" ? undefined : v), z.string().url().optional()),
  SMS_API_KEY: z.preprocess((v) => (v === "" ? undefined : v), z.string().min(8).optional()),
  /** Sender name (at most 11 letters or digits) or number. */
  SMS_ORIGINATOR: z.preprocess((v) => (v === "" ? undefined : v), z.string().regex(/^([A-Za-z0-9 ]{1,11}|\+?[0-9]{1,17})$/, "at most 11 letters/digits, or a number").optional()),
  /** MessageBird's signing key: delivery reports must carry a MessageBird-Signature-JWT made with it. */
  SMS_WEBHOOK_SIGNING_KEY: z.preprocess((v) => (v === "" ? undefined : v), z.string().min(16).optional()),
  /** Web Push (VAPID). Push is off unless all three are set; the subject is a mailto: or https: URL. */
  VAPID_PUBLIC_KEY: z.preprocess((v) => (v === "" ? undefined : v), z.string().regex(/^[A-Za-z0-9_-]{86,88}$/, "a base64url P-256 public key").optional()),
  VAPID_PRIVATE_KEY: z.preprocess((v) => (v === "" ? undefined : v), z.string().regex(/^[A-Za-z0-9_-]{42,44}$/, "a base64url P-256 private key").optional()),
  VAPID_SUBJECT: z.preprocess((v) => (v === "" ? undefined : v), z.string().regex(/^(mailto:|https:\/\/)/, "must start with mailto: or https://").optional()),
  /** Hours before a home's closing time at which the family is reminded, e.g. "24,3". */
  REMINDER_OFFSETS_HOURS: z.string().regex(/^\s*\d+(\.\d+)?\s*(,\s*\d+(\.\d+)?\s*)*$/, "comma-separated hours, e.g. 24,3").default("24,3"),
  /** A message claimed for sending longer ago than this was left by a dead worker (must exceed the longest send, 30 s). */
  DELIVERY_STALE_CLAIM_SECONDS: z.coerce.number().int().min(1).max(86_400).default(120),
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
  /** Politeness: the least time between two requests to one site's host, across all workers. */
  POLITENESS_MIN_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /** Back-off after a 429 or 503 that names no Retry-After. */
  POLITENESS_DEFAULT_BACKOFF_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
  /** Upper bound for a site's Retry-After, so one odd header cannot stop a site for days. */
  POLITENESS_MAX_BACKOFF_MS: z.coerce.number().int().min(1000).max(7 * 86_400_000).default(6 * 3_600_000),
  /** How long a site's robots.txt is trusted before it is fetched again. */
  ROBOTS_CACHE_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(3600),
  /** Site health: consecutive format failures (schema, drift, malformed, implausible empty offer) before "broken". */
  SITE_BROKEN_AFTER_FORMAT_FAILURES: z.coerce.number().int().min(1).max(20).default(3),
  /** Site health: consecutive failures of any kind (5xx, timeouts...) before "broken". */
  SITE_BROKEN_AFTER_FAILURES: z.coerce.number().int().min(1).max(20).default(5),
  /** Site health: hours without a successful scrape (while failing) before "broken". */
  SITE_BROKEN_AFTER_HOURS: z.coerce.number().min(0.01).max(24 * 30).default(24),
  /** Where site-health notices go (broken, recovered). Unset: notices are recorded, not mailed. */
  OPERATOR_EMAIL: z.preprocess((v) => (v === "" ? undefined : v), z.string().email().optional()),
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
  if (result.data.NODE_ENV === "production" && !result.data.TOTP_ENCRYPTION_KEY) {
    throw new ConfigError([{ variable: "TOTP_ENCRYPTION_KEY", message: "required in production (32 bytes, base64)" }]);
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
