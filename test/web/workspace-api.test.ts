// The workspace's API on real Postgres and Redis: caseload scope, notes in the evidence log,
// evaluations as insert-only versions, validation that names the field, and who may read a saved
// evaluation (the counsellor's organisation; an evaluator only while it is shared), every refusal
// logged.
import argon2 from "argon2";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstBrokenEntry } from "../../domain/evidence.js";
import type { Db } from "../../infra/db.js";
import { startTestApi, type TestApi } from "../support/api.js";
import { testConfig } from "../support/env.js";

const config = testConfig();
const PASSWORD = "correct horse battery staple";
let db: Db;
let api: TestApi;
let redis: TestApi["redis"];
let app: TestApi["app"];
const ids: Record<string, string> = {};

type Agent = ReturnType<typeof request.agent> & { csrf: string };

async function signIn(email: string): Promise<Agent> {
  const agent = request.agent(app) as Agent;
  const res = await agent.post("/api/auth/login").send({ email, password: PASSWORD });
  expect(res.status).toBe(200);
  agent.csrf = res.body.csrfToken as string;
  return agent;
}

const CHILD = { situation: "School in Oost.", childrenHeard: false, childrenView: "Te jong om te vragen (2 jaar).", weighing: "Rust gaat voor.", explanation: "Niet van toepassing." };
const period = { from: "2026-01-01", to: "2026-03-31" };

beforeAll(async () => {
  api = await startTestApi(config);
  ({ db, app, redis } = api);
  // The API connection fails fast rather than queueing commands: wait until it is up.
  if (redis.status !== "ready") await new Promise((resolve) => redis.once("ready", resolve));
  const passwordHash = await argon2.hash(PASSWORD);
  const [x, y, ggd] = await Promise.all(["Org X", "Org Y", "GGD"].map((name) => db.organisation.create({ data: { name } })));
  const mk = (email: string, role: "admin" | "counsellor" | "evaluator", organisationId: string) => db.user.create({ data: { email, name: email.split("@")[0]!, role, passwordHash, organisationId } });
  ids.x = (await mk("x@org.test", "counsellor", x!.id)).id;
  ids.x2 = (await mk("x2@org.test", "counsellor", x!.id)).id;
  ids.y = (await mk("y@org.test", "counsellor", y!.id)).id;
  ids.evaluator = (await mk("ggd@org.test", "evaluator", ggd!.id)).id;
  ids.family = (await db.family.create({ data: { displayName: "A.", organisationId: x!.id, counsellorId: ids.x, childBirthYears: [2024] } })).id;
  ids.other = (await db.family.create({ data: { displayName: "B.", organisationId: x!.id, counsellorId: ids.x2, childBirthYears: [] } })).id;
});

afterAll(() => api.close());

