// The site farm: a local HTTP server that imitates Dutch social-housing platforms at their real
// endpoint paths, under /s/<siteId>, built from recorded (or, for the smaller platforms, hand-written)
// responses moved to the present.
// A development and test tool: production code never imports it, and nothing here talks to a real site.
//
// Sites: the three recorded ones (woonnet-haaglanden: Zig, woningnet-amsterdam: DAK, woonnet-rijnmond:
// Embrace) serve their recordings; every other site of the catalogue (data/sites.json, read at start)
// whose platform the farm knows gets a simulation too, with homes in that site's own municipalities
// (and towns; or, when it lists none, its regions' municipalities) built from the platform's fixture.
// Sites with platform "unknown", or with no place known at all, are not simulated.
//
// Control API (JSON; a bad field is a 400 naming it, an unknown site a 404):
//   GET  /_farm/sites                      [{id, platform, municipalities, basePath}]
//   POST /_farm/publish {site, municipality?, bedrooms?, netRent?, model?, closesInHours?}
//        (without model and closesInHours: a first-come home, or one closing within 24 h)
//   POST /_farm/close {site, externalId}    POST /_farm/tick    POST /_farm/reset
//   GET  /_farm/requests?site=<id>         the request log (wall-clock arrival times)
//   POST /_farm/faults {site, fault, retryAfter?, delayMs?, times?}   fault null switches it off
//   GET  /_farm/faults                     [{site, fault, retryAfter, delayMs, remaining}]
//   POST /_farm/robots {site, body}        body null restores the default (allow all)
// Faults (applied in respond.ts, so every platform has them): http500; http503 and http429 with
// Retry-After (retryAfter seconds, default 30); slow (answers after delayMs, default 45000); challenge
// (a Cloudflare-like "Just a moment..." page with 200); malformed (the offer's JSON or HTML cut in
// half); empty (a well-formed offer with no homes); drift (renamed fields: Zig street->straat, DAK
// PublicatieLijst->Publicaties, Embrace housingPublications->publications, Woonmatch houses->woningen,
// Entree aanbod->woningen, Itris data-aanbod-id->data-id). `times: N` faults only the next N requests
// (data faults count only requests for the offer). robots.txt is never faulted.
// Conditional requests: Zig getallobjects, the Woonmatch offer page and the Itris offer page send an
// ETag and answer a matching If-None-Match with 304, as those servers do; the other endpoints (JSON
// POST APIs, the DAK action, GraphQL) answer in full every time.
import type { AddressInfo } from "node:net";
import express, { type ErrorRequestHandler, type Express, type Request, type Response } from "express";
import { z } from "zod";
import { loadCatalogue } from "../../infra/catalogue.js";
import { HOUR } from "./dates.js";
import { FaultBook, FaultRequest, type FaultSetting, type FaultStatus } from "./faults.js";
import { DEFAULT_FIXTURES_DIR } from "./fixtures.js";
import { everydayName, regionMunicipalities } from "./places.js";
import { dakPlatform } from "./platforms/dak.js";
import { embracePlatform } from "./platforms/embrace.js";
import { entreePlatform } from "./platforms/entree.js";
import { itrisPlatform } from "./platforms/itris.js";
import { woonmatchPlatform } from "./platforms/woonmatch.js";
import { zigAanbodApiPlatform } from "./platforms/zig-aanbodapi.js";
import { zigPlatform } from "./platforms/zig.js";
import { createRespond, sendAnswer, type PendingTimers } from "./respond.js";
import { SiteState } from "./state.js";
import {
  FARM_MODELS,
  FARM_PLATFORMS,
  type Clock,
  type FarmModel,
  type Listing,
  type PlatformId,
  type PlatformSite,
  type SiteRuntime,
} from "./types.js";

export interface FarmOptions {
  /** The farm's clock. Default: the real one. */
  now?: Clock;
  /** Every tickMs each site publishes one new listing. Default 10 minutes; 0 turns it off. */
  tickMs?: number;
  /** PRNG seed for generated listings. Default 1. */
  seed?: number;
  /**
   * Generated external ids start after this (default 900000). A long-running database remembers
   * homes by id and address, so a farm restarted against it must not publish the same ids and
   * addresses again: main.ts derives both this and the seed from the start time.
   */
  idBase?: number;
  /** Folder with the recorded responses. Default test/fixtures/sites. */
  fixturesDir?: string;
  /**
   * The catalogue sites to simulate besides the three recorded ones. Default: data/sites.json, read
   * now. Tests pass their own list to have one site of each platform whatever the catalogue holds.
   */
  catalogue?: FarmCatalogueSite[];
}

/** What the farm reads of a catalogue row. */
export interface FarmCatalogueSite {
  id: string;
  platform: string;
  municipalities: string[];
  regions?: string[];
  settings?: Record<string, unknown>;
}

