// The counsellor's workspace: the caseload ordered by who needs attention, and one family's page
// (profile, registrations checklist, open homes with deadlines, the evidence log as a timeline).
// The caseload is a handful of aggregate queries over the staff member's families; the ranking
// itself is domain/caseload.ts. Every read of a family goes through familyForStaff (access log).
import { Router } from "express";
import { z } from "zod";
import {
  BARRIER_DAYS,
  DEADLINE_HOURS,
  NO_ANSWER_DAYS,
  rankCaseload,
  registrationCounts,
  registrationStatus,
  REMINDER_DAYS,
  type FamilyFigures,
} from "../../domain/caseload.js";
import { ANSWER_TYPES, type SiteFacts } from "../../domain/evaluation.js";
import { firstBrokenEntry } from "../../domain/evidence.js";
import type { RequirementSite } from "../../domain/regions.js";
import { loadCatalogue, withRegions } from "../../infra/catalogue.js";
import type { Db } from "../../infra/db.js";
import { loadRegions } from "../../infra/regions.js";
import { familyForStaff, familyScope, logAccess } from "../access.js";
import { requireRole, requireStaff } from "../auth.js";

const DAY = 86_400_000;

export interface CatalogueFacts {
  requirementSites: RequirementSite[];
  sites: SiteFacts[];
  regions: { name: string; kind: string; municipalities: string[] }[];
}

let factsCache: CatalogueFacts | undefined;

/** The catalogue as the workspace needs it (read once per process: data/ changes with a deploy). */
export function catalogueFacts(): CatalogueFacts {
  if (factsCache) return factsCache;
  const sites = withRegions(loadCatalogue());
  factsCache = {
    requirementSites: sites.map((s) => ({ id: s.id, platform: s.platform, host: s.host, krimpRegions: s.krimp })),
    sites: sites.map((s) => ({
      id: s.id,
      name: s.name,
      regions: s.regions,
      maxOpenResponses: typeof s.responseLimits.maxOpenResponses === "number" ? s.responseLimits.maxOpenResponses : null,
      responseLimitNote: s.responseLimits.note ?? (s.responseLimits.maxOpenResponses === "unlimited" ? "unlimited" : null),
      missedViewingPenalty: s.penalties.missedViewing,
      otherPenalty: s.penalties.other,
    })),
    regions: loadRegions().map((r) => ({ name: r.name, kind: r.kind, municipalities: r.municipalities })),
  };
  return factsCache;
}

const answerTypes = [...ANSWER_TYPES];

