// Staff authentication: argon2 password hashes, a random session token in an httpOnly SameSite
// cookie, only its SHA-256 stored. Built to extend (a second factor, evaluators and families come
// later): requireStaff puts the user on req.staff, access checks live in canReadFamily.
import { createHash, randomBytes } from "node:crypto";
import argon2 from "argon2";
import type { NextFunction, Request, Response } from "express";
import type { Db } from "../infra/db.js";
import { unauthorized } from "./errors.js";

export const SESSION_COOKIE = "eh_session";

export interface StaffUser {
  id: string;
  role: "admin" | "counsellor" | "evaluator";
  organisationId: string;
  name: string;
}

declare module "express-serve-static-core" {
  interface Request {
    staff?: StaffUser;
  }
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

// Verifying against a real hash even when the user is unknown keeps timing the same.
let dummyHash: Promise<string> | undefined;

export async function verifyLogin(db: Db, email: string, password: string): Promise<StaffUser | null> {
  const user = await db.user.findUnique({ where: { email: email.toLowerCase() } });
  dummyHash ??= argon2.hash("not a password of anyone");
  const ok = await argon2.verify(user?.passwordHash ?? (await dummyHash), password).catch(() => false);
  if (!user || !ok) return null;
  return { id: user.id, role: user.role, organisationId: user.organisationId, name: user.name };
}

export async function createSession(db: Db, userId: string, ttlHours: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await db.session.create({ data: { id: sha256(token), userId, expiresAt } });
  return { token, expiresAt };
}

export async function endSession(db: Db, token: string | undefined): Promise<void> {
  if (token) await db.session.deleteMany({ where: { id: sha256(token) } });
}

export function loadStaff(db: Db) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const token = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (!token) return next();
    const session = await db.session.findUnique({ where: { id: sha256(token) }, include: { user: true } });
    // A staff session counts only once its second factor is done (when the user has one).
    if (session?.user && session.expiresAt > new Date() && (session.secondFactorDone || !session.user.totpEnabled)) {
      req.staff = { id: session.user.id, role: session.user.role, organisationId: session.user.organisationId, name: session.user.name };
    }
    next();
  };
}

export function requireStaff(req: Request, _res: Response, next: NextFunction) {
  if (!req.staff) return next(unauthorized());
  next();
}

/** Staff see families of their own organisation only. */
export function canReadFamily(staff: StaffUser, family: { organisationId: string }): boolean {
  return staff.organisationId === family.organisationId;
}
