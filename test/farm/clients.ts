// Minimal clients of each simulated platform's offer endpoint, for farm tests that look at raw HTTP
// (status, headers, body) rather than through an adapter. Each speaks the platform's real request.
import type { PlatformId } from "./types.js";

export interface RawAnswer {
  status: number;
  headers: Headers;
  body: string;
}

const EMBRACE_QUERY =
  "query widgetListGetPublications($first: Int, $after: String) { housingPublications { nodes(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } } }";

/** The request that reads a site's offer (the first page of it), as its platform expects it. */
export function offerRequest(platform: PlatformId, settings: Record<string, unknown> = {}): { path: string; init: RequestInit } {
  const json = { "content-type": "application/json" };
  switch (platform) {
    case "zig":
      return { path: "/portal/object/frontend/getallobjects/format/json", init: { method: "POST", headers: { "X-Requested-With": "XMLHttpRequest" } } };
    case "zig-aanbodapi":
      return { path: "/api/v1/actueel-aanbod?page=0&limit=60", init: { method: "POST", headers: json, body: "{}" } };
    case "dak":
      return { path: "/screenservices/DAKWP/Overzicht/Woningaanbod/DataActionHaalUitgelogdAanbod", init: { method: "POST", headers: json, body: "{}" } };
    case "embrace":
      return {
        path: "/graphql",
        init: {
          method: "POST",
          headers: { ...json, "x-ec-tenant-id": "woonnetrijnmond" },
          body: JSON.stringify({ operationName: "widgetListGetPublications", query: EMBRACE_QUERY, variables: { first: 100 } }),
        },
      };
    case "woonmatch":
      return { path: typeof settings.offerPath === "string" ? settings.offerPath : "/aanbod", init: {} };
    case "entree":
      return {
        path: typeof settings.listPath === "string" ? settings.listPath : "/Aanbod.aspx/GetAanbod",
        init: { method: "POST", headers: { "content-type": "application/json; charset=utf-8" }, body: "{}" },
      };
    case "itris":
      return { path: typeof settings.listPath === "string" ? settings.listPath : "/woningaanbod/", init: {} };
  }
}

/** DAK answers the anonymous offer only within a session: get its cookies from the offer page first. */
async function dakCookie(siteUrl: string): Promise<string> {
  const res = await fetch(`${siteUrl}/Woningaanbod`);
  await res.text();
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .join("; ");
}

/** Reads a site's offer over plain HTTP. `siteUrl` is the farm URL plus the site's basePath. */
export async function fetchOffer(
  siteUrl: string,
  platform: PlatformId,
  settings: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const { path, init } = offerRequest(platform, settings);
  const extra: Record<string, string> = { ...headers };
  if (platform === "dak") extra.cookie = await dakCookie(siteUrl);
  const res = await fetch(`${siteUrl}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), ...extra } });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** Catalogue settings as the seed writes them with the farm override: every *BaseUrl points at the site. */
export function farmSettings(settings: Record<string, unknown>, siteUrl: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, /BaseUrl$/.test(k) ? siteUrl : v]));
}