/** The figures domain/caseload.ts ranks, for many families at once (five queries, whatever the count). */
export async function caseloadFigures(
  db: Db,
  families: { id: string; displayName: string; childBirthYears: number[]; nextEvaluationOn: Date | null }[],
  now: Date,
): Promise<FamilyFigures[]> {
  const ids = families.map((f) => f.id);
  if (ids.length === 0) return [];
  const since = (days: number) => new Date(now.getTime() - days * DAY);
  const windowStart = since(Math.max(NO_ANSWER_DAYS, BARRIER_DAYS));
  const [recent, lastAnswers, reminders, tasks, deadlines, registrations] = await Promise.all([
    // Recent activity only: the (familyId, occurredAt) index keeps this to the last 30 days' rows.
    db.$queryRaw<{ familyId: string; offered: bigint; firstOffered: Date | null; barriers: bigint; lastBarrier: Date | null }[]>`
      SELECT "familyId",
             count(*) FILTER (WHERE type = 'offered' AND "occurredAt" >= ${since(NO_ANSWER_DAYS)}) AS offered,
             min("occurredAt") FILTER (WHERE type = 'offered' AND "occurredAt" >= ${since(NO_ANSWER_DAYS)}) AS "firstOffered",
             count(*) FILTER (WHERE type = 'couldnt' AND "occurredAt" >= ${since(BARRIER_DAYS)}) AS barriers,
             max("occurredAt") FILTER (WHERE type = 'couldnt' AND "occurredAt" >= ${since(BARRIER_DAYS)}) AS "lastBarrier"
      FROM "Activity"
      WHERE "familyId" = ANY(${ids}::uuid[]) AND "occurredAt" >= ${windowStart}
      GROUP BY "familyId"`,
    // The newest answer per family: a backward index scan that stops at the first answer.
    db.$queryRaw<{ id: string; lastAnswer: Date | null }[]>`
      SELECT f.id,
             (SELECT a."occurredAt" FROM "Activity" a
               WHERE a."familyId" = f.id AND a.type = ANY(${answerTypes}::text[])
               ORDER BY a."occurredAt" DESC LIMIT 1) AS "lastAnswer"
      FROM unnest(${ids}::uuid[]) AS f(id)`,
    db.$queryRaw<{ familyId: string; n: bigint }[]>`
      SELECT r."familyId", count(*) AS n
      FROM "Reminder" r
      WHERE r.status = 'sent' AND r."dueAt" >= ${since(REMINDER_DAYS + 2)} AND r."sentAt" >= ${since(REMINDER_DAYS)}
        AND r."familyId" = ANY(${ids}::uuid[]) AND r."matchId" IS NOT NULL
        AND NOT EXISTS (
          SELECT 1 FROM "Activity" a
          WHERE a."familyId" = r."familyId" AND a."occurredAt" >= r."sentAt" AND a."matchId" = r."matchId"
            AND a.type = ANY(${answerTypes}::text[]))
      GROUP BY r."familyId"`,
    db.$queryRaw<{ familyId: string; n: bigint; oldest: Date }[]>`
      SELECT "familyId", count(*) AS n, min("createdAt") AS oldest
      FROM "Task" WHERE "familyId" = ANY(${ids}::uuid[]) AND status = 'open'
      GROUP BY "familyId"`,
    // From the few listings closing soon to their matches, not from every match to its listing.
    db.$queryRaw<{ familyId: string; closesAt: Date }[]>`
      SELECT m."familyId", l."closesAt"
      FROM "Listing" l JOIN "Match" m ON m."listingId" = l.id
      WHERE l.status = 'open' AND l."closesAt" >= ${now} AND l."closesAt" <= ${new Date(now.getTime() + DEADLINE_HOURS * 3_600_000)}
        AND m."familyId" = ANY(${ids}::uuid[]) AND m."duplicateOfId" IS NULL
        AND NOT EXISTS (
          SELECT 1 FROM "Activity" a
          WHERE a."familyId" = m."familyId" AND a."occurredAt" >= m."createdAt" AND a."matchId" = m.id
            AND a.type = ANY(${answerTypes}::text[]))`,
    db.registration.findMany({ where: { familyId: { in: ids } }, select: { familyId: true, siteId: true, registeredOn: true, renewalDueOn: true } }),
  ]);
  const byId = <T extends { familyId: string }>(rows: T[]) => new Map(rows.map((r) => [r.familyId, r]));
  const recentBy = byId(recent);
  const answerBy = new Map(lastAnswers.map((r) => [r.id, r.lastAnswer]));
  const remindersBy = byId(reminders);
  const tasksBy = byId(tasks);
  const deadlinesBy = new Map<string, Date[]>();
  for (const d of deadlines) deadlinesBy.set(d.familyId, [...(deadlinesBy.get(d.familyId) ?? []), d.closesAt]);
  const registrationsBy = new Map<string, typeof registrations>();
  for (const r of registrations) registrationsBy.set(r.familyId, [...(registrationsBy.get(r.familyId) ?? []), r]);
  return families.map((f) => {
    const r = recentBy.get(f.id);
    const t = tasksBy.get(f.id);
    return {
      id: f.id,
      displayName: f.displayName,
      childCount: f.childBirthYears.length,
      nextEvaluationOn: f.nextEvaluationOn,
      lastAnswerAt: answerBy.get(f.id) ?? null,
      offeredRecently: Number(r?.offered ?? 0),
      firstOfferedRecentlyAt: r?.firstOffered ?? null,
      barriersRecently: Number(r?.barriers ?? 0),
      lastBarrierAt: r?.lastBarrier ?? null,
      remindersUnanswered: Number(remindersBy.get(f.id)?.n ?? 0),
      openHelpTasks: Number(t?.n ?? 0),
      oldestOpenHelpAt: t?.oldest ?? null,
      unansweredDeadlines: deadlinesBy.get(f.id) ?? [],
      registrations: registrationsBy.get(f.id) ?? [],
    };
  });
}