export interface PublishRequest {
  municipality?: string;
  bedrooms?: number;
  netRent?: number;
  model?: FarmModel;
  closesInHours?: number;
}

export interface PublishedHome {
  externalId: string;
  street: string;
  houseNumber: string;
  municipality: string;
  /** ISO instant, so lifecycle tests know where to move the clock. */
  closesAt: string | null;
}

export interface FarmSiteInfo {
  id: string;
  platform: PlatformId;
  municipalities: string[];
  /** Path prefix of the site: its baseUrl is the farm URL plus this. */
  basePath: string;
}

export interface RequestLogEntry {
  site: string | null;
  method: string;
  path: string;
  /** Wall-clock arrival time (not the farm clock): politeness is about real delays between requests. */
  at: string;
}

export interface RunningFarm {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface Farm {
  app: Express;
  sites(): FarmSiteInfo[];
  /** Switches a fault mode on (or off with fault null) for one site. */
  setFault(siteId: string, request: Omit<FaultRequest, "site">): FaultSetting | null;
  faults(): FaultStatus[];
  /** Sets the site's robots.txt; null restores the default, which allows everything. */
  setRobots(siteId: string, body: string | null): void;
  publish(siteId: string, request?: PublishRequest): PublishedHome;
  close(siteId: string, externalId: string): boolean;
  /** One tick now: each site publishes one listing (closed ones drop out as always). */
  tick(): PublishedHome[];
  reset(): void;
  requests(siteId?: string): RequestLogEntry[];
  start(port: number, host?: string): Promise<RunningFarm>;
}

/** An error of the farm's control API, with the HTTP status and the request field it is about. */
export class FarmError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "FarmError";
  }
}

/** One simulation per platform; each loads its fixture. */
const PLATFORM_SIMULATIONS: Record<PlatformId, (fixturesDir: string) => PlatformSite<object>> = {
  zig: zigPlatform,
  "zig-aanbodapi": zigAanbodApiPlatform,
  dak: dakPlatform,
  embrace: embracePlatform,
  woonmatch: woonmatchPlatform,
  entree: entreePlatform,
  itris: itrisPlatform,
};

/** The recorded sites. Ids are fixed: the catalogue and the tests use them. */
const RECORDED_SITES: { id: string; platform: PlatformId }[] = [
  { id: "woonnet-haaglanden", platform: "zig" },
  { id: "woningnet-amsterdam", platform: "dak" },
  { id: "woonnet-rijnmond", platform: "embrace" },
];

export const DEFAULT_ROBOTS = "User-agent: *\nAllow: /\n";

const isFarmPlatform = (p: string): p is PlatformId => (FARM_PLATFORMS as readonly string[]).includes(p);

/**
 * Where a catalogue site's homes are: its municipalities (by the everyday names sites write, "Den
 * Haag" for "'s-Gravenhage"), or, when it lists none, those of its regions; plus the towns of its
 * town map (DAK names towns). Empty when nothing is known: such a site is not simulated.
 */
export function catalogueSitePlaces(site: FarmCatalogueSite): string[] {
  const towns = site.settings?.towns;
  const townNames = towns && typeof towns === "object" && !Array.isArray(towns) ? Object.keys(towns) : [];
  const municipalities = site.municipalities.length > 0 ? site.municipalities : regionMunicipalities(site.regions ?? []);
  return [...new Set([...municipalities.map(everydayName), ...townNames])];
}

function readCatalogue(): FarmCatalogueSite[] {
  return loadCatalogue().map((s) => ({
    id: s.id,
    platform: s.platform,
    municipalities: s.municipalities,
    regions: s.regions,
    settings: s.settings,
  }));
}

const REQUEST_LOG_SIZE = 5000;
const DEFAULT_TICK_MS = 10 * 60_000;

/** The farm-side handle of one site, with its record type hidden. */
interface SiteHandle {
  info: FarmSiteInfo;
  modelCodes: Partial<Record<FarmModel, string>>;
  publish(request: PublishRequest): PublishedHome;
  close(externalId: string): boolean;
  reset(): void;
}

const published = (l: Listing<unknown>): PublishedHome => ({
  externalId: l.summary.externalId,
  street: l.summary.street,
  houseNumber: l.summary.houseNumber,
  municipality: l.summary.municipality,
  closesAt: l.closesAt ? l.closesAt.toISOString() : null,
});

const PublishBody = z.strictObject({
  site: z.string().min(1),
  municipality: z.string().trim().min(1).max(120).optional(),
  bedrooms: z.number().int().min(0).max(10).optional(),
  netRent: z.number().finite().positive().max(10_000).optional(),
  model: z.enum(FARM_MODELS).optional(),
  closesInHours: z.number().finite().positive().max(24 * 60).optional(),
});

