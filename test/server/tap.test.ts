// One-tap answers on the real app, Postgres and Redis: the four answers, the optional reasons
// (one tap each) and note, "Help me" creating a counsellor task, and all of it in the evidence log.
import request from "supertest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { firstBrokenEntry } from "../../domain/evidence.js";
import { createTapToken, type TapAction } from "../../domain/tokens.js";
import type { Db } from "../../infra/db.js";
import { createLogger } from "../../infra/logger.js";
import { createApiRedis } from "../../infra/redis.js";
import { seedCatalogue } from "../../prisma/seed.js";
import { createApp } from "../../server/app.js";
import { createQueues, type Queues } from "../../workers/queues.js";
import { resetDatabase, testConfig, testDb } from "../support/env.js";

const config = testConfig();
let db: Db;
let queues: Queues;
let redis: ReturnType<typeof createApiRedis>;
let app: ReturnType<typeof createApp>;
let familyId: string;
let matchId: string;

const token = (action: TapAction, ttlSeconds = 3600) => createTapToken({ matchId, action, ttlSeconds }, config.TOKEN_SECRET);
const entries = () => db.activity.findMany({ where: { familyId }, orderBy: { seq: "asc" } });
/** A form post as the browser sends it from our own page. */
const form = (path: string, body: Record<string, string>) => request(app).post(path).type("form").send(body);

beforeAll(async () => {
  db = testDb(config);
  redis = createApiRedis(config.REDIS_URL);
  queues = createQueues(redis, config.QUEUE_PREFIX);
  app = createApp({ db, redis, queues, config, log: createLogger("silent", "test") });
});
afterAll(async () => {
  await queues.close();
  redis.disconnect();
  await db.$disconnect();
});

async function setUp(language: string) {
  await resetDatabase(db);
  await seedCatalogue(db, "http://127.0.0.1:9/s/{site}");
  const org = await db.organisation.create({ data: { name: "Org" } });
  const family = await db.family.create({ data: { displayName: "Amina", language, organisationId: org.id, childBirthYears: [2016, 2020] } });
  familyId = family.id;
  const listing = await db.listing.create({
    data: {
      siteId: "woonnet-haaglanden",
      externalId: "266497",
      street: "Jan Willem Frisostraat",
      houseNumber: "52",
      postcode: "2628 TR",
      city: "Delft",
      municipality: "Delft",
      dwellingKind: "house",
      allocationModel: "waiting_time",
      targetGroups: ["regular"],
      closesAt: new Date(Date.now() + 3 * 86_400_000),
      sourceUrl: "https://www.woonnet-haaglanden.nl/aanbod/te-huur/details/266497",
      contentHash: "h1-0123456789abcdef",
      raw: {},
    },
  });
  const match = await db.match.create({ data: { familyId, listingId: listing.id, reasons: [] } });
  matchId = match.id;
}

