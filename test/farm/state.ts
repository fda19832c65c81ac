// The in-memory offer of one simulated site, driven by the farm's clock.
// Time is read, never waited for: each access first catches up on the ticks that fell due since the
// last access and drops listings whose closing time has passed. A test that moves its clock sees the
// offer move with it; no timers run.
import { DAY, HOUR, planShift, shiftClosing } from "./dates.js";
import { collectPostcodeAreas, drawHome, makeRng, type HomeRequest, type PostcodeAreas, type Rng } from "./generate.js";
import { addProvinceAreas } from "./places.js";
import type { Clock, FarmModel, Listing, PlatformSite } from "./types.js";

/** Generated listings get external ids from here up, far above every recorded id. */
export const GENERATED_ID_BASE = 900_000;
/** The starting offer of a catalogue site gets ids from here up (below the published ones). */
export const INITIAL_ID_BASE = 800_000;
/** Hours between the publications of a catalogue site's starting offer. */
const INITIAL_SPACING_MS = 3 * HOUR;

export interface SiteOptions {
  /**
   * A catalogue site: the places (municipalities, or towns) its generated homes are in. Its starting
   * offer is the fixture's records in those places plus generated homes up to `minimumOffer`.
   * Absent for the recorded sites, which start with their whole recording and draw new homes from
   * the recording's own municipalities.
   */
  places?: string[];
  /** Homes on offer at start for a catalogue site. Default 12: "dozens", as a live site has. */
  minimumOffer?: number;
  /** First generated id is idBase + 1. Default GENERATED_ID_BASE. */
  idBase?: number;
}

const normPlace = (s: string): string => s.trim().toLowerCase();

/** Ticks older than this can only have made listings that are closed by now, so catch-up skips them. */
const LONGEST_DEFAULT_RUN_MS = 8 * DAY;

export class SiteState<R> {
  private listings: Listing<R>[] = [];
  private counter = 0;
  private rng: Rng;
  private epoch = 0;
  private ticksDone = 0;
  private readonly areas: PostcodeAreas;
  /** Where generated homes are. */
  readonly places: string[];
  private readonly minimumOffer: number;

  constructor(
    readonly id: string,
    readonly platform: PlatformSite<R>,
    private readonly clock: Clock,
    private readonly tickMs: number,
    private readonly seed: number,
    private readonly options: SiteOptions = {},
  ) {
    this.areas = collectPostcodeAreas(
      platform
        .fixtureRecords()
        .filter((r) => platform.isRealHome(r))
        .map((r) => platform.describe(r)),
    );
    this.places = options.places && options.places.length > 0 ? [...options.places] : [...platform.municipalities];
    if (options.places) addProvinceAreas(this.areas, this.places);
    this.minimumOffer = options.minimumOffer ?? 12;
    this.rng = makeRng(seed, id);
    this.reset();
  }

  /** Back to the start state, as if the farm started now: recorded listings re-shifted, counter and PRNG restarted. */
  reset(): void {
    const now = this.clock();
    if (this.options.places) {
      const wanted = new Set(this.places.map(normPlace));
      const own = this.shiftedFixtures(now, (r) => this.platform.isRealHome(r) && wanted.has(normPlace(this.platform.describe(r).municipality)));
      this.listings = [...own, ...this.startingHomes(now, Math.max(0, this.minimumOffer - own.length))];
    } else {
      this.listings = this.shiftedFixtures(now);
    }
    this.listings = this.listings.filter((l) => !l.closesAt || l.closesAt > now);
    this.counter = 0;
    this.rng = makeRng(this.seed, this.id);
    this.epoch = now.getTime();
    this.ticksDone = 0;
  }

  /**
   * Generated homes already on offer at start, published every few hours up to now, mostly by waiting
   * time with some lotteries and first-come homes where the platform has words for them. Their own
   * PRNG stream, so the homes published later are the same whatever the starting offer.
   */
  private startingHomes(now: Date, count: number): Listing<R>[] {
    const rng = makeRng(this.seed, `${this.id}#start`);
    const listings: Listing<R>[] = [];
    for (let i = 0; i < count; i++) {
      const publishedAt = new Date(now.getTime() - (count - i) * INITIAL_SPACING_MS);
      let closesAt = this.platform.defaultClosing(publishedAt);
      if (closesAt <= now) closesAt = this.platform.defaultClosing(now);
      const wish: FarmModel = i % 5 === 3 ? "lottery" : i % 7 === 5 ? "first_come" : "waiting_time";
      const model: FarmModel = this.platform.modelCodes[wish] ? wish : "waiting_time";
      listings.push(this.generate(rng, INITIAL_ID_BASE + i + 1, publishedAt, closesAt, { model }));
    }
    return listings;
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
    const listing = this.generate(this.rng, (this.options.idBase ?? GENERATED_ID_BASE) + this.counter, at, this.platform.defaultClosing(at), request);
    this.listings.push(listing);
    return listing;
  }

  private generate(rng: Rng, number: number, at: Date, defaultClosing: Date, request: HomeRequest): Listing<R> {
    const home = drawHome(rng, number, this.places, this.areas, at, defaultClosing, request);
    const record = this.platform.build(home, rng);
    return {
      summary: this.platform.describe(record),
      publishedAt: home.publishedAt,
      closesAt: home.closesAt,
      generated: true,
      record,
    };
  }

  /**
   * The recorded listings moved to the present: the newest publication lands a few hours before
   * `now`, every publication moves by the same amount, and each closing keeps its Amsterdam
   * wall-clock time (see shiftClosing). Calendar dates move by the same number of days.
   */
  private shiftedFixtures(now: Date, keep: (record: R) => boolean = () => true): Listing<R>[] {
    const records = this.platform.fixtureRecords().filter(keep);
    if (records.length === 0) return [];
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
