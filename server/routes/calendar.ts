// A family's iCalendar feed at a secret URL: the closing times of its open matches, so deadlines
// show up in the phone's own calendar. The URL is the only key (calendar apps cannot sign in), so
// the token is long and random, staff can rotate or remove it, and the feed holds nothing personal
// beyond what the family needs: the address, the closing time, the site and the link. No name.
import { randomBytes } from "node:crypto";
import { getVtimezoneComponent } from "@touch4it/ical-timezones";
import { Router } from "express";
import ical, { ICalAlarmType, ICalCalendarMethod } from "ical-generator";
import { DateTime } from "luxon";
import { formatTime, translator } from "../../domain/messages.js";
import { AMSTERDAM } from "../../domain/time.js";
import type { Config } from "../../infra/config.js";
import type { Db } from "../../infra/db.js";
import { familyForStaff } from "../access.js";
import { requireStaff } from "../auth.js";

const FEED_FILE = /^([A-Za-z0-9_-]{32,128})\.ics$/;
/** The event ends at the closing time; it starts a little earlier so calendars show a block. */
const EVENT_MINUTES = 30;
/** Alarms before the closing time, as the reminders' defaults (24 h and 3 h). */
const ALARMS_SECONDS = [24 * 3600, 3 * 3600];

export function newCalendarToken(): string {
  return randomBytes(32).toString("base64url");
}

export function calendarRouter(db: Db, config: Config): Router {
  const r = Router();

  r.get("/cal/:file", async (req, res) => {
    const m = FEED_FILE.exec(req.params.file);
    const family = m ? await db.family.findUnique({ where: { calendarToken: m[1] }, select: { id: true, language: true, erasedAt: true } }) : null;
    if (!family || family.erasedAt) {
      res.status(404).type("text/plain").send("Not found");
      return;
    }
    const now = new Date();
    // Open: the home is still open and its closing time is ahead. Duplicates (the same home
    // through another listing) are left out; so are homes the family said are not suitable.
    const matches = await db.match.findMany({
      where: {
        familyId: family.id,
        duplicateOfId: null,
        listing: { status: "open", closesAt: { gt: now } },
        id: { notIn: await notSuitable(db, family.id) },
      },
      orderBy: { createdAt: "asc" },
      include: { listing: { select: { street: true, houseNumber: true, houseNumberAddition: true, city: true, closesAt: true, sourceUrl: true, site: { select: { name: true } } } } },
    });
    const { t, lang } = translator(family.language, "alert");
    const cal = ical({
      name: "Eldersthuis",
      prodId: { company: "Eldersthuis", product: "deadlines", language: lang.toUpperCase() },
      method: ICalCalendarMethod.PUBLISH,
      timezone: { name: AMSTERDAM, generator: getVtimezoneComponent },
      ttl: 3600,
    });
    for (const match of matches) {
      const l = match.listing;
      const closes = DateTime.fromJSDate(l.closesAt!, { zone: AMSTERDAM });
      const address = `${[l.street, l.houseNumber, l.houseNumberAddition].filter(Boolean).join(" ")}, ${l.city}`;
      const event = cal.createEvent({
        id: `${match.id}@eldersthuis`,
        start: closes.minus({ minutes: EVENT_MINUTES }),
        end: closes,
        timezone: AMSTERDAM,
        stamp: DateTime.fromJSDate(match.createdAt, { zone: AMSTERDAM }),
        summary: t("calendar.title", { address }),
        description: `${t("calendar.description", { time: formatTime(l.closesAt!, lang), site: l.site.name })}\n${l.sourceUrl}`,
        url: l.sourceUrl,
      });
      for (const seconds of ALARMS_SECONDS) {
        if (l.closesAt!.getTime() - seconds * 1000 > now.getTime()) event.createAlarm({ type: ICalAlarmType.display, triggerBefore: seconds, description: t("calendar.title", { address }) });
      }
    }
    res
      .status(200)
      .type("text/calendar; charset=utf-8")
      // The feed changes as matches come and go; calendar apps poll it.
      .set("Cache-Control", "private, max-age=300")
      .send(cal.toString());
  });

  /** Creates or rotates the family's feed token; the old URL stops working at once. */
  r.post("/api/families/:id/calendar-token", requireStaff, async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "rotate_calendar_token", { roles: ["admin", "counsellor"] });
    const token = newCalendarToken();
    await db.family.update({ where: { id: family.id }, data: { calendarToken: token } });
    res.status(201).json({ url: `${config.PUBLIC_URL}/cal/${token}.ics` });
  });

  /** Removes the feed: the URL answers 404 from now on. */
  r.delete("/api/families/:id/calendar-token", requireStaff, async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "remove_calendar_token", { roles: ["admin", "counsellor"] });
    await db.family.update({ where: { id: family.id }, data: { calendarToken: null } });
    res.status(204).end();
  });
  return r;
}

/** Matches the family answered "not suitable" for: nothing to remind about. */
async function notSuitable(db: Db, familyId: string): Promise<string[]> {
  const rows = await db.activity.findMany({ where: { familyId, type: "not_for_us", matchId: { not: null } }, select: { matchId: true } });
  return rows.map((r) => r.matchId!);
}
