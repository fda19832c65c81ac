// Sharing a saved evaluation with an evaluator (for example the GGD), and revoking it.
//   GET    /api/evaluators                           evaluators to choose from
//   GET    /api/evaluations/:id/shares               who has (had) access
//   POST   /api/evaluations/:id/shares {evaluatorId} share
//   DELETE /api/evaluations/:id/shares/:shareId      revoke: access ends at the evaluator's next request
// A share gives the evaluator read-only access to that family (access.ts). Both changes go into
// the family's evidence log, so the family sees them, and into the access log.
import { Router } from "express";
import { z } from "zod";
import type { Db } from "../../infra/db.js";
import { appendActivity } from "../../infra/evidence-log.js";
import { familyForStaff } from "../access.js";
import { requireRole } from "../auth.js";
import { HttpError, notFound } from "../errors.js";

const EvaluationParam = z.object({ id: z.string().uuid("must be an evaluation id (uuid)") });
const ShareParams = z.object({ id: z.string().uuid("must be an evaluation id (uuid)"), shareId: z.string().uuid("must be a share id (uuid)") });
const ShareInput = z.object({ evaluatorId: z.string().uuid("must be a user id (uuid)") }).strict();

const SHARERS = ["admin", "counsellor"] as const;

export function sharesRouter(db: Db): Router {
  const r = Router();
  const sharers = requireRole(...SHARERS);

  async function evaluationFor(req: Parameters<typeof familyForStaff>[1], id: string, action: string) {
    const evaluation = await db.evaluation.findUnique({ where: { id }, select: { id: true, familyId: true, version: true, periodStart: true, periodEnd: true } });
    if (!evaluation) throw notFound("evaluation");
    await familyForStaff(db, req, evaluation.familyId, action, { roles: [...SHARERS] });
    return evaluation;
  }

  async function describeUsers(ids: string[]) {
    const users = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, role: true, organisation: { select: { name: true } } } });
    return new Map(users.map((u) => [u.id, { id: u.id, name: u.name, role: u.role, organisation: u.organisation.name }]));
  }

  r.get("/evaluators", sharers, async (_req, res) => {
    const users = await db.user.findMany({
      where: { role: "evaluator" },
      orderBy: [{ organisation: { name: "asc" } }, { name: "asc" }],
      select: { id: true, name: true, organisation: { select: { name: true } } },
    });
    res.json({ evaluators: users.map((u) => ({ id: u.id, name: u.name, organisation: u.organisation.name })) });
  });

  r.get("/evaluations/:id/shares", sharers, async (req, res) => {
    const { id } = EvaluationParam.parse(req.params);
    await evaluationFor(req, id, "read_evaluation_shares");
    const shares = await db.evaluationShare.findMany({ where: { evaluationId: id }, orderBy: { createdAt: "asc" } });
    const users = await describeUsers([...new Set(shares.flatMap((s) => [s.evaluatorId, s.sharedById]))]);
    res.json({
      shares: shares.map((s) => ({ id: s.id, evaluator: users.get(s.evaluatorId) ?? null, sharedBy: users.get(s.sharedById) ?? null, createdAt: s.createdAt, revokedAt: s.revokedAt })),
    });
  });

  r.post("/evaluations/:id/shares", sharers, async (req, res) => {
    const { id } = EvaluationParam.parse(req.params);
    const { evaluatorId } = ShareInput.parse(req.body);
    const evaluation = await evaluationFor(req, id, "share_evaluation");
    const evaluator = await db.user.findUnique({ where: { id: evaluatorId }, select: { id: true, name: true, role: true, organisation: { select: { name: true } } } });
    if (!evaluator || evaluator.role !== "evaluator") throw new HttpError(400, "invalid_request", "evaluatorId: not an evaluator's account");
    const staff = req.staff!;
    const result = await db.$transaction(async (tx) => {
      // The family row lock (taken again by appendActivity) also keeps two clicks from making two shares.
      await tx.$queryRaw`SELECT id FROM "Family" WHERE id = ${evaluation.familyId}::uuid FOR UPDATE`;
      const existing = await tx.evaluationShare.findFirst({ where: { evaluationId: id, evaluatorId, revokedAt: null } });
      if (existing) return { share: existing, created: false };
      const share = await tx.evaluationShare.create({ data: { evaluationId: id, evaluatorId, sharedById: staff.id } });
      await appendActivity(tx, {
        familyId: evaluation.familyId,
        type: "evaluation_shared",
        actor: `staff:${staff.id}`,
        payload: {
          evaluationId: id,
          version: evaluation.version,
          shareId: share.id,
          evaluator: { id: evaluator.id, name: evaluator.name, organisation: evaluator.organisation.name },
          sharedBy: { id: staff.id, name: staff.name },
        },
      });
      return { share, created: true };
    });
    res.status(result.created ? 201 : 200).json({
      share: { id: result.share.id, evaluator: { id: evaluator.id, name: evaluator.name, organisation: evaluator.organisation.name }, createdAt: result.share.createdAt, revokedAt: null },
    });
  });

  r.delete("/evaluations/:id/shares/:shareId", sharers, async (req, res) => {
    const { id, shareId } = ShareParams.parse(req.params);
    const evaluation = await evaluationFor(req, id, "revoke_evaluation_share");
    const share = await db.evaluationShare.findFirst({ where: { id: shareId, evaluationId: id } });
    if (!share) throw notFound("share");
    const staff = req.staff!;
    await db.$transaction(async (tx) => {
      const revoked = await tx.evaluationShare.updateMany({ where: { id: shareId, revokedAt: null }, data: { revokedAt: new Date() } });
      // Revoking twice is harmless and recorded once.
      if (revoked.count !== 1) return;
      await appendActivity(tx, {
        familyId: evaluation.familyId,
        type: "evaluation_share_revoked",
        actor: `staff:${staff.id}`,
        payload: { evaluationId: id, version: evaluation.version, shareId, evaluatorId: share.evaluatorId, revokedBy: { id: staff.id, name: staff.name } },
      });
    });
    res.status(204).end();
  });
  return r;
}
