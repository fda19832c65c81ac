// Errors by kind. The scrape processor maps each kind to a retry decision and a site-health effect:
// - SiteSchemaError: the site changed its format. Do not retry, do not touch listings, alert.
// - SiteBlockedError: 401/403/429 or a challenge/interstitial page. Back off, do not touch listings.
// - SiteUnavailableError: 5xx, timeout, connection refused. Retry with backoff.
export type SiteErrorKind = "schema" | "blocked" | "unavailable";

export abstract class SiteError extends Error {
  abstract readonly kind: SiteErrorKind;
  constructor(
    readonly siteId: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(`${siteId}: ${message}`);
    this.name = new.target.name;
  }
}

export class SiteSchemaError extends SiteError {
  readonly kind = "schema" as const;
}
export class SiteBlockedError extends SiteError {
  readonly kind = "blocked" as const;
}
export class SiteUnavailableError extends SiteError {
  readonly kind = "unavailable" as const;
}
