// Zig's newer offer API ("aanbodapi", {tenant}-aanbodapi.zig365.nl), next to the tenant's portal:
// POST /api/v1/actueel-aanbod?page=<n>&limit=<size> with body {} -> {data:[getallobjects objects],
// _metadata:{page, per_page, page_count, total_count}}. Pages count from 0. Same records as the portal.
import type { Request } from "express";
import type { Answer, PlatformSite, SiteRuntime } from "../types.js";
import { driftZigObject, zigPlatform, type ZigObject } from "./zig.js";

const DEFAULT_LIMIT = 60;
const MAX_LIMIT = 100;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A non-negative integer query parameter; undefined when absent, NaN when unreadable. */
function intParam(req: Request, name: string): number | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  return typeof raw === "string" && /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
}

export function zigAanbodApiPlatform(fixturesDir: string): PlatformSite<ZigObject> {
  const zig = zigPlatform(fixturesDir);
  return {
    ...zig,
    platform: "zig-aanbodapi",

    routes(site: SiteRuntime<ZigObject>) {
      // The tenant's portal stays where it was; the API is one more route.
      const router = zig.routes(site);
      router.post("/api/v1/actueel-aanbod", (req, res) => {
        const page = intParam(req, "page") ?? 0;
        const limit = intParam(req, "limit") ?? DEFAULT_LIMIT;
        if (Number.isNaN(page)) return site.respond(req, res, { status: 400, json: { message: "page must be a non-negative integer" } });
        if (Number.isNaN(limit) || limit < 1 || limit > MAX_LIMIT) {
          return site.respond(req, res, { status: 400, json: { message: `limit must be between 1 and ${MAX_LIMIT}` } });
        }
        if (!isPlainObject(req.body)) return site.respond(req, res, { status: 400, json: { message: "body must be a JSON object" } });
        const all = site.offer().map((l) => l.record);
        const pageOf = (records: unknown[]): Answer => ({
          json: {
            data: records.slice(page * limit, (page + 1) * limit),
            _metadata: { page, per_page: limit, page_count: Math.ceil(records.length / limit), total_count: records.length },
          },
        });
        site.respond(req, res, {
          ...pageOf(all),
          offer: { empty: () => pageOf([]), drift: () => pageOf(all.map(driftZigObject)) },
        });
      });
      return router;
    },
  };
}
