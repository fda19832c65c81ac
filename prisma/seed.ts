// Seed: the site catalogue (always) and demo organisations, staff and families (unless
// SEED_DEMO=false). Idempotent: running it again changes nothing that exists.
import argon2 from "argon2";
import { effectiveBaseUrl, loadCatalogue } from "../infra/catalogue.js";
import { createDb, type Db } from "../infra/db.js";
import { adapterFor } from "../workers/sites/registry.js";

function hasAdapter(platform: string): boolean {
  try {
    adapterFor(platform);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes the catalogue into Site rows; with an override every URL-valued setting points at the farm too.
 * A site is scraped only when the catalogue enables it and its platform has an adapter.
 */
export async function seedCatalogue(db: Db, override: string | undefined, defaultPollSeconds = 60): Promise<number> {
  const sites = loadCatalogue();
  for (const s of sites) {
    const baseUrl = effectiveBaseUrl(s, override);
    const settings = Object.fromEntries(
      Object.entries(s.settings).map(([k, v]) => [k, override && /BaseUrl$/.test(k) ? baseUrl : v]),
    );
    const data = {
      name: s.name,
      host: s.host,
      baseUrl,
      platform: s.platform,
      settings: settings as object,
      regions: s.regions,
      municipalities: s.municipalities,
      pollIntervalSeconds: s.pollIntervalSeconds ?? defaultPollSeconds,
      enabled: s.enabled && hasAdapter(s.platform),
    };
    await db.site.upsert({ where: { id: s.id }, create: { id: s.id, ...data }, update: data });
  }
  return sites.length;
}

export const DEMO_ORGS = ["HVO Querido (demo)", "Leger des Heils (demo)"] as const;

interface DemoFamily {
  displayName: string;
  language: string;
  email: string;
  childBirthYears: number[];
  regions: string[];
  municipalities: string[];
  maxNetRent: number;
  org: 0 | 1;
}

// One family per region the site farm simulates, so any published home reaches someone.
const DEMO_FAMILIES: DemoFamily[] = [
  { displayName: "Amina", language: "nl", email: "familie-amina@example.org", childBirthYears: [2016, 2020], regions: ["Haaglanden"], municipalities: [], maxNetRent: 900, org: 0 },
  { displayName: "Grace", language: "en", email: "family-grace@example.org", childBirthYears: [2019], regions: ["Stadsregio Amsterdam"], municipalities: [], maxNetRent: 900, org: 0 },
  { displayName: "Fatma", language: "nl", email: "familie-fatma@example.org", childBirthYears: [2014, 2018, 2022], regions: ["Rijnmond"], municipalities: [], maxNetRent: 950, org: 1 },
  { displayName: "Lucia", language: "en", email: "family-lucia@example.org", childBirthYears: [2021], regions: ["Achterhoek", "Parkstad Limburg", "Zeeuws-Vlaanderen"], municipalities: ["Delft", "Zaanstad", "Rotterdam"], maxNetRent: 880, org: 1 },
];

export async function seedDemo(db: Db, password: string): Promise<void> {
  const orgs = [];
  for (const name of DEMO_ORGS) orgs.push(await db.organisation.upsert({ where: { name }, create: { name }, update: {} }));
  const hash = await argon2.hash(password);
  const staff = [
    { email: "admin@demo.eldersthuis.local", name: "Beheerder", role: "admin" as const, org: 0 },
    { email: "begeleider@demo.eldersthuis.local", name: "Sanne (begeleider)", role: "counsellor" as const, org: 0 },
    { email: "begeleider2@demo.eldersthuis.local", name: "Joost (begeleider)", role: "counsellor" as const, org: 1 },
  ];
  const users = [];
  for (const u of staff) {
    users.push(
      await db.user.upsert({
        where: { email: u.email },
        create: { email: u.email, name: u.name, role: u.role, passwordHash: hash, organisationId: orgs[u.org]!.id },
        update: {},
      }),
    );
  }
  for (const f of DEMO_FAMILIES) {
    const exists = await db.family.findFirst({ where: { email: f.email } });
    if (exists) continue;
    await db.family.create({
      data: {
        displayName: f.displayName,
        language: f.language,
        email: f.email,
        adults: 1,
        childBirthYears: f.childBirthYears,
        organisationId: orgs[f.org]!.id,
        counsellorId: users[f.org === 0 ? 1 : 2]!.id,
        profile: { create: { regions: f.regions, municipalities: f.municipalities, maxNetRent: f.maxNetRent, dwellingKinds: [] } },
      },
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("DATABASE_URL: required");
    process.exit(78);
  }
  const db = createDb(url, 2);
  const sites = await seedCatalogue(db, process.env.SITE_BASE_URL_OVERRIDE, Number(process.env.DEFAULT_POLL_SECONDS ?? 60));
  if (process.env.SEED_DEMO !== "false") {
    const password = process.env.DEMO_STAFF_PASSWORD;
    if (!password || password.length < 12) {
      console.error("DEMO_STAFF_PASSWORD: required for demo staff accounts (at least 12 characters), or set SEED_DEMO=false");
      process.exit(78);
    }
    await seedDemo(db, password);
  }
  await db.$disconnect();
  console.log(`seeded ${sites} sites${process.env.SEED_DEMO !== "false" ? " and demo data" : ""}`);
}
