// Families sign in with a code sent by e-mail (real SMTP to the sink): single use, 10 minutes,
// attempts counted, rate limited; the same answer whether or not the address is known. Signed in,
// a family sees its own log, who viewed its data and with whom its evaluations are shared — and
// nothing of another family.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ParsedMail } from "mailparser";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendActivity } from "../../infra/evidence-log.js";
import { createLogger } from "../../infra/logger.js";
import { createApp } from "../../server/app.js";
import { FAMILY_CODE_MAX_ATTEMPTS } from "../../server/routes/family-auth.js";
import { testConfig } from "../support/env.js";
import { readOutbox } from "../support/outbox.js";
import { buildWorld, staffAgent, type World } from "./access-support.js";

let w: World;

beforeAll(async () => {
  w = await buildWorld();
});
afterAll(async () => {
  await w.close();
});

const mailsTo = async (address: string) => (await readOutbox(w.sink.outbox)).filter((m) => m.to && JSON.stringify(m.to).includes(address));

/** Asks for a code and reads it (and the link's code) from the e-mail that arrives. */
async function askCode(address: string): Promise<{ code: string; link: string; mail: ParsedMail }> {
  const already = (await mailsTo(address)).length;
  const res = await request(w.app).post("/api/family-auth/request").send({ email: address });
  expect(res.status).toBe(202);
  let mails: ParsedMail[] = [];
  const deadline = Date.now() + 20_000;
  while ((mails = await mailsTo(address)).length <= already && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const mail = mails.sort((a, b) => (a.date?.getTime() ?? 0) - (b.date?.getTime() ?? 0)).at(-1)!;
  expect(mail, `a code e-mail to ${address}`).toBeDefined();
  const code = /(\d{6})/.exec(mail.subject ?? "")![1]!;
  const link = /(https?:\/\/\S+\/login\/family\?code=[A-Za-z0-9_-]+)/.exec(mail.text ?? "")![1]!;
  return { code, link, mail };
}

async function familyAgent(address: string) {
  const { code } = await askCode(address);
  const agent = request.agent(w.app);
  const res = await agent.post("/api/family-auth/verify").send({ code, email: address });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  agent.set("X-CSRF-Token", res.body.csrfToken as string);
  return agent;
}

describe("family sign-in with a code", () => {
  it("sends a 6-digit code and a link in plain words, and answers unknown addresses the same way", async () => {
    const { code, link, mail } = await askCode("fam-a@example.org");
    expect(code).toMatch(/^\d{6}$/);
    expect(mail.text).toContain(code);
    expect(mail.text).toMatch(/10 minuten/);
    expect(new URL(link).origin).toBe(new URL(w.config.PUBLIC_URL).origin);
    // Only hashes are stored.
    const rows = await w.db.familyLoginCode.findMany({ where: { familyId: w.families.fx.id } });
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.codeHash).not.toContain(code);
      expect(r.codeHash).not.toContain(new URL(link).searchParams.get("code"));
      expect(r.expiresAt.getTime() - r.createdAt.getTime()).toBeLessThanOrEqual(10 * 60_000 + 1000);
    }

    const known = await request(w.app).post("/api/family-auth/request").send({ email: "fam-b@example.org" });
    const unknown = await request(w.app).post("/api/family-auth/request").send({ email: "nobody@example.org" });
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);
    await new Promise((r) => setTimeout(r, 500));
    expect(await mailsTo("nobody@example.org")).toHaveLength(0);
    expect((await request(w.app).post("/api/family-auth/request").send({})).body.message).toMatch(/^email:/);
  });

  it("a code works once, then never again (nor its link)", async () => {
    const { code, link } = await askCode("fam-c@example.org");
    const agent = request.agent(w.app);
    const ok = await agent.post("/api/family-auth/verify").send({ code: `${code.slice(0, 3)} ${code.slice(3)}`, email: "FAM-C@example.org" });
    expect(ok.status).toBe(200);
    expect(ok.body.family).toMatchObject({ id: w.families.fxU.id, displayName: "C." });
    expect(String(ok.headers["set-cookie"])).toMatch(/eh_session=.*HttpOnly/);
    expect((await agent.get("/api/me")).body.family.id).toBe(w.families.fxU.id);
    expect((await request(w.app).post("/api/family-auth/verify").send({ code, email: "fam-c@example.org" })).status).toBe(401);
    const token = new URL(link).searchParams.get("code")!;
    expect((await request(w.app).post("/api/family-auth/verify").send({ code: token })).status).toBe(401);
  });

  it("the link alone signs in, once", async () => {
    const { link } = await askCode("fam-d@example.org");
    const token = new URL(link).searchParams.get("code")!;
    const first = await request(w.app).post("/api/family-auth/verify").send({ code: token });
    expect(first.status).toBe(200);
    expect(first.body.family.id).toBe(w.families.fy.id);
    expect((await request(w.app).post("/api/family-auth/verify").send({ code: token })).status).toBe(401);
  });

  it("a code expires after 10 minutes", async () => {
    const address = "fam-b@example.org";
    const { code } = await askCode(address);
    await w.db.familyLoginCode.updateMany({ where: { familyId: w.families.fx2.id, usedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await request(w.app).post("/api/family-auth/verify").send({ code, email: address });
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/^code:/);
  });

  it(`a code dies after ${FAMILY_CODE_MAX_ATTEMPTS} wrong attempts`, async () => {
    const f = await w.db.family.create({ data: { displayName: "E.", email: "fam-e@example.org", organisationId: w.orgs.x } });
    const { code } = await askCode("fam-e@example.org");
    const wrong = code === "000000" ? "000001" : "000000";
    for (let i = 0; i < FAMILY_CODE_MAX_ATTEMPTS; i++) {
      expect((await request(w.app).post("/api/family-auth/verify").send({ code: wrong, email: "fam-e@example.org" })).status).toBe(401);
    }
    const row = await w.db.familyLoginCode.findFirstOrThrow({ where: { familyId: f.id, codeHash: { startsWith: "c:" } } });
    expect(row.attempts).toBe(FAMILY_CODE_MAX_ATTEMPTS);
    expect((await request(w.app).post("/api/family-auth/verify").send({ code, email: "fam-e@example.org" })).status).toBe(401);
  });

  it("asks for the address with a typed code, and limits codes per address", async () => {
    const res = await request(w.app).post("/api/family-auth/verify").send({ code: "123456" });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^email:/);
    const address = "limit@example.org";
    for (let i = 0; i < 3; i++) expect((await request(w.app).post("/api/family-auth/request").send({ email: address })).status).toBe(202);
    const limited = await request(w.app).post("/api/family-auth/request").send({ email: ` ${address.toUpperCase()}` });
    expect(limited.status).toBe(429);
  });
});