describe("workspace API", () => {
  it("lists only the counsellor's own families in the caseload, and logs the read", async () => {
    const x = await signIn("x@org.test");
    const res = await x.get("/api/caseload");
    expect(res.status).toBe(200);
    expect(res.body.families.map((f: { familyId: string }) => f.familyId)).toEqual([ids.family]);
    expect(res.body.families[0].signals.map((s: { kind: string }) => s.kind)).toEqual(["registration_missing"]);
    expect(await db.accessLog.count({ where: { userId: ids.x, action: "read_caseload", allowed: true } })).toBe(1);
    expect((await request(app).get("/api/caseload")).status).toBe(401);
  });

  it("appends a counsellor's note to the evidence log, and names the field when it is too long", async () => {
    const x = await signIn("x@org.test");
    const noCsrf = await x.post(`/api/families/${ids.family}/notes`).send({ text: "Gebeld." });
    expect(noCsrf.status).toBe(403);
    const ok = await x.post(`/api/families/${ids.family}/notes`).set("x-csrf-token", x.csrf).send({ text: "  Gebeld over Delft.  " });
    expect(ok.status).toBe(201);
    const tooLong = await x.post(`/api/families/${ids.family}/notes`).set("x-csrf-token", x.csrf).send({ text: "x".repeat(2001) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toMatch(/^text:/);
    const extra = await x.post(`/api/families/${ids.family}/notes`).set("x-csrf-token", x.csrf).send({ text: "ok", diagnosis: "..." });
    expect(extra.status).toBe(400);
    const log = await db.activity.findMany({ where: { familyId: ids.family }, orderBy: { seq: "asc" } });
    expect(log.map((a) => [a.type, a.actor, (a.payload as { text: string }).text])).toEqual([["counsellor_note", `staff:${ids.x}`, "Gebeld over Delft."]]);
    expect(firstBrokenEntry(log)).toBeNull();
    // A colleague's family: refused like one that does not exist, and logged.
    const other = await x.post(`/api/families/${ids.other}/notes`).set("x-csrf-token", x.csrf).send({ text: "Gebeld." });
    expect(other.status).toBe(404);
    expect(await db.accessLog.count({ where: { familyId: ids.other, userId: ids.x, allowed: false } })).toBe(1);
  });

  it("validates the period and the child's-interests section, naming the field", async () => {
    const x = await signIn("x@org.test");
    const post = (body: unknown) => x.post(`/api/families/${ids.family}/evaluations`).set("x-csrf-token", x.csrf).send(body as object);
    expect((await post({ ...period, childInterests: { ...CHILD, situation: " " } })).body.message).toMatch(/^childInterests\.situation:/);
    expect((await post({ ...period, childInterests: { ...CHILD, weighing: undefined } })).body.message).toMatch(/childInterests\.weighing:/);
    expect((await post({ from: "2026-03-01", to: "2026-01-01", childInterests: CHILD })).body.message).toMatch(/^to:/);
    expect((await post({ from: "2024-01-01", to: "2026-01-01", childInterests: CHILD })).body.message).toMatch(/^to: the period can be at most a year/);
    expect((await post({ ...period, from: "1 januari", childInterests: CHILD })).body.message).toMatch(/^from:/);
    expect((await x.get(`/api/families/${ids.family}/evaluation-preview?from=2026-01-01`)).body.message).toMatch(/^to:/);
    const preview = await x.get(`/api/families/${ids.family}/evaluation-preview`);
    expect(preview.status).toBe(200);
    expect(preview.body.report.counsellorNotes).toBe(1);
    expect(await db.evaluation.count()).toBe(0);
  });

  it("saves evaluations as new versions; a saved one never changes", async () => {
    const x = await signIn("x@org.test");
    const post = (childInterests: typeof CHILD) => x.post(`/api/families/${ids.family}/evaluations`).set("x-csrf-token", x.csrf).send({ ...period, childInterests });
    // Two saves at the same moment: versions 1 and 2, neither lost.
    const [a, b] = await Promise.all([post(CHILD), post({ ...CHILD, weighing: "Tweede versie." })]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect([a.body.evaluation.version, b.body.evaluation.version].sort()).toEqual([1, 2]);
    const first = a.body.evaluation.version === 1 ? a : b;
    const before = await db.evaluation.findUniqueOrThrow({ where: { id: first.body.evaluation.id } });
    await x.post(`/api/families/${ids.family}/notes`).set("x-csrf-token", x.csrf).send({ text: "Nog een notitie." });
    const third = await post({ ...CHILD, weighing: "Derde." });
    expect(third.body.evaluation.version).toBe(3);
    const after = await db.evaluation.findUniqueOrThrow({ where: { id: first.body.evaluation.id } });
    expect(after).toEqual(before);
    const read = await x.get(`/api/evaluations/${first.body.evaluation.id}`);
    expect(read.body.evaluation).toMatchObject({ version: 1, periodStart: "2026-01-01", periodEnd: "2026-03-31", chainVerified: true, createdBy: { name: "x" } });
    expect(read.body.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    ids.evaluation = first.body.evaluation.id;
    // There is no way to change one.
    for (const method of ["put", "patch", "delete"] as const) {
      expect((await x[method](`/api/evaluations/${ids.evaluation}`).set("x-csrf-token", x.csrf).send({})).status).toBe(404);
    }
  });

  it("lets an evaluator read an evaluation only while it is shared, and logs every attempt", async () => {
    const ggd = await signIn("ggd@org.test");
    expect((await ggd.get(`/api/evaluations/${ids.evaluation}`)).status).toBe(404);
    expect((await ggd.get(`/api/evaluations/${ids.evaluation}.pdf`)).status).toBe(404);
    expect(await db.accessLog.count({ where: { userId: ids.evaluator, familyId: ids.family, allowed: false } })).toBe(2);

    const x = await signIn("x@org.test");
    const share = await x.post(`/api/evaluations/${ids.evaluation}/shares`).set("x-csrf-token", x.csrf).send({ evaluatorId: ids.evaluator });
    expect(share.status).toBe(201);
    const shared = await ggd.get(`/api/evaluations/${ids.evaluation}`);
    expect(shared.status).toBe(200);
    expect(shared.body.versions).toEqual([]);
    expect((await ggd.get("/api/evaluations/shared")).body.evaluations.map((e: { id: string; familyName: string }) => [e.id, e.familyName])).toEqual([[ids.evaluation, "A."]]);
    // Another version of the same family was not shared.
    const v2 = await db.evaluation.findFirstOrThrow({ where: { familyId: ids.family, version: 2 } });
    expect((await ggd.get(`/api/evaluations/${v2.id}`)).status).toBe(404);
    const csv = await ggd.get(`/api/evaluations/${ids.evaluation}.csv`);
    expect(csv.status).toBe(200);
    expect(csv.text).toContain("report,period_from,2026-01-01,");
    expect(csv.text).toContain("child_interests,children_heard,false,");
    // The caseload is for counsellors and admins.
    expect((await ggd.get("/api/caseload")).status).toBe(403);
    // Read-only: no notes, no evaluations.
    expect((await ggd.post(`/api/families/${ids.family}/notes`).set("x-csrf-token", ggd.csrf).send({ text: "x" })).status).toBe(403);

    await x.delete(`/api/evaluations/${ids.evaluation}/shares/${share.body.share.id}`).set("x-csrf-token", x.csrf);
    expect((await ggd.get(`/api/evaluations/${ids.evaluation}`)).status).toBe(404);
    expect((await ggd.get("/api/evaluations/shared")).body.evaluations).toEqual([]);
  });

  it("hides another organisation's evaluations", async () => {
    const y = await signIn("y@org.test");
    expect((await y.get(`/api/evaluations/${ids.evaluation}`)).status).toBe(404);
    expect((await y.get(`/api/evaluations/${ids.evaluation}/print`)).status).toBe(404);
    expect((await y.get(`/api/families/${ids.family}/evaluation-preview`)).status).toBe(404);
    expect((await y.get(`/api/families/${ids.family}/workspace`)).status).toBe(404);
    expect(await db.accessLog.count({ where: { userId: ids.y, allowed: false } })).toBe(4);
  });

  it("serves the print view as a self-contained page under its own strict policy", async () => {
    const x = await signIn("x@org.test");
    const res = await x.get(`/api/evaluations/${ids.evaluation}/print?lang=en`);
    expect(res.status).toBe(200);
    expect(res.headers["content-security-policy"]).toBe("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    expect(res.text).toContain('<html lang="en">');
    expect(res.text).toContain("Plan evaluation: A.");
    expect(res.text).not.toMatch(/<script|src=|href=/);
  });

  it("answers app routes with the web app and keeps API 404s as JSON", async () => {
    const page = await request(app).get(`/families/${ids.family}`).set("accept", "text/html");
    expect([200, 503]).toContain(page.status);
    if (page.status === 200) expect(page.text).toContain('<div id="root"></div>');
    const api = await (await signIn("x@org.test")).get("/api/no-such-thing");
    expect(api.status).toBe(404);
    expect(api.body.error).toBe("not_found");
    expect((await request(app).get("/assets/tap.js")).status).toBe(200);
    expect((await request(app).get("/app/missing.js")).status).toBe(404);
  });
});
