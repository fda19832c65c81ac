// Zig's newer offer API ("aanbodapi"), used by some Zig tenants next to or instead of the portal's
// getallobjects: POST {apiBaseUrl}/api/v1/actueel-aanbod?page=<n>&limit=<size> with body {} answers
// {data:[the same objects as getallobjects], _metadata:{page_count}}. Objects are normalized by the Zig
// adapter's own code. See docs/sites.md, "Zig Websoftware portals".
import type { NormalizedListing } from "../../../domain/listing.js";
import { SiteSchemaError } from "../errors.js";
import { parseJsonBody, readSettings, schemaError } from "../normalize.js";
import type { FetchContext, FetchedPage, SiteAdapter, SiteTarget } from "../types.js";
import { normalizeZigObject } from "../zig/adapter.js";
import { ZigAanbodApiPage, ZigAanbodApiPaging, ZigAanbodApiSettings } from "./schema.js";

/** Guard against a page_count that never ends: 40 pages of 60 is far beyond any tenant's offer. */
export const MAX_PAGES = 40;

export function aanbodApiUrl(settings: ZigAanbodApiSettings, page: number): string {
  return `${settings.apiBaseUrl}/api/v1/actueel-aanbod?page=${page}&limit=${settings.pageSize}`;
}

/** Parses one page of actueel-aanbod. */
export function parseZigAanbodApiPage(body: string, site: SiteTarget): NormalizedListing[] {
  const settings = readSettings(ZigAanbodApiSettings, site, "zig-aanbodapi");
  const json = parseJsonBody(body, site.id, "Zig aanbodapi response");
  const parsed = ZigAanbodApiPage.safeParse(json);
  if (!parsed.success) throw schemaError(site.id, "Zig aanbodapi page", parsed.error);
  const rawItems = (json as { data: unknown[] }).data;
  return parsed.data.data.map((object, i) =>
    normalizeZigObject(object, rawItems[i], site, { detailPath: settings.detailPath }, `data.${i}`),
  );
}

export const zigAanbodApiAdapter: SiteAdapter<ZigAanbodApiSettings> = {
  platform: "zig-aanbodapi",
  needsBrowser: false,
  settingsSchema: ZigAanbodApiSettings,

  async fetch(site: SiteTarget, ctx: FetchContext): Promise<FetchedPage[]> {
    const settings = readSettings(ZigAanbodApiSettings, site, "zig-aanbodapi");
    const pages: FetchedPage[] = [];
    // Pages count from 0; page_count is re-read on every page because the offer may change while we walk it.
    let pageCount = 1;
    for (let page = 0; page < pageCount; page++) {
      if (page >= MAX_PAGES) {
        // Returning a partial offer would make the rest look withdrawn; report the paging as broken instead.
        throw new SiteSchemaError(site.id, `aanbodapi reports ${pageCount} pages, more than ${MAX_PAGES}: paging looks broken`);
      }
      const fetched = await ctx.http.request(site.id, aanbodApiUrl(settings, page), {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: "{}",
        signal: ctx.signal,
        expect: "json",
      });
      const paging = ZigAanbodApiPaging.safeParse(parseJsonBody(fetched.body, site.id, "Zig aanbodapi response"));
      if (!paging.success) throw schemaError(site.id, "Zig aanbodapi page", paging.error);
      pages.push(fetched);
      pageCount = paging.data._metadata.page_count;
      ctx.log.debug({ siteId: site.id, page, pageCount }, "fetched Zig aanbodapi page");
    }
    return pages;
  },

  parse: parseZigAanbodApiPage,
};
