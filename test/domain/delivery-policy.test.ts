// The delivery policy's time rules, with the clock passed in: quiet hours, digest time, cap, pause,
// reminder times, and the two DST days of 2026 in Europe/Amsterdam (29 March: 02:00 → 03:00,
// 25 October: 03:00 → 02:00).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  amsterdamDay,
  amsterdamDayBounds,
  amsterdamMonth,
  atLocalClock,
  channelSendAt,
  deadlineReminderTimes,
  digestDueDay,
  isQuiet,
  nextDigestAt,
  offsetLabel,
  parseClock,
  parseReminderOffsets,
  planMatchDelivery,
  quietEndsAt,
  reminderChannels,
  reminderDecision,
  renewalReminder,
  searchPointsReminder,
  type DeliverySettings,
} from "../../domain/delivery-policy.js";

const settings = (over: Partial<DeliverySettings> = {}): DeliverySettings => ({
  quietFrom: "21:00",
  quietUntil: "08:00",
  digestTime: "18:00",
  dailyCap: 10,
  pausedUntil: null,
  ...over,
});
const at = (iso: string) => new Date(iso);

describe("clock times", () => {
  it("parses HH:mm and refuses anything else", () => {
    expect(parseClock("08:00")).toEqual({ hour: 8, minute: 0 });
    expect(parseClock("7:05")).toEqual({ hour: 7, minute: 5 });
    for (const bad of ["24:00", "12:60", "noon", "", "12:5"]) expect(() => parseClock(bad)).toThrow(RangeError);
  });

  it("places a wall-clock time on an Amsterdam day, in winter and summer time", () => {
    expect(atLocalClock("2026-01-15", { hour: 18, minute: 0 }).toISOString()).toBe("2026-01-15T17:00:00.000Z");
    expect(atLocalClock("2026-07-15", { hour: 18, minute: 0 }).toISOString()).toBe("2026-07-15T16:00:00.000Z");
  });

  it("gives the end of the spring gap for a time that does not exist (29 March 2026, 02:30)", () => {
    // 02:00 CET jumps to 03:00 CEST = 01:00Z.
    expect(atLocalClock("2026-03-29", { hour: 2, minute: 30 }).toISOString()).toBe("2026-03-29T01:00:00.000Z");
  });

  it("gives one of the two instants for a time that happens twice (25 October 2026, 02:30)", () => {
    const t = atLocalClock("2026-10-25", { hour: 2, minute: 30 }).toISOString();
    expect(["2026-10-25T00:30:00.000Z", "2026-10-25T01:30:00.000Z"]).toContain(t);
  });

  it("knows the Amsterdam day and its length on DST days", () => {
    expect(amsterdamDay(at("2026-07-15T22:30:00Z"))).toBe("2026-07-16");
    expect(amsterdamDay(at("2026-01-15T22:30:00Z"))).toBe("2026-01-15");
    const spring = amsterdamDayBounds(at("2026-03-29T12:00:00Z"));
    expect(spring.end.getTime() - spring.start.getTime()).toBe(23 * 3_600_000);
    const autumn = amsterdamDayBounds(at("2026-10-25T12:00:00Z"));
    expect(autumn.end.getTime() - autumn.start.getTime()).toBe(25 * 3_600_000);
    expect(amsterdamMonth(at("2026-11-30T23:30:00Z")).key).toBe("2026-12");
  });
});

