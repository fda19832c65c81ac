// `npm run bench:match`: the eligibility engine on generated profiles and listings, in memory.
// That is the hot path: the match worker loads the families once per job and then only runs the
// pure engine (domain/eligibility.ts), so database time is not part of these figures.
//
//  - match_one_vs_100k: one new listing against 100 000 profiles (compiled and indexed by place
//    beforehand, as a long-lived worker would keep them): the median of 31 different listings.
//  - rematch_20k_x_10k: 20 000 listings against 10 000 profiles from scratch, compiling both sides.
//  - match_peak_rss: the process's peak resident memory.
//
// Profiles and listings are drawn with a fixed seed from the real region table (krimp and
// anticipeer regions, the sites' housing regions), so the place index sees realistic overlaps.
import {
  candidates,
  compileFamily,
  compileListing,
  decide,
  defaultEligibilityData,
  indexByPlace,
  type CompiledFamily,
  type FamilyFacts,
  type ListingFacts,
} from "../../domain/eligibility.js";
import { expandPlaces } from "../../domain/regions.js";
import { loadRegionTable } from "../../infra/catalogue.js";

/** Small deterministic PRNG (mulberry32), so runs are comparable. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}

const table = loadRegionTable();
const regionNames = [...table.keys()];
const places = [...new Set([...table.values()].flat())];
const data = defaultEligibilityData();
const now = new Date();
const SITES = [
  { siteId: "woonnet-haaglanden", siteName: "Woonnet Haaglanden", siteHost: "www.woonnet-haaglanden.nl" },
  { siteId: "woningnet-amsterdam", siteName: "WoningNet Stadsregio Amsterdam", siteHost: "amsterdam.mijndak.nl" },
  { siteId: "woonnet-rijnmond", siteName: "Woonnet Rijnmond", siteHost: "www.woonnetrijnmond.nl" },
  { siteId: "thuis-in-de-achterhoek", siteName: "Thuis in de Achterhoek", siteHost: "www.thuisindeachterhoek.nl" },
];

function profile(r: ReturnType<typeof rng>, i: number): FamilyFacts {
  const regions = Array.from({ length: r.int(1, 3) }, () => r.pick(regionNames));
  const municipalities = Array.from({ length: r.int(0, 3) }, () => r.pick(places));
  const registrations = SITES.filter(() => r.chance(0.4)).map((s) => ({
    siteId: s.siteId,
    registeredOn: new Date(now.getTime() - r.int(10, 900) * 86_400_000),
    renewalDueOn: r.chance(0.5) ? new Date(now.getTime() + r.int(-30, 300) * 86_400_000) : null,
  }));
  return {
    id: `f${i}`,
    adults: r.chance(0.9) ? 1 : 2,
    childBirthYears: Array.from({ length: r.int(1, 4) }, () => r.int(2008, 2025)),
    needs: r.chance(0.05) ? ["ground_floor_or_lift"] : r.chance(0.02) ? ["wheelchair"] : [],
    incomeBand: r.pick(["below_limit", "below_limit", "above_limit", null]),
    registrations,
    profile: {
      places: expandPlaces(municipalities, regions, table),
      excludedPlaces: r.chance(0.2) ? [r.pick(places)] : [],
      carePlaces: r.chance(0.05) ? expandPlaces([], [r.pick(regionNames)], table) : [],
      minBedrooms: r.chance(0.1) ? r.int(2, 4) : null,
      maxNetRent: r.chance(0.8) ? r.int(650, 1000) : null,
      dwellingKinds: r.chance(0.1) ? ["house"] : [],
      qualifiesSenior: false,
      qualifiesStudent: false,
      qualifiesYouth: r.chance(0.05),
    },
  };
}

function listing(r: ReturnType<typeof rng>): ListingFacts {
  const site = r.pick(SITES);
  const published = new Date(now.getTime() - r.int(0, 3) * 86_400_000);
  // Zig names the municipality and the town; DAK and Embrace only the town (often the
  // municipality's name, sometimes a village of it).
  const municipality = r.pick(places);
  return {
    ...site,
    status: "open",
    city: r.chance(0.7) ? municipality : `Dorp ${r.int(1, 500)}`,
    municipality: r.chance(0.8) ? municipality : null,
    bedrooms: r.chance(0.9) ? r.int(1, 4) : null,
    netRent: r.chance(0.95) ? Math.round((450 + r.next() * 700) * 100) / 100 : null,
    dwellingKind: r.pick(["house", "apartment", "apartment", "apartment", "room", "parking"]),
    dwellingTypeLabel: r.pick(["Eengezinswoning", "Flat met lift", "Flat zonder lift", "Benedenwoning", "Portiekwoning", "Maisonnette"]),
    allocationModel: r.pick(["waiting_time", "waiting_time", "lottery", "first_come", "home_swap", "free_sector"]),
    targetGroups: r.chance(0.85) ? ["regular"] : [r.pick(["senior_55_plus", "youth", "student", "disabled"])],
    minHouseholdSize: r.chance(0.2) ? r.int(1, 3) : null,
    maxHouseholdSize: r.chance(0.2) ? r.int(3, 6) : null,
    minIncome: null,
    maxIncome: r.chance(0.1) ? 52_000 : null,
    minAge: r.chance(0.3) ? 18 : null,
    maxAge: r.chance(0.05) ? 27 : null,
    registrationRequired: r.chance(0.7),
    publishedAt: published,
    closesAt: new Date(published.getTime() + r.int(1, 8) * 86_400_000 + 3600_000),
  };
}

/** Decides one listing against the families indexed by place; returns the number of matches. */
function matchOne(l: ListingFacts, index: ReturnType<typeof indexByPlace>): number {
  const cl = compileListing(l, data, now);
  let matched = 0;
  for (const f of candidates(index, cl)) if (decide(cl, f, now).match) matched += 1;
  return matched;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// --- one new listing against 100 000 profiles -------------------------------------------------
{
  const r = rng(1);
  const facts = Array.from({ length: 100_000 }, (_, i) => profile(r, i));
  const t0 = performance.now();
  const compiled: CompiledFamily[] = facts.map((f) => compileFamily(f, data));
  const index = indexByPlace(compiled);
  const prepMs = performance.now() - t0;
  const lr = rng(2);
  for (let i = 0; i < 20; i++) matchOne(listing(lr), index); // warm-up (JIT)
  const times: number[] = [];
  let matches = 0;
  for (let i = 0; i < 31; i++) {
    const l = listing(lr);
    const s = performance.now();
    matches += matchOne(l, index);
    times.push(performance.now() - s);
  }
  process.stdout.write(`# 100 000 profiles compiled and indexed in ${prepMs.toFixed(0)} ms; ${matches} matches over 31 listings; slowest ${Math.max(...times).toFixed(2)} ms\n`);
  process.stdout.write(`BENCH match_one_vs_100k ${median(times).toFixed(2)} ms\n`);
}

// --- 20 000 listings × 10 000 profiles, re-matched from scratch -------------------------------
{
  const r = rng(3);
  const facts = Array.from({ length: 10_000 }, (_, i) => profile(r, i));
  const lr = rng(4);
  const listings = Array.from({ length: 20_000 }, () => listing(lr));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const index = indexByPlace(facts.map((f) => compileFamily(f, data)));
  let matches = 0;
  let decisions = 0;
  for (const l of listings) {
    const cl = compileListing(l, data, now);
    for (const f of candidates(index, cl)) {
      decisions += 1;
      if (decide(cl, f, now).match) matches += 1;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // On a busy machine wall time overstates the engine's cost; CPU time (with GC threads) shows it.
  process.stdout.write(
    `# ${decisions} decisions after the place index (of ${20_000 * 10_000} pairs), ${matches} matches; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, load average ${(await import("node:os")).loadavg()[0]!.toFixed(1)}\n`,
  );
  process.stdout.write(`BENCH rematch_20k_x_10k ${seconds.toFixed(2)} s\n`);
}

process.stdout.write(`BENCH match_peak_rss ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`);
