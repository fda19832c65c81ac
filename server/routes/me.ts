// A family's own view, signed in with a code (routes/family-auth.ts). Only its own data:
//   GET /api/me             who is signed in
//   GET /api/me/activity    its evidence log
//   GET /api/me/access-log  which staff looked at its data (name, role, organisation, what, when)
//   GET /api/me/shares      with whom its evaluations are (or were) shared
//   GET /api/me/export      all its data as JSON
import { Router } from "express";
import { z } from "zod";
import type { Db } from "../../infra/db.js";
import { requireFamily } from "../auth.js";
import { buildFamilyExport, sendExport } from "./export.js";

const Page = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    before: z.coerce.date().optional(),
  })
  .strict();

/** The evidence log names staff by id only; the family sees that a staff member acted, not an id. */
const actorKind = (actor: string) => (actor.startsWith("staff:") ? "staff" : actor);

export function meRouter(db: Db): Router {
  const r = Router();
  r.use(requireFamily);

  r.get("/", (req, res) => {
    res.json({ family: req.family });
  });

  r.get("/activity", async (req, res) => {
    const activities = await db.activity.findMany({
      where: { familyId: req.family!.id },
      orderBy: { seq: "asc" },
      select: { seq: true, type: true, actor: true, occurredAt: true, matchId: true, payload: true },
    });
    res.json({ activities: activities.map((a) => ({ ...a, actor: actorKind(a.actor) })) });
  });

  r.get("/access-log", async (req, res) => {
    const q = Page.parse(req.query);
    const rows = await db.accessLog.findMany({
      where: { familyId: req.family!.id, ...(q.before ? { at: { lt: q.before } } : {}) },
      orderBy: { at: "desc" },
      take: q.limit,
      select: { at: true, action: true, allowed: true, user: { select: { name: true, role: true, organisation: { select: { name: true } } } } },
    });
    res.json({
      entries: rows.map((a) => ({
        at: a.at,
        action: a.action,
        allowed: a.allowed,
        // No staff member: another family's session tried, or an operator tool acted.
        by: a.user ? { name: a.user.name, role: a.user.role, organisation: a.user.organisation.name } : null,
      })),
    });
  });

  r.get("/shares", async (req, res) => {
    const shares = await db.evaluationShare.findMany({
      where: { evaluation: { familyId: req.family!.id } },
      orderBy: { createdAt: "desc" },
      include: { evaluation: { select: { id: true, version: true, periodStart: true, periodEnd: true } } },
    });
    const ids = [...new Set(shares.flatMap((s) => [s.evaluatorId, s.sharedById]))];
    const users = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, role: true, organisation: { select: { name: true } } } });
    const who = new Map(users.map((u) => [u.id, { name: u.name, role: u.role, organisation: u.organisation.name }]));
    res.json({
      shares: shares.map((s) => ({
        id: s.id,
        evaluation: s.evaluation,
        evaluator: who.get(s.evaluatorId) ?? null,
        sharedBy: who.get(s.sharedById) ?? null,
        sharedAt: s.createdAt,
        revokedAt: s.revokedAt,
        active: s.revokedAt === null,
      })),
    });
  });

  r.get("/export", async (req, res) => {
    sendExport(res, req.family!.id, await buildFamilyExport(db, req.family!.id));
  });
  return r;
}