describe("a signed-in family", () => {
  it("sees its own log, who viewed it and its shares — and nothing of another family", async () => {
    const fx = w.families.fx.id;
    // Staff activity to show: a read by the counsellor, a share with an evaluator.
    const cx = await staffAgent(w, "cx@x.test");
    expect((await cx.get(`/api/families/${fx}`)).status).toBe(200);
    const ev = await w.db.evaluation.create({
      data: { familyId: fx, version: 1, periodStart: new Date("2026-01-01"), periodEnd: new Date("2026-03-31"), createdById: w.users.cx.id, childInterests: {}, report: {}, chainVerified: true },
    });
    expect((await cx.post(`/api/evaluations/${ev.id}/shares`).send({ evaluatorId: w.users.ev.id })).status).toBe(201);
    await w.db.$transaction((tx) => appendActivity(tx, { familyId: w.families.fy.id, type: "responded", actor: "family", payload: { secret: "of family D" } }));

    const fam = await familyAgent("fam-a@example.org");
    const activity = await fam.get("/api/me/activity");
    expect(activity.status).toBe(200);
    expect(activity.body.activities.map((a: { type: string }) => a.type)).toEqual(["evaluation_shared"]);
    expect(activity.body.activities[0].actor).toBe("staff");

    const log = await fam.get("/api/me/access-log");
    expect(log.body.entries).toContainEqual(expect.objectContaining({ action: "read_family", allowed: true, by: { name: "Counsellor X", role: "counsellor", organisation: "Org X" } }));

    const shares = await fam.get("/api/me/shares");
    expect(shares.body.shares).toEqual([
      expect.objectContaining({ active: true, evaluator: { name: "Evaluator GGD", role: "evaluator", organisation: "GGD" }, sharedBy: expect.objectContaining({ name: "Counsellor X" }) }),
    ]);

    const own = await fam.get("/api/me/export");
    expect(own.status).toBe(200);
    expect(own.body.family.id).toBe(fx);
    expect(JSON.stringify(own.body)).not.toContain("of family D");

    // Another family's data: refused, and logged against that family.
    const fy = w.families.fy.id;
    const before = await w.db.accessLog.count({ where: { familyId: fy, allowed: false } });
    for (const path of [`/api/families/${fy}`, `/api/families/${fy}/activity`, `/api/families/${fy}/export`]) expect((await fam.get(path)).status, path).toBe(403);
    expect((await fam.get("/api/families")).status).toBe(403);
    expect((await fam.patch(`/api/families/${fy}`).send({ displayName: "X" })).status).toBe(403);
    expect(await w.db.accessLog.count({ where: { familyId: fy, allowed: false, userId: null } })).toBe(before + 4);
    // Family D sees that someone without a staff account was refused, not who.
    const famD = await familyAgent("fam-d@example.org");
    const dLog = await famD.get("/api/me/access-log");
    expect(dLog.body.entries.filter((e: { allowed: boolean; by: unknown }) => !e.allowed && e.by === null).length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(dLog.body)).not.toContain(fx);

    // Staff routes stay closed to families, and family routes to staff.
    expect((await cx.get("/api/me/activity")).status).toBe(403);
    expect((await request(w.app).get("/api/me/activity")).status).toBe(401);

    // Writes need the CSRF token for families too; logout ends the session.
    expect((await fam.post("/api/auth/logout").unset("X-CSRF-Token")).status).toBe(403);
    expect((await fam.post("/api/auth/logout")).status).toBe(204);
    expect((await fam.get("/api/me")).status).toBe(401);
  });
});

