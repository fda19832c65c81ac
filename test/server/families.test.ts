// The family profile API on the real app and database: household, needs, income band, alert
// preferences, places (preferred, excluded, care region), registrations per site, and the engine's
// answer to "why (not) this home?". Every bad field is a 400 that names it.
import argon2 from "argon2";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../infra/db.js";
import { signIn, startTestApi, type TestApi } from "../support/api.js";
import { testConfig } from "../support/env.js";

const config = testConfig();
let db: Db;
let api: TestApi;
let app: TestApi["app"];
let staff: ReturnType<typeof request.agent>;
let other: ReturnType<typeof request.agent>;

beforeAll(async () => {
  api = await startTestApi(config);
  ({ db, app } = api);
  const [x, y] = await Promise.all([db.organisation.create({ data: { name: "Org X" } }), db.organisation.create({ data: { name: "Org Y" } })]);
  const passwordHash = await argon2.hash("correct horse battery");
  await db.user.create({ data: { email: "x@org.test", name: "X", role: "counsellor", passwordHash, organisationId: x.id } });
  await db.user.create({ data: { email: "y@org.test", name: "Y", role: "counsellor", passwordHash, organisationId: y.id } });
  staff = await signIn(app, "x@org.test");
  other = await signIn(app, "y@org.test");
});

afterAll(() => api.close());

async function newFamily(body: Record<string, unknown> = {}) {
  const res = await staff.post("/api/families").send({ displayName: "A.", ...body });
  expect(res.status).toBe(201);
  return res.body.family as { id: string } & Record<string, unknown>;
}

describe("family record", () => {
  it("stores household, needs, income band and alert preferences", async () => {
    const f = await newFamily({
      language: "ar",
      adults: 1,
      childBirthYears: [2016, 2021],
      needs: ["ground_floor_or_lift"],
      incomeBand: "below_limit",
      quietFrom: "21:30",
      quietUntil: "07:30",
      digestTime: "17:00",
      dailyCap: 5,
      pausedUntil: "2026-12-01T08:00:00+01:00",
    });
    const read = await staff.get(`/api/families/${f.id}`);
    expect(read.status).toBe(200);
    expect(read.body.family).toMatchObject({
      language: "ar",
      childBirthYears: [2016, 2021],
      needs: ["ground_floor_or_lift"],
      incomeBand: "below_limit",
      quietFrom: "21:30",
      quietUntil: "07:30",
      digestTime: "17:00",
      dailyCap: 5,
      pausedUntil: "2026-12-01T07:00:00.000Z",
    });
  });

  it.each([
    [{ quietFrom: "25:00" }, "quietFrom"],
    [{ digestTime: "6pm" }, "digestTime"],
    [{ dailyCap: 0 }, "dailyCap"],
    [{ pausedUntil: "tomorrow" }, "pausedUntil"],
    [{ incomeBand: "low" }, "incomeBand"],
    [{ needs: ["autism"] }, "needs.0"],
    [{ childBirthYears: [2016.5] }, "childBirthYears.0"],
    [{ diagnosis: "ADHD" }, "diagnosis"],
    [{ bsn: "123456782" }, "bsn"],
    [{ dateOfBirth: "2016-04-01" }, "dateOfBirth"],
  ])("answers 400 naming the field for %j", async (body, field) => {
    const res = await staff.post("/api/families").send({ displayName: "A.", ...body });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(field);
  });

  it("changes only what a PATCH names", async () => {
    const f = await newFamily({ language: "tr", childBirthYears: [2019], needs: ["wheelchair"], dailyCap: 3 });
    const res = await staff.patch(`/api/families/${f.id}`).send({ digestTime: "19:00", pausedUntil: null });
    expect(res.status).toBe(200);
    expect(res.body.family).toMatchObject({ language: "tr", childBirthYears: [2019], needs: ["wheelchair"], dailyCap: 3, digestTime: "19:00", pausedUntil: null });
    const bad = await staff.patch(`/api/families/${f.id}`).send({ quietUntil: "7:00" });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^quietUntil:/);
  });
});

describe("profile: places", () => {
  it("keeps preferred regions, excluded places and the care region apart, and a needs PATCH keeps the care region", async () => {
    const f = await newFamily({ needs: ["wheelchair"] });
    const res = await staff.put(`/api/families/${f.id}/profile`).send({
      regions: ["Achterhoek", "Haaglanden"],
      municipalities: ["Delft"],
      excludedPlaces: ["Westland"],
      careRegions: ["Haaglanden"],
      maxNetRent: 850,
    });
    expect(res.status).toBe(200);
    expect(res.body.profile).toMatchObject({ regions: ["Achterhoek", "Haaglanden"], municipalities: ["Delft"], excludedPlaces: ["Westland"], careRegions: ["Haaglanden"] });
    await staff.patch(`/api/families/${f.id}`).send({ needs: ["ground_floor_or_lift"] });
    const read = await staff.get(`/api/families/${f.id}`);
    expect(read.body.family.needs).toEqual(["ground_floor_or_lift"]);
    expect(read.body.family.profile).toMatchObject({ regions: ["Achterhoek", "Haaglanden"], excludedPlaces: ["Westland"], careRegions: ["Haaglanden"] });
  });

  it("refuses an unknown region, naming it", async () => {
    const f = await newFamily();
    const res = await staff.put(`/api/families/${f.id}/profile`).send({ regions: ["Achterhoek", "Atlantis"] });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('regions.1: unknown region "Atlantis"');
  });

  it("refuses diagnosis-like fields in the profile too", async () => {
    const f = await newFamily();
    const res = await staff.put(`/api/families/${f.id}/profile`).send({ regions: [], childCondition: "autism" });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("childCondition");
  });
});

