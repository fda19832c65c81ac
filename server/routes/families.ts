// Families and their search profiles. Only staff of the family's organisation; every read is
// written to the access log (who, what, when), refused attempts too.
import { Router } from "express";
import { z } from "zod";
import { LANGUAGES_ALL } from "../../domain/family.js";
import type { Db } from "../../infra/db.js";
import { familyForStaff, logAccess } from "../access.js";
import { requireStaff } from "../auth.js";
import { forbidden } from "../errors.js";

const thisYear = () => new Date().getUTCFullYear();

// strict(): unknown fields are refused, so nobody stores a BSN or a diagnosis "on the side".
export const FamilyInput = z
  .object({
    displayName: z.string().trim().min(1).max(60),
    language: z.enum(LANGUAGES_ALL).default("nl"),
    email: z.string().trim().email().max(254).nullable().optional(),
    phone: z.string().trim().regex(/^\+?[0-9 ]{8,16}$/, "must be a phone number like +31612345678").nullable().optional(),
    adults: z.number().int().min(1).max(4).default(1),
    childBirthYears: z.array(z.number().int().min(1990).max(thisYear())).max(12).default([]),
    counsellorId: z.string().uuid().nullable().optional(),
  })
  .strict();

export const ProfileInput = z
  .object({
    municipalities: z.array(z.string().trim().min(1).max(80)).max(400).default([]),
    regions: z.array(z.string().trim().min(1).max(80)).max(50).default([]),
    minBedrooms: z.number().int().min(0).max(10).nullable().default(null),
    maxNetRent: z.number().min(0).max(5000).nullable().default(null),
    dwellingKinds: z.array(z.enum(["house", "apartment", "room"])).default([]),
    qualifiesSenior: z.boolean().default(false),
    qualifiesStudent: z.boolean().default(false),
    qualifiesYouth: z.boolean().default(false),
    active: z.boolean().default(true),
  })
  .strict();

export function familiesRouter(db: Db): Router {
  const r = Router();
  r.use(requireStaff);

  r.get("/", async (req, res) => {
    const families = await db.family.findMany({
      where: { organisationId: req.staff!.organisationId },
      orderBy: { createdAt: "asc" },
      select: { id: true, displayName: true, language: true, adults: true, childBirthYears: true, counsellorId: true, createdAt: true },
    });
    await logAccess(db, req, null, "list_families", true);
    res.json({ families });
  });

  r.post("/", async (req, res) => {
    const input = FamilyInput.parse(req.body);
    if (input.counsellorId) {
      const c = await db.user.findUnique({ where: { id: input.counsellorId } });
      if (!c || c.organisationId !== req.staff!.organisationId) throw forbidden();
    }
    const family = await db.family.create({ data: { ...input, organisationId: req.staff!.organisationId } });
    await logAccess(db, req, family.id, "create_family", true);
    res.status(201).json({ family });
  });

  r.get("/:id", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "read_family");
    res.json({ family });
  });

  r.patch("/:id", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "update_family");
    const input = FamilyInput.partial().strict().parse(req.body);
    const updated = await db.family.update({ where: { id: family.id }, data: input });
    res.json({ family: updated });
  });

  r.put("/:id/profile", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "update_profile");
    const input = ProfileInput.parse(req.body);
    const profile = await db.searchProfile.upsert({
      where: { familyId: family.id },
      create: { ...input, familyId: family.id },
      update: input,
    });
    res.json({ profile });
  });

  r.get("/:id/activity", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "read_activity");
    const activities = await db.activity.findMany({ where: { familyId: family.id }, orderBy: { seq: "asc" } });
    res.json({ activities });
  });

  r.get("/:id/matches", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "read_matches");
    const matches = await db.match.findMany({
      where: { familyId: family.id },
      orderBy: { createdAt: "desc" },
      include: { listing: { select: { id: true, siteId: true, street: true, houseNumber: true, houseNumberAddition: true, city: true, netRent: true, bedrooms: true, closesAt: true, status: true, sourceUrl: true } }, notifications: { select: { channel: true, status: true, sentAt: true } } },
    });
    res.json({ matches });
  });
  return r;
}
