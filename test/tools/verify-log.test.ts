// `npm run cli -- verify-log <familyId>` against real chains in Postgres: intact, an edited entry
// and a deleted one. The Activity table refuses UPDATE and DELETE by trigger, so the test tampers
// the way an attacker with database rights would: trigger off, change, trigger on, in one
// transaction.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../infra/db.js";
import { appendActivity } from "../../infra/evidence-log.js";
import { resetDatabase, testConfig, testDb } from "../support/env.js";

const config = testConfig();
const root = fileURLToPath(new URL("../../", import.meta.url));
let db: Db;

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "tools/cli/main.ts", "verify-log", ...args],
      { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: config.DATABASE_URL }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function familyWithChain(name: string, n: number): Promise<string> {
  const org = await db.organisation.upsert({ where: { name: "Org" }, create: { name: "Org" }, update: {} });
  const family = await db.family.create({ data: { displayName: name, organisationId: org.id } });
  const types = ["offered", "alert_sent", "couldnt", "answer_reason", "responded"] as const;
  for (let i = 0; i < n; i++) {
    await db.$transaction((tx) =>
      appendActivity(tx, { familyId: family.id, type: types[i % types.length]!, actor: i % 2 ? "family" : "system", payload: { n: i, reasons: [{ key: "reason.in_area", values: { place: "Delft" } }] } }),
    );
  }
  return family.id;
}

/** What someone with database rights could do: switch the guard off, change history, switch it on. */
async function tamper(sql: string, ...params: unknown[]) {
  await db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`ALTER TABLE "Activity" DISABLE TRIGGER "Activity_append_only"`);
    await tx.$executeRawUnsafe(sql, ...params);
    await tx.$executeRawUnsafe(`ALTER TABLE "Activity" ENABLE TRIGGER "Activity_append_only"`);
  });
}

beforeAll(async () => {
  db = testDb(config);
  await resetDatabase(db);
});
afterAll(async () => {
  await db.$disconnect();
});

describe("verify-log", () => {
  it("says an intact chain is intact (exit 0)", async () => {
    const id = await familyWithChain("Intact", 5);
    const r = await cli(id);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^intact: family ${id}, 5 entries, last seq 5 at \\S+Z, hash [0-9a-f]{64}\\n$`));
  });

  it("names the first entry whose content was changed (exit 1)", async () => {
    const id = await familyWithChain("Edited", 5);
    const target = await db.activity.findFirstOrThrow({ where: { familyId: id, seq: 3 } });
    await tamper(`UPDATE "Activity" SET payload = '{"n": 2, "reasons": []}'::jsonb WHERE id = $1::uuid`, target.id);
    // The guard is back on: the table still refuses edits.
    await expect(db.$executeRawUnsafe(`UPDATE "Activity" SET actor = 'x' WHERE id = $1::uuid`, target.id)).rejects.toThrow(/append-only/);
    const r = await cli(id);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`first broken entry seq 3, id ${target.id}, type couldnt, time ${target.occurredAt.toISOString()}`);
    expect(r.stdout).toContain("its content or hash does not match the chain");
    expect(r.stdout).toContain("2 of 5 entries verify before it");
    // No payloads in the output: they hold what the family said.
    expect(r.stdout).not.toContain("reasons");
  });

  it("names the entry after a deleted one (exit 1)", async () => {
    const id = await familyWithChain("Deleted", 5);
    const gone = await db.activity.findFirstOrThrow({ where: { familyId: id, seq: 2 } });
    const next = await db.activity.findFirstOrThrow({ where: { familyId: id, seq: 3 } });
    await tamper(`DELETE FROM "Activity" WHERE id = $1::uuid`, gone.id);
    const r = await cli(id);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`first broken entry seq 3, id ${next.id}, type ${next.type}`);
    expect(r.stdout).toContain("entries before it are missing");
  });

  it("does not let a rewritten hash hide an edit", async () => {
    const id = await familyWithChain("Rehashed", 4);
    const target = await db.activity.findFirstOrThrow({ where: { familyId: id, seq: 2 } });
    // Changing the entry and its own hash still breaks the link to the next entry.
    await tamper(`UPDATE "Activity" SET type = 'responded', hash = repeat('a', 64) WHERE id = $1::uuid`, target.id);
    const r = await cli(id);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("first broken entry seq 2");
  });

  it.each([["not-a-uuid"], ["7b0e4f0e-6c1a-4c38-9a55-2f4f3bb0c111"]])("exits 64 for a bad or unknown id (%s)", async (id) => {
    const r = await cli(id);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toBe("");
  });
});
