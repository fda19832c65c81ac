import { describe, expect, it } from "vitest";
import { decideHealth, failureKind, noticeFor, SuspiciousOfferError, type Health, type RunOutcome } from "../../../workers/pipeline/site-health.js";
import { SiteBlockedError, SiteSchemaError, SiteUnavailableError } from "../../../workers/sites/errors.js";
import { RobotsDisallowedError } from "../../../workers/sites/politeness.js";

const policy = { brokenAfterFormatFailures: 3, brokenAfterFailures: 5, brokenAfterMs: 24 * 3_600_000 };
const now = new Date("2026-09-24T18:00:00Z");
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const ok: RunOutcome = { ok: true };
const fail = (kind: string): RunOutcome => ({ ok: false, kind });
const times = (n: number, r: RunOutcome) => Array.from({ length: n }, () => r);

function decide(current: Health, recent: RunOutcome[], lastSuccessAt: Date | null = hoursAgo(1)) {
  return decideHealth({ current, recent, lastSuccessAt, firstRunAt: hoursAgo(48), now }, policy).health;
}

describe("decideHealth", () => {
  it("a success makes any site healthy, a broken one too", () => {
    for (const current of ["healthy", "degraded", "blocked", "broken"] as const) expect(decide(current, [ok, fail("schema")])).toBe("healthy");
  });

  it("format failures: degraded at once, broken after 3 in a row", () => {
    expect(decide("healthy", [fail("schema"), ok])).toBe("degraded");
    expect(decide("degraded", [fail("suspicious"), fail("schema"), ok])).toBe("degraded");
    expect(decide("degraded", [fail("schema"), fail("suspicious"), fail("schema"), ok])).toBe("broken");
    // A 503 in between breaks the run of format failures.
    expect(decide("degraded", [fail("schema"), fail("unavailable"), fail("schema"), ok])).toBe("degraded");
  });

  it("blocks (401/403/429, challenge, robots.txt) make a site blocked", () => {
    expect(decide("healthy", [fail("blocked"), ok])).toBe("blocked");
    expect(decide("degraded", [fail("robots")])).toBe("blocked");
    expect(decide("blocked", times(10, fail("blocked")))).toBe("blocked");
  });

  it("unavailable: degraded, broken after 5 failures in a row", () => {
    expect(decide("healthy", [fail("unavailable"), ok])).toBe("degraded");
    expect(decide("degraded", [...times(4, fail("unavailable")), ok])).toBe("degraded");
    expect(decide("degraded", [...times(5, fail("unavailable")), ok])).toBe("broken");
    expect(decide("degraded", [fail("unavailable"), fail("internal"), fail("blocked"), fail("unavailable"), fail("unavailable"), ok])).toBe("broken");
  });

  it("failing with no success for 24 hours is broken, a block too", () => {
    expect(decide("degraded", [fail("unavailable"), ok], hoursAgo(25))).toBe("broken");
    expect(decide("blocked", [fail("blocked")], hoursAgo(25))).toBe("broken");
    expect(decide("degraded", [fail("unavailable")], hoursAgo(23))).toBe("degraded");
    // Never succeeded: counted from the first run.
    expect(decideHealth({ current: "degraded", recent: [fail("unavailable")], lastSuccessAt: null, firstRunAt: hoursAgo(30), now }, policy).health).toBe("broken");
    expect(decideHealth({ current: "healthy", recent: [fail("unavailable")], lastSuccessAt: null, firstRunAt: hoursAgo(1), now }, policy).health).toBe("degraded");
  });

  it("broken stays broken until a success", () => {
    expect(decide("broken", [fail("unavailable"), ...times(3, fail("schema"))])).toBe("broken");
    expect(decide("broken", [fail("blocked")])).toBe("broken");
  });

  it("a deferred run (the host asked us to wait) changes nothing", () => {
    expect(decide("degraded", [fail("deferred")])).toBe("degraded");
    expect(decide("healthy", [])).toBe("healthy");
  });

  it("gives a reason in plain words", () => {
    const d = decideHealth({ current: "degraded", recent: times(3, fail("schema")), lastSuccessAt: hoursAgo(1), firstRunAt: null, now }, policy);
    expect(d.reason).toMatch(/3 times in a row/);
  });
});

describe("noticeFor", () => {
  it("tells operators when a site breaks and when a broken site works again, nothing else", () => {
    expect(noticeFor("degraded", "broken")).toBe("broken");
    expect(noticeFor("healthy", "broken")).toBe("broken");
    expect(noticeFor("broken", "broken")).toBeNull();
    expect(noticeFor("broken", "healthy")).toBe("recovered");
    expect(noticeFor("degraded", "healthy")).toBeNull();
    expect(noticeFor("healthy", "blocked")).toBeNull();
  });
});

describe("failureKind", () => {
  it("classifies errors by kind", () => {
    expect(failureKind(new SiteSchemaError("s", "x"))).toBe("schema");
    expect(failureKind(new SuspiciousOfferError("s", "x"))).toBe("suspicious");
    expect(failureKind(new SiteBlockedError("s", "x"))).toBe("blocked");
    expect(failureKind(new RobotsDisallowedError("s", "https://a/b", "https://a/robots.txt"))).toBe("robots");
    expect(failureKind(new SiteUnavailableError("s", "x"))).toBe("unavailable");
    expect(failureKind(new Error("bug"))).toBe("internal");
  });
});
