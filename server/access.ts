// Who may read a family's data, and the access log of every staff read (who, what, when), refused
// attempts included. Kept apart from the evidence log.
//
// The rules (one place; routes call familyForStaff, lists use familyScope):
// - admin: every family of the admin's own organisation.
// - counsellor: families of their own organisation that are theirs (Family.counsellorId) or not
//   yet assigned to anyone. Unassigned families stay visible so a new family is never invisible to
//   the team that must pick it up; a colleague's family is not.
// - evaluator: read-only, only families with an evaluation shared with them (EvaluationShare not
//   revoked), in any organisation. Revoking a share ends access at the next request.
// - family: its own data only, through /api/me (routes/me.ts); other staff routes refuse it.
import type { NextFunction, Request, Response } from "express";
import { z } from "zod";
import type { Db, Prisma } from "../infra/db.js";
import type { StaffRole, StaffUser } from "./auth.js";
import { forbidden, notFound } from "./errors.js";

const IdParam = z.object({ id: z.string().uuid("must be a family id (uuid)") });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export async function logAccess(db: Db, req: Request, familyId: string | null, action: string, allowed: boolean) {
  await db.accessLog.create({ data: { userId: req.staff?.id ?? null, familyId, action, allowed } });
}

/** Prisma filter for the families a staff member may see (caseload lists, search, counts). */
export function familyScope(staff: StaffUser): Prisma.FamilyWhereInput {
  switch (staff.role) {
    case "admin":
      return { organisationId: staff.organisationId };
    case "counsellor":
      return { organisationId: staff.organisationId, OR: [{ counsellorId: staff.id }, { counsellorId: null }] };
    case "evaluator":
      return { evaluations: { some: { shares: { some: { evaluatorId: staff.id, revokedAt: null } } } } };
  }
}

/** Whether this staff member may read (or, write=true, change) this family's data. */
export async function mayAccessFamily(
  db: Db,
  staff: StaffUser,
  family: { id: string; organisationId: string; counsellorId: string | null },
  write: boolean,
): Promise<boolean> {
  switch (staff.role) {
    case "admin":
      return family.organisationId === staff.organisationId;
    case "counsellor":
      return family.organisationId === staff.organisationId && (family.counsellorId === null || family.counsellorId === staff.id);
    case "evaluator":
      if (write) return false;
      return (await db.evaluationShare.count({ where: { evaluatorId: staff.id, revokedAt: null, evaluation: { familyId: family.id } } })) > 0;
  }
}

export interface FamilyAccessOptions {
  /** Only these roles may do this action at all (e.g. export: admin and counsellor). */
  roles?: StaffRole[];
  /** Whether the action changes data; defaults to the HTTP method (anything but GET/HEAD). */
  write?: boolean;
}

/**
 * Loads a family the signed-in staff member may use for `action`, logging the attempt either way.
 * Refused and unknown families both answer 404, so staff elsewhere do not learn that a family exists.
 */
export async function familyForStaff(db: Db, req: Request, familyId: unknown, action: string, opts: FamilyAccessOptions = {}) {
  const { id } = IdParam.parse({ id: familyId });
  const staff = req.staff!;
  const family = await db.family.findUnique({ where: { id }, include: { profile: true } });
  if (!family) {
    await logAccess(db, req, id, action, false);
    throw notFound("family");
  }
  const write = opts.write ?? !SAFE_METHODS.has(req.method);
  const allowed = (!opts.roles || opts.roles.includes(staff.role)) && (await mayAccessFamily(db, staff, family, write));
  await logAccess(db, req, family.id, action, allowed);
  if (!allowed) throw notFound("family");
  return family;
}

/** The family a staff route is about, when its path names one (for logging refusals). */
export function familyIdInPath(path: string): string | null {
  const m = /\/families\/([^/?#]+)/.exec(path);
  return m && UUID.test(m[1]!) ? m[1]!.toLowerCase() : null;
}

/**
 * Family sessions may use only their own routes; anything else under /api is refused and, when it
 * names a family, logged against that family.
 */
export function familySessionScope(db: Db, allowedPrefixes: string[]) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    if (!req.family || allowedPrefixes.some((p) => req.path === p || req.path.startsWith(`${p}/`))) return next();
    const target = familyIdInPath(req.path);
    if (target) await db.accessLog.create({ data: { userId: null, familyId: target, action: `family_session:${req.method.toLowerCase()}`, allowed: false } });
    next(forbidden());
  };
}

/**
 * Evaluators only read: any write under /api (but signing in and out) is refused here, before a
 * route can forget to check, and logged.
 */
export function evaluatorReadOnly(db: Db, exemptPrefixes: string[]) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    if (req.staff?.role !== "evaluator" || SAFE_METHODS.has(req.method) || exemptPrefixes.some((p) => req.path.startsWith(p))) return next();
    await logAccess(db, req, familyIdInPath(req.path), `write_refused:${req.method.toLowerCase()}`, false);
    next(forbidden());
  };
}
