// Authentication: who is asking. Staff sign in with an argon2 password and, when enrolled, a TOTP
// second factor; families with a single-use code (routes/family-auth.ts). Either way the browser
// holds a random session token in an httpOnly SameSite cookie and only its SHA-256 is stored.
// Sessions expire (absolute TTL, plus an idle timeout for staff), carry a CSRF token for
// cookie-authenticated writes, and sign-in is rate limited in Redis (shared by all processes).
// What an authenticated user may see is decided in access.ts.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import argon2 from "argon2";
import type { NextFunction, Request, Response } from "express";
import { ipKeyGenerator, rateLimit, type Options as RateLimitOptions, type Store } from "express-rate-limit";
import type { Redis } from "ioredis";
import { generateSecret, generateURI, verify as verifyOtp } from "otplib";
import type { Config } from "../infra/config.js";
import type { Db } from "../infra/db.js";
import { HttpError, forbidden, unauthorized } from "./errors.js";

export const SESSION_COOKIE = "eh_session";
export const CSRF_HEADER = "x-csrf-token";
/** A password-only session waiting for its TOTP code (or enrolment) lives this long. */
export const SECOND_FACTOR_WINDOW_MS = 10 * 60_000;

export type StaffRole = "admin" | "counsellor" | "evaluator";

export interface StaffUser {
  id: string;
  role: StaffRole;
  organisationId: string;
  name: string;
}

export interface FamilyUser {
  id: string;
  displayName: string;
  language: string;
}

/** The cookie session behind the request, whatever it authenticates. */
export interface AuthSession {
  id: string;
  csrfToken: string;
  kind: "staff" | "family" | "pending";
}

/** Signed in with a password, but the second factor (or its enrolment) is still to come. */
export interface PendingStaff {
  id: string;
  needs: "totp" | "enrol";
}

declare module "express-serve-static-core" {
  interface Request {
    staff?: StaffUser;
    family?: FamilyUser;
    pendingStaff?: PendingStaff;
    authSession?: AuthSession;
  }
}

export const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

// ---------------------------------------------------------------------------------------------
// Passwords and sessions

// Verifying against a real hash even when the user is unknown keeps timing the same.
let dummyHash: Promise<string> | undefined;

export async function verifyLogin(db: Db, email: string, password: string) {
  const user = await db.user.findUnique({ where: { email: email.toLowerCase() } });
  dummyHash ??= argon2.hash("not a password of anyone");
  const ok = await argon2.verify(user?.passwordHash ?? (await dummyHash), password).catch(() => false);
  if (!user || !ok) return null;
  return user;
}

export const staffOf = (u: { id: string; role: StaffRole; organisationId: string; name: string }): StaffUser => ({
  id: u.id,
  role: u.role,
  organisationId: u.organisationId,
  name: u.name,
});

export interface NewSession {
  userId?: string;
  familyId?: string;
  secondFactorDone?: boolean;
  expiresAt: Date;
}

export async function createSession(db: Db, s: NewSession): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(32).toString("base64url");
  await db.session.create({
    data: { id: sha256(token), userId: s.userId ?? null, familyId: s.familyId ?? null, secondFactorDone: s.secondFactorDone ?? false, csrfToken, expiresAt: s.expiresAt },
  });
  return { token, csrfToken, expiresAt: s.expiresAt };
}

export async function endSession(db: Db, token: string | undefined): Promise<void> {
  if (token) await db.session.deleteMany({ where: { id: sha256(token) } });
}

export const sessionToken = (req: Request): string | undefined => (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];

export function setSessionCookie(res: Response, config: Config, token: string, expiresAt: Date): void {
  const secure = config.COOKIE_SECURE ?? config.PUBLIC_URL.startsWith("https://");
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: "lax", secure, expires: expiresAt, path: "/" });
}

export function clearSessionCookie(res: Response): void {
  res.clearCookie(SESSION_COOKIE, { path: "/" });
}

/** A full staff session's expiry: the absolute TTL, cut short by the idle timeout. */
export function staffExpiry(config: Config, createdAt: Date, now = new Date()): Date {
  const absolute = createdAt.getTime() + config.SESSION_TTL_HOURS * 3_600_000;
  const idle = now.getTime() + config.SESSION_IDLE_MINUTES * 60_000;
  return new Date(Math.min(absolute, idle));
}

// Writing lastSeenAt on every request would turn each read into a write; once a minute is enough
// for an idle timeout counted in minutes.
const TOUCH_EVERY_MS = 60_000;

/** Resolves the cookie to req.staff, req.family or req.pendingStaff. An expired session is removed. */
export function loadSession(db: Db, config: Config) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const token = sessionToken(req);
    if (!token) return next();
    const id = sha256(token);
    const session = await db.session.findUnique({ where: { id }, include: { user: true } });
    if (!session) return next();
    const now = new Date();
    if (session.expiresAt <= now) {
      await db.session.deleteMany({ where: { id } });
      return next();
    }
    const csrfToken = session.csrfToken ?? "";
    if (session.user) {
      const u = session.user;
      const needs = u.totpEnabled && !session.secondFactorDone ? "totp" : config.STAFF_TOTP_REQUIRED && !u.totpEnabled ? "enrol" : null;
      if (needs) {
        req.pendingStaff = { id: u.id, needs };
        req.authSession = { id, csrfToken, kind: "pending" };
        return next();
      }
      req.staff = staffOf(u);
      req.authSession = { id, csrfToken, kind: "staff" };
      if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
        await db.session.updateMany({ where: { id }, data: { lastSeenAt: now, expiresAt: staffExpiry(config, session.createdAt, now) } });
      }
      return next();
    }
    if (session.familyId) {
      const f = await db.family.findUnique({ where: { id: session.familyId }, select: { id: true, displayName: true, language: true, erasedAt: true } });
      if (f && !f.erasedAt) {
        req.family = { id: f.id, displayName: f.displayName, language: f.language };
        req.authSession = { id, csrfToken, kind: "family" };
      }
    }
    next();
  };
}

