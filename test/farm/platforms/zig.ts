// Zig Websoftware ("Hexia"/Woonmatch) portal, as recorded on Woonnet Haaglanden.
// List: POST /portal/object/frontend/getallobjects/format/json  -> {"sAngularServiceData":"[]","result":[...]}
// Detail: POST /portal/object/frontend/getobject/format/json, form body id=<id>
import { Router } from "express";
import { DateTime } from "luxon";
import { AMSTERDAM, parseAmsterdamLocal } from "../../../domain/time.js";
import { DAY, dutchRemaining, localTimeAfterDays, shiftCalendarDate, zigDateTime } from "../dates.js";
import { readFixture } from "../fixtures.js";
import { cloneJson, jitterCoordinate, type Rng } from "../generate.js";
import type { Answer, FarmModel, Home, Listing, PlatformSite, RecordSummary, SiteRuntime } from "../types.js";

interface NamedRef {
  name: string | null;
  id: string | null;
}

/** The fields of a Zig list object the farm reads or writes; the rest is carried along untouched. */
export interface ZigObject {
  id: string;
  urlKey: string;
  street: string;
  houseNumber: string;
  houseNumberAddition: string;
  postalcode: string;
  corporation: { code: string };
  municipality: NamedRef;
  city: NamedRef;
  quarter: NamedRef;
  neighborhood: NamedRef;
  dwellingType: { categorie: string; localizedName: string };
  netRent: number;
  totalRent: number;
  sleepingRoom: { amountOfRooms: string; id: string };
  areaDwelling: number;
  energyLabel: { icon: string; id: string };
  model: {
    modelCategorie: { icon: string; code: string; toonOpWebsite: boolean; id: string };
    isHospiteren: boolean;
    advertentieSluitenNaEersteReactie: boolean;
  };
  publicationDate: string;
  closingDate: string;
  availableFromDate: string;
  latitude: string;
  longitude: string;
  pictures: { label: string; uri: string; type: string }[];
  doelgroepen: { icon: string; code: string; id: string }[];
  isWoningruil: boolean;
  isGepubliceerd: boolean;
  [field: string]: unknown;
}

interface ZigListResponse {
  sAngularServiceData: string;
  result: ZigObject[];
}

/** The detail object: the list fields plus eligibility, reactions and texts. */
interface ZigDetailObject {
  id: string;
  description: string;
  numberOfReactions: number;
  assignmentID: number;
  remainingTimeUntilClosingDate: string;
  areaLivingRoom: number;
  areaSleepingRoom: string;
  minimumHouseholdSize: number;
  maximumHouseholdSize: number;
  inwonendeKinderenMinimum: number;
  reactionData: { url: string; [field: string]: unknown };
  corporation: { code: string; name: string; picture: { location: string }; [field: string]: unknown };
  quarter: { extraInformatieUrl: string; [field: string]: unknown };
  serviceCosts: number;
  eigenaar: { name: string; [field: string]: unknown };
  verhuurteam: { naam: string };
  sleepingRoom: { amountOfRooms: string; localizedName: string };
  energyLabel: { icon: string; localizedName: string };
  model: { inCode: string; localizedName: string; modelCategorie: { code: string } };
  [field: string]: unknown;
}

interface ZigDetailResponse {
  sAngularServiceData: string;
  result: ZigDetailObject;
}

const FOLDER = "zig-woonnet-haaglanden";

/**
 * Model categories. inschrijfduur, random and woningruil (code, icon, id) are as recorded; for
 * reactiedatum and hospiteren only the code is documented (docs/sites.md), icon and id are the farm's.
 */
const MODELS: Record<FarmModel, { code: string; icon: string; id: string; name: string }> = {
  waiting_time: { code: "inschrijfduur", icon: "br_aanbodcooptatie", id: "1", name: "Aanbodmodel" },
  lottery: { code: "random", icon: "br_loting", id: "2", name: "Loting" },
  first_come: { code: "reactiedatum", icon: "br_reactiedatum", id: "3", name: "Reactiedatum" },
  cooptation: { code: "hospiteren", icon: "br_hospiteren", id: "4", name: "Hospiteren" },
  home_swap: { code: "woningruil", icon: "icon_motivatie", id: "5", name: "Woningruil" },
};

/** The recorded detail's assignmentID is its dwelling id minus this; the farm keeps that relation. */
const ASSIGNMENT_OFFSET = 97630;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Detail = recorded detail shape, overlaid with the listing's own data (objects merged, the rest replaced). */
function overlay(base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(top)) {
    const current = base[key];
    base[key] = isPlainObject(current) && isPlainObject(value) ? overlay(current, value) : cloneJson(value);
  }
  return base;
}

