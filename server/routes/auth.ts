import { Router } from "express";
import { z } from "zod";
import type { Config } from "../../infra/config.js";
import type { Db } from "../../infra/db.js";
import { createSession, endSession, SESSION_COOKIE, verifyLogin } from "../auth.js";
import { HttpError } from "../errors.js";

const Login = z.object({ email: z.string().trim().email(), password: z.string().min(1).max(200) }).strict();

export function authRouter(db: Db, config: Config): Router {
  const r = Router();
  const secure = config.COOKIE_SECURE ?? config.PUBLIC_URL.startsWith("https://");
  r.post("/login", async (req, res) => {
    const { email, password } = Login.parse(req.body);
    const staff = await verifyLogin(db, email, password);
    if (!staff) throw new HttpError(401, "invalid_credentials", "e-mail or password is wrong");
    const session = await createSession(db, staff.id, config.SESSION_TTL_HOURS);
    res.cookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: "lax", secure, expires: session.expiresAt, path: "/" });
    res.json({ user: staff });
  });
  r.post("/logout", async (req, res) => {
    await endSession(db, (req.cookies as Record<string, string>)[SESSION_COOKIE]);
    res.clearCookie(SESSION_COOKIE, { path: "/" });
    res.status(204).end();
  });
  r.get("/me", (req, res) => {
    if (!req.staff) throw new HttpError(401, "unauthorized", "sign in first");
    res.json({ user: req.staff });
  });
  return r;
}
