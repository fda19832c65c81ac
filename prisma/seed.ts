// Seed: the site catalogue (always) and demo organisations, staff and families (unless
// SEED_DEMO=false). Idempotent: running it again changes nothing that exists.
import argon2 from "argon2";
import { effectiveBaseUrl, loadCatalogue } from "../infra/catalogue.js";
import { encryptSecret, totpKey } from "../infra/crypto.js";
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
  { displayName: "Fatma", language: "nl", email: "familie-fatma@example.org", childBirthYears: [2014, 2018], regions: ["Rijnmond"], municipalities: [], maxNetRent: 950, org: 1 },
  { displayName: "Lucia", language: "en", email: "family-lucia@example.org", childBirthYears: [2021], regions: ["Achterhoek", "Parkstad Limburg", "Zeeuws-Vlaanderen"], municipalities: ["Delft", "Zaanstad", "Rotterdam"], maxNetRent: 880, org: 1 },
];

/** Demo staff TOTP: the base32 secret from DEMO_TOTP_SECRET, stored encrypted like any other. */
export interface DemoTotp {
  secret: string;
  key: Buffer;
}

export async function seedDemo(db: Db, password: string, totp?: DemoTotp): Promise<void> {
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
  if (totp) {
    for (const u of users) await db.user.update({ where: { id: u.id }, data: { totpSecret: encryptSecret(totp.secret, totp.key, u.id), totpEnabled: true } });
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
    // DEMO_TOTP_SECRET (base32, at least 16 bytes): demo staff sign in with this TOTP secret;
    // `npm run cli -- totp-code <email>` prints its otpauth URI and the current code.
    const totpSecret = process.env.DEMO_TOTP_SECRET?.trim().toUpperCase().replace(/=+$/, "");
    let totp: DemoTotp | undefined;
    if (totpSecret) {
      if (!/^[A-Z2-7]{26,}$/.test(totpSecret)) {
        console.error("DEMO_TOTP_SECRET: must be base32 (A-Z, 2-7) of at least 16 bytes (26 characters)");
        process.exit(78);
      }
      if (!process.env.TOTP_ENCRYPTION_KEY && !process.env.TOKEN_SECRET) {
        console.error("DEMO_TOTP_SECRET: needs TOTP_ENCRYPTION_KEY (or, in development, TOKEN_SECRET) to encrypt it");
        process.exit(78);
      }
      totp = { secret: totpSecret, key: totpKey({ TOTP_ENCRYPTION_KEY: process.env.TOTP_ENCRYPTION_KEY || undefined, TOKEN_SECRET: process.env.TOKEN_SECRET ?? "" }) };
    }
    await seedDemo(db, password, totp);
  }
  await db.$disconnect();
  console.log(`seeded ${sites} sites${process.env.SEED_DEMO !== "false" ? " and demo data" : ""}`);
}
