// The in-memory offer of one simulated site, driven by the farm's clock.
// Time is read, never waited for: each access first catches up on the ticks that fell due since the
// last access and drops listings whose closing time has passed. A test that moves its clock sees the
// offer move with it; no timers run.
import { DAY, planShift, shiftClosing } from "./dates.js";
import { collectPostcodeAreas, drawHome, makeRng, type HomeRequest, type PostcodeAreas, type Rng } from "./generate.js";
import type { Clock, Listing, PlatformSite } from "./types.js";

/** Generated listings get external ids from here up, far above every recorded id. */
export const GENERATED_ID_BASE = 900_000;

/** Ticks older than this can only have made listings that are closed by now, so catch-up skips them. */
const LONGEST_DEFAULT_RUN_MS = 8 * DAY;

export class SiteState<R> {
  private listings: Listing<R>[] = [];
  private counter = 0;
  private rng: Rng;
  private epoch = 0;
  private ticksDone = 0;
  private readonly areas: PostcodeAreas;

  constructor(
    readonly id: string,
    readonly platform: PlatformSite<R>,
    private readonly clock: Clock,
    private readonly tickMs: number,
    private readonly seed: number,
  ) {
    this.areas = collectPostcodeAreas(
      platform
        .fixtureRecords()
        .filter((r) => platform.isRealHome(r))
        .map((r) => platform.describe(r)),
    );
    this.rng = makeRng(seed, id);
    this.reset();
  }

  /** Back to the start state, as if the farm started now: recorded listings re-shifted, counter and PRNG restarted. */
  reset(): void {
    const now = this.clock();
    this.listings = this.shiftedFixtures(now).filter((l) => !l.closesAt || l.closesAt > now);
    this.counter = 0;
    this.rng = makeRng(this.seed, this.id);
    this.epoch = now.getTime();
    this.ticksDone = 0;
  }

  /** The current offer, in site order: recorded listings first, then new ones by publication. */
  offer(): Listing<R>[] {
    this.sync();
    return [...this.listings];
  }

  /** Publishes one listing now. */
  publish(request: HomeRequest = {}): Listing<R> {
    const now = this.sync();
    return this.add(now, request);
  }

  /** Removes a listing from the offer; false when it is not on offer. */
  close(externalId: string): boolean {
    this.sync();
    const before = this.listings.length;
    this.listings = this.listings.filter(
      (l) => l.summary.externalId !== externalId && !(l.summary.aliases ?? []).includes(externalId),
    );
    return this.listings.length < before;
  }

  private sync(): Date {
    const now = this.clock();
    if (this.tickMs > 0 && Number.isFinite(this.tickMs)) {
      const due = Math.floor((now.getTime() - this.epoch) / this.tickMs);
      const oldestUseful = Math.floor((now.getTime() - this.epoch - LONGEST_DEFAULT_RUN_MS) / this.tickMs);
      for (let k = Math.max(this.ticksDone + 1, oldestUseful); k <= due; k++) {
        const at = new Date(this.epoch + k * this.tickMs);
        if (this.platform.defaultClosing(at).getTime() > now.getTime()) this.add(at, {});
      }
      if (due > this.ticksDone) this.ticksDone = due;
    }
    this.listings = this.listings.filter((l) => !l.closesAt || l.closesAt.getTime() > now.getTime());
    return now;
  }

  private add(at: Date, request: HomeRequest): Listing<R> {
    this.counter += 1;
    const home = drawHome(
      this.rng,
      GENERATED_ID_BASE + this.counter,
      this.platform.municipalities,
      this.areas,
      at,
      this.platform.defaultClosing(at),
      request,
    );
    const record = this.platform.build(home, this.rng);
    const listing: Listing<R> = {
      summary: this.platform.describe(record),
      publishedAt: home.publishedAt,
      closesAt: home.closesAt,
      generated: true,
      record,
    };
    this.listings.push(listing);
    return listing;
  }

  /**
   * The recorded listings moved to the present: the newest publication lands a few hours before
   * `now`, every publication moves by the same amount, and each closing keeps its Amsterdam
   * wall-clock time (see shiftClosing). Calendar dates move by the same number of days.
   */
  private shiftedFixtures(now: Date): Listing<R>[] {
    const records = this.platform.fixtureRecords();
    const dated = records.map((record) => ({ record, ...this.platform.dates(record) }));
    const newest = Math.max(...dated.map((d) => d.publishedAt?.getTime() ?? -Infinity));
    if (!Number.isFinite(newest)) {
      return dated.map((d) => this.wrap(d.record, d.publishedAt, d.closesAt));
    }
    const shift = planShift(new Date(newest), now);
    return dated.map(({ record, publishedAt, closesAt }) => {
      const published = publishedAt ? new Date(publishedAt.getTime() + shift.ms) : null;
      const closes = closesAt ? shiftClosing(closesAt, shift, published ?? now) : null;
      this.platform.setDates(record, published, closes);
      this.platform.shiftCalendarDates(record, shift.days);
      return this.wrap(record, published, closes);
    });
  }

  private wrap(record: R, publishedAt: Date | null, closesAt: Date | null): Listing<R> {
    return { summary: this.platform.describe(record), publishedAt, closesAt, generated: false, record };
  }
}
