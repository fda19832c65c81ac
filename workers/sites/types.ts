// The contract every platform adapter fulfils. One adapter per platform family (Zig, DAK, Embrace, ...);
// each site in the catalogue names its platform and carries that platform's settings.
// Fetch is kept apart from parse: parse is pure (text in, listings out) so recorded responses can be
// checked offline, and fetch is the only part that talks to the network or a browser.
import type { z } from "zod";
import type { Logger } from "pino";
import type { NormalizedListing } from "../../domain/listing.js";
import type { BrowserPool } from "./browser.js";
import type { HttpClient } from "./http.js";

export const PLATFORMS = ["zig", "zig-aanbodapi", "dak", "embrace", "woonmatch", "entree", "itris"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** What an adapter needs to know about one site: taken from the site's catalogue row. */
export interface SiteTarget {
  id: string;
  /** Site origin (plus, for the farm, a path prefix), e.g. "https://www.woonnet-haaglanden.nl". No trailing slash. */
  baseUrl: string;
  /** Platform settings, validated by the adapter's settingsSchema. */
  settings: unknown;
}

/** One raw response as fetched: parse works on the body text alone. */
export interface FetchedPage {
  url: string;
  status: number;
  body: string;
}

export interface FetchContext {
  http: HttpClient;
  browser: BrowserPool;
  log: Logger;
  signal: AbortSignal;
}

export interface SiteAdapter<Settings = unknown> {
  platform: Platform;
  /** True when the platform can only be read through a real browser (DAK). */
  needsBrowser: boolean;
  settingsSchema: z.ZodType<Settings>;
  /** Fetches the site's whole current offer as one or more raw pages. Throws SiteError kinds. */
  fetch(site: SiteTarget, ctx: FetchContext): Promise<FetchedPage[]>;
  /**
   * Parses one fetched page into normalized listings, validated with NormalizedListing.
   * Throws SiteSchemaError when the page does not have the platform's shape: never returns []
   * for a page it does not understand. Listings that are not homes (parking) are still returned,
   * with dwellingKind "parking", so matching can explain the skip.
   */
  parse(body: string, site: SiteTarget): NormalizedListing[];
}
