// Families, their profiles, registrations and alert preferences. Staff only, by the access rules
// in access.ts; every read and change is written to the access log (who, what, when).
// Inputs are strict zod objects: unknown fields are refused, so nobody stores a BSN or a
// diagnosis "on the side". A child's care need is stored only as the places where the care is.
import { Router, type Request } from "express";
import { z } from "zod";
import { compileFamily, compileListing, decide, defaultEligibilityData } from "../../domain/eligibility.js";
import { familyFacts, INCOME_BANDS, joinNeeds, joinRegions, LANGUAGES_ALL, listingFacts, NEEDS, splitNeeds, splitRegions } from "../../domain/family.js";
import { renderReason } from "../../domain/messages.js";
import { normalizePlace } from "../../domain/matching.js";
import type { RegionTable } from "../../domain/regions.js";
import { loadRegionTable } from "../../infra/catalogue.js";
import { Prisma, type Db } from "../../infra/db.js";
import { appendActivity, lockFamily } from "../../infra/evidence-log.js";
import { familyForStaff, logAccess } from "../access.js";
import { requireStaff } from "../auth.js";
import { badRequest, forbidden, HttpError, notFound } from "../errors.js";

const thisYear = () => new Date().getUTCFullYear();
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time "HH:mm" (24-hour clock)');
const place = z.string().trim().min(1).max(80);
const day = z.iso.date("must be a date YYYY-MM-DD");
const dayAsDate = (d: string) => new Date(`${d}T00:00:00Z`);
const todayUtc = () => new Date().toISOString().slice(0, 10);

/** Every field a family record may carry. Shared by create (with defaults) and update (without). */
const familyFields = {
  displayName: z.string().trim().min(1).max(60),
  language: z.enum(LANGUAGES_ALL),
  email: z.string().trim().email().max(254).nullable(),
  phone: z.string().trim().regex(/^\+?[0-9 ]{8,16}$/, "must be a phone number like +31612345678").nullable(),
  adults: z.number().int().min(1).max(4),
  childBirthYears: z.array(z.number().int().min(1990).max(thisYear())).max(12),
  counsellorId: z.string().uuid().nullable(),
  /** Needs that restrict the home; never a diagnosis. */
  needs: z.array(z.enum(NEEDS)).max(NEEDS.length),
  incomeBand: z.enum(INCOME_BANDS).nullable(),
  quietFrom: hhmm,
  quietUntil: hhmm,
  digestTime: hhmm,
  dailyCap: z.number().int().min(1).max(50),
  pausedUntil: z.iso.datetime({ offset: true, message: "must be an ISO date-time with offset, e.g. 2026-12-01T08:00:00+01:00" }).nullable(),
};

export const FamilyInput = z
  .object({
    ...familyFields,
    language: familyFields.language.default("nl"),
    email: familyFields.email.optional(),
    phone: familyFields.phone.optional(),
    adults: familyFields.adults.default(1),
    childBirthYears: familyFields.childBirthYears.default([]),
    counsellorId: familyFields.counsellorId.optional(),
    needs: familyFields.needs.default([]),
    incomeBand: familyFields.incomeBand.default(null),
    quietFrom: familyFields.quietFrom.optional(),
    quietUntil: familyFields.quietUntil.optional(),
    digestTime: familyFields.digestTime.optional(),
    dailyCap: familyFields.dailyCap.optional(),
    pausedUntil: familyFields.pausedUntil.optional(),
  })
  .strict();

// No defaults here: a PATCH changes only what it names (a default would silently reset the rest).
export const FamilyPatch = z.object(familyFields).partial().strict();

const profileFields = {
  municipalities: z.array(place).max(400),
  regions: z.array(place).max(50),
  /** Places (regions or municipalities) the family does not want; they win over the ones above. */
  excludedPlaces: z.array(place).max(100),
  /** A child's care exists only here (regions or municipalities); empty = no restriction. */
  careRegions: z.array(place).max(50),
  minBedrooms: z.number().int().min(0).max(10).nullable(),
  maxNetRent: z.number().min(0).max(5000).nullable(),
  dwellingKinds: z.array(z.enum(["house", "apartment", "room"])),
  qualifiesSenior: z.boolean(),
  qualifiesStudent: z.boolean(),
  qualifiesYouth: z.boolean(),
  active: z.boolean(),
};

