// The evidence log: entry types and the hash chain. Each entry's hash covers the previous entry's
// hash and the entry's own content, so any edit or deletion breaks the chain from that entry on.
import { createHash } from "node:crypto";

export const ACTIVITY_TYPES = [
  "offered", // a home matched the family's profile (with reasons)
  "alert_sent", // a message left for the family (channel, provider id)
  "alert_failed", // a message could not be sent
  "responded", // the family says it responded on the housing site
  "not_for_us", // the family says the home does not suit it
  "couldnt", // the family could not respond (a barrier, not a refusal)
  "evaluation_shared", // staff shared an evaluation with an evaluator (visible to the family)
  "evaluation_share_revoked", // staff ended an evaluator's access to an evaluation
  "erased", // the family's data was erased; the payload keeps only anonymous counts per type
  "help_requested", // the family tapped "Help me": a counsellor task was created
  "answer_reason", // the reason the family gave with its answer (one tap), linked to the match
  "answer_note", // an optional note the family wrote with its answer
  "offered_again", // the same home again (other site, or published again): linked, not sent again
  "registration_updated", // staff recorded, changed or removed a registration at a housing site
  "reminder_sent", // a reminder left (kind, channel)
  "alert_delivered", // the provider reports a message delivered
  "counsellor_note", // a counsellor's note (actor staff:<id>); marked as such, never a diagnosis
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export const GENESIS_HASH = "0".repeat(64);

export interface ChainEntry {
  familyId: string;
  seq: number;
  type: string;
  actor: string;
  occurredAt: Date;
  matchId: string | null;
  payload: unknown;
}

/** JSON with object keys sorted, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function entryHash(prevHash: string, e: ChainEntry): string {
  const content = canonicalJson({
    familyId: e.familyId,
    seq: e.seq,
    type: e.type,
    actor: e.actor,
    occurredAt: e.occurredAt.toISOString(),
    matchId: e.matchId,
    payload: e.payload,
  });
  return createHash("sha256").update(prevHash).update("\n").update(content).digest("hex");
}

/** Checks a family's chain in seq order; returns the first broken entry's seq, or null. */
export function firstBrokenEntry(entries: (ChainEntry & { prevHash: string; hash: string })[]): number | null {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of entries) {
    if (e.seq !== expectedSeq || e.prevHash !== prev || entryHash(prev, e) !== e.hash) return e.seq;
    prev = e.hash;
    expectedSeq += 1;
  }
  return null;
}
