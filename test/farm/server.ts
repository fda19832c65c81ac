// The site farm: a local HTTP server that imitates Dutch social-housing platforms at their real
// endpoint paths, under /s/<siteId>, built from recorded responses moved to the present.
// A development and test tool: production code never imports it, and nothing here talks to a real site.
import type { AddressInfo } from "node:net";
import express, { type ErrorRequestHandler, type Express, type Request, type Response } from "express";
import { z } from "zod";
import { HOUR } from "./dates.js";
import { DEFAULT_FIXTURES_DIR } from "./fixtures.js";
import { dakPlatform } from "./platforms/dak.js";
import { embracePlatform } from "./platforms/embrace.js";
import { zigPlatform } from "./platforms/zig.js";
import { sendAnswer } from "./respond.js";
import { SiteState } from "./state.js";
import {
  FARM_MODELS,
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
  /** Folder with the recorded responses. Default test/fixtures/sites. */
  fixturesDir?: string;
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

/** The simulated sites. Ids are fixed: the lead's site catalogue uses them. */
const SITES: { id: string; platform: (fixturesDir: string) => PlatformSite<object> }[] = [
  { id: "woonnet-haaglanden", platform: zigPlatform },
  { id: "woningnet-amsterdam", platform: dakPlatform },
  { id: "woonnet-rijnmond", platform: embracePlatform },
];

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
  const log: RequestLogEntry[] = [];
  const app = express();
  app.disable("x-powered-by");
  // Every answer in full: no 304s that would hide the offer from a client that sent If-None-Match.
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

  function mountSite<R>(id: string, platform: PlatformSite<R>): SiteHandle {
    const state = new SiteState<R>(id, platform, clock, tickMs, seed);
    const basePath = `/s/${id}`;
    const runtime: SiteRuntime<R> = {
      id,
      offer: () => state.offer(),
      now: clock,
      // The site's single respond step: where fault modes will be injected.
      respond: (_req, res, answer) => sendAnswer(res, answer),
    };
    app.use(basePath, platform.routes(runtime));
    app.use(basePath, (req, res) => runtime.respond(req, res, { status: 404, json: { error: "not found", path: req.path } }));
    return {
      info: { id, platform: platform.platform, municipalities: [...platform.municipalities], basePath },
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

  const handles = new Map<string, SiteHandle>();
  for (const site of SITES) handles.set(site.id, mountSite(site.id, site.platform(fixturesDir)));

  const handle = (siteId: string): SiteHandle => {
    const h = handles.get(siteId);
    if (!h) throw new FarmError(404, `unknown site "${siteId}"`, "site");
    return h;
  };

  const farm: Farm = {
    app,
    sites: () => [...handles.values()].map((h) => ({ ...h.info, municipalities: [...h.info.municipalities] })),
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