/** Schema drift as a Zig release might bring it: Dutch field names where English ones were. */
export function driftZigObject(o: ZigObject): Record<string, unknown> {
  const { street, ...rest } = o;
  return { straat: street, ...rest };
}

const slugPart = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, "");

/** "icon_label_a_plus_plus" is "A++". */
function energyLabelName(icon: string): string {
  const label = icon.replace(/^icon_label_/, "").replace(/_plus/g, "+");
  return label ? `Energielabel ${label.toUpperCase()}` : "";
}

export function zigPlatform(fixturesDir: string): PlatformSite<ZigObject> {
  const list = readFixture<ZigListResponse>(fixturesDir, FOLDER, "getallobjects.json");
  const detail = readFixture<ZigDetailResponse>(fixturesDir, FOLDER, "getobject.json");
  const recorded = list.result;
  // The recording's home-swap ads are anonymised placeholders (SOURCE.md): served, but not a source of places.
  const isRealHome = (o: ZigObject): boolean => !o.isWoningruil && o.dwellingType.categorie === "woning";
  const realHomes = recorded.filter(isRealHome);
  const municipalities = [...new Set(realHomes.map((o) => o.municipality.name ?? "").filter(Boolean))];
  // Family-home donors: ordinary (regulier) ads with two or more rooms.
  const donors = realHomes.filter(
    (o) => Number(o.sleepingRoom.amountOfRooms) >= 2 && o.doelgroepen.every((g) => g.code === "regulier"),
  );
  if (donors.length === 0) throw new Error(`site farm: no family-home record in ${FOLDER}`);

  const describe = (o: ZigObject): RecordSummary => ({
    externalId: o.id,
    street: o.street,
    houseNumber: o.houseNumber + o.houseNumberAddition,
    municipality: o.municipality.name ?? "",
    postcode: o.postalcode || null,
  });

  function detailFor(listing: Listing<ZigObject>, now: Date): ZigDetailObject {
    const o = listing.record;
    const template = detail.result;
    const d = overlay(cloneJson(template) as Record<string, unknown>, o) as ZigDetailObject;
    const rooms = Number(o.sleepingRoom.amountOfRooms);
    d.assignmentID = Number(o.id) - ASSIGNMENT_OFFSET;
    d.reactionData.url = `?add=${d.assignmentID}&dwellingID=${o.id}`;
    d.remainingTimeUntilClosingDate = listing.closesAt ? dutchRemaining(now, listing.closesAt) : "";
    d.sleepingRoom.localizedName = `${rooms} ${rooms === 1 ? "kamer" : "kamers"}`;
    d.energyLabel.localizedName = energyLabelName(o.energyLabel.icon);
    const model = Object.values(MODELS).find((m) => m.code === o.model.modelCategorie.code);
    if (model && model.code !== template.model.modelCategorie.code) {
      d.model.inCode = model.code;
      d.model.localizedName = model.name;
    }
    if (o.id !== template.id) {
      // Texts and counts of the recorded home would be wrong for another one.
      d.description = `<p>${o.dwellingType.localizedName} in ${o.city.name ?? o.municipality.name ?? ""}${
        o.quarter.name ? ` (${o.quarter.name})` : ""
      } met ${rooms} ${rooms === 1 ? "slaapkamer" : "slaapkamers"} en ${o.areaDwelling} m² woonoppervlakte.</p>`;
      d.numberOfReactions = listing.generated ? 0 : (Number(o.id) * 7919) % 400;
      d.quarter.extraInformatieUrl = "";
      d.serviceCosts = Math.round((o.totalRent - o.netRent) * 100) / 100;
      d.areaLivingRoom = 0;
      d.areaSleepingRoom = "";
      d.minimumHouseholdSize = rooms >= 3 ? 2 : 1;
      d.maximumHouseholdSize = rooms >= 3 ? rooms + 2 : rooms === 2 ? 4 : 2;
      d.inwonendeKinderenMinimum = rooms >= 3 ? 1 : 0;
      if (o.corporation.code !== template.corporation.code) {
        d.corporation.name = "";
        d.corporation.picture.location = "";
        d.eigenaar.name = "";
        d.verhuurteam.naam = "";
      }
    }
    return d;
  }

  return {
    platform: "zig",
    municipalities,
    modelCodes: Object.fromEntries(Object.entries(MODELS).map(([k, v]) => [k, v.code])),

    fixtureRecords: () => cloneJson(recorded),

    dates: (o) => ({ publishedAt: parseAmsterdamLocal(o.publicationDate), closesAt: parseAmsterdamLocal(o.closingDate) }),

    setDates(o, publishedAt, closesAt) {
      if (publishedAt) o.publicationDate = zigDateTime(publishedAt);
      if (closesAt) o.closingDate = zigDateTime(closesAt);
    },

    shiftCalendarDates(o, days) {
      o.availableFromDate = shiftCalendarDate(o.availableFromDate, days);
    },

    describe,
    isRealHome,

    // Zig ads close at 20:00 Amsterdam time; the farm's new ones three days after publication.
    defaultClosing: (publishedAt) => localTimeAfterDays(publishedAt, 3, 20, 0),

    build(home: Home, rng: Rng): ZigObject {
      const donor = rng.pick(donors);
      const places = realHomes.filter((o) => o.municipality.name === home.municipality);
      // Drawn even when unused, so the stream of later homes does not depend on this one's municipality.
      const placeDraw = rng.next();
      const place = places[Math.floor(placeDraw * places.length)];
      const latitude = jitterCoordinate(place?.latitude ?? "", rng);
      const longitude = jitterCoordinate(place?.longitude ?? "", rng);
      const o = cloneJson(donor);
      const id = String(home.number);
      const model = MODELS[home.model];
      o.id = id;
      o.street = home.street;
      o.houseNumber = String(home.houseNumber);
      o.houseNumberAddition = "";
      o.postalcode = home.postcode;
      if (place) {
        o.municipality = cloneJson(place.municipality);
        o.city = cloneJson(place.city);
        o.quarter = cloneJson(place.quarter);
        o.neighborhood = cloneJson(place.neighborhood);
        o.corporation = cloneJson(place.corporation);
      } else {
        // A municipality the recording never showed: no ids or quarter are known for it.
        o.municipality = { name: home.municipality, id: null };
        o.city = { name: home.municipality, id: null };
        o.quarter = { name: "", id: null };
        o.neighborhood = { name: "", id: null };
      }
      o.latitude = latitude;
      o.longitude = longitude;
      o.urlKey = `${id}-${slugPart(o.street)}-${o.houseNumber}-${slugPart(o.city.name ?? home.municipality)}`;
      o.netRent = home.netRent;
      o.totalRent = Math.round((home.netRent + home.serviceCosts) * 100) / 100;
      o.sleepingRoom = { amountOfRooms: String(home.bedrooms), id: String(home.bedrooms) };
      o.areaDwelling = home.areaM2;
      o.model.modelCategorie = { ...o.model.modelCategorie, code: model.code, icon: model.icon, id: model.id };
      o.model.isHospiteren = home.model === "cooptation";
      o.model.advertentieSluitenNaEersteReactie = false;
      o.isWoningruil = home.model === "home_swap";
      o.isGepubliceerd = true;
      o.publicationDate = zigDateTime(home.publishedAt);
      o.closingDate = zigDateTime(home.closesAt);
      o.availableFromDate = DateTime.fromMillis(home.closesAt.getTime() + 14 * DAY, { zone: AMSTERDAM }).toFormat(
        "yyyy-MM-dd",
      );
      // The donor's photos show another home; the recording has ads without photos too.
      o.pictures = [];
      return o;
    },

    routes(site: SiteRuntime<ZigObject>): Router {
      const router = Router();
      router.post("/portal/object/frontend/getallobjects/format/json", (req, res) => {
        const records = site.offer().map((l) => l.record);
        const list = (result: unknown[]): Answer => ({ json: { sAngularServiceData: "[]", result } });
        site.respond(req, res, {
          ...list(records),
          // The portal's PHP sends an ETag for the list; a client may revalidate with If-None-Match.
          etag: true,
          offer: { empty: () => list([]), drift: () => list(records.map(driftZigObject)) },
        });
      });
      router.post("/portal/object/frontend/getobject/format/json", (req, res) => {
        const body: unknown = req.body;
        const raw = isPlainObject(body) ? body.id : undefined;
        const id = typeof raw === "string" || typeof raw === "number" ? String(raw) : undefined;
        const listing = id ? site.offer().find((l) => l.record.id === id) : undefined;
        if (!listing) {
          site.respond(req, res, { status: 404, json: { sAngularServiceData: "[]", result: null } });
          return;
        }
        site.respond(req, res, { json: { sAngularServiceData: "[]", result: detailFor(listing, site.now()) } });
      });
      return router;
    },
  };
}
