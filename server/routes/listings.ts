// Listings (public facts from housing sites, no personal data) and a family's matches.
import { Router } from "express";
import { z } from "zod";
import type { Db } from "../../infra/db.js";
import { requireStaff } from "../auth.js";
import { familyForStaff } from "../access.js";

const ListingQuery = z
  .object({
    status: z.enum(["open", "closed", "withdrawn"]).optional(),
    site: z.string().max(80).optional(),
    municipality: z.string().max(80).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

export function listingsRouter(db: Db): Router {
  const r = Router();
  r.use(requireStaff);
  r.get("/listings", async (req, res) => {
    const q = ListingQuery.parse(req.query);
    const where = {
      ...(q.status ? { status: q.status } : {}),
      ...(q.site ? { siteId: q.site } : {}),
      ...(q.municipality ? { municipality: { equals: q.municipality, mode: "insensitive" as const } } : {}),
    };
    const [total, listings] = await Promise.all([
      db.listing.count({ where }),
      db.listing.findMany({ where, orderBy: { firstSeenAt: "desc" }, take: q.limit, skip: q.offset, omit: { raw: true } }),
    ]);
    res.json({ total, listings });
  });

  r.get("/matches", async (req, res) => {
    const { familyId } = z.object({ familyId: z.string().uuid("must be a family id (uuid)") }).parse(req.query);
    const family = await familyForStaff(db, req, familyId, "read_matches");
    const matches = await db.match.findMany({ where: { familyId: family.id }, orderBy: { createdAt: "desc" }, include: { listing: { omit: { raw: true } } } });
    res.json({ matches });
  });
  return r;
}
