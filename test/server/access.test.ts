// Who may see what, through the API on real Postgres and Redis: organisations, caseloads,
// evaluators through shares (read-only, revocable), families, export — every refusal logged.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../infra/db.js";
import { appendActivity } from "../../infra/evidence-log.js";
import { seedCatalogue } from "../../prisma/seed.js";
import { buildWorld, staffAgent, type World } from "./access-support.js";

let w: World;
let evaluationId: string;

const refusals = (db: Db, where: { userId?: string | null; familyId?: string }) => db.accessLog.count({ where: { ...where, allowed: false } });

beforeAll(async () => {
  w = await buildWorld();
  const ev = await w.db.evaluation.create({
    data: {
      familyId: w.families.fx.id,
      version: 1,
      periodStart: new Date("2026-01-01"),
      periodEnd: new Date("2026-03-31"),
      createdById: w.users.cx.id,
      childInterests: { school: "goes to school" },
      report: { responses: 3 },
      chainVerified: true,
    },
  });
  evaluationId = ev.id;
});
afterAll(async () => {
  await w.close();
});

describe("organisations and caseloads", () => {
  it("a counsellor of organisation X cannot read a family of Y; each attempt is refused and logged", async () => {
    const cx = await staffAgent(w, "cx@x.test");
    const fy = w.families.fy.id;
    const before = await refusals(w.db, { userId: w.users.cx.id, familyId: fy });
    for (const path of [`/api/families/${fy}`, `/api/families/${fy}/activity`, `/api/families/${fy}/matches`, `/api/families/${fy}/export`]) {
      const res = await cx.get(path);
      expect(res.status, path).toBe(404);
    }
    expect((await cx.patch(`/api/families/${fy}`).send({ displayName: "Q." })).status).toBe(404);
    expect(await refusals(w.db, { userId: w.users.cx.id, familyId: fy })).toBe(before + 5);
    expect((await w.db.family.findUniqueOrThrow({ where: { id: fy } })).displayName).toBe("D.");
  });

  it("a counsellor reads own and unassigned families of the organisation, not a colleague's; an admin reads all of them", async () => {
    const cx = await staffAgent(w, "cx@x.test");
    expect((await cx.get(`/api/families/${w.families.fx.id}`)).status).toBe(200);
    expect((await cx.get(`/api/families/${w.families.fxU.id}`)).status).toBe(200);
    expect((await cx.get(`/api/families/${w.families.fx2.id}`)).status).toBe(404);
    expect(await w.db.accessLog.count({ where: { userId: w.users.cx.id, familyId: w.families.fx2.id, action: "read_family", allowed: false } })).toBe(1);
    const ax = await staffAgent(w, "ax@x.test");
    for (const f of [w.families.fx, w.families.fx2, w.families.fxU]) expect((await ax.get(`/api/families/${f.id}`)).status).toBe(200);
    expect((await ax.get(`/api/families/${w.families.fy.id}`)).status).toBe(404);
  });

  it("logs every allowed read with who, what and when", async () => {
    const since = new Date(Date.now() - 1000);
    const cx = await staffAgent(w, "cx@x.test");
    await cx.get(`/api/families/${w.families.fx.id}/activity`);
    const row = await w.db.accessLog.findFirstOrThrow({ where: { userId: w.users.cx.id, familyId: w.families.fx.id, action: "read_activity" }, orderBy: { at: "desc" } });
    expect(row.allowed).toBe(true);
    expect(row.at.getTime()).toBeGreaterThanOrEqual(since.getTime());
  });
});

