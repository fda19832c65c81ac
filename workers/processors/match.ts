// Match one new or changed listing against every active search profile, with the eligibility
// engine (domain/eligibility.ts). A new match creates, in one transaction, the Match (unique per
// family × listing, with its reasons and how it is sent: instant or digest), an entry in the
// evidence log and, through planDelivery, its Notification rows; then the notify jobs are
// enqueued. If the process dies between commit and enqueue, the sweep finds the queued
// Notification and enqueues it: nothing is lost, nothing is sent twice.
//
// One alert per family per home: when the family already has a match for another listing of the
// same home (Listing.homeKey: the same door on another site, or published again later), the new
// Match points at the first one (duplicateOfId), the log gets an "offered_again" entry linking the
// two, and no message is planned.
//
// Everything the decisions need is loaded once per job (families, their registrations at this
// site, existing matches); the loop itself only runs the pure engine.
import type { Job } from "bullmq";
import type { Logger } from "pino";
import { compileFamily, compileListing, decide, defaultEligibilityData, type EligibilityData } from "../../domain/eligibility.js";
import { familyFacts, listingFacts } from "../../domain/family.js";
import type { RegionTable } from "../../domain/regions.js";
import type { Db } from "../../infra/db.js";
import { Prisma } from "../../infra/db.js";
import { appendActivity, lockFamily } from "../../infra/evidence-log.js";
import { planDelivery, type PlannedNotification } from "../pipeline/delivery.js";
import { jobIds, parseJob, type Queues } from "../queues.js";

export interface MatchDeps {
  db: Db;
  queues: Queues;
  log: Logger;
  regions: RegionTable;
  /** Rule data (rent caps, per-site rules); the repository's data files by default. */
  eligibility?: EligibilityData;
  now?: () => Date;
}

export interface MatchResult {
  matched: number;
  /** New matches that are the same home as an earlier match of the family: linked, not sent. */
  duplicates: number;
  skipped: Record<string, number>;
}

export async function matchListing(deps: MatchDeps, listingId: string, contentHash: string, log: Logger): Promise<MatchResult> {
  const { db } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const data = deps.eligibility ?? defaultEligibilityData();
  const listing = await db.listing.findUnique({ where: { id: listingId }, include: { site: { select: { name: true, host: true } } } });
  if (!listing) return { matched: 0, duplicates: 0, skipped: {} };
  const compiledListing = compileListing(listingFacts(listing), data, now);

  const [families, existing, sameHome] = await Promise.all([
    db.family.findMany({
      where: { erasedAt: null, profile: { active: true } },
      select: {
        id: true,
        adults: true,
        childBirthYears: true,
        email: true,
        needs: true,
        incomeBand: true,
        profile: true,
        registrations: { where: { siteId: listing.siteId }, select: { siteId: true, registeredOn: true, renewalDueOn: true } },
      },
    }),
    db.match.findMany({ where: { listingId }, select: { familyId: true } }),
    // Earlier matches of the same home through other listings; the first one per family is the original.
    listing.homeKey
      ? db.match.findMany({
          where: { listingId: { not: listingId }, listing: { homeKey: listing.homeKey } },
          orderBy: { createdAt: "asc" },
          select: { id: true, familyId: true, duplicateOfId: true, listingId: true },
        })
      : Promise.resolve([]),
  ]);
  const alreadyMatched = new Set(existing.map((m) => m.familyId));
  const originalFor = new Map<string, { id: string; listingId: string }>();
  for (const m of sameHome) if (!originalFor.has(m.familyId)) originalFor.set(m.familyId, { id: m.duplicateOfId ?? m.id, listingId: m.listingId });

  const skipped: Record<string, number> = {};
  const toNotify: PlannedNotification[] = [];
  let matched = 0;
  let duplicates = 0;
  const address = [listing.street, listing.houseNumber, listing.houseNumberAddition].filter(Boolean).join(" ");
  for (const f of families) {
    const decision = decide(compiledListing, compileFamily(familyFacts(f, deps.regions), data), now);
    if (!decision.match) {
      skipped[decision.skip.key] = (skipped[decision.skip.key] ?? 0) + 1;
      continue;
    }
    matched += 1;
    if (alreadyMatched.has(f.id)) continue;
    const original = originalFor.get(f.id) ?? null;
    const planned = await db
      .$transaction(async (tx) => {
        await lockFamily(tx, f.id);
        // The unique (familyId, listingId) key is the guard; this read only avoids a failed insert.
        const again = await tx.match.findUnique({ where: { familyId_listingId: { familyId: f.id, listingId } }, select: { id: true } });
        if (again) return null;
        const match = await tx.match.create({
          data: {
            familyId: f.id,
            listingId,
            reasons: decision.reasons as unknown as Prisma.InputJsonValue,
            delivery: compiledListing.delivery,
            duplicateOfId: original?.id ?? null,
          },
        });
        const offer = {
          listingId,
          site: listing.siteId,
          externalId: listing.externalId,
          address,
          town: listing.city,
          closesAt: listing.closesAt?.toISOString() ?? null,
          reasons: decision.reasons,
        };
        if (original) {
          await appendActivity(tx, {
            familyId: f.id,
            type: "offered_again",
            actor: "system",
            matchId: match.id,
            payload: { ...offer, originalMatchId: original.id, originalListingId: original.listingId, homeKey: listing.homeKey },
          });
          return [];
        }
        await appendActivity(tx, { familyId: f.id, type: "offered", actor: "system", matchId: match.id, payload: { ...offer, delivery: compiledListing.delivery } });
        return planDelivery(tx, { matchId: match.id, family: { id: f.id, email: f.email } }, { now });
      })
      .catch((err: unknown) => {
        // Another worker created this match at the same moment: its transaction owns the effects.
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") return null;
        throw err;
      });
    if (planned && original) duplicates += 1;
    // Enqueued right after its own commit: a later family's failure (and the job's retry) must not
    // hold back a message that is already decided. The sweep covers a crash in between.
    for (const n of planned ?? []) {
      const delay = n.notBefore ? Math.max(0, n.notBefore.getTime() - Date.now()) : 0;
      await deps.queues.add("notify", "notify-send", { notificationId: n.id }, { jobId: jobIds.notify(n.id), delay });
      toNotify.push(n);
    }
  }
  // Only the hash this job was for: a newer change keeps the listing due for matching.
  await db.listing.updateMany({ where: { id: listingId, contentHash }, data: { matchedHash: contentHash } });
  log.info({ listingId, matched, duplicates, newNotifications: toNotify.length, delivery: compiledListing.delivery, skipped }, "listing matched");
  return { matched, duplicates, skipped };
}

export function matchProcessor(deps: MatchDeps) {
  return async (job: Job) => {
    const { listingId, contentHash } = parseJob("match", "match-listing", job.data);
    return matchListing(deps, listingId, contentHash, deps.log.child({ jobId: job.id, queue: "match" }));
  };
}
