// Fault modes of the site farm, switched per site: the ways a real housing site breaks (errors,
// throttling, stalls, cut-off bodies, bot walls, an offer that empties or changes shape). The respond
// step (respond.ts) consults this book on every answer, so every platform gets every fault.
import { z } from "zod";

export const FAULTS = ["http500", "http503", "http429", "slow", "malformed", "challenge", "empty", "drift"] as const;
export type Fault = (typeof FAULTS)[number];

/** Faults that change the offer's data; they apply only to answers that carry the offer. */
export const DATA_FAULTS: ReadonlySet<Fault> = new Set<Fault>(["malformed", "empty", "drift"]);

export const DEFAULT_RETRY_AFTER_SECONDS = 30;
/** Longer than any scraper timeout: a "slow" site never answers in time. */
export const DEFAULT_DELAY_MS = 45_000;

/** POST /_farm/faults */
export const FaultRequest = z.strictObject({
  site: z.string().min(1),
  fault: z.enum(FAULTS).nullable(),
  /** Seconds in the Retry-After header of http503 and http429. */
  retryAfter: z.number().int().min(0).max(86_400).optional(),
  /** How long "slow" waits before answering. */
  delayMs: z.number().int().min(0).max(600_000).optional(),
  /** Fault only the next N requests it applies to; absent means until switched off. */
  times: z.number().int().min(1).max(1_000_000).optional(),
});
export type FaultRequest = z.infer<typeof FaultRequest>;

export interface FaultSetting {
  fault: Fault;
  retryAfter: number;
  delayMs: number;
  /** Requests still to be faulted; null for "until switched off". */
  remaining: number | null;
}

export interface FaultStatus extends FaultSetting {
  site: string;
}

export class FaultBook {
  private readonly settings = new Map<string, FaultSetting>();

  set(site: string, request: Omit<FaultRequest, "site">): FaultSetting | null {
    if (request.fault === null) {
      this.settings.delete(site);
      return null;
    }
    const setting: FaultSetting = {
      fault: request.fault,
      retryAfter: request.retryAfter ?? DEFAULT_RETRY_AFTER_SECONDS,
      delayMs: request.delayMs ?? DEFAULT_DELAY_MS,
      remaining: request.times ?? null,
    };
    this.settings.set(site, setting);
    return { ...setting };
  }

  list(): FaultStatus[] {
    return [...this.settings.entries()].map(([site, s]) => ({ site, ...s }));
  }

  clear(): void {
    this.settings.clear();
  }

  /**
   * The fault to apply to this answer, counted against "times". A data fault passes over answers
   * without the offer (a DAK page, an Embrace config) without using up a turn.
   */
  take(site: string, carriesOffer: boolean): FaultSetting | null {
    const setting = this.settings.get(site);
    if (!setting) return null;
    if (DATA_FAULTS.has(setting.fault) && !carriesOffer) return null;
    if (setting.remaining !== null) {
      setting.remaining -= 1;
      if (setting.remaining <= 0) this.settings.delete(site);
    }
    return { ...setting };
  }
}

/**
 * A Cloudflare-style interstitial, sent with 200: the markers a scraper must recognise ("Just a
 * moment...", the challenge-platform script, _cf_chl_opt) instead of reading it as an empty offer.
 */
export function challengePage(rayId: string): string {
  return `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta http-equiv="X-UA-Compatible" content="IE=Edge"><meta name="robots" content="noindex,nofollow"><meta name="viewport" content="width=device-width,initial-scale=1"><style>*{box-sizing:border-box;margin:0;padding:0}html{line-height:1.15}body{display:flex;flex-direction:column;height:100vh;min-height:100vh}.main-content{margin:8rem auto;max-width:60rem;padding-left:1.5rem}</style><meta http-equiv="refresh" content="390"></head><body class="no-js"><div class="main-wrapper" role="main"><div class="main-content"><noscript><div id="challenge-error-title"><div class="h2"><span class="icon-wrapper"><div class="heading-icon warning-icon"></div></span><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></div></noscript></div></div><script>(function(){window._cf_chl_opt={cvId: '3',cZone: "farm.local",cType: 'managed',cRay: '${rayId}',cH: 'Zk1sYXJtLWNoYWxsZW5nZQ',cFPWv: 'b',cITimeS: '1758700800'};var cpo=document.createElement('script');cpo.src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=${rayId}';window._cf_chl_opt.cOgUHash=location.hash===''&&location.href.indexOf('#')!==-1?'#':location.hash;window._cf_chl_opt.cOgUQuery=location.search===''&&location.href.slice(0,location.href.length-window._cf_chl_opt.cOgUHash.length).indexOf('?')!==-1?'?':location.search;if(window.history&&window.history.replaceState){var ogU=location.pathname+window._cf_chl_opt.cOgUQuery+window._cf_chl_opt.cOgUHash;history.replaceState(null,null,"\\/?__cf_chl_rt_tk=farm"+window._cf_chl_opt.cOgUHash);cpo.onload=function(){history.replaceState(null,null,ogU);}}document.getElementsByTagName('head')[0].appendChild(cpo);}());</script></body></html>`;
}