describe("registrations per site", () => {
  it("records, changes and removes a registration, each in the evidence log", async () => {
    const f = await newFamily();
    const created = await staff.post(`/api/families/${f.id}/registrations`).send({ siteId: "woningnet-amsterdam", registeredOn: "2025-02-03", registrationNumber: "WN-123", renewalDueOn: "2026-02-03" });
    expect(created.status).toBe(201);
    expect(created.body.registration).toMatchObject({ siteId: "woningnet-amsterdam", registeredOn: "2025-02-03", registrationNumber: "WN-123", renewalDueOn: "2026-02-03" });
    const id = created.body.registration.id as string;

    const list = await staff.get(`/api/families/${f.id}/registrations`);
    expect(list.body.registrations).toHaveLength(1);
    expect(list.body.registrations[0].site.name).toBe("WoningNet Stadsregio Amsterdam");

    const changed = await staff.patch(`/api/families/${f.id}/registrations/${id}`).send({ renewalDueOn: "2027-02-03" });
    expect(changed.status).toBe(200);
    expect(changed.body.registration).toMatchObject({ registeredOn: "2025-02-03", renewalDueOn: "2027-02-03", registrationNumber: "WN-123" });

    expect((await staff.delete(`/api/families/${f.id}/registrations/${id}`)).status).toBe(204);
    expect((await staff.get(`/api/families/${f.id}/registrations`)).body.registrations).toEqual([]);

    const log = await db.activity.findMany({ where: { familyId: f.id }, orderBy: { seq: "asc" } });
    expect(log.map((a) => (a.payload as { change: string }).change)).toEqual(["recorded", "changed", "removed"]);
    expect(log.every((a) => a.type === "registration_updated" && a.actor.startsWith("staff:"))).toBe(true);
    // The registration number is the site's identifier for the family: not in the log.
    expect(JSON.stringify(log.map((a) => a.payload))).not.toContain("WN-123");
  });

  it.each([
    [{ siteId: "no-such-site", registeredOn: "2025-01-01" }, 400, /^siteId: unknown site/],
    [{ siteId: "woonnet-haaglanden", registeredOn: "01-01-2025" }, 400, /^registeredOn:/],
    [{ siteId: "woonnet-haaglanden", registeredOn: "2099-01-01" }, 400, /^registeredOn: must not be in the future/],
    [{ siteId: "woonnet-haaglanden", registeredOn: "2025-01-01", renewalDueOn: "2024-01-01" }, 400, /^renewalDueOn:/],
    [{ siteId: "woonnet-haaglanden", registeredOn: "2025-01-01", bsn: "1" }, 400, /bsn/],
  ])("answers %j with %i", async (body, status, message) => {
    const f = await newFamily();
    const res = await staff.post(`/api/families/${f.id}/registrations`).send(body);
    expect(res.status).toBe(status);
    expect(res.body.message).toMatch(message);
  });

  it("answers 409 for a second registration at the same site", async () => {
    const f = await newFamily();
    const body = { siteId: "woonnet-rijnmond", registeredOn: "2025-05-05" };
    expect((await staff.post(`/api/families/${f.id}/registrations`).send(body)).status).toBe(201);
    const again = await staff.post(`/api/families/${f.id}/registrations`).send(body);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/^siteId:/);
  });

  it("hides another organisation's family", async () => {
    const f = await newFamily();
    expect((await other.get(`/api/families/${f.id}/registrations`)).status).toBe(404);
    expect((await other.post(`/api/families/${f.id}/registrations`).send({ siteId: "woonnet-rijnmond", registeredOn: "2025-05-05" })).status).toBe(404);
  });
});

describe("why (not) this home", () => {
  it("explains a match and a skip in the asked language", async () => {
    const f = await newFamily({ childBirthYears: [2016, 2020], incomeBand: "below_limit" });
    await staff.put(`/api/families/${f.id}/profile`).send({ regions: ["Haaglanden"], maxNetRent: 1000 });
    const mk = (externalId: string, netRent: number) =>
      db.listing.create({
        data: {
          siteId: "woonnet-haaglanden",
          externalId,
          street: "Goudenregenstraat",
          houseNumber: externalId,
          city: "Den Haag",
          municipality: "Den Haag",
          netRent,
          bedrooms: 3,
          dwellingKind: "apartment",
          dwellingTypeLabel: "Benedenwoning",
          allocationModel: "waiting_time",
          targetGroups: ["regular"],
          registrationRequired: true,
          closesAt: new Date(Date.now() + 5 * 86_400_000),
          sourceUrl: `https://www.woonnet-haaglanden.nl/aanbod/te-huur/details/${externalId}`,
          contentHash: `hash-${externalId}-0123456789`,
          raw: {},
        },
      });
    const fits = await mk("18", 713.02);
    const tooDear = await mk("20", 932.93);

    const yes = await staff.get(`/api/families/${f.id}/listings/${fits.id}/decision?lang=en`);
    expect(yes.status).toBe(200);
    expect(yes.body).toMatchObject({ match: true, delivery: "digest" });
    expect(yes.body.reasons.map((r: { text: string }) => r.text)).toContain("The home is in Den Haag, where you are looking.");

    const no = await staff.get(`/api/families/${f.id}/listings/${tooDear.id}/decision`);
    expect(no.body).toMatchObject({ match: false, skip: { key: "skip.passend_too_expensive" } });
    expect(no.body.skip.text).toMatch(/^De huur is te hoog voor dit inkomen en deze grootte van het gezin: €\u00a0932,93, maximaal €\u00a0\d+,\d\d \(passend toewijzen, \d{4}\)\.$/);

    const bad = await staff.get(`/api/families/${f.id}/listings/not-a-uuid/decision`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^listingId:/);
  });
});
