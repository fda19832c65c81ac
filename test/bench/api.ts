// `npm run bench:api`: the counsellor's workspace under a realistic load. Seeds 500 families with
// 200 000 evidence-log entries (valid hash chains, a year of offers, alerts, answers, reasons,
// reminders and help requests), then measures over HTTP against the real server:
//   caseload:   GET /api/caseload for a counsellor (50 families each) and for an admin (all 500),
//   evaluation: GET /api/families/:id/evaluation-preview (three months, a family of 400 entries),
//   PDF:        GET /api/evaluations/:id.pdf (Chromium; the first one includes starting it).
// Prints BENCH lines. Uses its own database (BENCH_DATABASE_URL, default eldersthuis_bench_api),
// which it empties first. BENCH_FAMILIES / BENCH_ACTIVITIES / BENCH_RUNS tune it.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import argon2 from "argon2";
import pg from "pg";
import { entryHash, GENESIS_HASH } from "../../domain/evidence.js";
import { loadConfig } from "../../infra/config.js";
import { createDb } from "../../infra/db.js";
import { seedCatalogue } from "../../prisma/seed.js";
import { startServer } from "../../server/main.js";
import { pdfRenderer } from "../../server/routes/evaluations.js";
import { resetDatabase } from "../support/env.js";

const FAMILIES = Number(process.env.BENCH_FAMILIES ?? 500);
const ACTIVITIES = Number(process.env.BENCH_ACTIVITIES ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const COUNSELLORS = 10;
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/eldersthuis_bench_api";
const PASSWORD = "bench password 12345";
const DAY = 86_400_000;
const NOW = Date.now();

// A fixed seed, so every run measures the same data.
let rand = 0x2f6b3a1d;
function random(): number {
  rand ^= rand << 13;
  rand ^= rand >>> 17;
  rand ^= rand << 5;
  return ((rand >>> 0) % 1_000_000) / 1_000_000;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const SITES = [
  { id: "woningnet-amsterdam", town: "Zaandam", municipality: "Zaanstad" },
  { id: "woonnet-haaglanden", town: "Delft", municipality: "Delft" },
  { id: "thuis-in-limburg", town: "Heerlen", municipality: "Heerlen" },
  { id: "zuidwestwonen", town: "Terneuzen", municipality: "Terneuzen" },
  { id: "thuis-in-de-achterhoek", town: "Winterswijk", municipality: "Winterswijk" },
  { id: "woonnet-rijnmond", town: "Rotterdam", municipality: "Rotterdam" },
] as const;
const KRIMP_SITES = ["thuis-in-limburg", "zuidwestwonen", "thuis-in-de-achterhoek", "woningnet-bovengroningen"];
const NOT_FOR_US = ["too_small", "too_expensive", "too_far", "not_accessible", "other"];
const COULDNT = ["no_time", "child_ill", "no_credit", "language", "site_broken", "other"];

/**
 * Inserts rows column-wise with unnest(): one statement per chunk, no parameter limit to hit.
 * A type "a->b" passes the column as a[] and casts each value to b (unnest cannot yield arrays).
 */
async function insertColumns(pool: pg.Pool, table: string, columns: Record<string, string>, rows: Record<string, unknown>[], chunk = 20_000) {
  const names = Object.keys(columns);
  const types = names.map((n) => columns[n]!.split("->"));
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const arrays = names.map((n) => part.map((r) => r[n] ?? null));
    const params = types.map(([t], j) => `$${j + 1}::${t}[]`).join(", ");
    const select = types.map(([, cast], j) => `c${j}${cast ? `::${cast}` : ""}`).join(", ");
    await pool.query(
      `INSERT INTO "${table}" (${names.map((n) => `"${n}"`).join(", ")}) SELECT ${select} FROM unnest(${params}) AS t(${names.map((_, j) => `c${j}`).join(", ")})`,
      arrays,
    );
  }
}

async function seed(pool: pg.Pool, db: ReturnType<typeof createDb>) {
  const t0 = performance.now();
  await resetDatabase(db);
  await seedCatalogue(db, "http://127.0.0.1:9/s/{site}");
  const org = await db.organisation.create({ data: { name: "Bench org" } });
  const passwordHash = await argon2.hash(PASSWORD);
  const counsellors: { id: string; email: string }[] = [];
  for (let i = 0; i < COUNSELLORS; i++) {
    counsellors.push(await db.user.create({ data: { email: `c${i}@bench.test`, name: `Counsellor ${i}`, role: "counsellor", passwordHash, organisationId: org.id } }));
  }
  await db.user.create({ data: { email: "admin@bench.test", name: "Admin", role: "admin", passwordHash, organisationId: org.id } });

  const families = Array.from({ length: FAMILIES }, (_, i) => ({
    id: randomUUID(),
    displayName: `F${String(i).padStart(3, "0")}`,
    organisationId: org.id,
    counsellorId: counsellors[i % COUNSELLORS]!.id,
    childBirthYears: [2014 + (i % 8), 2019 + (i % 5)],
    nextEvaluationOn: new Date(NOW + Math.floor(random() * 95 - 5) * DAY),
    updatedAt: new Date(NOW),
  }));
  await db.family.createMany({ data: families });

  // Listings: most closed long ago, some open and closing within the next two days.
  const LISTINGS = 3000;
  const listings = Array.from({ length: LISTINGS }, (_, i) => {
    const s = SITES[i % SITES.length]!;
    const open = i >= LISTINGS - 150;
    return {
      id: randomUUID(),
      siteId: s.id,
      externalId: `bench-${i}`,
      street: "Benchstraat",
      houseNumber: String(i + 1),
      city: s.town,
      municipality: s.municipality,
      dwellingKind: "apartment",
      allocationModel: "waiting_time",
      status: open ? "open" : "closed",
      closesAt: new Date(open ? NOW + (2 + random() * 44) * 3_600_000 : NOW - random() * 365 * DAY),
      sourceUrl: `https://example.org/bench/${i}`,
      contentHash: `bench-${i}`,
    };
  });
  await insertColumns(
    pool,
    "Listing",
    { id: "uuid", siteId: "text", externalId: "text", street: "text", houseNumber: "text", city: "text", municipality: "text", dwellingKind: "text", allocationModel: "text", status: '"ListingStatus"', closesAt: "timestamp(3)", sourceUrl: "text", contentHash: "text", raw: "jsonb", targetGroups: "text->text[]" },
    listings.map((l) => ({ ...l, closesAt: l.closesAt.toISOString(), raw: "{}", targetGroups: "{}" })),
  );

  const perFamily = Math.floor(ACTIVITIES / FAMILIES);
  const activities: Record<string, unknown>[] = [];
  const matches: Record<string, unknown>[] = [];
  const reminders: Record<string, unknown>[] = [];
  const tasks: Record<string, unknown>[] = [];
  const registrations: Record<string, unknown>[] = [];
  families.forEach((f, fi) => {
    const quiet = random() < 0.1; // stopped answering three weeks ago
    const entries: { type: string; actor: string; at: number; matchId: string | null; payload: Record<string, unknown> }[] = [];
    let t = NOW - 365 * DAY;
    const step = (365 * DAY) / (perFamily / 3.1);
    let k = 0;
    // Some families have a home closing within two days that they have not answered yet.
    const openDeadline = random() < 0.3;
    const regular = perFamily - (openDeadline ? 2 : 0);
    const offer = (at: number, listing: (typeof listings)[number]) => {
      const matchId = randomUUID();
      matches.push({ id: matchId, familyId: f.id, listingId: listing.id, reasons: "[]", createdAt: new Date(at).toISOString() });
      entries.push({ type: "offered", actor: "system", at, matchId, payload: { listingId: listing.id, site: listing.siteId, address: `Benchstraat ${listing.houseNumber}`, town: listing.city, closesAt: listing.closesAt.toISOString(), reasons: [{ key: "in_area", values: { place: listing.city } }] } });
      entries.push({ type: "alert_sent", actor: "system", at: at + 60_000, matchId, payload: { notificationId: randomUUID(), channel: "email", providerMessageId: `<${randomUUID()}@bench>` } });
      return matchId;
    };
    while (entries.length < regular) {
      t += step * (0.5 + random());
      // Keep the year in the past: squeeze late offers into the last days.
      if (t > NOW - DAY) t = NOW - DAY - random() * 3 * DAY;
      const listing = listings[(fi * 37 + k++) % (LISTINGS - 150)]!;
      const site = listing.siteId;
      const matchId = offer(t, listing);
      if (random() < 0.15) {
        const at = t + DAY;
        reminders.push({ id: randomUUID(), familyId: f.id, matchId, kind: "deadline", key: `deadline-${matchId}-24h`, dueAt: new Date(at).toISOString(), status: "sent", sentAt: new Date(at).toISOString(), channel: "email" });
        entries.push({ type: "reminder_sent", actor: "system", at, matchId, payload: { kind: "deadline", channel: "email" } });
      }
      const at = t + (1 + random() * 40) * 3_600_000;
      if ((quiet && t > NOW - 21 * DAY) || random() > 0.7 || at > NOW - 60_000) continue;
      const r = random();
      if (r < 0.55) entries.push({ type: "responded", actor: "family", at, matchId, payload: { site, via: "one_tap" } });
      else if (r < 0.75) {
        entries.push({ type: "not_for_us", actor: "family", at, matchId, payload: { site, via: "one_tap" } });
        entries.push({ type: "answer_reason", actor: "family", at: at + 5000, matchId, payload: { answer: "not_for_us", reason: pick(NOT_FOR_US) } });
      } else if (r < 0.95) {
        entries.push({ type: "couldnt", actor: "family", at, matchId, payload: { site, via: "one_tap" } });
        entries.push({ type: "answer_reason", actor: "family", at: at + 5000, matchId, payload: { answer: "couldnt", reason: pick(COULDNT) } });
      } else {
        entries.push({ type: "help_requested", actor: "family", at, matchId, payload: { site, via: "one_tap" } });
        const done = at < NOW - 7 * DAY || random() < 0.5;
        tasks.push({ id: randomUUID(), familyId: f.id, matchId, kind: "help_requested", status: done ? "done" : "open", createdAt: new Date(at).toISOString(), doneAt: done ? new Date(at + 2 * DAY).toISOString() : null });
      }
    }
    entries.sort((a, b) => a.at - b.at);
    entries.splice(regular);
    if (openDeadline) offer(NOW - (2 + random() * 20) * 3_600_000, listings[LISTINGS - 150 + (fi % 150)]!);
    let prev = GENESIS_HASH;
    entries.forEach((e, i) => {
      const occurredAt = new Date(Math.floor(e.at));
      const entry = { familyId: f.id, seq: i + 1, type: e.type, actor: e.actor, occurredAt, matchId: e.matchId, payload: e.payload };
      const hash = entryHash(prev, entry);
      activities.push({ id: randomUUID(), familyId: f.id, seq: i + 1, type: e.type, actor: e.actor, occurredAt: occurredAt.toISOString(), matchId: e.matchId, payload: JSON.stringify(e.payload), prevHash: prev, hash });
      prev = hash;
    });
    const regSites = [...(random() < 0.9 ? ["woningnet-amsterdam"] : []), ...KRIMP_SITES.filter(() => random() < 0.7)];
    for (const siteId of regSites) {
      const renewal = random() < 0.2 ? new Date(NOW + Math.floor(random() * 40 - 5) * DAY) : null;
      registrations.push({ id: randomUUID(), familyId: f.id, siteId, registeredOn: new Date(NOW - Math.floor(200 + random() * 300) * DAY).toISOString().slice(0, 10), renewalDueOn: renewal?.toISOString().slice(0, 10) ?? null });
    }
  });
  await insertColumns(pool, "Match", { id: "uuid", familyId: "uuid", listingId: "uuid", reasons: "jsonb", createdAt: "timestamp(3)" }, matches);
  await insertColumns(pool, "Activity", { id: "uuid", familyId: "uuid", seq: "int", type: "text", actor: "text", occurredAt: "timestamp(3)", matchId: "uuid", payload: "jsonb", prevHash: "text", hash: "text" }, activities);
  await insertColumns(pool, "Reminder", { id: "uuid", familyId: "uuid", matchId: "uuid", kind: "text", key: "text", dueAt: "timestamp(3)", status: "text", sentAt: "timestamp(3)", channel: "text" }, reminders);
  await insertColumns(pool, "Task", { id: "uuid", familyId: "uuid", matchId: "uuid", kind: "text", status: "text", createdAt: "timestamp(3)", doneAt: "timestamp(3)" }, tasks);
  await insertColumns(pool, "Registration", { id: "uuid", familyId: "uuid", siteId: "text", registeredOn: "date", renewalDueOn: "date" }, registrations);
  await pool.query("ANALYZE");
  const count = (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "Activity"`)).rows[0]!.n;
  console.log(`seeded ${families.length} families, ${count} activities, ${matches.length} matches, ${reminders.length} reminders, ${tasks.length} tasks in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { families, counsellors };
}

async function signIn(base: string, email: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${base}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password: PASSWORD }) });
  if (!res.ok) throw new Error(`sign-in ${email}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { secondFactor: string; csrfToken: string };
  if (body.secondFactor !== "none") throw new Error(`sign-in ${email}: needs ${body.secondFactor}; run the bench with STAFF_TOTP_REQUIRED=false`);
  return { cookie: res.headers.get("set-cookie")!.split(";")[0]!, csrf: body.csrfToken };
}

async function timed(url: string, session: { cookie: string; csrf: string }, init: RequestInit = {}): Promise<{ ms: number; body: Buffer; status: number }> {
  const t = performance.now();
  const res = await fetch(url, { ...init, headers: { cookie: session.cookie, "x-csrf-token": session.csrf, "content-type": "application/json", ...(init.headers ?? {}) } });
  const body = Buffer.from(await res.arrayBuffer());
  const ms = performance.now() - t;
  if (!res.ok) throw new Error(`${url}: ${res.status} ${body.toString().slice(0, 300)}`);
  return { ms, body, status: res.status };
}

execFileSync("bash", ["tools/setup.sh"], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DATABASE_URL } });
const config = loadConfig({
  ...process.env,
  NODE_ENV: "test",
  DATABASE_URL,
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  TOKEN_SECRET: process.env.TOKEN_SECRET ?? randomUUID() + randomUUID(),
  QUEUE_PREFIX: `bench-api-${Date.now()}`,
  PORT: "0",
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "silent",
  STAFF_TOTP_REQUIRED: "false",
  // Sign-ins of the bench are not an attack.
  LOGIN_FAILURES_PER_IP: "10000",
});
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
const db = createDb(DATABASE_URL, 2);
const { families, counsellors } = await seed(pool, db);
const server = await startServer(config);
const base = `http://127.0.0.1:${server.port}`;
try {
  // The API's Redis connection fails fast instead of queueing: wait until it is up.
  for (let i = 0; (await fetch(`${base}/api/health`)).status !== 200; i++) {
    if (i > 100) throw new Error("the server's Redis connection did not come up");
    await new Promise((r) => setTimeout(r, 100));
  }
  const counsellor = await signIn(base, counsellors[0]!.email);
  const admin = await signIn(base, "admin@bench.test");

  // Warm up (connection pool, JIT, the catalogue cache), then measure.
  for (let i = 0; i < 5; i++) await timed(`${base}/api/caseload`, counsellor);
  const caseload: number[] = [];
  const sessions = await Promise.all(counsellors.slice(0, 5).map((c) => signIn(base, c.email)));
  for (let i = 0; i < RUNS; i++) caseload.push((await timed(`${base}/api/caseload`, sessions[i % sessions.length]!)).ms);
  const all: number[] = [];
  for (let i = 0; i < Math.max(20, RUNS / 4); i++) all.push((await timed(`${base}/api/caseload`, admin)).ms);
  const rows = JSON.parse((await timed(`${base}/api/caseload`, admin)).body.toString()) as { families: unknown[] };
  if (rows.families.length !== FAMILIES) throw new Error(`admin caseload has ${rows.families.length} families, expected ${FAMILIES}`);

  const evaluation: number[] = [];
  for (let i = 0; i < 3; i++) await timed(`${base}/api/families/${families[i]!.id}/evaluation-preview`, admin);
  for (let i = 0; i < RUNS; i++) evaluation.push((await timed(`${base}/api/families/${families[(i * 7) % FAMILIES]!.id}/evaluation-preview`, admin)).ms);

  const child = { situation: "School en zorg in Amsterdam.", childrenHeard: true, childrenView: "Wil bij vrienden blijven.", weighing: "Na het schooljaar.", explanation: "Samen met school." };
  const to = new Date(NOW).toISOString().slice(0, 10);
  const from = new Date(NOW - 91 * DAY).toISOString().slice(0, 10);
  const saved = JSON.parse(
    (await timed(`${base}/api/families/${families[0]!.id}/evaluations`, admin, { method: "POST", body: JSON.stringify({ from, to, childInterests: child }) })).body.toString(),
  ) as { evaluation: { id: string } };
  const cold = await timed(`${base}/api/evaluations/${saved.evaluation.id}.pdf`, admin);
  if (cold.body.subarray(0, 5).toString() !== "%PDF-") throw new Error("the PDF answer is not a PDF");
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push((await timed(`${base}/api/evaluations/${saved.evaluation.id}.pdf`, admin)).ms);

  console.log(`BENCH caseload_p50 ${percentile(caseload, 50).toFixed(1)} ms`);
  console.log(`BENCH caseload_p95 ${percentile(caseload, 95).toFixed(1)} ms`);
  console.log(`BENCH caseload_all_p95 ${percentile(all, 95).toFixed(1)} ms`);
  console.log(`BENCH evaluation_p50 ${percentile(evaluation, 50).toFixed(1)} ms`);
  console.log(`BENCH evaluation_p95 ${percentile(evaluation, 95).toFixed(1)} ms`);
  console.log(`BENCH evaluation_pdf ${(cold.ms / 1000).toFixed(2)} s`);
  console.log(`BENCH evaluation_pdf_warm_p50 ${(percentile(warm, 50) / 1000).toFixed(2)} s`);
  console.log(`(caseload: ${counsellors.length} counsellors of ${FAMILIES / COUNSELLORS} families, ${RUNS} requests; all: the admin's view of ${FAMILIES}; evaluation: three months of a 400-entry log; PDF: first request, Chromium start included, ${cold.body.length} bytes)`);
} finally {
  await pdfRenderer.close();
  await server.close();
  await db.$disconnect();
  await pool.end();
}