describe("evaluators see a family only through a share, read-only, until it is revoked", () => {
  it("without a share: refused and logged", async () => {
    const ev = await staffAgent(w, "ev@ggd.test");
    const before = await refusals(w.db, { userId: w.users.ev.id, familyId: w.families.fx.id });
    expect((await ev.get(`/api/families/${w.families.fx.id}`)).status).toBe(404);
    expect((await ev.get(`/api/families/${w.families.fx.id}/activity`)).status).toBe(404);
    expect(await refusals(w.db, { userId: w.users.ev.id, familyId: w.families.fx.id })).toBe(before + 2);
  });

  it("with a share: reads, cannot write, cannot export; the family sees the share; revoking ends access at once", async () => {
    const cx = await staffAgent(w, "cx@x.test");
    const ev = await staffAgent(w, "ev@ggd.test");
    const fx = w.families.fx.id;

    // Only an evaluator can be chosen, and only staff who may see the family can share.
    expect((await cx.post(`/api/evaluations/${evaluationId}/shares`).send({ evaluatorId: w.users.cy.id })).body.message).toMatch(/^evaluatorId:/);
    const cy = await staffAgent(w, "cy@y.test");
    expect((await cy.post(`/api/evaluations/${evaluationId}/shares`).send({ evaluatorId: w.users.ev.id })).status).toBe(404);
    expect((await ev.post(`/api/evaluations/${evaluationId}/shares`).send({ evaluatorId: w.users.ev.id })).status).toBe(403);

    const shared = await cx.post(`/api/evaluations/${evaluationId}/shares`).send({ evaluatorId: w.users.ev.id });
    expect(shared.status).toBe(201);
    const shareId = shared.body.share.id as string;
    // Sharing twice keeps one share.
    expect((await cx.post(`/api/evaluations/${evaluationId}/shares`).send({ evaluatorId: w.users.ev.id })).status).toBe(200);
    expect(await w.db.evaluationShare.count({ where: { evaluationId } })).toBe(1);

    expect((await ev.get(`/api/families/${fx}`)).status).toBe(200);
    expect((await ev.get(`/api/families/${fx}/activity`)).status).toBe(200);
    // Another evaluator, or another family, stays closed.
    const ev2 = await staffAgent(w, "ev2@ggd.test");
    expect((await ev2.get(`/api/families/${fx}`)).status).toBe(404);
    expect((await ev.get(`/api/families/${w.families.fx2.id}`)).status).toBe(404);

    // Read-only: every write refused and logged; export is for the family's own organisation.
    const writesBefore = await refusals(w.db, { userId: w.users.ev.id, familyId: fx });
    expect((await ev.patch(`/api/families/${fx}`).send({ displayName: "E." })).status).toBe(403);
    expect((await ev.put(`/api/families/${fx}/profile`).send({ regions: [] })).status).toBe(403);
    expect((await ev.post("/api/families").send({ displayName: "E." })).status).toBe(403);
    expect((await ev.get(`/api/families/${fx}/export`)).status).toBe(404);
    expect(await refusals(w.db, { userId: w.users.ev.id, familyId: fx })).toBe(writesBefore + 3);
    expect((await w.db.family.findUniqueOrThrow({ where: { id: fx } })).displayName).toBe("A.");

    // The share is in the evidence log and listed for staff.
    const listed = await cx.get(`/api/evaluations/${evaluationId}/shares`);
    expect(listed.body.shares).toEqual([expect.objectContaining({ id: shareId, revokedAt: null, evaluator: expect.objectContaining({ name: "Evaluator GGD", organisation: "GGD" }) })]);
    const shareEntry = await w.db.activity.findFirstOrThrow({ where: { familyId: fx, type: "evaluation_shared" } });
    expect(shareEntry.actor).toBe(`staff:${w.users.cx.id}`);
    expect(shareEntry.payload).toMatchObject({ evaluationId, shareId });

    expect((await cx.delete(`/api/evaluations/${evaluationId}/shares/${shareId}`)).status).toBe(204);
    expect((await ev.get(`/api/families/${fx}`)).status).toBe(404);
    expect((await ev.get(`/api/families/${fx}/activity`)).status).toBe(404);
    expect(await w.db.activity.count({ where: { familyId: fx, type: "evaluation_share_revoked" } })).toBe(1);
    // Revoking again changes nothing and records nothing new.
    expect((await cx.delete(`/api/evaluations/${evaluationId}/shares/${shareId}`)).status).toBe(204);
    expect(await w.db.activity.count({ where: { familyId: fx, type: "evaluation_share_revoked" } })).toBe(1);
    expect(await w.db.accessLog.count({ where: { userId: w.users.cx.id, familyId: fx, action: { in: ["share_evaluation", "revoke_evaluation_share"] }, allowed: true } })).toBe(5); // incl. the attempt naming a non-evaluator
  });

  it("lists evaluators for the share picker, to staff who can share only", async () => {
    const cx = await staffAgent(w, "cx@x.test");
    const res = await cx.get("/api/evaluators");
    expect(res.body.evaluators.map((e: { name: string }) => e.name)).toEqual(["Evaluator GGD", "Other evaluator"]);
    const ev = await staffAgent(w, "ev@ggd.test");
    expect((await ev.get("/api/evaluators")).status).toBe(403);
  });
});

