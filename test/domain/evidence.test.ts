import { describe, expect, it } from "vitest";
import { canonicalJson, entryHash, firstBrokenEntry, GENESIS_HASH, type ChainEntry } from "../../domain/evidence.js";

function chain(n: number) {
  const out: (ChainEntry & { prevHash: string; hash: string })[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e: ChainEntry = { familyId: "f1", seq, type: "offered", actor: "system", occurredAt: new Date(Date.UTC(2026, 10, seq)), matchId: null, payload: { n: seq, b: [1, { z: 1, a: 2 }] } };
    const hash = entryHash(prev, e);
    out.push({ ...e, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe("evidence chain", () => {
  it("canonical JSON sorts keys at every depth", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"x":2,"y":1}]},"b":1}');
  });
  it("verifies an intact chain", () => {
    expect(firstBrokenEntry(chain(5))).toBeNull();
  });
  it("names the first entry whose content was changed", () => {
    const c = chain(5);
    c[2] = { ...c[2]!, payload: { n: 99 } };
    expect(firstBrokenEntry(c)).toBe(3);
  });
  it("names the entry after a deleted one", () => {
    const c = chain(5);
    c.splice(1, 1);
    expect(firstBrokenEntry(c)).toBe(3);
  });
});