describe("quiet hours (no SMS at night)", () => {
  const s = settings();
  it("are quiet from 21:00 until 08:00 local, across midnight", () => {
    expect(isQuiet(at("2026-06-10T19:00:00Z"), s)).toBe(true); // 21:00 CEST
    expect(isQuiet(at("2026-06-10T18:59:00Z"), s)).toBe(false); // 20:59
    expect(isQuiet(at("2026-06-11T05:59:00Z"), s)).toBe(true); // 07:59
    expect(isQuiet(at("2026-06-11T06:00:00Z"), s)).toBe(false); // 08:00
    expect(isQuiet(at("2026-01-11T06:59:00Z"), s)).toBe(true); // 07:59 CET
  });

  it("may lie within one day, or be switched off", () => {
    const day = settings({ quietFrom: "13:00", quietUntil: "15:00" });
    expect(isQuiet(at("2026-06-10T11:30:00Z"), day)).toBe(true);
    expect(isQuiet(at("2026-06-10T22:00:00Z"), day)).toBe(false);
    expect(isQuiet(at("2026-06-10T22:00:00Z"), settings({ quietFrom: "00:00", quietUntil: "00:00" }))).toBe(false);
  });

  it("end at the next 08:00 local", () => {
    expect(quietEndsAt(at("2026-06-10T21:00:00Z"), s).toISOString()).toBe("2026-06-11T06:00:00.000Z"); // 23:00 → 08:00 CEST
    expect(quietEndsAt(at("2026-06-11T01:00:00Z"), s).toISOString()).toBe("2026-06-11T06:00:00.000Z"); // 03:00 → 08:00
    expect(quietEndsAt(at("2026-06-11T12:00:00Z"), s).toISOString()).toBe("2026-06-11T12:00:00.000Z"); // not quiet: now
  });

  it("end at 08:00 local time across both DST changes", () => {
    // Night of 28→29 March: 22:00 CET (21:00Z) → 08:00 CEST (06:00Z): 9 hours, not 10.
    expect(quietEndsAt(at("2026-03-28T21:00:00Z"), s).toISOString()).toBe("2026-03-29T06:00:00.000Z");
    // Night of 24→25 October: 23:00 CEST (21:00Z) → 08:00 CET (07:00Z): 10 hours, not 9.
    expect(quietEndsAt(at("2026-10-24T21:00:00Z"), s).toISOString()).toBe("2026-10-25T07:00:00.000Z");
    // Quiet hours that end inside the spring gap end when the gap does.
    expect(quietEndsAt(at("2026-03-29T00:00:00Z"), settings({ quietUntil: "02:30" })).toISOString()).toBe("2026-03-29T01:00:00.000Z");
  });

  it("hold SMS only; e-mail and push may go at night", () => {
    const night = at("2026-06-10T22:00:00Z");
    expect(channelSendAt("email", night, s)).toBe(night);
    expect(channelSendAt("push", night, s)).toBe(night);
    expect(channelSendAt("sms", night, s).toISOString()).toBe("2026-06-11T06:00:00.000Z");
  });

  it("always end outside quiet hours, within a day (any settings, any instant)", () => {
    const clock = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
    fc.assert(
      fc.property(fc.date({ min: new Date("2026-01-01T00:00:00Z"), max: new Date("2027-12-31T00:00:00Z"), noInvalidDate: true }), clock, clock, (t, from, until) => {
        const q = settings({ quietFrom: from, quietUntil: until });
        const end = quietEndsAt(t, q);
        expect(end.getTime()).toBeGreaterThanOrEqual(t.getTime());
        expect(end.getTime() - t.getTime()).toBeLessThanOrEqual(25 * 3_600_000);
        expect(isQuiet(end, q)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe("instant or digest", () => {
  const day = at("2026-06-10T10:00:00Z"); // 12:00 CEST
  const night = at("2026-06-10T22:00:00Z"); // 00:00 CEST
  const all = ["email", "sms", "push"] as const;

  it("sends an instant match at once on every channel in the daytime", () => {
    expect(planMatchDelivery({ now: day, requested: "instant", settings: settings(), instantToday: 0, channels: all })).toEqual({
      mode: "instant",
      sends: [
        { channel: "email", notBefore: null },
        { channel: "sms", notBefore: null },
        { channel: "push", notBefore: null },
      ],
    });
  });

  it("at night sends e-mail and push at once and holds the SMS until quiet hours end", () => {
    const plan = planMatchDelivery({ now: night, requested: "instant", settings: settings(), instantToday: 0, channels: all });
    expect(plan).toEqual({
      mode: "instant",
      sends: [
        { channel: "email", notBefore: null },
        { channel: "sms", notBefore: at("2026-06-11T06:00:00Z") },
        { channel: "push", notBefore: null },
      ],
    });
  });

  it("puts waiting-time and lottery matches in the digest", () => {
    expect(planMatchDelivery({ now: day, requested: "digest", settings: settings(), instantToday: 0, channels: all })).toEqual({ mode: "digest", reason: "policy" });
  });

  it("moves instant matches over the daily cap to the digest, never drops them", () => {
    expect(planMatchDelivery({ now: day, requested: "instant", settings: settings({ dailyCap: 3 }), instantToday: 2, channels: all }).mode).toBe("instant");
    expect(planMatchDelivery({ now: day, requested: "instant", settings: settings({ dailyCap: 3 }), instantToday: 3, channels: all })).toEqual({ mode: "digest", reason: "cap" });
    expect(planMatchDelivery({ now: day, requested: "instant", settings: settings({ dailyCap: 0 }), instantToday: 0, channels: all })).toEqual({ mode: "digest", reason: "cap" });
  });

  it("sends nothing during a pause: even first-come homes wait for the digest after it", () => {
    const paused = settings({ pausedUntil: at("2026-06-12T10:00:00Z") });
    expect(planMatchDelivery({ now: day, requested: "instant", settings: paused, instantToday: 0, channels: all })).toEqual({ mode: "digest", reason: "pause" });
    // A pause that ended is no pause.
    expect(planMatchDelivery({ now: day, requested: "instant", settings: settings({ pausedUntil: at("2026-06-10T09:00:00Z") }), instantToday: 0, channels: all }).mode).toBe("instant");
  });

  it("plans nothing for a family without channels", () => {
    expect(planMatchDelivery({ now: day, requested: "instant", settings: settings(), instantToday: 0, channels: [] })).toEqual({ mode: "none" });
  });
});

describe("the daily digest", () => {
  it("is due from the family's digest time on, once per Amsterdam day", () => {
    expect(digestDueDay(at("2026-06-10T15:59:00Z"), settings())).toBeNull(); // 17:59 CEST
    expect(digestDueDay(at("2026-06-10T16:00:00Z"), settings())).toBe("2026-06-10"); // 18:00 CEST
    expect(digestDueDay(at("2026-06-10T21:59:00Z"), settings())).toBe("2026-06-10"); // 23:59
    expect(digestDueDay(at("2026-06-10T22:00:00Z"), settings())).toBeNull(); // 00:00 next day
    expect(digestDueDay(at("2026-01-10T17:00:00Z"), settings())).toBe("2026-01-10"); // 18:00 CET
  });

  it("is not due during a pause; the next one comes after the pause", () => {
    const paused = settings({ pausedUntil: at("2026-06-12T10:00:00Z") });
    expect(digestDueDay(at("2026-06-10T17:00:00Z"), paused)).toBeNull();
    expect(nextDigestAt(at("2026-06-10T17:00:00Z"), paused).toISOString()).toBe("2026-06-12T16:00:00.000Z");
    // Pause ends after today's digest time: tomorrow's digest.
    expect(nextDigestAt(at("2026-06-10T10:00:00Z"), settings({ pausedUntil: at("2026-06-10T17:00:00Z") })).toISOString()).toBe("2026-06-11T16:00:00.000Z");
  });

  it("keeps its local time on DST days", () => {
    expect(nextDigestAt(at("2026-03-29T00:00:00Z"), settings()).toISOString()).toBe("2026-03-29T16:00:00.000Z"); // 18:00 CEST
    expect(nextDigestAt(at("2026-10-25T00:00:00Z"), settings()).toISOString()).toBe("2026-10-25T17:00:00.000Z"); // 18:00 CET
  });
});

describe("reminders", () => {
  it("reads the configured offsets", () => {
    expect(parseReminderOffsets("24,3")).toEqual([24, 3]);
    expect(parseReminderOffsets(" 3, 24 ,3 ")).toEqual([24, 3]);
    expect(parseReminderOffsets("1.5")).toEqual([1.5]);
    expect(offsetLabel(24)).toBe("24h");
    expect(offsetLabel(1.5)).toBe("90m");
    for (const bad of ["x", "0", "-3", "24,,", "1000"]) expect(() => parseReminderOffsets(bad)).toThrow(RangeError);
  });

  it("remind 24 h and 3 h before a Zig closing time (20:00 local), only the ones still ahead", () => {
    const closes = at("2026-09-24T18:00:00Z"); // 20:00 CEST
    expect(deadlineReminderTimes(closes, [24, 3], at("2026-09-22T10:00:00Z"))).toEqual([
      { offsetHours: 24, dueAt: at("2026-09-23T18:00:00Z") },
      { offsetHours: 3, dueAt: at("2026-09-24T15:00:00Z") },
    ]);
    expect(deadlineReminderTimes(closes, [24, 3], at("2026-09-24T08:00:00Z"))).toEqual([{ offsetHours: 3, dueAt: at("2026-09-24T15:00:00Z") }]);
    expect(deadlineReminderTimes(closes, [24, 3], at("2026-09-24T16:00:00Z"))).toEqual([]);
  });

  it("never go after the deadline; wait out a pause or, for SMS, quiet hours, or skip if that is too late", () => {
    const s = settings();
    // DAK closes about 23:59 local: its 24 h reminder falls in quiet hours.
    const dakCloses = at("2026-09-24T21:59:00Z");
    const night = at("2026-09-23T21:59:00Z"); // 23:59 CEST, the 24 h reminder
    expect(reminderDecision({ now: night, channel: "email", deadline: dakCloses, settings: s })).toEqual({ action: "send" });
    expect(reminderDecision({ now: night, channel: "sms", deadline: dakCloses, settings: s })).toEqual({ action: "defer", until: at("2026-09-24T06:00:00Z") });
    // A 1 h SMS reminder at 22:59 for 23:59: quiet until after the deadline.
    expect(reminderDecision({ now: at("2026-09-24T20:59:00Z"), channel: "sms", deadline: dakCloses, settings: s })).toEqual({ action: "skip", reason: "quiet_hours" });
    expect(reminderDecision({ now: at("2026-09-24T22:00:00Z"), channel: "email", deadline: dakCloses, settings: s })).toEqual({ action: "skip", reason: "after_deadline" });
    const paused = settings({ pausedUntil: at("2026-09-24T10:00:00Z") });
    expect(reminderDecision({ now: at("2026-09-24T08:00:00Z"), channel: "email", deadline: dakCloses, settings: paused })).toEqual({ action: "defer", until: at("2026-09-24T10:00:00Z") });
    expect(reminderDecision({ now: at("2026-09-24T08:00:00Z"), channel: "email", deadline: dakCloses, settings: settings({ pausedUntil: at("2026-09-25T10:00:00Z") }) })).toEqual({ action: "skip", reason: "paused" });
  });

  it("use e-mail (answers) plus one phone channel, push before SMS", () => {
    expect(reminderChannels(["email", "sms", "push"])).toEqual(["email", "push"]);
    expect(reminderChannels(["email", "sms"])).toEqual(["email", "sms"]);
    expect(reminderChannels(["sms"])).toEqual(["sms"]);
    expect(reminderChannels([])).toEqual([]);
  });

  it("remind of WoningNet search points in the month's third week (days 15-21)", () => {
    expect(searchPointsReminder(at("2026-11-10T09:00:00Z"))).toEqual({ month: "2026-11", dueAt: at("2026-11-15T09:00:00Z"), deadline: at("2026-11-30T23:00:00Z") });
    const late = at("2026-11-18T13:00:00Z");
    expect(searchPointsReminder(late)?.dueAt).toEqual(late);
    expect(searchPointsReminder(at("2026-11-21T22:59:00Z"))).not.toBeNull(); // 23:59 on the 21st
    expect(searchPointsReminder(at("2026-11-21T23:00:00Z"))).toBeNull(); // the 22nd
  });

  it("remind of a registration renewal from 30 days before, until the renewal day ends", () => {
    expect(renewalReminder("2026-03-02", at("2026-01-15T10:00:00Z"))).toBeNull();
    expect(renewalReminder("2026-03-02", at("2026-01-31T08:30:00Z"), 3_600_000)).toEqual({ dueAt: at("2026-01-31T09:00:00Z"), deadline: at("2026-03-02T23:00:00Z") });
    const inWindow = at("2026-02-10T12:00:00Z");
    expect(renewalReminder("2026-03-02", inWindow)).toEqual({ dueAt: inWindow, deadline: at("2026-03-02T23:00:00Z") });
    expect(renewalReminder("2026-03-02", at("2026-03-02T23:00:00Z"))).toBeNull();
  });
});