export const ProfileInput = z
  .object({
    municipalities: profileFields.municipalities.default([]),
    regions: profileFields.regions.default([]),
    excludedPlaces: profileFields.excludedPlaces.default([]),
    careRegions: profileFields.careRegions.default([]),
    minBedrooms: profileFields.minBedrooms.default(null),
    maxNetRent: profileFields.maxNetRent.default(null),
    dwellingKinds: profileFields.dwellingKinds.default([]),
    qualifiesSenior: profileFields.qualifiesSenior.default(false),
    qualifiesStudent: profileFields.qualifiesStudent.default(false),
    qualifiesYouth: profileFields.qualifiesYouth.default(false),
    active: profileFields.active.default(true),
  })
  .strict();

const registrationFields = {
  siteId: z.string().trim().min(1).max(100),
  registeredOn: day,
  registrationNumber: z.string().trim().min(1).max(40).nullable(),
  renewalDueOn: day.nullable(),
};
export const RegistrationInput = z
  .object({
    ...registrationFields,
    registrationNumber: registrationFields.registrationNumber.optional(),
    renewalDueOn: registrationFields.renewalDueOn.optional(),
  })
  .strict();
export const RegistrationPatch = z.object(registrationFields).omit({ siteId: true }).partial().strict();

const RegistrationParams = z.object({ registrationId: z.string().uuid("must be a registration id (uuid)") });
const DecisionParams = z.object({ listingId: z.string().uuid("must be a listing id (uuid)") });
const DecisionQuery = z.object({ lang: z.enum(LANGUAGES_ALL).default("nl") }).strict();

/** A zod-style 400 naming the field, for checks zod cannot do alone (lookups, cross-field rules). */
function fieldError(field: string, message: string): never {
  throw badRequest(`${field}: ${message}`);
}

type FamilyRow = { needs: string[]; pausedUntil: Date | null } & Record<string, unknown>;
type ProfileRow = { regions: string[] } & Record<string, unknown>;

/** The stored conventions (domain/family.ts) turned back into plain fields. */
function presentFamily<F extends FamilyRow>(f: F & { profile?: ProfileRow | null }) {
  const { needs, careRegions } = splitNeeds(f.needs);
  const { profile, ...rest } = f;
  return { ...rest, needs, ...(profile !== undefined ? { profile: profile ? presentProfile(profile, careRegions) : null } : {}) };
}

function presentProfile(p: ProfileRow, careRegions: string[]) {
  const { regions, excludedPlaces } = splitRegions(p.regions);
  return { ...p, regions, excludedPlaces, careRegions };
}

function presentRegistration(r: { registeredOn: Date; renewalDueOn: Date | null } & Record<string, unknown>) {
  return { ...r, registeredOn: r.registeredOn.toISOString().slice(0, 10), renewalDueOn: r.renewalDueOn?.toISOString().slice(0, 10) ?? null };
}

function checkRegions(regions: string[], table: RegionTable, field: string): void {
  regions.forEach((r, i) => {
    if (!table.has(normalizePlace(r))) fieldError(`${field}.${i}`, `unknown region ${JSON.stringify(r)}`);
  });
}