describe("one-tap answers", () => {
  beforeEach(() => setUp("nl"));

  it("shows what the tap records, and records it only on POST", async () => {
    const t = token("responded");
    const page = await request(app).get(`/r/${t}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Ja, ik heb gereageerd");
    expect(page.text).toContain('<script src="/assets/tap.js">');
    expect(await db.activity.count()).toBe(0);

    const done = await form(`/r/${t}`, {});
    expect(done.status).toBe(200);
    expect(done.text).toContain("u heeft gereageerd op Jan Willem Frisostraat 52, Delft");
    // "I responded" has no reasons to give, but a note is offered (and not required).
    expect(done.text).not.toContain('name="reason"');
    expect(done.text).toContain('name="note"');
    expect(done.text).not.toMatch(/<textarea[^>]*required/);
    const [e] = await entries();
    expect(e).toMatchObject({ type: "responded", actor: "family", matchId });
    expect(e!.payload).toMatchObject({ via: "one_tap", address: "Jan Willem Frisostraat 52, Delft" });

    const again = await form(`/r/${t}`, {});
    expect(again.text).toContain("Deze link is al gebruikt");
    expect(await db.activity.count()).toBe(1);
  });

  it("'Not suitable' offers its five reasons; one more tap records one, once", async () => {
    const t = token("not_for_us");
    const done = await form(`/r/${t}`, {});
    expect(done.text).toContain("past niet bij u");
    for (const r of ["too_small", "too_expensive", "too_far", "not_accessible", "other"]) expect(done.text).toContain(`value="${r}"`);
    expect(done.text).toContain("Te ver van school of zorg");
    expect(done.text).toContain("U hoeft dit niet te vertellen.");

    const reason = await form(`/r/${t}/reason`, { reason: "too_far" });
    expect(reason.status).toBe(200);
    expect(reason.text).toContain("We hebben dit bewaard");
    await form(`/r/${t}/reason`, { reason: "too_far" });
    await form(`/r/${t}/reason`, { reason: "too_expensive" });
    const log = await entries();
    expect(log.map((a) => a.type)).toEqual(["not_for_us", "answer_reason", "answer_reason"]);
    expect(log[1]).toMatchObject({ matchId, actor: "family" });
    expect(log[1]!.payload).toMatchObject({ answer: "not_for_us", reason: "too_far" });
    expect(log[2]!.payload).toMatchObject({ answer: "not_for_us", reason: "too_expensive" });
  });

  it("'I couldn't' offers its barriers, not the home's faults", async () => {
    const t = token("couldnt");
    const done = await form(`/r/${t}`, {});
    expect(done.text).toContain("Dat is niet erg");
    for (const r of ["no_time", "child_ill", "no_credit", "language", "site_broken", "other"]) expect(done.text).toContain(`value="${r}"`);
    expect(done.text).not.toContain('value="too_small"');
    expect((await form(`/r/${t}/reason`, { reason: "too_small" })).status).toBe(400);
    expect((await form(`/r/${t}/reason`, { reason: "child_ill" })).status).toBe(200);
    const log = await entries();
    expect(log.map((a) => [a.type, (a.payload as { reason?: string }).reason])).toEqual([
      ["couldnt", undefined],
      ["answer_reason", "child_ill"],
    ]);
  });

  it("records an optional note, and nothing for an empty one", async () => {
    const t = token("couldnt");
    await form(`/r/${t}`, {});
    expect((await form(`/r/${t}/note`, { note: "   " })).status).toBe(200);
    expect(await db.activity.count({ where: { type: "answer_note" } })).toBe(0);
    const saved = await form(`/r/${t}/note`, { note: "Mijn telefoon was leeg." });
    expect(saved.status).toBe(200);
    expect(saved.text).toContain("We hebben uw bericht bewaard");
    const note = await db.activity.findFirstOrThrow({ where: { type: "answer_note" } });
    expect(note.payload).toMatchObject({ answer: "couldnt", note: "Mijn telefoon was leeg." });
    expect((await form(`/r/${t}/note`, { note: "x".repeat(1001) })).status).toBe(400);
    expect(await db.activity.count({ where: { type: "answer_note" } })).toBe(1);
  });

  it("'Help me' creates one counsellor task per home and puts the family's note on it", async () => {
    const t = token("help");
    const page = await request(app).get(`/r/${t}`);
    expect(page.text).toContain("Ja, ik wil hulp");
    const done = await form(`/r/${t}`, {});
    expect(done.text).toContain("Uw begeleider neemt contact met u op");
    expect(done.text).toContain("Waarmee wilt u hulp?");
    const task = await db.task.findFirstOrThrow({ where: { familyId } });
    expect(task).toMatchObject({ kind: "help_requested", matchId, status: "open", note: null });
    const entry = await db.activity.findFirstOrThrow({ where: { type: "help_requested" } });
    expect(entry.payload).toMatchObject({ taskId: task.id });

    await form(`/r/${t}/note`, { note: "Ik begrijp de website niet." });
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).note).toBe("Ik begrijp de website niet.");

    // A second "Help me" from another message: recorded, but the open task is the same.
    await form(`/r/${token("help")}`, {});
    expect(await db.task.count()).toBe(1);
    expect(await db.activity.count({ where: { type: "help_requested" } })).toBe(2);
  });

  it("asks for the answer first before a reason or a note", async () => {
    const t = token("not_for_us");
    expect((await form(`/r/${t}/reason`, { reason: "too_small" })).status).toBe(409);
    expect((await form(`/r/${t}/note`, { note: "x" })).status).toBe(409);
    expect(await db.activity.count()).toBe(0);
  });

  it("refuses expired and altered links with a plain page", async () => {
    const expired = createTapToken({ matchId, action: "responded", ttlSeconds: 60 }, config.TOKEN_SECRET, new Date(Date.now() - 3600_000));
    const gone = await request(app).get(`/r/${expired}`);
    expect(gone.status).toBe(410);
    expect(gone.text).toContain("Deze link is verlopen");
    const [body, sig] = token("responded").split(".");
    const altered = await form(`/r/${body}x.${sig}/reason`, { reason: "too_small" });
    expect(altered.status).toBe(400);
    expect(altered.text).toContain("Deze link werkt niet");
    expect(altered.text).not.toMatch(/Error|at .*\.ts/);
  });

  it("keeps the family's evidence chain intact through answers, reasons and notes", async () => {
    const t = token("not_for_us");
    await form(`/r/${t}`, {});
    await form(`/r/${t}/reason`, { reason: "not_accessible" });
    await form(`/r/${t}/note`, { note: "Trap naar de voordeur." });
    await form(`/r/${token("help")}`, {});
    const log = await entries();
    expect(log).toHaveLength(4);
    expect(firstBrokenEntry(log.map((a) => ({ ...a, payload: a.payload as unknown })))).toBeNull();
  });
});

describe("in the family's language", () => {
  beforeEach(() => setUp("ar"));
  it("writes Arabic pages right to left", async () => {
    const t = token("couldnt");
    const page = await request(app).get(`/r/${t}`);
    expect(page.text).toContain('<html lang="ar" dir="rtl">');
    expect(page.text).toContain("نعم، لم أستطع");
    const done = await form(`/r/${t}`, {});
    expect(done.text).toContain("طفلي كان مريضًا");
  });
});
