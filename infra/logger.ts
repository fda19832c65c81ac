// pino with redaction: no personal data or secrets in logs. Lines carry request, job and site ids
// through child loggers (logger.child({ jobId, siteId })).
import { pino, type Logger } from "pino";

export const REDACT_PATHS = [
  "email",
  "*.email",
  "phone",
  "*.phone",
  "displayName",
  "*.displayName",
  "password",
  "*.password",
  "passwordHash",
  "*.passwordHash",
  "token",
  "*.token",
  "req.headers.cookie",
  "req.headers.authorization",
  'res.headers["set-cookie"]',
];

export function createLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: { pid: process.pid, service: name },
  });
}
export type { Logger };