export function requireStaff(req: Request, _res: Response, next: NextFunction) {
  if (req.staff) return next();
  if (req.pendingStaff) return next(new HttpError(401, "second_factor_required", "enter the code from your authenticator app first"));
  if (req.family) return next(forbidden());
  next(unauthorized());
}

/** Only these staff roles; everyone else is refused (401 without a session, 403 with one). */
export function requireRole(...roles: StaffRole[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.staff) return requireStaff(req, res, next);
    if (!roles.includes(req.staff.role)) return next(forbidden());
    next();
  };
}

export function requireFamily(req: Request, _res: Response, next: NextFunction) {
  if (req.family) return next();
  if (req.staff || req.pendingStaff) return next(forbidden());
  next(unauthorized());
}

// ---------------------------------------------------------------------------------------------
// CSRF: a synchronizer token per session (Session.csrfToken), sent back in X-CSRF-Token on every
// cookie-authenticated write. Another site can make the browser send our cookie but cannot read
// the token. Sign-in endpoints authenticate by what is posted, not by the cookie, so are exempt;
// the one-tap /r/ routes are outside /api and authenticated by their own signed token.

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function csrfProtection(exemptPaths: string[]) {
  const exempt = new Set(exemptPaths);
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.authSession || SAFE_METHODS.has(req.method) || exempt.has(req.path)) return next();
    const sent = req.get(CSRF_HEADER);
    if (!sent) return next(new HttpError(403, "csrf_token_missing", "X-CSRF-Token: header missing; get the token from GET /api/auth/csrf"));
    const a = Buffer.from(sent);
    const b = Buffer.from(req.authSession.csrfToken);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      return next(new HttpError(403, "csrf_token_invalid", "X-CSRF-Token: does not match this session; get a new one from GET /api/auth/csrf"));
    }
    next();
  };
}

// ---------------------------------------------------------------------------------------------
// TOTP (RFC 6238, 30 s steps, 6 digits, SHA-1 as authenticator apps expect)

export const TOTP_ISSUER = "Eldersthuis";

/** A fresh secret: 20 random bytes (160 bits, RFC 4226's recommendation), base32. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(secret: string, email: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: email, secret });
}

/**
 * Checks a code, allowing one step of clock drift either way, and refuses a code that was already
 * used (a Redis key per user and time step, kept past the drift window).
 */
export async function checkTotp(redis: Redis, prefix: string, userId: string, secret: string, code: string): Promise<boolean> {
  const result = await verifyOtp({ secret, token: code, epochTolerance: 30 });
  if (!result.valid || !("timeStep" in result)) return false;
  const fresh = await redis.set(`${prefix}:totp-used:${userId}:${result.timeStep}`, "1", "EX", 150, "NX");
  return fresh === "OK";
}

// ---------------------------------------------------------------------------------------------
// Rate limits: express-rate-limit with a Redis store, so every server process counts together.

const RATE_WINDOW_MS = 15 * 60_000;

// Decrementing an expired key would start the next window below zero.
const DECR_IF_EXISTS = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end return 0";

class RedisRateStore implements Store {
  localKeys = false;
  private windowMs = RATE_WINDOW_MS;
  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
  ) {}
  init(options: RateLimitOptions): void {
    this.windowMs = options.windowMs;
  }
  async increment(key: string) {
    const k = this.prefix + key;
    const results = await this.redis.multi().set(k, "0", "PX", this.windowMs, "NX").incr(k).pttl(k).exec();
    if (!results) throw new Error("rate limit: Redis transaction aborted");
    for (const [err] of results) if (err) throw err;
    const totalHits = Number(results[1]![1]);
    const ttl = Number(results[2]![1]);
    return { totalHits, resetTime: new Date(Date.now() + (ttl > 0 ? ttl : this.windowMs)) };
  }
  async decrement(key: string) {
    await this.redis.eval(DECR_IF_EXISTS, 1, this.prefix + key);
  }
  async resetKey(key: string) {
    await this.redis.del(this.prefix + key);
  }
}

export interface LimitSpec {
  /** Part of the Redis key; one store per limiter. */
  name: string;
  limit: number;
  /** The bucket for this request; undefined skips the limiter (e.g. no account named). */
  key: (req: Request) => string | undefined;
  /** Count failures only: a successful answer gives its hit back. */
  failuresOnly?: boolean;
  message: string;
}

export function rateLimiter(redis: Redis, prefix: string, spec: LimitSpec) {
  return rateLimit({
    windowMs: RATE_WINDOW_MS,
    limit: spec.limit,
    store: new RedisRateStore(redis, `${prefix}:rl:${spec.name}:`),
    keyGenerator: (req) => spec.key(req) ?? "-",
    skip: (req) => spec.key(req) === undefined,
    skipSuccessfulRequests: spec.failuresOnly ?? false,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new HttpError(429, "rate_limited", spec.message)),
  });
}

/** The client's address as a rate-limit bucket (IPv6 by /56 subnet, as express-rate-limit advises). */
export const ipBucket = (req: Request) => ipKeyGenerator(req.ip ?? "unknown");

/** A personal value (an e-mail address, a phone number) as a bucket: hashed, never stored plainly. */
export const hashedBucket = (value: unknown) =>
  typeof value === "string" && value.trim() ? sha256(value.trim().toLowerCase()).slice(0, 32) : undefined;
