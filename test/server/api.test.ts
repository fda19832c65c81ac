// The JSON API on real Postgres and Redis: authentication, validation that names the field,
// organisation boundaries (refused and logged), health.
import argon2 from "argon2";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../infra/db.js";
import { QUEUE_NAMES } from "../../workers/queues.js";
import { signIn, startTestApi, type TestApi } from "../support/api.js";
import { testConfig } from "../support/env.js";

const config = testConfig();
let db: Db;
let api: TestApi;
let app: TestApi["app"];
let otherFamilyId: string;

beforeAll(async () => {
  api = await startTestApi(config);
  ({ db, app } = api);
  const [x, y] = await Promise.all([db.organisation.create({ data: { name: "Org X" } }), db.organisation.create({ data: { name: "Org Y" } })]);
  const passwordHash = await argon2.hash("correct horse battery");
  await db.user.create({ data: { email: "x@org.test", name: "X", role: "counsellor", passwordHash, organisationId: x.id } });
  await db.user.create({ data: { email: "y@org.test", name: "Y", role: "counsellor", passwordHash, organisationId: y.id } });
  const other = await db.family.create({ data: { displayName: "B.", organisationId: y.id, childBirthYears: [2018] } });
  otherFamilyId = other.id;
});

afterAll(() => api.close());

describe("API", () => {
  it("answers 401 to a request for family data without a session", async () => {
    const res = await request(app).get("/api/families");
    expect(res.status).toBe(401);
    expect((await request(app).get(`/api/families/${otherFamilyId}/activity`)).status).toBe(401);
  });

  it("refuses a wrong password with 401 and no session", async () => {
    const res = await request(app).post("/api/auth/login").send({ email: "x@org.test", password: "wrong" });
    expect(res.status).toBe(401);
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("sets an httpOnly SameSite session cookie", async () => {
    const res = await request(app).post("/api/auth/login").send({ email: "x@org.test", password: "correct horse battery" });
    const cookie = String(res.headers["set-cookie"]);
    expect(cookie).toMatch(/eh_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  it("creates a family and its search profile, and lists its activity", async () => {
    const agent = await signIn(app, "x@org.test");
    const created = await agent.post("/api/families").send({ displayName: "A.", language: "ar", email: "a@example.org", adults: 1, childBirthYears: [2017, 2021] });
    expect(created.status).toBe(201);
    const id = created.body.family.id as string;
    const profile = await agent.put(`/api/families/${id}/profile`).send({ regions: ["Achterhoek"], maxNetRent: 850 });
    expect(profile.status).toBe(200);
    expect(profile.body.profile.regions).toEqual(["Achterhoek"]);
    const activity = await agent.get(`/api/families/${id}/activity`);
    expect(activity.status).toBe(200);
    expect(activity.body.activities).toEqual([]);
    const list = await agent.get("/api/families");
    expect(list.body.families.map((f: { id: string }) => f.id)).toContain(id);
  });

  it.each([
    [{ displayName: "A.", adults: "one" }, "adults"],
    [{ displayName: "" }, "displayName"],
    [{ displayName: "A.", email: "not-an-address" }, "email"],
    [{ displayName: "A.", childBirthYears: [1850] }, "childBirthYears.0"],
    [{ displayName: "A.", bsn: "123456782" }, "bsn"],
  ])("answers 400 naming the field for %j", async (body, field) => {
    const agent = await signIn(app, "x@org.test");
    const res = await agent.post("/api/families").send(body);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(field === "bsn" ? "bsn" : `${field}:`);
  });

  it("answers 400 for malformed JSON, not 500", async () => {
    const agent = await signIn(app, "x@org.test");
    const res = await agent.post("/api/families").set("content-type", "application/json").send("{not json");
    expect(res.status).toBe(400);
  });

  it("answers 400 naming the query field for a bad listing filter", async () => {
    const agent = await signIn(app, "x@org.test");
    const res = await agent.get("/api/listings?status=sold");
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^status:/);
  });

  it("hides another organisation's family and logs the refused attempt", async () => {
    const agent = await signIn(app, "x@org.test");
    for (const path of [`/api/families/${otherFamilyId}`, `/api/families/${otherFamilyId}/activity`, `/api/matches?familyId=${otherFamilyId}`]) {
      expect((await agent.get(path)).status).toBe(404);
    }
    const refused = await db.accessLog.count({ where: { familyId: otherFamilyId, allowed: false } });
    expect(refused).toBe(3);
    const own = await signIn(app, "y@org.test");
    expect((await own.get(`/api/families/${otherFamilyId}`)).status).toBe(200);
    expect(await db.accessLog.count({ where: { familyId: otherFamilyId, allowed: true, action: "read_family" } })).toBe(1);
  });

  it("refuses a cookie-authenticated write from another origin", async () => {
    const agent = await signIn(app, "x@org.test");
    const res = await agent.post("/api/families").set("origin", "https://evil.example").send({ displayName: "Z." });
    expect(res.status).toBe(403);
  });

  it("reports database, Redis, queues and each site in /api/health", async () => {
    const res = await request(app).get("/api/health");
    expect(res.status).toBe(200);
    expect(res.body.database).toBe("ok");
    expect(res.body.redis).toBe("ok");
    expect(Object.keys(res.body.queues)).toEqual(QUEUE_NAMES);
    const ids = res.body.sites.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining(["woningnet-amsterdam", "woonnet-haaglanden", "woonnet-rijnmond"]));
    expect(res.body.sites[0]).toHaveProperty("lastScrapeAt");
  });
});
