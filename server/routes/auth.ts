// Staff sign-in: password, then (when enrolled) a TOTP code; enrolment; logout; the CSRF token.
//   POST /api/auth/login        {email, password} → full session, or a 10-minute session that
//                               still needs the second factor (secondFactor: "totp" | "enrol")
//   POST /api/auth/totp         {code} → the session becomes complete (a new session token)
//   POST /api/auth/totp/setup   → {otpauthUri, secret} (not yet active)
//   POST /api/auth/totp/enable  {code} → TOTP on; other sessions of the user end
//   DELETE /api/auth/totp/:userId  admin of the same organisation resets a lost authenticator
//   POST /api/auth/logout, GET /api/auth/me, GET /api/auth/csrf
import { Router, type Request, type Response } from "express";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Config } from "../../infra/config.js";
import { decryptSecret, encryptSecret, totpKey } from "../../infra/crypto.js";
import type { Db } from "../../infra/db.js";
import {
  checkTotp,
  clearSessionCookie,
  createSession,
  endSession,
  hashedBucket,
  ipBucket,
  newTotpSecret,
  rateLimiter,
  requireRole,
  SECOND_FACTOR_WINDOW_MS,
  sessionToken,
  setSessionCookie,
  staffExpiry,
  staffOf,
  totpUri,
  verifyLogin,
} from "../auth.js";
import { HttpError, notFound } from "../errors.js";

const Login = z.object({ email: z.string().trim().email(), password: z.string().min(1).max(200) }).strict();
const TotpCode = z
  .object({
    code: z
      .string()
      .transform((s) => s.replace(/[\s-]/g, ""))
      .pipe(z.string().regex(/^\d{6}$/, "must be the 6 digits from your authenticator app")),
  })
  .strict();
const UserParam = z.object({ userId: z.string().uuid("must be a user id (uuid)") });

const invalidCode = () => new HttpError(401, "invalid_code", "code: wrong or expired; use the newest code from your authenticator app");