const TimelineQuery = z
  .object({
    before: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

function timelineEntry(a: { seq: number; type: string; actor: string; occurredAt: Date; matchId: string | null; payload: unknown }, staffNames: Map<string, string>) {
  const staffId = a.actor.startsWith("staff:") ? a.actor.slice("staff:".length) : null;
  return {
    seq: a.seq,
    type: a.type,
    actor: staffId ? "staff" : a.actor,
    staffName: staffId ? (staffNames.get(staffId) ?? null) : null,
    occurredAt: a.occurredAt.toISOString(),
    matchId: a.matchId,
    payload: a.payload,
  };
}

async function staffNamesFor(db: Db, actors: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(actors.filter((a) => a.startsWith("staff:")).map((a) => a.slice(6)))].filter((id) => z.string().uuid().safeParse(id).success);
  if (ids.length === 0) return new Map();
  const users = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  return new Map(users.map((u) => [u.id, u.name]));
}

export function caseloadRouter(db: Db): Router {
  const r = Router();
  r.use(["/families/:id/workspace", "/families/:id/timeline"], requireStaff);
  // The caseload is for those who follow families up; evaluators see what was shared with them.
  r.use("/caseload", requireRole("admin", "counsellor"));

  r.get("/caseload", async (req, res) => {
    const now = new Date();
    const staff = req.staff!;
    const families = await db.family.findMany({
      where: { AND: [familyScope(staff), { leftShelterOn: null, erasedAt: null }] },
      select: { id: true, displayName: true, childBirthYears: true, nextEvaluationOn: true },
    });
    const figures = await caseloadFigures(db, families, now);
    await logAccess(db, req, null, "read_caseload", true);
    const facts = catalogueFacts();
    const names = new Map(facts.sites.map((s) => [s.id, s.name]));
    const rows = rankCaseload(figures, facts.requirementSites, now);
    for (const row of rows) for (const s of row.signals) if (typeof s.values.siteId === "string") s.values.siteName = names.get(s.values.siteId) ?? s.values.siteId;
    res.json({ generatedAt: now.toISOString(), families: rows });
  });

  r.get("/families/:id/workspace", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "read_workspace");
    const now = new Date();
    const facts = catalogueFacts();
    const [registrations, matches, activities, tasks, evaluations, counsellor] = await Promise.all([
      db.registration.findMany({ where: { familyId: family.id }, include: { site: { select: { name: true } } }, orderBy: { registeredOn: "asc" } }),
      db.match.findMany({
        where: { familyId: family.id, listing: { status: "open", OR: [{ closesAt: null }, { closesAt: { gte: now } }] } },
        select: {
          id: true,
          createdAt: true,
          listing: { select: { id: true, siteId: true, street: true, houseNumber: true, houseNumberAddition: true, city: true, netRent: true, bedrooms: true, closesAt: true, sourceUrl: true, allocationModel: true } },
        },
      }),
      db.activity.findMany({ where: { familyId: family.id }, orderBy: { seq: "asc" } }),
      db.task.findMany({ where: { familyId: family.id }, orderBy: { createdAt: "desc" }, take: 50, select: { id: true, kind: true, status: true, note: true, createdAt: true, doneAt: true, matchId: true } }),
      db.evaluation.findMany({ where: { familyId: family.id }, orderBy: { version: "desc" }, select: { id: true, version: true, periodStart: true, periodEnd: true, createdAt: true, chainVerified: true } }),
      family.counsellorId ? db.user.findUnique({ where: { id: family.counsellorId }, select: { name: true } }) : null,
    ]);
    const answered = new Map<string, string>();
    for (const a of activities) if (a.matchId && (ANSWER_TYPES as readonly string[]).includes(a.type)) answered.set(a.matchId, a.type);
    const status = registrationStatus(registrations, facts.requirementSites, now);
    const registered = new Set(registrations.map((x) => x.siteId));
    const siteNames = new Map(facts.sites.map((s) => [s.id, s.name]));
    const newest = activities.slice(-100).reverse();
    const names = await staffNamesFor(db, newest.map((a) => a.actor));
    res.json({
      family: {
        id: family.id,
        displayName: family.displayName,
        language: family.language,
        adults: family.adults,
        childBirthYears: family.childBirthYears,
        needs: family.needs,
        admittedOn: family.admittedOn,
        nextEvaluationOn: family.nextEvaluationOn,
        counsellorName: counsellor?.name ?? null,
        profile: family.profile
          ? { regions: family.profile.regions, municipalities: family.profile.municipalities, minBedrooms: family.profile.minBedrooms, maxNetRent: family.profile.maxNetRent, dwellingKinds: family.profile.dwellingKinds, active: family.profile.active }
          : null,
      },
      registrations: {
        items: registrations.map((x) => ({
          siteId: x.siteId,
          siteName: x.site.name,
          registeredOn: x.registeredOn,
          renewalDueOn: x.renewalDueOn,
          counts: registrationCounts(x.siteId, facts.requirementSites),
        })),
        woningnet: status.woningnet,
        krimpSites: status.krimpSites.length,
        required: status.krimpSitesRequired,
        met: status.met,
        renewals: status.renewals,
        // Sites in krimpregio's the family could still register at, for the conversation.
        krimpSuggestions: facts.requirementSites.filter((s) => s.krimpRegions.length > 0 && !registered.has(s.id)).map((s) => ({ siteId: s.id, siteName: siteNames.get(s.id) ?? s.id, regions: s.krimpRegions })),
      },
      openMatches: matches
        .map((m) => ({ matchId: m.id, offeredAt: m.createdAt, answer: answered.get(m.id) ?? null, listing: { ...m.listing, siteName: siteNames.get(m.listing.siteId) ?? m.listing.siteId } }))
        .sort((a, b) => (a.listing.closesAt?.getTime() ?? Infinity) - (b.listing.closesAt?.getTime() ?? Infinity)),
      timeline: { total: activities.length, entries: newest.map((a) => timelineEntry(a, names)), firstBrokenEntry: firstBrokenEntry(activities) },
      tasks,
      evaluations,
    });
  });

  r.get("/families/:id/timeline", async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "read_activity");
    const q = TimelineQuery.parse(req.query);
    const rows = await db.activity.findMany({
      where: { familyId: family.id, ...(q.before ? { seq: { lt: q.before } } : {}) },
      orderBy: { seq: "desc" },
      take: q.limit,
    });
    const names = await staffNamesFor(db, rows.map((a) => a.actor));
    res.json({ entries: rows.map((a) => timelineEntry(a, names)) });
  });
  return r;
}

