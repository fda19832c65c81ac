// Regression: concurrent match jobs for homes that suit the same families used to deadlock in
// Postgres (each inserted a Match — a key-share lock on the family row — then asked for the
// family's row lock to append to the evidence log). The failed job was retried with backoff, and
// alerts it had already decided waited for the sweep: 45 s in bench:alert.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstBrokenEntry } from "../../../domain/evidence.js";
import { loadRegionTable } from "../../../infra/catalogue.js";
import type { Db } from "../../../infra/db.js";
import { createLogger } from "../../../infra/logger.js";
import { createWorkerRedis } from "../../../infra/redis.js";
import { matchListing } from "../../../workers/processors/match.js";
import { createQueues, type Queues } from "../../../workers/queues.js";
import { freshDatabase } from "../../support/database.js";
import { testConfig, testDb } from "../../support/env.js";

const config = testConfig();
const log = createLogger("silent", "test");
let db: Db;
let queues: Queues;

beforeAll(async () => {
  db = testDb(config);
  queues = createQueues(createWorkerRedis(config.REDIS_URL), config.QUEUE_PREFIX);
  await freshDatabase(db);
});
afterAll(async () => {
  await queues.close();
  await db.$disconnect();
});

describe("concurrent matching", () => {
  it("matches many homes for the same families at once without a deadlock, and the chains verify", async () => {
    const org = await db.organisation.create({ data: { name: "Org" } });
    const families = [];
    for (const name of ["A", "B", "C", "D"]) {
      families.push(
        await db.family.create({
          data: { displayName: name, email: `${name.toLowerCase()}@example.org`, childBirthYears: [2018], organisationId: org.id, profile: { create: { municipalities: ["Delft"], maxNetRent: 900 } } },
        }),
      );
    }
    const listings = [];
    for (let i = 0; i < 8; i++) {
      listings.push(
        await db.listing.create({
          data: {
            siteId: "woonnet-haaglanden",
            externalId: `c-${i}`,
            street: "Oude Delft",
            houseNumber: String(100 + i),
            postcode: "2611 BB",
            city: "Delft",
            municipality: "Delft",
            netRent: 700,
            bedrooms: 2,
            dwellingKind: "apartment",
            allocationModel: "first_come",
            targetGroups: ["regular"],
            closesAt: new Date(Date.now() + 3 * 86_400_000),
            sourceUrl: `https://www.woonnet-haaglanden.nl/aanbod/te-huur/details/c-${i}`,
            contentHash: `hash-${i}-0123456789abcdef`,
            homeKey: `pc:2611BB:${100 + i}:`,
            raw: {},
          },
        }),
      );
    }
    // 8 homes: within the default daily cap of 10 instant alerts, so every match gets its e-mail.
    const deps = { db, queues, log, regions: loadRegionTable() };
    const results = await Promise.allSettled(listings.map((l) => matchListing(deps, l.id, l.contentHash, log)));
    expect(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    expect(await db.match.count()).toBe(listings.length * families.length);
    expect(await db.notification.count()).toBe(listings.length * families.length);
    for (const f of families) {
      const chain = await db.activity.findMany({ where: { familyId: f.id }, orderBy: { seq: "asc" } });
      expect(chain).toHaveLength(listings.length);
      expect(firstBrokenEntry(chain.map((a) => ({ ...a, payload: a.payload as unknown })))).toBeNull();
    }
  });
});
