// A family's data as one JSON document (right of access and data portability):
//   GET /api/families/:id/export  staff (admin, counsellor) who may see the family; logged
//   GET /api/me/export            the family itself (routes/me.ts)
// Everything stored about the family, plus who viewed it. Secrets are left out: sign-in code
// hashes, the calendar-feed token and push-subscription keys.
import { Router, type Response } from "express";
import type { Db } from "../../infra/db.js";
import { familyForStaff } from "../access.js";
import { requireStaff } from "../auth.js";
import { notFound } from "../errors.js";

export const EXPORT_FORMAT = "eldersthuis-family-export/1";

export async function buildFamilyExport(db: Db, familyId: string) {
  const family = await db.family.findUnique({ where: { id: familyId }, omit: { calendarToken: true }, include: { organisation: { select: { name: true } } } });
  if (!family) throw notFound("family");
  const [profile, registrations, matches, reminders, digests, activity, tasks, evaluations, accessLog, pushSubscriptions] = await Promise.all([
    db.searchProfile.findUnique({ where: { familyId } }),
    db.registration.findMany({ where: { familyId }, orderBy: { registeredOn: "asc" }, include: { site: { select: { name: true } } } }),
    db.match.findMany({
      where: { familyId },
      orderBy: { createdAt: "asc" },
      include: {
        listing: { select: { id: true, siteId: true, street: true, houseNumber: true, houseNumberAddition: true, postcode: true, city: true, netRent: true, bedrooms: true, closesAt: true, sourceUrl: true } },
        notifications: { select: { channel: true, status: true, createdAt: true, sentAt: true, deliveredAt: true, error: true } },
      },
    }),
    db.reminder.findMany({ where: { familyId }, orderBy: { dueAt: "asc" }, omit: { familyId: true } }),
    db.digest.findMany({ where: { familyId }, orderBy: { day: "asc" }, omit: { familyId: true } }),
    db.activity.findMany({ where: { familyId }, orderBy: { seq: "asc" }, omit: { familyId: true } }),
    db.task.findMany({ where: { familyId }, orderBy: { createdAt: "asc" }, omit: { familyId: true } }),
    db.evaluation.findMany({ where: { familyId }, orderBy: { version: "asc" }, include: { shares: true } }),
    db.accessLog.findMany({
      where: { familyId },
      orderBy: { at: "asc" },
      select: { at: true, action: true, allowed: true, user: { select: { name: true, role: true, organisation: { select: { name: true } } } } },
    }),
    db.pushSubscription.count({ where: { familyId } }),
  ]);
  const { organisation, ...familyFields } = family;
  return {
    format: EXPORT_FORMAT,
    exportedAt: new Date().toISOString(),
    family: { ...familyFields, organisation: organisation.name },
    profile,
    registrations: registrations.map(({ site, familyId: _f, ...r }) => ({ ...r, siteName: site.name })),
    matches: matches.map(({ familyId: _f, ...m }) => m),
    reminders,
    digests,
    activity,
    tasks,
    evaluations: evaluations.map(({ familyId: _f, ...e }) => e),
    accessLog: accessLog.map((a) => ({
      at: a.at,
      action: a.action,
      allowed: a.allowed,
      by: a.user ? { name: a.user.name, role: a.user.role, organisation: a.user.organisation.name } : null,
    })),
    pushSubscriptions: { count: pushSubscriptions },
  };
}

export function sendExport(res: Response, familyId: string, body: unknown): void {
  res.set("Content-Disposition", `attachment; filename="eldersthuis-${familyId}.json"`);
  res.json(body);
}

export function exportRouter(db: Db): Router {
  const r = Router();
  r.get("/:id/export", requireStaff, async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "export_family", { roles: ["admin", "counsellor"] });
    sendExport(res, family.id, await buildFamilyExport(db, family.id));
  });
  return r;
}