const RobotsBody = z.strictObject({
  site: z.string().min(1),
  body: z.string().max(100_000).nullable(),
});

const CloseBody = z.strictObject({
  site: z.string().min(1),
  externalId: z.union([z.string().min(1), z.number().int()]).transform(String),
});

/** The first field a zod error is about, for the 400 answer. */
function badField(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "(body)";
  if (issue.code === "unrecognized_keys" && issue.keys[0]) return issue.keys[0];
  return issue.path.length > 0 ? issue.path.map(String).join(".") : "(body)";
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const field = badField(parsed.error);
    const issue = parsed.error.issues[0];
    const detail = issue?.code === "unrecognized_keys" ? "unknown field" : (issue?.message ?? "invalid");
    throw new FarmError(400, `invalid field "${field}": ${detail}`, field);
  }
  return parsed.data;
}

export function createFarm(opts: FarmOptions = {}): Farm {
  const clock: Clock = opts.now ?? (() => new Date());
  const tickMs = opts.tickMs ?? DEFAULT_TICK_MS;
  const seed = opts.seed ?? 1;
  const fixturesDir = opts.fixturesDir ?? DEFAULT_FIXTURES_DIR;
  const catalogue = opts.catalogue ?? readCatalogue();
  const log: RequestLogEntry[] = [];
  const faultBook = new FaultBook();
  const robots = new Map<string, string>();
  const pending: PendingTimers = new Set();
  const app = express();
  app.disable("x-powered-by");
  // No automatic ETags: only the endpoints marked `etag` (respond.ts) answer conditional requests.
  app.set("etag", false);

  app.use((req, _res, next) => {
    const m = /^\/s\/([^/]+)/.exec(req.path);
    const site = m && handles.has(m[1]!) ? m[1]! : null;
    log.push({ site, method: req.method, path: req.path, at: new Date().toISOString() });
    if (log.length > REQUEST_LOG_SIZE) log.splice(0, log.length - REQUEST_LOG_SIZE);
    next();
  });
  app.use(express.json({ limit: "1mb" }));
  app.use(express.urlencoded({ extended: false }));

  function mountSite<R>(
    id: string,
    platform: PlatformSite<R>,
    settings: Record<string, unknown>,
    places?: string[],
  ): SiteHandle {
    const state = new SiteState<R>(id, platform, clock, tickMs, seed, { places, idBase: opts.idBase });
    const basePath = `/s/${id}`;
    const runtime: SiteRuntime<R> = {
      id,
      settings,
      offer: () => state.offer(),
      now: clock,
      // The site's single respond step, where its fault mode is applied.
      respond: createRespond(id, faultBook, pending),
    };
    // Outside the fault step: a crawler's robots check should not use up a fault's turns.
    app.get(`${basePath}/robots.txt`, (req, res) => sendAnswer(req, res, { text: robots.get(id) ?? DEFAULT_ROBOTS }));
    app.use(basePath, platform.routes(runtime));
    app.use(basePath, (req, res) => runtime.respond(req, res, { status: 404, json: { error: "not found", path: req.path } }));
    return {
      info: { id, platform: platform.platform, municipalities: [...state.places], basePath },
      modelCodes: platform.modelCodes,
      publish: (request) =>
        published(
          state.publish({
            municipality: request.municipality,
            bedrooms: request.bedrooms,
            netRent: request.netRent,
            model: request.model,
            closesAt:
              request.closesInHours !== undefined
                ? new Date(clock().getTime() + request.closesInHours * HOUR)
                : undefined,
          }),
        ),
      close: (externalId) => state.close(externalId),
      reset: () => state.reset(),
    };
  }

  // One loaded simulation per platform, shared by its sites: records are cloned per site.
  const simulations = new Map<PlatformId, PlatformSite<object>>();
  const simulation = (platform: PlatformId): PlatformSite<object> => {
    let sim = simulations.get(platform);
    if (!sim) {
      sim = PLATFORM_SIMULATIONS[platform](fixturesDir);
      simulations.set(platform, sim);
    }
    return sim;
  };

  const handles = new Map<string, SiteHandle>();
  for (const site of RECORDED_SITES) {
    const settings = catalogue.find((c) => c.id === site.id)?.settings ?? {};
    handles.set(site.id, mountSite(site.id, simulation(site.platform), settings));
  }
  for (const site of catalogue) {
    if (handles.has(site.id) || !isFarmPlatform(site.platform)) continue;
    const places = catalogueSitePlaces(site);
    if (places.length === 0) continue;
    handles.set(site.id, mountSite(site.id, simulation(site.platform), site.settings ?? {}, places));
  }

  const handle = (siteId: string): SiteHandle => {
    const h = handles.get(siteId);
    if (!h) throw new FarmError(404, `unknown site "${siteId}"`, "site");
    return h;
  };

  const farm: Farm = {
    app,
    sites: () => [...handles.values()].map((h) => ({ ...h.info, municipalities: [...h.info.municipalities] })),
    setFault(siteId, request) {
      handle(siteId);
      return faultBook.set(siteId, request);
    },
    faults: () => faultBook.list(),
    setRobots(siteId, body) {
      handle(siteId);
      if (body === null) robots.delete(siteId);
      else robots.set(siteId, body);
    },
    publish(siteId, request = {}) {
      const h = handle(siteId);
      if (request.model && !h.modelCodes[request.model]) {
        const known = Object.keys(h.modelCodes).join(", ");
        throw new FarmError(
          400,
          `invalid field "model": ${h.info.platform} has no known code for ${request.model} (known: ${known})`,
          "model",
        );
      }
      return h.publish(request);
    },
    close: (siteId, externalId) => handle(siteId).close(externalId),
    tick: () => [...handles.values()].map((h) => h.publish({})),
    reset() {
      for (const h of handles.values()) h.reset();
      log.length = 0;
      faultBook.clear();
      robots.clear();
    },
    requests: (siteId) => (siteId === undefined ? [...log] : log.filter((e) => e.site === siteId)),
    start(port, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        const server = app.listen(port, host);
        server.once("error", reject);
        server.once("listening", () => {
          const actual = (server.address() as AddressInfo).port;
          const shownHost = host.includes(":") ? `[${host}]` : host;
          resolve({
            url: `http://${shownHost}:${actual}`,
            port: actual,
            close: () =>
              new Promise<void>((done, fail) => {
                // "slow" answers still waiting would otherwise fire after the farm is gone.
                for (const timer of pending) clearTimeout(timer);
                pending.clear();
                server.close((err) => (err ? fail(err) : done()));
                // Keep-alive connections of clients would otherwise hold close() open.
                server.closeAllConnections();
              }),
          });
        });
      });
    },
  };

  // ---- control API ----
  const control = (fn: (req: Request, res: Response) => void) => (req: Request, res: Response) => {
    try {
      fn(req, res);
    } catch (err) {
      if (!(err instanceof FarmError)) throw err;
      res.status(err.status).json({ error: err.message, ...(err.field ? { field: err.field } : {}) });
    }
  };

  app.get(
    "/_farm/sites",
    control((_req, res) => {
      res.json(farm.sites());
    }),
  );
  app.post(
    "/_farm/publish",
    control((req, res) => {
      const { site, ...request } = parseBody(PublishBody, req.body);
      // A bare {"site"} publishes a home families must act on now (first come, or — where the
      // platform has no first-come model, like DAK — closing within a day), so its alert goes out
      // at once instead of waiting for the family's daily digest.
      if (!request.model && request.closesInHours === undefined) {
        if (handle(site).modelCodes.first_come) request.model = "first_come";
        else request.closesInHours = 24;
      }
      res.json(farm.publish(site, request));
    }),
  );
  app.post(
    "/_farm/close",
    control((req, res) => {
      const { site, externalId } = parseBody(CloseBody, req.body);
      if (!farm.close(site, externalId)) throw new FarmError(404, `listing "${externalId}" is not on offer`, "externalId");
      res.json({ closed: true, site, externalId });
    }),
  );
  app.post(
    "/_farm/tick",
    control((_req, res) => {
      res.json(farm.tick());
    }),
  );
  app.post(
    "/_farm/reset",
    control((_req, res) => {
      farm.reset();
      res.json({ reset: true });
    }),
  );
  app.post(
    "/_farm/faults",
    control((req, res) => {
      const { site, ...request } = parseBody(FaultRequest, req.body);
      const setting = farm.setFault(site, request);
      res.json(setting ? { site, ...setting } : { site, fault: null });
    }),
  );
  app.get(
    "/_farm/faults",
    control((_req, res) => {
      res.json(farm.faults());
    }),
  );
  app.post(
    "/_farm/robots",
    control((req, res) => {
      const { site, body } = parseBody(RobotsBody, req.body);
      farm.setRobots(site, body);
      res.json({ site, body: body ?? DEFAULT_ROBOTS });
    }),
  );
  app.get(
    "/_farm/requests",
    control((req, res) => {
      const site = typeof req.query.site === "string" ? req.query.site : undefined;
      if (site !== undefined) handle(site);
      res.json(farm.requests(site));
    }),
  );

  app.use((req, res) => {
    res.status(404).json({ error: "not found", method: req.method, path: req.path });
  });
  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    const status = typeof (err as { status?: unknown }).status === "number" ? (err as { status: number }).status : 500;
    const type = (err as { type?: unknown }).type;
    res.status(status).json({ error: type === "entity.parse.failed" ? "malformed JSON body" : String((err as Error).message ?? err) });
  };
  app.use(onError);

  return farm;
}