describe("export", () => {
  it("gives staff of the family's organisation all of its data as JSON, and logs it", async () => {
    const fx = w.families.fx.id;
    await seedCatalogue(w.db, "http://127.0.0.1:9/s/{site}");
    const site = await w.db.site.findFirstOrThrow();
    const listing = await w.db.listing.create({
      data: { siteId: site.id, externalId: "exp-1", street: "Kalf", houseNumber: "470", city: "Delft", dwellingKind: "apartment", allocationModel: "first_come", sourceUrl: "https://example.org/1", contentHash: "h", raw: {} },
    });
    const match = await w.db.match.create({ data: { familyId: fx, listingId: listing.id, reasons: [] } });
    await w.db.notification.create({ data: { matchId: match.id, channel: "email", status: "sent" } });
    await w.db.registration.create({ data: { familyId: fx, siteId: site.id, registeredOn: new Date("2026-01-10"), registrationNumber: "R-1" } });
    await w.db.task.create({ data: { familyId: fx, kind: "help", note: "call back" } });
    await w.db.searchProfile.create({ data: { familyId: fx, regions: ["Haaglanden"] } });
    await w.db.$transaction((tx) => appendActivity(tx, { familyId: fx, type: "responded", actor: "family", matchId: match.id, payload: { via: "email_link" } }));

    const cx = await staffAgent(w, "cx@x.test");
    const res = await cx.get(`/api/families/${fx}/export`);
    expect(res.status).toBe(200);
    expect(res.headers["content-disposition"]).toMatch(/attachment/);
    expect(res.headers["cache-control"]).toBe("no-store");
    const body = res.body;
    expect(body.format).toBe("eldersthuis-family-export/1");
    expect(body.family).toMatchObject({ id: fx, displayName: "A.", email: "fam-a@example.org", organisation: "Org X" });
    expect(body.family.calendarToken).toBeUndefined();
    expect(body.profile.regions).toEqual(["Haaglanden"]);
    expect(body.registrations).toEqual([expect.objectContaining({ registrationNumber: "R-1", siteName: site.name })]);
    expect(body.matches).toEqual([expect.objectContaining({ id: match.id, listing: expect.objectContaining({ street: "Kalf" }), notifications: [expect.objectContaining({ channel: "email" })] })]);
    expect(body.activity.map((a: { type: string }) => a.type)).toEqual(expect.arrayContaining(["evaluation_shared", "evaluation_share_revoked", "responded"]));
    expect(body.tasks).toEqual([expect.objectContaining({ note: "call back" })]);
    expect(body.evaluations).toEqual([expect.objectContaining({ id: evaluationId, childInterests: { school: "goes to school" }, shares: [expect.objectContaining({ evaluatorId: w.users.ev.id })] })]);
    expect(body.accessLog.some((a: { by: { name: string } | null; allowed: boolean }) => a.by?.name === "Evaluator GGD" && !a.allowed)).toBe(true);
    expect(await w.db.accessLog.count({ where: { userId: w.users.cx.id, familyId: fx, action: "export_family", allowed: true } })).toBe(1);

    const cy = await staffAgent(w, "cy@y.test");
    expect((await cy.get(`/api/families/${fx}/export`)).status).toBe(404);
    expect(await w.db.accessLog.count({ where: { userId: w.users.cy.id, familyId: fx, action: "export_family", allowed: false } })).toBe(1);
  });
});

describe("security headers", () => {
  it("sends a strict Content-Security-Policy and forbids framing", async () => {
    const res = await request(w.app).get("/");
    const csp = res.headers["content-security-policy"] as string;
    for (const d of ["script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "frame-ancestors 'none'"]) expect(csp).toContain(d);
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("upgrade-insecure-requests");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });
});
