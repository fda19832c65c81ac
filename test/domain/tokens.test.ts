import { describe, expect, it } from "vitest";
import { createTapToken, reasonsFor, TapAction, verifyTapToken } from "../../domain/tokens.js";

const secret = "a-test-secret-that-is-long-enough-123";
const matchId = "7b0e4f0e-6c1a-4c38-9a55-2f4f3bb0c111";
const now = new Date("2026-11-27T12:00:00Z");

describe("one-tap tokens", () => {
  it("round-trips action and match", () => {
    const t = createTapToken({ matchId, action: "responded", ttlSeconds: 3600 }, secret, now);
    const v = verifyTapToken(t, secret, now);
    expect(v.ok && v.payload.a).toBe("responded");
    expect(v.ok && v.payload.m).toBe(matchId);
  });
  it("gives each token its own id (single use is per token)", () => {
    const a = verifyTapToken(createTapToken({ matchId, action: "couldnt", ttlSeconds: 60 }, secret, now), secret, now);
    const b = verifyTapToken(createTapToken({ matchId, action: "couldnt", ttlSeconds: 60 }, secret, now), secret, now);
    expect(a.ok && b.ok && a.payload.id !== b.payload.id).toBe(true);
  });
  it("refuses an expired token", () => {
    const t = createTapToken({ matchId, action: "responded", ttlSeconds: 60 }, secret, now);
    expect(verifyTapToken(t, secret, new Date(now.getTime() + 61_000))).toEqual({ ok: false, reason: "expired" });
  });
  it("refuses a token signed with another secret or with a changed action", () => {
    const t = createTapToken({ matchId, action: "not_for_us", ttlSeconds: 60 }, secret, now);
    expect(verifyTapToken(t, "another-secret-that-is-long-enough-456", now)).toEqual({ ok: false, reason: "bad_signature" });
    const [body, sig] = t.split(".") as [string, string];
    const forged = JSON.parse(Buffer.from(body, "base64url").toString());
    forged.a = "responded";
    const forgedToken = `${Buffer.from(JSON.stringify(forged)).toString("base64url")}.${sig}`;
    expect(verifyTapToken(forgedToken, secret, now)).toEqual({ ok: false, reason: "bad_signature" });
  });
  it("carries each of the four answers, 'Help me' included", () => {
    for (const action of TapAction.options) {
      const v = verifyTapToken(createTapToken({ matchId, action, ttlSeconds: 60 }, secret, now), secret, now);
      expect(v.ok && v.payload.a).toBe(action);
    }
    expect(TapAction.options).toEqual(["responded", "not_for_us", "couldnt", "help"]);
  });
  it("offers reasons for 'not suitable' and 'couldn't' only, and keeps them apart", () => {
    expect(reasonsFor("not_for_us")).toEqual(["too_small", "too_expensive", "too_far", "not_accessible", "other"]);
    expect(reasonsFor("couldnt")).toEqual(["no_time", "child_ill", "no_credit", "language", "site_broken", "other"]);
    expect(reasonsFor("responded")).toEqual([]);
    expect(reasonsFor("help")).toEqual([]);
  });
  it.each(["", "abc", "a.b.c", "..."])("calls %j malformed", (t) => {
    const v = verifyTapToken(t, secret, now);
    expect(v.ok).toBe(false);
  });
});
