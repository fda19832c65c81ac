// The match step on real Postgres and Redis: the engine's decision stored with its reasons, how
// each match is sent (instant or digest), and one alert per family per home when the same home
// comes again through another listing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { firstBrokenEntry } from "../../../domain/evidence.js";
import type { MatchReason } from "../../../domain/eligibility.js";
import type { Db } from "../../../infra/db.js";
import { loadRegionTable } from "../../../infra/catalogue.js";
import { createLogger } from "../../../infra/logger.js";
import { createWorkerRedis } from "../../../infra/redis.js";
import { seedCatalogue } from "../../../prisma/seed.js";
import { matchListing, type MatchDeps } from "../../../workers/processors/match.js";
import { createQueues, type Queues } from "../../../workers/queues.js";
import { resetDatabase, testConfig, testDb } from "../../support/env.js";

const config = testConfig();
const log = createLogger("silent", "test");
let db: Db;
let queues: Queues;
let deps: MatchDeps;
let aminaId: string;
let fatmaId: string;

beforeAll(async () => {
  db = testDb(config);
  queues = createQueues(createWorkerRedis(config.REDIS_URL), config.QUEUE_PREFIX);
  deps = { db, queues, log, regions: loadRegionTable() };
});
afterAll(async () => {
  await queues.close();
  await db.$disconnect();
});

let n = 0;
async function listing(over: Record<string, unknown> = {}) {
  n += 1;
  const row = await db.listing.create({
    data: {
      siteId: "woonnet-haaglanden",
      externalId: `t-${n}`,
      street: "Jan Willem Frisostraat",
      houseNumber: "52",
      postcode: "2628 TR",
      city: "Delft",
      municipality: "Delft",
      netRent: 700,
      bedrooms: 3,
      dwellingKind: "house",
      dwellingTypeLabel: "Eengezinswoning",
      allocationModel: "first_come",
      targetGroups: ["regular"],
      registrationRequired: true,
      publishedAt: new Date(Date.now() - 3600_000),
      closesAt: new Date(Date.now() + 5 * 86_400_000),
      sourceUrl: `https://www.woonnet-haaglanden.nl/aanbod/te-huur/details/t-${n}`,
      contentHash: `hash-${n}-0123456789abcdef`,
      homeKey: "pc:2628TR:52:",
      raw: {},
      ...over,
    },
  });
  return row;
}
const run = (l: { id: string; contentHash: string }) => matchListing(deps, l.id, l.contentHash, log);

beforeEach(async () => {
  await resetDatabase(db);
  await seedCatalogue(db, "http://127.0.0.1:9/s/{site}");
  const org = await db.organisation.create({ data: { name: "Org" } });
  const amina = await db.family.create({
    data: {
      displayName: "Amina",
      email: "amina@example.org",
      childBirthYears: [2016, 2020],
      incomeBand: "above_limit",
      organisationId: org.id,
      profile: { create: { municipalities: ["Delft"], maxNetRent: 900 } },
      registrations: { create: [{ siteId: "woonnet-haaglanden", registeredOn: new Date("2025-03-01T00:00:00Z") }] },
    },
  });
  aminaId = amina.id;
  // Same places, but a low income: passend toewijzen keeps homes above the cap from her.
  const fatma = await db.family.create({
    data: {
      displayName: "Fatma",
      email: "fatma@example.org",
      childBirthYears: [2014, 2018],
      incomeBand: "below_limit",
      organisationId: org.id,
      profile: { create: { regions: ["Haaglanden"], maxNetRent: 1000 } },
    },
  });
  fatmaId = fatma.id;
  // Searching elsewhere: never a candidate.
  await db.family.create({ data: { displayName: "Grace", email: "g@example.org", organisationId: org.id, profile: { create: { regions: ["Rijnmond"] } } } });
});

