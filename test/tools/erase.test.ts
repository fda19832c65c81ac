// Erasure on real Postgres: families that left the shelter ERASE_AFTER_DAYS ago keep only anonymous
// counts; the evidence log's append-only trigger is off only inside the erasure transaction; every
// chain still verifies. Plus the operator commands as child processes (erase-due, totp-code).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import argon2 from "argon2";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstBrokenEntry } from "../../domain/evidence.js";
import { encryptSecret, totpKey } from "../../infra/crypto.js";
import type { Db } from "../../infra/db.js";
import { appendActivity } from "../../infra/evidence-log.js";
import { seedCatalogue } from "../../prisma/seed.js";
import { newTotpSecret } from "../../server/auth.js";
import { dueFamilies, eraseDue, eraseFamily, erasureCutoff } from "../../tools/cli/erase.js";
import { resetDatabase, testConfig, testDb } from "../support/env.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const config = testConfig();
let db: Db;
let adminId: string;
let orgId: string;
const DAY = 86_400_000;

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: config.DATABASE_URL, REDIS_URL: config.REDIS_URL, TOKEN_SECRET: config.TOKEN_SECRET, NODE_ENV: "test", LOG_LEVEL: "silent" };
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "tools/cli/main.ts", ...args], { cwd: ROOT, env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function chainOk(familyId: string): Promise<boolean> {
  const entries = await db.activity.findMany({ where: { familyId }, orderBy: { seq: "asc" } });
  return firstBrokenEntry(entries) === null;
}

/** A family with data of every kind, that left the shelter `leftDaysAgo` days ago. */
async function familyWithData(name: string, leftDaysAgo: number | null) {
  const f = await db.family.create({
    data: {
      displayName: name,
      email: `${name.toLowerCase()}@example.org`,
      phone: "+31612345678",
      childBirthYears: [2015, 2019],
      needs: ["ground_floor_or_lift"],
      incomeBand: "below_limit",
      calendarToken: `cal-${name}`,
      organisationId: orgId,
      admittedOn: new Date("2025-01-06"),
      leftShelterOn: leftDaysAgo === null ? null : new Date(Date.now() - leftDaysAgo * DAY),
      profile: { create: { regions: ["Achterhoek"] } },
    },
  });
  const site = await db.site.findFirstOrThrow();
  const listing = await db.listing.create({
    data: { siteId: site.id, externalId: `l-${name}`, street: "Kalf", houseNumber: "470", city: "Delft", dwellingKind: "apartment", allocationModel: "first_come", sourceUrl: "https://example.org/l", contentHash: "h", raw: {} },
  });
  const match = await db.match.create({ data: { familyId: f.id, listingId: listing.id, reasons: [] } });
  await db.notification.create({ data: { matchId: match.id, channel: "email", status: "sent" } });
  await db.registration.create({ data: { familyId: f.id, siteId: site.id, registeredOn: new Date("2025-02-01"), registrationNumber: `R-${name}` } });
  await db.task.create({ data: { familyId: f.id, kind: "help", note: `call ${name}` } });
  await db.reminder.create({ data: { familyId: f.id, kind: "deadline", key: `deadline-${name}`, dueAt: new Date() } });
  await db.pushSubscription.create({ data: { familyId: f.id, endpoint: `https://push.example/${name}`, p256dh: "k", auth: "a" } });
  await db.familyLoginCode.create({ data: { familyId: f.id, codeHash: `c:${name}`, expiresAt: new Date() } });
  await db.session.create({ data: { id: `s-${name}`, familyId: f.id, expiresAt: new Date(Date.now() + DAY) } });
  const ev = await db.evaluation.create({
    data: { familyId: f.id, version: 1, periodStart: new Date("2025-01-01"), periodEnd: new Date("2025-03-31"), createdById: adminId, childInterests: { note: `${name}'s child` }, report: {}, chainVerified: true },
  });
  await db.evaluationShare.create({ data: { evaluationId: ev.id, evaluatorId: adminId, sharedById: adminId } });
  await db.$transaction(async (tx) => {
    await appendActivity(tx, { familyId: f.id, type: "offered", actor: "system", matchId: match.id, payload: { address: `Kalf 470, ${name}` } });
    await appendActivity(tx, { familyId: f.id, type: "alert_sent", actor: "system", matchId: match.id, payload: { to: `${name.toLowerCase()}@example.org` } });
    await appendActivity(tx, { familyId: f.id, type: "couldnt", actor: "family", matchId: match.id, payload: { barrier: `${name} had no internet` } });
    await appendActivity(tx, { familyId: f.id, type: "offered", actor: "system", payload: { address: "Dam 1" } });
  });
  await db.accessLog.create({ data: { userId: adminId, familyId: f.id, action: "read_family", allowed: true } });
  return f.id;
}

beforeAll(async () => {
  db = testDb(config);
  await resetDatabase(db);
  await seedCatalogue(db, "http://127.0.0.1:9/s/{site}");
  const org = await db.organisation.create({ data: { name: "Org E" } });
  orgId = org.id;
  const passwordHash = await argon2.hash("correct horse battery");
  adminId = (await db.user.create({ data: { email: "admin@e.test", name: "Admin E", role: "admin", passwordHash, organisationId: org.id } })).id;
  await db.user.create({ data: { email: "counsellor@e.test", name: "C", role: "counsellor", passwordHash, organisationId: org.id } });
});
afterAll(async () => {
  await db.$disconnect();
});

describe("erasure", () => {
  it("erases only families that left at least ERASE_AFTER_DAYS ago, keeping anonymous counts", async () => {
    const old = await familyWithData("Old", 100);
    const recent = await familyWithData("Recent", 10);
    const staying = await familyWithData("Staying", null);
    expect(await dueFamilies(db, 90)).toEqual([old]);
    expect(erasureCutoff(new Date("2026-05-01T10:00:00Z"), 90).toISOString()).toBe("2026-01-31T00:00:00.000Z");

    const result = await eraseDue(db, adminId, 90);
    expect(result.due).toBe(1);
    expect(result.erased.map((e) => e.familyId)).toEqual([old]);

    const fam = await db.family.findUniqueOrThrow({ where: { id: old } });
    expect(fam).toMatchObject({ displayName: "erased", email: null, phone: null, childBirthYears: [], needs: [], incomeBand: null, calendarToken: null, admittedOn: null, leftShelterOn: null });
    expect(fam.erasedAt).toBeInstanceOf(Date);
    const where = { familyId: old };
    for (const [name, count] of Object.entries({
      profile: db.searchProfile.count({ where }),
      registrations: db.registration.count({ where }),
      matches: db.match.count({ where }),
      tasks: db.task.count({ where }),
      reminders: db.reminder.count({ where }),
      pushSubscriptions: db.pushSubscription.count({ where }),
      loginCodes: db.familyLoginCode.count({ where }),
      sessions: db.session.count({ where }),
      evaluations: db.evaluation.count({ where }),
    })) {
      expect(await count, name).toBe(0);
    }

    // One evidence entry remains: the counts per type and who erased, nothing personal.
    const entries = await db.activity.findMany({ where, orderBy: { seq: "asc" } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ seq: 1, type: "erased", actor: `staff:${adminId}`, matchId: null });
    expect(entries[0]!.payload).toEqual({
      erasedAfterDays: 90,
      counts: { activity: { alert_sent: 1, couldnt: 1, offered: 2 }, matches: 1, notifications: 1, registrations: 1, tasks: 1, evaluations: 1, evaluationShares: 1, reminders: 1, digests: 0, pushSubscriptions: 1 },
    });
    const everything = JSON.stringify(await db.activity.findMany({ where })) + JSON.stringify(fam);
    for (const personal of ["Old", "old@example.org", "internet", "Kalf", "+316"]) expect(everything).not.toContain(personal);

    // The access log stays, with the erasure recorded under the admin who ran it.
    expect(await db.accessLog.count({ where: { familyId: old, action: "erase_family", userId: adminId, allowed: true } })).toBe(1);
    expect(await db.accessLog.count({ where: { familyId: old, action: "read_family" } })).toBe(1);

    // Every chain verifies; the others are untouched.
    for (const id of [old, recent, staying]) expect(await chainOk(id)).toBe(true);
    expect(await db.activity.count({ where: { familyId: recent } })).toBe(4);
    expect((await db.family.findUniqueOrThrow({ where: { id: recent } })).email).toBe("recent@example.org");

    // The append-only trigger is back on.
    await expect(db.$executeRawUnsafe(`UPDATE "Activity" SET type = 'x' WHERE "familyId" = '${recent}'`)).rejects.toThrow(/append-only/);
    await expect(db.$executeRawUnsafe(`DELETE FROM "Activity" WHERE "familyId" = '${old}'`)).rejects.toThrow(/append-only/);

    // Erasing again does nothing.
    expect(await eraseFamily(db, old, adminId, 90)).toBeNull();
    expect(await db.activity.count({ where })).toBe(1);
  });

  it("rolls back entirely when a step fails, with the trigger still on", async () => {
    const id = await familyWithData("Rollback", 200);
    // A foreign key the erasure cannot satisfy: the access-log entry names an admin that does not exist.
    await expect(eraseFamily(db, id, "00000000-0000-4000-8000-000000000000", 90)).rejects.toThrow();
    expect(await db.activity.count({ where: { familyId: id } })).toBe(4);
    expect((await db.family.findUniqueOrThrow({ where: { id } })).erasedAt).toBeNull();
    await expect(db.$executeRawUnsafe(`DELETE FROM "Activity" WHERE "familyId" = '${id}'`)).rejects.toThrow(/append-only/);
    expect(await chainOk(id)).toBe(true);
  });
});

describe("cli erase-due", () => {
  it("requires an admin named with --by, lists with --dry-run, then erases", async () => {
    expect((await cli("erase-due")).code).toBe(64);
    const notAdmin = await cli("erase-due", "--by", "counsellor@e.test");
    expect(notAdmin.code).toBe(64);
    expect(notAdmin.stderr).toMatch(/admin/);

    const due = await db.family.findFirstOrThrow({ where: { displayName: "Rollback" } });
    const dry = await cli("erase-due", "--by", "admin@e.test", "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, eraseAfterDays: 90, due: 1, familyIds: [due.id] });
    expect((await db.family.findUniqueOrThrow({ where: { id: due.id } })).erasedAt).toBeNull();

    const run = await cli("erase-due", "--by", "ADMIN@e.test");
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { due: number; erased: { familyId: string; counts: { activity: Record<string, number> } }[] };
    expect(out.erased).toEqual([{ familyId: due.id, counts: expect.objectContaining({ activity: { alert_sent: 1, couldnt: 1, offered: 2 } }) }]);
    expect(await chainOk(due.id)).toBe(true);
  });
});

describe("cli totp-code", () => {
  it("prints the otpauth URI and the current code of a staff member", async () => {
    const secret = newTotpSecret();
    const user = await db.user.findUniqueOrThrow({ where: { email: "counsellor@e.test" } });
    await db.user.update({ where: { id: user.id }, data: { totpEnabled: true, totpSecret: encryptSecret(secret, totpKey(config), user.id) } });
    const res = await cli("totp-code", "counsellor@e.test");
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as { otpauthUri: string; code: string; enabled: boolean };
    expect(new URL(out.otpauthUri).searchParams.get("secret")).toBe(secret);
    expect(out.enabled).toBe(true);
    // The code is the one an authenticator shows now (or a step later, on a slow day).
    const now = Math.floor(Date.now() / 1000);
    expect([await generate({ secret, epoch: now - 30 }), await generate({ secret, epoch: now })]).toContain(out.code);
    expect((await cli("totp-code", "admin@e.test")).code).toBe(1);
  });
});
