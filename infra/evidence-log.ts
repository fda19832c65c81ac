// Appending to the evidence log. One writer at a time per family (row lock on the family), so the
// hash chain has no forks; the unique (familyId, seq) key is the backstop.
import { entryHash, GENESIS_HASH, type ActivityType } from "../domain/evidence.js";
import type { Db } from "./db.js";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface NewActivity {
  familyId: string;
  type: ActivityType;
  actor: string;
  matchId?: string | null;
  payload: Record<string, unknown>;
  occurredAt?: Date;
}

/**
 * Takes the family's row lock. A transaction that inserts or changes rows referencing the family
 * (Match, Task, Registration...) before appending must call this FIRST: such a write takes a
 * key-share lock on the family row, and two transactions that both hold it and then ask for the
 * row lock in appendActivity deadlock (seen under load in bench:alert with concurrent matching).
 */
export async function lockFamily(tx: Tx, familyId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "Family" WHERE id = ${familyId}::uuid FOR UPDATE`;
}

/** Appends one entry inside the caller's transaction. */
export async function appendActivity(tx: Tx, a: NewActivity): Promise<{ id: string; seq: number; hash: string }> {
  await lockFamily(tx, a.familyId);
  const last = await tx.activity.findFirst({
    where: { familyId: a.familyId },
    orderBy: { seq: "desc" },
    select: { seq: true, hash: true },
  });
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  // Millisecond precision, as Postgres stores it, so the hash verifies after a round trip.
  const occurredAt = new Date(Math.floor((a.occurredAt ?? new Date()).getTime()));
  const matchId = a.matchId ?? null;
  const payload = JSON.parse(JSON.stringify(a.payload)) as Record<string, unknown>;
  const hash = entryHash(prevHash, { familyId: a.familyId, seq, type: a.type, actor: a.actor, occurredAt, matchId, payload });
  const row = await tx.activity.create({
    data: { familyId: a.familyId, seq, type: a.type, actor: a.actor, occurredAt, matchId, payload: payload as object, prevHash, hash },
    select: { id: true },
  });
  return { id: row.id, seq, hash };
}
