// GET /api/sites/health: each site's health for operators (staff only). Public facts about sites,
// no personal data: health and since when, last success, last error, failures in a row, the number of
// listings the last runs saw, and the recent operator notices (mailed or only recorded).
import { Router } from "express";
import { z } from "zod";
import type { Db } from "../../infra/db.js";
import { requireStaff } from "../auth.js";

const HealthQuery = z
  .object({
    /** How many recent runs the listing-count trend shows. */
    runs: z.coerce.number().int().min(1).max(50).default(10),
  })
  .strict();

interface RunRow {
  siteId: string;
  ok: boolean | null;
  listingsSeen: number;
  startedAt: Date;
}

export function sitesRouter(db: Db): Router {
  const r = Router();
  r.use(requireStaff);
  r.get("/health", async (req, res) => {
    const q = HealthQuery.parse(req.query);
    const sites = await db.site.findMany({
      orderBy: { id: "asc" },
      select: {
        id: true,
        name: true,
        platform: true,
        host: true,
        enabled: true,
        health: true,
        healthChangedAt: true,
        lastScrapeAt: true,
        lastSuccessAt: true,
        lastError: true,
        lastErrorKind: true,
        consecutiveFailures: true,
        lastListingCount: true,
      },
    });
    // The newest finished runs per site, through the (siteId, startedAt) index; deferred runs are
    // waits for a host's back-off, not attempts.
    const runs = await db.$queryRaw<RunRow[]>`
      SELECT s.id AS "siteId", r.ok, r."listingsSeen", r."startedAt"
      FROM "Site" s
      CROSS JOIN LATERAL (
        SELECT ok, "listingsSeen", "startedAt" FROM "ScrapeRun"
        WHERE "siteId" = s.id AND "finishedAt" IS NOT NULL AND ("errorKind" IS NULL OR "errorKind" <> 'deferred')
        ORDER BY "startedAt" DESC
        LIMIT ${q.runs}
      ) r`;
    const bySite = new Map<string, RunRow[]>();
    for (const run of runs) bySite.set(run.siteId, [...(bySite.get(run.siteId) ?? []), run]);
    const notices = await db.operatorNotice.findMany({
      orderBy: { createdAt: "desc" },
      take: 20,
      select: { id: true, siteId: true, kind: true, transitionAt: true, detail: true, sentAt: true, error: true },
    });
    res.json({
      sites: sites.map((s) => ({
        ...s,
        // Oldest first, as a chart reads; a failed run shows as null (no count, not zero listings).
        listingCountTrend: (bySite.get(s.id) ?? [])
          .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())
          .map((run) => (run.ok ? run.listingsSeen : null)),
      })),
      notices,
    });
  });
  return r;
}
