// The iCalendar feed, read back by parsing its text (RFC 5545: folded lines, properties with
// parameters, escaped text): which matches become events, at which Amsterdam times, and what the
// feed leaves out. Plus the staff endpoint that creates, rotates and removes the secret URL.
import argon2 from "argon2";
import { DateTime } from "luxon";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../infra/db.js";
import { appendActivity } from "../../infra/evidence-log.js";
import { startTestApi, type TestApi } from "../support/api.js";
import { testConfig } from "../support/env.js";

// An https address as in production; the test talks plain http, so the cookie must not be Secure.
const config = testConfig({ PUBLIC_URL: "https://eldersthuis.example", COOKIE_SECURE: "false" });
let db: Db;
let api: TestApi;
let app: TestApi["app"];
let staff: ReturnType<typeof request.agent>;
let familyId: string;

interface Prop {
  name: string;
  params: Record<string, string>;
  value: string;
}
interface Component {
  type: string;
  props: Prop[];
  children: Component[];
}

/** A small RFC 5545 reader: unfolds lines, splits parameters, nests BEGIN/END blocks. */
function parseIcs(text: string): Component {
  const lines = text.replace(/\r\n[ \t]/g, "").split(/\r\n/).filter(Boolean);
  const root: Component = { type: "ROOT", props: [], children: [] };
  const stack = [root];
  for (const line of lines) {
    const colon = line.search(/:(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    const [head, value] = [line.slice(0, colon), line.slice(colon + 1)];
    const [name, ...paramParts] = head.split(";");
    if (name === "BEGIN") {
      const c: Component = { type: value, props: [], children: [] };
      stack.at(-1)!.children.push(c);
      stack.push(c);
    } else if (name === "END") {
      expect(stack.pop()!.type).toBe(value);
    } else {
      stack.at(-1)!.props.push({ name: name!, params: Object.fromEntries(paramParts.map((p) => p.split("=") as [string, string])), value });
    }
  }
  expect(stack).toHaveLength(1);
  return root;
}
const prop = (c: Component, name: string) => c.props.find((p) => p.name === name);
const unescape = (s: string) => s.replace(/\\n/gi, "\n").replace(/\\([,;\\])/g, "$1");

const year = new Date().getUTCFullYear() + 1;
const winter = DateTime.fromObject({ year, month: 1, day: 15, hour: 20 }, { zone: "Europe/Amsterdam" }).toJSDate(); // 19:00Z
const summer = DateTime.fromObject({ year, month: 7, day: 15, hour: 23, minute: 59 }, { zone: "Europe/Amsterdam" }).toJSDate(); // 21:59Z

async function listing(externalId: string, over: Record<string, unknown> = {}) {
  return db.listing.create({
    data: {
      siteId: "woningnet-amsterdam",
      externalId,
      street: "Kalf",
      houseNumber: externalId,
      city: "Zaandam",
      municipality: "Zaanstad",
      dwellingKind: "apartment",
      allocationModel: "waiting_time",
      targetGroups: ["regular"],
      closesAt: winter,
      sourceUrl: `https://amsterdam.mijndak.nl/HuisDetails?PublicatieId=${externalId}`,
      contentHash: `hash-${externalId}-0123456789`,
      homeKey: `pc:1509BE:${externalId}:`,
      raw: {},
      ...over,
    },
  });
}

beforeAll(async () => {
  api = await startTestApi(config);
  ({ db, app } = api);
  const org = await db.organisation.create({ data: { name: "Org" } });
  await db.user.create({ data: { email: "c@org.test", name: "C", role: "counsellor", passwordHash: await argon2.hash("correct horse battery"), organisationId: org.id } });
  staff = request.agent(app);
  const login = await staff.post("/api/auth/login").send({ email: "c@org.test", password: "correct horse battery" });
  staff.set("X-CSRF-Token", login.body.csrfToken as string);

  const family = await db.family.create({ data: { displayName: "Amina Secretname", email: "amina@example.org", language: "nl", organisationId: org.id } });
  familyId = family.id;
  const otherFamily = await db.family.create({ data: { displayName: "Grace", language: "en", organisationId: org.id, calendarToken: "g".repeat(43) } });

  const open1 = await listing("470");
  const open2 = await listing("12", { closesAt: summer, houseNumberAddition: "A" });
  const closed = await listing("13", { status: "closed" });
  const past = await listing("14", { closesAt: new Date(Date.now() - 3600_000) });
  const refused = await listing("15");
  const dup = await listing("470b", { siteId: "woonnet-haaglanden", homeKey: "pc:1509BE:470:" });
  const m1 = await db.match.create({ data: { familyId, listingId: open1.id, reasons: [] } });
  await db.match.create({ data: { familyId, listingId: open2.id, reasons: [] } });
  await db.match.create({ data: { familyId, listingId: closed.id, reasons: [] } });
  await db.match.create({ data: { familyId, listingId: past.id, reasons: [] } });
  const mRefused = await db.match.create({ data: { familyId, listingId: refused.id, reasons: [] } });
  await db.match.create({ data: { familyId, listingId: dup.id, reasons: [], duplicateOfId: m1.id } });
  await db.match.create({ data: { familyId: otherFamily.id, listingId: open1.id, reasons: [] } });
  await db.$transaction((tx) => appendActivity(tx, { familyId, type: "not_for_us", actor: "family", matchId: mRefused.id, payload: {} }));
});

afterAll(() => api.close());

describe("calendar feed", () => {
  let url: string;

  it("gets a secret URL from the staff endpoint", async () => {
    const res = await staff.post(`/api/families/${familyId}/calendar-token`);
    expect(res.status).toBe(201);
    url = res.body.url as string;
    expect(url).toMatch(/^https:\/\/eldersthuis\.example\/cal\/[A-Za-z0-9_-]{43}\.ics$/);
  });

  it("lists the closing times of the open, non-duplicate matches the family did not turn down", async () => {
    const res = await request(app).get(new URL(url).pathname);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/calendar/);
    const cal = parseIcs(res.text).children[0]!;
    expect(cal.type).toBe("VCALENDAR");
    expect(prop(cal, "VERSION")?.value).toBe("2.0");
    const tz = cal.children.find((c) => c.type === "VTIMEZONE");
    expect(tz && prop(tz, "TZID")?.value).toBe("Europe/Amsterdam");

    const events = cal.children.filter((c) => c.type === "VEVENT");
    const summaries = events.map((e) => unescape(prop(e, "SUMMARY")!.value)).sort();
    expect(summaries).toEqual(["Reageren: Kalf 12 A, Zaandam", "Reageren: Kalf 470, Zaandam"]);

    const jan = events.find((e) => prop(e, "SUMMARY")!.value.includes("470"))!;
    expect(prop(jan, "DTEND")).toEqual({ name: "DTEND", params: { TZID: "Europe/Amsterdam" }, value: `${year}0115T200000` });
    expect(prop(jan, "DTSTART")!.value).toBe(`${year}0115T193000`);
    expect(prop(jan, "URL")!.value).toBe("https://amsterdam.mijndak.nl/HuisDetails?PublicatieId=470");
    expect(unescape(prop(jan, "DESCRIPTION")!.value)).toBe(
      "Reageren kan tot 20:00 op de website van WoningNet Stadsregio Amsterdam.\nhttps://amsterdam.mijndak.nl/HuisDetails?PublicatieId=470",
    );
    expect(jan.children.filter((c) => c.type === "VALARM").map((a) => prop(a, "TRIGGER")!.value)).toEqual(["-P1D", "-PT3H"]);

    // Summer time: 23:59 in Amsterdam is 21:59Z, and the feed says 23:59 local.
    const jul = events.find((e) => prop(e, "SUMMARY")!.value.includes("12 A"))!;
    expect(prop(jul, "DTEND")!.value).toBe(`${year}0715T235900`);
  });

  it("holds nothing personal beyond what the family needs", async () => {
    const res = await request(app).get(new URL(url).pathname);
    expect(res.text).not.toContain("Amina");
    expect(res.text).not.toContain("Secretname");
    expect(res.text).not.toContain("amina@example.org");
    expect(res.text).not.toContain(familyId);
  });

  it("answers 404 for an unknown or malformed token, and after rotation for the old one", async () => {
    expect((await request(app).get(`/cal/${"x".repeat(43)}.ics`)).status).toBe(404);
    expect((await request(app).get("/cal/short.ics")).status).toBe(404);
    expect((await request(app).get(`${new URL(url).pathname}.txt`)).status).toBe(404);
    const rotated = await staff.post(`/api/families/${familyId}/calendar-token`);
    expect((await request(app).get(new URL(url).pathname)).status).toBe(404);
    expect((await request(app).get(new URL(rotated.body.url as string).pathname)).status).toBe(200);
    expect((await staff.delete(`/api/families/${familyId}/calendar-token`)).status).toBe(204);
    expect((await request(app).get(new URL(rotated.body.url as string).pathname)).status).toBe(404);
  });

  it("keeps families apart", async () => {
    const res = await request(app).get(`/cal/${"g".repeat(43)}.ics`);
    const events = parseIcs(res.text).children[0]!.children.filter((c) => c.type === "VEVENT");
    expect(events.map((e) => unescape(prop(e, "SUMMARY")!.value))).toEqual(["Respond: Kalf 470, Zaandam"]);
  });

  it("refuses the token endpoint without a staff session", async () => {
    expect((await request(app).post(`/api/families/${familyId}/calendar-token`)).status).toBe(401);
  });
});