describe("matching with the eligibility engine", () => {
  it("stores each match with its reasons and sends first-come homes at once", async () => {
    const l = await listing({ netRent: 900 });
    const result = await run(l);
    expect(result).toMatchObject({ matched: 1, duplicates: 0 });
    expect(result.skipped).toEqual({ "skip.passend_too_expensive": 1, "skip.outside_area": 1 });
    const match = await db.match.findUniqueOrThrow({ where: { familyId_listingId: { familyId: aminaId, listingId: l.id } } });
    expect(match.delivery).toBe("instant");
    expect(match.duplicateOfId).toBeNull();
    // Her registration at this site was loaded with her: the reason says since when.
    expect((match.reasons as unknown as MatchReason[]).map((r) => r.key)).toEqual(["reason.in_area", "reason.bedrooms_fit", "reason.rent_fits", "reason.registered", "reason.first_come"]);
    expect(await db.notification.count({ where: { matchId: match.id } })).toBe(1);
    const offered = await db.activity.findFirstOrThrow({ where: { familyId: aminaId, type: "offered" } });
    expect(offered.payload).toMatchObject({ listingId: l.id, delivery: "instant" });
  });

  it("puts waiting-time homes with days to go in the digest: no message now", async () => {
    const l = await listing({ allocationModel: "waiting_time", netRent: 700 });
    await run(l);
    const matches = await db.match.findMany({ where: { listingId: l.id }, orderBy: { familyId: "asc" } });
    expect(matches).toHaveLength(2);
    expect(matches.every((m) => m.delivery === "digest")).toBe(true);
    expect(await db.notification.count()).toBe(0);
  });

  it("sends one alert per family per home: the same door on another site is linked, logged and not sent", async () => {
    const first = await listing({ netRent: 700 });
    await run(first);
    const original = await db.match.findUniqueOrThrow({ where: { familyId_listingId: { familyId: aminaId, listingId: first.id } } });
    const notificationsBefore = await db.notification.count();

    const elsewhere = await listing({ siteId: "woningnet-amsterdam", externalId: "372004", street: "Jan Willem Frisostraat", houseNumber: "52" });
    const result = await run(elsewhere);
    expect(result).toMatchObject({ matched: 2, duplicates: 2 });
    const dup = await db.match.findUniqueOrThrow({ where: { familyId_listingId: { familyId: aminaId, listingId: elsewhere.id } } });
    expect(dup.duplicateOfId).toBe(original.id);
    expect(await db.notification.count()).toBe(notificationsBefore);
    const again = await db.activity.findFirstOrThrow({ where: { familyId: aminaId, type: "offered_again" } });
    expect(again.matchId).toBe(dup.id);
    expect(again.payload).toMatchObject({ originalMatchId: original.id, originalListingId: first.id, listingId: elsewhere.id, homeKey: "pc:2628TR:52:" });

    // Published again later: still linked to the first offer, not to the second listing.
    const later = await listing({});
    await run(later);
    const third = await db.match.findUniqueOrThrow({ where: { familyId_listingId: { familyId: aminaId, listingId: later.id } } });
    expect(third.duplicateOfId).toBe(original.id);
    expect(await db.notification.count()).toBe(notificationsBefore);

    // Another home in the same street is a new home.
    const neighbour = await listing({ houseNumber: "54", homeKey: "pc:2628TR:54:" });
    await run(neighbour);
    const fresh = await db.match.findUniqueOrThrow({ where: { familyId_listingId: { familyId: aminaId, listingId: neighbour.id } } });
    expect(fresh.duplicateOfId).toBeNull();
    expect(await db.notification.count()).toBeGreaterThan(notificationsBefore);

    for (const familyId of [aminaId, fatmaId]) {
      const chain = await db.activity.findMany({ where: { familyId }, orderBy: { seq: "asc" } });
      expect(firstBrokenEntry(chain.map((a) => ({ ...a, payload: a.payload as unknown })))).toBeNull();
    }
  });

  it("does not link homes without a key", async () => {
    const a = await listing({ homeKey: null });
    const b = await listing({ homeKey: null, externalId: "other" });
    await run(a);
    await run(b);
    expect(await db.match.count({ where: { duplicateOfId: { not: null } } })).toBe(0);
  });

  it("a job run twice creates each match and each entry once", async () => {
    const l = await listing({ netRent: 700 });
    await run(l);
    await run(l);
    expect(await db.match.count()).toBe(2);
    expect(await db.activity.count({ where: { type: "offered" } })).toBe(2);
  });

  it("leaves an erased family out", async () => {
    await db.family.update({ where: { id: fatmaId }, data: { erasedAt: new Date() } });
    const l = await listing({ netRent: 700 });
    expect((await run(l)).matched).toBe(1);
  });
});
