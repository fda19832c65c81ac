// Match one new or changed listing against every active search profile.
// A new match creates, in one transaction, the Match (unique per family × listing), its e-mail
// Notification row (unique per match × channel) and an "offered" entry in the evidence log; then
// the notify job is enqueued. If the process dies between commit and enqueue, the sweep finds the
// queued Notification and enqueues it: nothing is lost, nothing is sent twice.
import type { Job } from "bullmq";
import type { Logger } from "pino";
import { decideMatch, type FamilyFacts, type ListingFacts } from "../../domain/matching.js";
import { expandPlaces, type RegionTable } from "../../domain/regions.js";
import type { Db } from "../../infra/db.js";
import { Prisma } from "../../infra/db.js";
import { appendActivity } from "../../infra/evidence-log.js";
import { planDelivery, type PlannedNotification } from "../pipeline/delivery.js";
import { jobIds, parseJob, type Queues } from "../queues.js";

export interface MatchDeps {
  db: Db;
  queues: Queues;
  log: Logger;
  regions: RegionTable;
  now?: () => Date;
}

const num = (d: Prisma.Decimal | null): number | null => (d === null ? null : d.toNumber());

export async function matchListing(deps: MatchDeps, listingId: string, contentHash: string, log: Logger): Promise<{ matched: number; skipped: Record<string, number> }> {
  const { db } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const listing = await db.listing.findUnique({ where: { id: listingId }, include: { site: { select: { name: true } } } });
  if (!listing) return { matched: 0, skipped: {} };
  const facts: ListingFacts = {
    status: listing.status,
    city: listing.city,
    municipality: listing.municipality,
    bedrooms: listing.bedrooms,
    netRent: num(listing.netRent),
    dwellingKind: listing.dwellingKind,
    dwellingTypeLabel: listing.dwellingTypeLabel,
    allocationModel: listing.allocationModel,
    targetGroups: listing.targetGroups,
    minHouseholdSize: listing.minHouseholdSize,
    maxHouseholdSize: listing.maxHouseholdSize,
    closesAt: listing.closesAt,
  };
  const families = await db.family.findMany({
    where: { profile: { active: true } },
    select: { id: true, adults: true, childBirthYears: true, email: true, profile: true },
  });

  const skipped: Record<string, number> = {};
  const toNotify: PlannedNotification[] = [];
  let matched = 0;
  for (const f of families) {
    const p = f.profile!;
    const family: FamilyFacts = {
      adults: f.adults,
      childBirthYears: f.childBirthYears,
      profile: {
        places: expandPlaces(p.municipalities, p.regions, deps.regions),
        minBedrooms: p.minBedrooms,
        maxNetRent: num(p.maxNetRent),
        dwellingKinds: p.dwellingKinds,
        qualifiesSenior: p.qualifiesSenior,
        qualifiesStudent: p.qualifiesStudent,
        qualifiesYouth: p.qualifiesYouth,
      },
    };
    const decision = decideMatch(facts, family, now);
    if (!decision.match) {
      skipped[decision.skip.key] = (skipped[decision.skip.key] ?? 0) + 1;
      continue;
    }
    matched += 1;
    const planned = await db.$transaction(async (tx) => {
      const existing = await tx.match.findUnique({ where: { familyId_listingId: { familyId: f.id, listingId } }, select: { id: true } });
      if (existing) return null;
      const match = await tx.match.create({ data: { familyId: f.id, listingId, reasons: decision.reasons as unknown as Prisma.InputJsonValue } });
      await appendActivity(tx, {
        familyId: f.id,
        type: "offered",
        actor: "system",
        matchId: match.id,
        payload: {
          listingId,
          site: listing.siteId,
          externalId: listing.externalId,
          address: `${listing.street} ${listing.houseNumber}${listing.houseNumberAddition ? ` ${listing.houseNumberAddition}` : ""}`,
          town: listing.city,
          closesAt: listing.closesAt?.toISOString() ?? null,
          reasons: decision.reasons,
        },
      });
      return planDelivery(tx, { matchId: match.id, family: { id: f.id, email: f.email } });
    }).catch((err: unknown) => {
      // Another worker created this match at the same moment: its transaction owns the effects.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") return null;
      throw err;
    });
    if (planned) toNotify.push(...planned);
  }

  for (const n of toNotify) {
    const delay = n.notBefore ? Math.max(0, n.notBefore.getTime() - Date.now()) : 0;
    await deps.queues.add("notify", "notify-send", { notificationId: n.id }, { jobId: jobIds.notify(n.id), delay });
  }
  // Only the hash this job was for: a newer change keeps the listing due for matching.
  await db.listing.updateMany({ where: { id: listingId, contentHash }, data: { matchedHash: contentHash } });
  log.info({ listingId, matched, newMatches: toNotify.length, skipped }, "listing matched");
  return { matched, skipped };
}

export function matchProcessor(deps: MatchDeps) {
  return async (job: Job) => {
    const { listingId, contentHash } = parseJob("match", "match-listing", job.data);
    return matchListing(deps, listingId, contentHash, deps.log.child({ jobId: job.id, queue: "match" }));
  };
}