describe("family sign-in by SMS", () => {
  it("texts the code through the SMS provider (MessageBird's API) and accepts it with the phone number", async () => {
    // A local stand-in for MessageBird's REST API: POST /messages with an AccessKey, its answer shape.
    const received: { auth: string | undefined; body: { recipients: string[]; body: string; originator: string } }[] = [];
    const fake: Server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => {
        if (req.method !== "POST" || req.url !== "/messages") return void res.writeHead(404).end();
        const body = JSON.parse(raw) as { recipients: string[]; body: string; originator: string };
        received.push({ auth: req.headers.authorization, body });
        res.writeHead(201, { "content-type": "application/json" });
        res.end(JSON.stringify({ id: "mb-1", recipients: { totalCount: 1, items: body.recipients.map((r) => ({ recipient: Number(r), status: "sent" })) } }));
      });
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
    try {
      const config = testConfig({
        DATABASE_URL: w.config.DATABASE_URL,
        SMS_API_BASE_URL: `http://127.0.0.1:${(fake.address() as AddressInfo).port}`,
        SMS_API_KEY: "test-access-key",
        SMS_ORIGINATOR: "Eldersthuis",
      });
      const app = createApp({ db: w.db, redis: w.redis, queues: w.queues, config, log: createLogger("silent", "test") });
      const f = await w.db.family.create({ data: { displayName: "S.", phone: "06 1234 5678", organisationId: w.orgs.x } });
      expect((await request(app).post("/api/family-auth/request").send({ phone: "+31 6 12345678" })).status).toBe(202);
      const deadline = Date.now() + 10_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(received).toHaveLength(1);
      expect(received[0]!.auth).toBe("AccessKey test-access-key");
      expect(received[0]!.body.recipients).toEqual(["31612345678"]);
      const text = received[0]!.body.body;
      const code = /#(\d{6})$/.exec(text)![1]!;
      // The last line binds the code to our site, so phones can offer it for autofill.
      expect(text.split("\n").at(-1)).toBe(`@${new URL(config.PUBLIC_URL).host} #${code}`);
      const res = await request(app).post("/api/family-auth/verify").send({ code, phone: "0612345678" });
      expect(res.status).toBe(200);
      expect(res.body.family.id).toBe(f.id);
    } finally {
      await new Promise((r) => fake.close(r));
    }
  });
});
