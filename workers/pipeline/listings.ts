// Storing what a scrape saw: upsert by (site, externalId), close what vanished from a full offer.
// Matching is decided by contentHash: only new or changed listings are matched again.
// Callers pass fullOffer only for a complete, believable offer of a healthy answer (the scrape
// processor checks that); a failed, blocked, 304 or suspicious run never reaches this step.
import { createHash } from "node:crypto";
import { canonicalJson } from "../../domain/evidence.js";
import { homeKey, type NormalizedListing } from "../../domain/listing.js";
import { normalizePlace } from "../../domain/matching.js";
import type { Db } from "../../infra/db.js";

/** The fields that matter to families; a change in any of them re-runs matching. */
export function contentHash(l: NormalizedListing): string {
  const { raw: _raw, ...fields } = l;
  return createHash("sha256").update(canonicalJson(fields)).digest("hex");
}

/**
 * DAK and Embrace give a town ("Zaandam"), not its municipality ("Zaanstad"). The catalogue's
 * town map decides; a town that is itself a municipality name maps to itself.
 */
export function resolveMunicipality(l: NormalizedListing, towns: Record<string, string>): string | null {
  if (l.municipality) return l.municipality;
  const byTown = Object.entries(towns).find(([town]) => normalizePlace(town) === normalizePlace(l.city));
  return byTown ? byTown[1] : null;
}

export interface StoreResult {
  seen: number;
  created: number;
  updated: number;
  closed: number;
  /** Listings whose matching is due: new, changed, or never matched. */
  toMatch: { id: string; contentHash: string }[];
}

export async function storeListings(
  db: Db,
  input: { siteId: string; runId: string; listings: NormalizedListing[]; towns: Record<string, string>; now: Date; fullOffer: boolean },
): Promise<StoreResult> {
  const { siteId, runId, now } = input;
  // A site may list one home twice (e.g. in two categories): the last record wins.
  const byId = new Map(input.listings.map((l) => [l.externalId, l]));
  const existing = await db.listing.findMany({
    where: { siteId, externalId: { in: [...byId.keys()] } },
    select: { id: true, externalId: true, contentHash: true, matchedHash: true, status: true, homeKey: true },
  });
  const known = new Map(existing.map((e) => [e.externalId, e]));
  const result: StoreResult = { seen: byId.size, created: 0, updated: 0, closed: 0, toMatch: [] };

  for (const l of byId.values()) {
    const hash = contentHash(l);
    const fields = {
      street: l.street,
      houseNumber: l.houseNumber,
      houseNumberAddition: l.houseNumberAddition,
      postcode: l.postcode,
      city: l.city,
      municipality: resolveMunicipality(l, input.towns),
      netRent: l.netRent,
      grossRent: l.grossRent,
      bedrooms: l.bedrooms,
      areaM2: l.areaM2,
      dwellingKind: l.dwellingKind,
      dwellingTypeLabel: l.dwellingTypeLabel,
      allocationModel: l.allocationModel,
      targetGroups: l.targetGroups,
      minHouseholdSize: l.minHouseholdSize,
      maxHouseholdSize: l.maxHouseholdSize,
      minIncome: l.minIncome,
      maxIncome: l.maxIncome,
      minAge: l.minAge,
      maxAge: l.maxAge,
      registrationRequired: l.registrationRequired,
      publishedAt: l.publishedAt,
      closesAt: l.closesAt,
      sourceUrl: l.sourceUrl,
      contentHash: hash,
      homeKey: homeKey(l),
      raw: (l.raw ?? {}) as object,
    };
    const prev = known.get(l.externalId);
    if (!prev) {
      // Upsert, not create: another worker may store the same listing at the same moment.
      const row = await db.listing.upsert({
        where: { siteId_externalId: { siteId, externalId: l.externalId } },
        create: { siteId, externalId: l.externalId, ...fields, firstSeenAt: now, lastSeenAt: now, firstSeenRunId: runId },
        update: { lastSeenAt: now },
        select: { id: true, matchedHash: true, contentHash: true },
      });
      result.created += 1;
      if (row.matchedHash !== row.contentHash) result.toMatch.push({ id: row.id, contentHash: row.contentHash });
    } else if (prev.contentHash !== hash || prev.status !== "open") {
      await db.listing.update({
        where: { id: prev.id },
        data: { ...fields, lastSeenAt: now, status: "open", closedAt: null },
      });
      result.updated += 1;
      result.toMatch.push({ id: prev.id, contentHash: hash });
    } else {
      // homeKey is not part of the content hash: rows stored before it existed get it here.
      await db.listing.update({ where: { id: prev.id }, data: { lastSeenAt: now, ...(prev.homeKey !== fields.homeKey ? { homeKey: fields.homeKey } : {}) } });
      if (prev.matchedHash !== hash) result.toMatch.push({ id: prev.id, contentHash: hash });
    }
  }

  if (input.fullOffer) {
    // Gone from the site's whole current offer: closed as of the last time we saw it.
    const vanished = await db.listing.findMany({
      where: { siteId, status: "open", externalId: { notIn: [...byId.keys()] } },
      select: { id: true, lastSeenAt: true },
    });
    for (const v of vanished) {
      // Conditional: a concurrent run that saw it again (and set lastSeenAt) must not be undone by us.
      const done = await db.listing.updateMany({ where: { id: v.id, status: "open", lastSeenAt: v.lastSeenAt }, data: { status: "closed", closedAt: v.lastSeenAt } });
      result.closed += done.count;
    }
  }
  return result;
}