export function authRouter(deps: { db: Db; config: Config; redis: Redis }): Router {
  const { db, config, redis } = deps;
  const key = totpKey(config);
  const r = Router();

  const loginPerIp = rateLimiter(redis, config.QUEUE_PREFIX, {
    name: "login-ip",
    limit: config.LOGIN_FAILURES_PER_IP,
    key: ipBucket,
    failuresOnly: true,
    message: "too many failed sign-ins from this connection; wait 15 minutes",
  });
  const loginPerAccount = rateLimiter(redis, config.QUEUE_PREFIX, {
    name: "login-account",
    limit: config.LOGIN_FAILURES_PER_ACCOUNT,
    key: (req) => hashedBucket((req.body as { email?: unknown } | undefined)?.email),
    failuresOnly: true,
    message: "too many failed sign-ins for this account; wait 15 minutes",
  });
  const totpPerUser = rateLimiter(redis, config.QUEUE_PREFIX, {
    name: "totp-user",
    limit: 5,
    key: (req) => req.pendingStaff?.id ?? req.staff?.id,
    failuresOnly: true,
    message: "too many wrong codes; wait 15 minutes",
  });

  /** Replaces the request's session by a complete staff session (a new token: no fixation). */
  async function completeSession(req: Request, res: Response, userId: string) {
    const now = new Date();
    await endSession(db, sessionToken(req));
    const session = await createSession(db, { userId, secondFactorDone: true, expiresAt: staffExpiry(config, now, now) });
    setSessionCookie(res, config, session.token, new Date(now.getTime() + config.SESSION_TTL_HOURS * 3_600_000));
    return session;
  }

  /** The signed-in user who may enrol: complete staff, or a session held back for enrolment. */
  async function enrollingUser(req: Request) {
    const id = req.staff?.id ?? (req.pendingStaff?.needs === "enrol" ? req.pendingStaff.id : undefined);
    if (!id) {
      if (req.pendingStaff) throw new HttpError(401, "second_factor_required", "enter the code from your authenticator app first");
      throw new HttpError(401, "unauthorized", "sign in first");
    }
    const user = await db.user.findUniqueOrThrow({ where: { id } });
    if (user.totpEnabled) throw new HttpError(409, "totp_already_enabled", "TOTP is already on for this account; an admin can reset it");
    return user;
  }

  r.post("/login", loginPerIp, loginPerAccount, async (req, res) => {
    const { email, password } = Login.parse(req.body);
    const user = await verifyLoginOr401(db, email, password);
    const now = new Date();
    await endSession(db, sessionToken(req));
    await db.session.deleteMany({ where: { expiresAt: { lt: now } } });
    if (user.totpEnabled || config.STAFF_TOTP_REQUIRED) {
      const expiresAt = new Date(now.getTime() + SECOND_FACTOR_WINDOW_MS);
      const session = await createSession(db, { userId: user.id, secondFactorDone: false, expiresAt });
      setSessionCookie(res, config, session.token, expiresAt);
      res.json({ secondFactor: user.totpEnabled ? "totp" : "enrol", csrfToken: session.csrfToken });
      return;
    }
    const session = await completeSession(req, res, user.id);
    res.json({ secondFactor: "none", user: staffOf(user), csrfToken: session.csrfToken });
  });

  r.post("/totp", totpPerUser, async (req, res) => {
    if (req.staff) throw new HttpError(409, "already_signed_in", "this session needs no code");
    if (req.pendingStaff?.needs !== "totp") throw new HttpError(401, "unauthorized", "sign in with your password first");
    const { code } = TotpCode.parse(req.body);
    const user = await db.user.findUniqueOrThrow({ where: { id: req.pendingStaff.id } });
    if (!user.totpSecret || !(await checkTotp(redis, config.QUEUE_PREFIX, user.id, decryptSecret(user.totpSecret, key, user.id), code))) throw invalidCode();
    const session = await completeSession(req, res, user.id);
    res.json({ user: staffOf(user), csrfToken: session.csrfToken });
  });

  r.post("/totp/setup", async (req, res) => {
    const user = await enrollingUser(req);
    const secret = newTotpSecret();
    await db.user.update({ where: { id: user.id }, data: { totpSecret: encryptSecret(secret, key, user.id), totpEnabled: false } });
    res.json({ otpauthUri: totpUri(secret, user.email), secret });
  });

  r.post("/totp/enable", totpPerUser, async (req, res) => {
    const user = await enrollingUser(req);
    const { code } = TotpCode.parse(req.body);
    if (!user.totpSecret) throw new HttpError(409, "totp_not_set_up", "call POST /api/auth/totp/setup first");
    if (!(await checkTotp(redis, config.QUEUE_PREFIX, user.id, decryptSecret(user.totpSecret, key, user.id), code))) throw invalidCode();
    await db.user.update({ where: { id: user.id }, data: { totpEnabled: true } });
    // Sessions opened with the password alone end; this one continues as a complete session.
    await db.session.deleteMany({ where: { userId: user.id } });
    const session = await completeSession(req, res, user.id);
    res.json({ user: staffOf(user), csrfToken: session.csrfToken });
  });

  r.delete("/totp/:userId", requireRole("admin"), async (req, res) => {
    const { userId } = UserParam.parse(req.params);
    const target = await db.user.findUnique({ where: { id: userId } });
    if (!target || target.organisationId !== req.staff!.organisationId) throw notFound("user");
    await db.$transaction([
      db.user.update({ where: { id: target.id }, data: { totpEnabled: false, totpSecret: null } }),
      db.session.deleteMany({ where: { userId: target.id } }),
    ]);
    res.status(204).end();
  });

  r.post("/logout", async (req, res) => {
    await endSession(db, sessionToken(req));
    clearSessionCookie(res);
    res.status(204).end();
  });

  r.get("/me", (req, res) => {
    if (req.staff) return void res.json({ user: req.staff });
    if (req.family) return void res.json({ family: req.family });
    if (req.pendingStaff) throw new HttpError(401, "second_factor_required", req.pendingStaff.needs === "enrol" ? "set up your authenticator app first" : "enter the code from your authenticator app first");
    throw new HttpError(401, "unauthorized", "sign in first");
  });

  r.get("/csrf", (req, res) => {
    if (!req.authSession) throw new HttpError(401, "unauthorized", "sign in first");
    res.json({ csrfToken: req.authSession.csrfToken });
  });
  return r;
}

async function verifyLoginOr401(db: Db, email: string, password: string) {
  const user = await verifyLogin(db, email, password);
  if (!user) throw new HttpError(401, "invalid_credentials", "e-mail or password is wrong");
  return user;
}
