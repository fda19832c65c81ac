// One long-lived Chromium per worker process, for the platforms that only work in a real browser (DAK).
// Launching Chromium costs seconds, so it is shared; each job gets its own context (cookies, storage) so
// sites never see one job's session in another, and the browser is recycled now and then because
// long-running Chromium processes grow.
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { CHROMIUM_ARGS } from "../../infra/chromium.js";

// Kept importable from here for existing callers; the list itself lives in infra/.
export { CHROMIUM_ARGS };

// Listings come from the page's data calls; pictures and fonts only cost bandwidth on the site's side and ours.
const BLOCKED_RESOURCE_TYPES = new Set(["image", "font", "media"]);

export interface BrowserPoolOptions {
  /** Pages served by one browser before it is closed and a fresh one launched. Default 50. */
  maxPagesPerBrowser?: number;
  /** Default: $CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
  executablePath?: string;
}

export interface WithPageOptions {
  /** Hard limit for the whole job, including context set-up. */
  timeoutMs: number;
  userAgent: string;
}

/** Thrown when a withPage job overruns its hard timeout. */
export class BrowserTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`browser job exceeded its hard timeout of ${timeoutMs} ms`);
    this.name = "BrowserTimeoutError";
  }
}

/** One launched browser and the jobs running on it. */
interface BrowserSlot {
  browser: Browser;
  pagesOpened: number;
  activeJobs: number;
  retired: boolean;
}

export class BrowserPool {
  private readonly maxPagesPerBrowser: number;
  private readonly executablePath: string;
  private current: BrowserSlot | null = null;
  private launching: Promise<BrowserSlot> | null = null;
  /** Every slot not yet closed, including retired ones still finishing jobs. */
  private readonly open = new Set<BrowserSlot>();
  private closed = false;

  constructor(options: BrowserPoolOptions = {}) {
    this.maxPagesPerBrowser = options.maxPagesPerBrowser ?? 50;
    this.executablePath = options.executablePath ?? process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  }

  async withPage<T>(fn: (page: Page) => Promise<T>, opts: WithPageOptions): Promise<T> {
    const slot = await this.acquire();
    let context: BrowserContext | undefined;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    try {
      const job = (async () => {
        const created = await slot.browser.newContext({
          userAgent: opts.userAgent,
          locale: "nl-NL",
          timezoneId: "Europe/Amsterdam",
          serviceWorkers: "block", // a service worker would bypass our route blocking
        });
        if (settled) {
          // The hard timeout fired while the context was being created: nobody will close it but us.
          await created.close().catch(() => undefined);
          throw new BrowserTimeoutError(opts.timeoutMs);
        }
        context = created;
        context.setDefaultTimeout(opts.timeoutMs);
        context.setDefaultNavigationTimeout(opts.timeoutMs);
        await context.route("**/*", (route) =>
          BLOCKED_RESOURCE_TYPES.has(route.request().resourceType()) ? route.abort() : route.fallback(),
        );
        const page = await context.newPage();
        return fn(page);
      })();
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new BrowserTimeoutError(opts.timeoutMs)), opts.timeoutMs);
      });
      // After a timeout the job keeps running until the context closes below; its late rejection is expected.
      job.catch(() => undefined);
      return await Promise.race([job, deadline]);
    } finally {
      settled = true;
      clearTimeout(timer);
      await context?.close().catch(() => undefined);
      this.release(slot);
    }
  }

  /** Closes every browser. Later withPage calls fail: this is part of ordered shutdown. */
  async close(): Promise<void> {
    this.closed = true;
    const launching = this.launching;
    if (launching) await launching.catch(() => undefined);
    this.current = null;
    const slots = [...this.open];
    this.open.clear();
    await Promise.all(slots.map((slot) => slot.browser.close().catch(() => undefined)));
  }

  private async acquire(): Promise<BrowserSlot> {
    for (;;) {
      if (this.closed) throw new Error("BrowserPool is closed");
      const slot = this.current;
      if (slot && slot.browser.isConnected() && slot.pagesOpened < this.maxPagesPerBrowser) {
        slot.pagesOpened += 1;
        slot.activeJobs += 1;
        return slot;
      }
      if (slot) this.retire(slot);
      this.launching ??= this.launch().finally(() => {
        this.launching = null;
      });
      await this.launching;
    }
  }

  private async launch(): Promise<BrowserSlot> {
    const browser = await chromium.launch({
      executablePath: this.executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const slot: BrowserSlot = { browser, pagesOpened: 0, activeJobs: 0, retired: false };
    if (this.closed) {
      await browser.close().catch(() => undefined);
      return slot;
    }
    this.open.add(slot);
    // A crashed or killed Chromium is replaced on the next acquire.
    browser.on("disconnected", () => {
      this.open.delete(slot);
      if (this.current === slot) this.current = null;
    });
    this.current = slot;
    return slot;
  }

  /** Stops handing out a browser; it is closed once its running jobs finish. */
  private retire(slot: BrowserSlot): void {
    slot.retired = true;
    if (this.current === slot) this.current = null;
    if (slot.activeJobs === 0) this.closeSlot(slot);
  }

  private release(slot: BrowserSlot): void {
    slot.activeJobs -= 1;
    // Recycle as soon as the quota is used up rather than on the next job, so memory is returned early.
    if (!slot.retired && slot.pagesOpened >= this.maxPagesPerBrowser) this.retire(slot);
    else if (slot.retired && slot.activeJobs === 0) this.closeSlot(slot);
  }

  private closeSlot(slot: BrowserSlot): void {
    this.open.delete(slot);
    void slot.browser.close().catch(() => undefined);
  }
}