export function familiesRouter(db: Db): Router {
  const r = Router();
  r.use(requireStaff);
  let regionTable: RegionTable | undefined;
  const regions = () => (regionTable ??= loadRegionTable());

  async function checkCounsellor(req: Request, counsellorId: string | null | undefined) {
    if (!counsellorId) return;
    const c = await db.user.findUnique({ where: { id: counsellorId } });
    if (!c || c.organisationId !== req.staff!.organisationId) throw forbidden();
  }

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
    const { needs, pausedUntil, ...input } = FamilyInput.parse(req.body);
    await checkCounsellor(req, input.counsellorId);
    const family = await db.family.create({
      data: { ...input, needs: joinNeeds(needs, []), pausedUntil: pausedUntil ? new Date(pausedUntil) : null, organisationId: req.staff!.organisationId },
    });
    await logAccess(db, req, family.id, "create_family", true);
    res.status(201).json({ family: presentFamily(family) });
  });

  r.get("/:id", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "read_family");
    res.json({ family: presentFamily(family) });
  });

  r.patch("/:id", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "update_family");
    const { needs, pausedUntil, ...input } = FamilyPatch.parse(req.body);
    await checkCounsellor(req, input.counsellorId);
    const data: Prisma.FamilyUpdateInput = { ...input };
    // Needs and the care-region restriction share a column: keep the part this PATCH does not name.
    if (needs) data.needs = joinNeeds(needs, splitNeeds(family.needs).careRegions);
    if (pausedUntil !== undefined) data.pausedUntil = pausedUntil === null ? null : new Date(pausedUntil);
    const updated = await db.family.update({ where: { id: family.id }, data });
    res.json({ family: presentFamily(updated) });
  });

  r.put("/:id/profile", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "update_profile");
    const { excludedPlaces, careRegions, ...input } = ProfileInput.parse(req.body);
    checkRegions(input.regions, regions(), "regions");
    const stored = { ...input, regions: joinRegions(input.regions, excludedPlaces) };
    const profile = await db.$transaction(async (tx) => {
      await tx.family.update({ where: { id: family.id }, data: { needs: joinNeeds(splitNeeds(family.needs).needs, careRegions) } });
      return tx.searchProfile.upsert({ where: { familyId: family.id }, create: { ...stored, familyId: family.id }, update: stored });
    });
    res.json({ profile: presentProfile(profile, careRegions) });
  });

  // --- registrations at housing sites -------------------------------------------------------

  r.get("/:id/registrations", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "read_registrations");
    const rows = await db.registration.findMany({
      where: { familyId: family.id },
      orderBy: { registeredOn: "asc" },
      include: { site: { select: { name: true } } },
    });
    res.json({ registrations: rows.map(presentRegistration) });
  });

  r.post("/:id/registrations", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "create_registration");
    const input = RegistrationInput.parse(req.body);
    if (input.registeredOn > todayUtc()) fieldError("registeredOn", "must not be in the future");
    if (input.renewalDueOn && input.renewalDueOn < input.registeredOn) fieldError("renewalDueOn", "must not be before registeredOn");
    const site = await db.site.findUnique({ where: { id: input.siteId }, select: { id: true } });
    if (!site) fieldError("siteId", `unknown site ${JSON.stringify(input.siteId)}`);
    const staffActor = `staff:${req.staff!.id}`;
    try {
      const created = await db.$transaction(async (tx) => {
        await lockFamily(tx, family.id);
        const row = await tx.registration.create({
          data: {
            familyId: family.id,
            siteId: input.siteId,
            registeredOn: dayAsDate(input.registeredOn),
            registrationNumber: input.registrationNumber ?? null,
            renewalDueOn: input.renewalDueOn ? dayAsDate(input.renewalDueOn) : null,
          },
        });
        // The registration number is an identifier at the site: it stays out of the evidence log.
        await appendActivity(tx, {
          familyId: family.id,
          type: "registration_updated",
          actor: staffActor,
          payload: { change: "recorded", siteId: row.siteId, registeredOn: input.registeredOn, renewalDueOn: input.renewalDueOn ?? null },
        });
        return row;
      });
      res.status(201).json({ registration: presentRegistration(created) });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
        throw new HttpError(409, "conflict", "siteId: this family already has a registration at this site; change that one");
      }
      throw err;
    }
  });

  r.patch("/:id/registrations/:registrationId", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "update_registration");
    const { registrationId } = RegistrationParams.parse(req.params);
    const input = RegistrationPatch.parse(req.body);
    const existing = await db.registration.findFirst({ where: { id: registrationId, familyId: family.id } });
    if (!existing) throw notFound("registration");
    const registeredOn = input.registeredOn ?? existing.registeredOn.toISOString().slice(0, 10);
    const renewalDueOn = input.renewalDueOn !== undefined ? input.renewalDueOn : (existing.renewalDueOn?.toISOString().slice(0, 10) ?? null);
    if (input.registeredOn && input.registeredOn > todayUtc()) fieldError("registeredOn", "must not be in the future");
    if (renewalDueOn && renewalDueOn < registeredOn) fieldError("renewalDueOn", "must not be before registeredOn");
    const updated = await db.$transaction(async (tx) => {
      await lockFamily(tx, family.id);
      const row = await tx.registration.update({
        where: { id: existing.id },
        data: {
          registeredOn: dayAsDate(registeredOn),
          renewalDueOn: renewalDueOn ? dayAsDate(renewalDueOn) : null,
          ...(input.registrationNumber !== undefined ? { registrationNumber: input.registrationNumber } : {}),
        },
      });
      await appendActivity(tx, {
        familyId: family.id,
        type: "registration_updated",
        actor: `staff:${req.staff!.id}`,
        payload: { change: "changed", siteId: row.siteId, registeredOn, renewalDueOn },
      });
      return row;
    });
    res.json({ registration: presentRegistration(updated) });
  });

  r.delete("/:id/registrations/:registrationId", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "delete_registration");
    const { registrationId } = RegistrationParams.parse(req.params);
    const existing = await db.registration.findFirst({ where: { id: registrationId, familyId: family.id } });
    if (!existing) throw notFound("registration");
    await db.$transaction(async (tx) => {
      await lockFamily(tx, family.id);
      await tx.registration.delete({ where: { id: existing.id } });
      await appendActivity(tx, {
        familyId: family.id,
        type: "registration_updated",
        actor: `staff:${req.staff!.id}`,
        payload: { change: "removed", siteId: existing.siteId, registeredOn: existing.registeredOn.toISOString().slice(0, 10) },
      });
    });
    res.status(204).end();
  });

  // --- evidence, matches and "why (not) this home?" ----------------------------------------

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
      include: {
        listing: { select: { id: true, siteId: true, street: true, houseNumber: true, houseNumberAddition: true, city: true, netRent: true, bedrooms: true, closesAt: true, status: true, sourceUrl: true } },
        notifications: { select: { channel: true, status: true, sentAt: true } },
      },
    });
    res.json({ matches });
  });

  /**
   * The engine's decision for one family and one listing, now, with every reason rendered: how a
   * counsellor answers "why didn't she get this one?" (and "why did she get this one?").
   */
  r.get("/:id/listings/:listingId/decision", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "read_decision");
    const { listingId } = DecisionParams.parse({ listingId: req.params.listingId });
    const { lang } = DecisionQuery.parse(req.query);
    const listing = await db.listing.findUnique({ where: { id: listingId }, include: { site: { select: { name: true, host: true } } } });
    if (!listing) throw notFound("listing");
    const registrations = await db.registration.findMany({ where: { familyId: family.id }, select: { siteId: true, registeredOn: true, renewalDueOn: true } });
    const now = new Date();
    const data = defaultEligibilityData();
    const compiled = compileFamily(familyFacts({ ...family, registrations }, regions()), data);
    const cl = compileListing(listingFacts(listing), data, now);
    const decision = decide(cl, compiled, now);
    const render = (x: { key: string; values?: Record<string, string | number> }) => ({ ...x, text: renderReason(x, lang) });
    const profileActive = family.profile?.active ?? false;
    res.json(
      decision.match
        ? { match: true, delivery: cl.delivery, reasons: decision.reasons.map(render), profileActive }
        : { match: false, skip: render(decision.skip), profileActive },
    );
  });
  return r;
}
