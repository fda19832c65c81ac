// Who may read a family's data, and the access log of every staff read (who, what, when),
// refused attempts included. Kept apart from the evidence log.
import type { Request } from "express";
import { z } from "zod";
import type { Db } from "../infra/db.js";
import { canReadFamily } from "./auth.js";
import { notFound } from "./errors.js";

const IdParam = z.object({ id: z.string().uuid("must be a family id (uuid)") });

export async function logAccess(db: Db, req: Request, familyId: string | null, action: string, allowed: boolean) {
  await db.accessLog.create({ data: { userId: req.staff?.id ?? null, familyId, action, allowed } });
}

/** Loads a family the signed-in staff member may read, logging the attempt either way. */
export async function familyForStaff(db: Db, req: Request, familyId: unknown, action: string) {
  const { id } = IdParam.parse({ id: familyId });
  const family = await db.family.findUnique({ where: { id }, include: { profile: true } });
  if (!family) throw notFound("family");
  const allowed = canReadFamily(req.staff!, family);
  await logAccess(db, req, family.id, action, allowed);
  // 404, not 403: staff of another organisation need not learn that the family exists.
  if (!allowed) throw notFound("family");
  return family;
}

