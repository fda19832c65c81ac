// `npm run bench:alert`: the whole system (farm, SMTP sink, server, two worker processes) at the
// catalogue's 60 s polling; publishes homes on the farm at random moments and measures
//   time_to_alert: publish on the farm → the e-mail file appears in the outbox,
//   pipeline:      the moment the system first saw the home (stored from the scrape that fetched
//                  it, Listing.firstSeenAt) → e-mail accepted by SMTP: matching, policy, sending;
//   scrape_to_alert: start of that scrape run → e-mail (adds fetching and parsing, for DAK a
//                  Chromium page load, and the politeness delay).
// The bench uses its own database, dropped and created afresh each run: a daily cap or a home
// already announced in an earlier run would otherwise hold alerts back.
// Prints BENCH lines. BENCH_LISTINGS (default 12) and BENCH_SPREAD_SECONDS (default 150) tune it.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { createDb } from "../../infra/db.js";
import { localEnv, startSystem } from "../../tools/system.js";

const N = Number(process.env.BENCH_LISTINGS ?? 12);
const SPREAD_MS = Number(process.env.BENCH_SPREAD_SECONDS ?? 150) * 1000;
const dataDir = ".data/bench-alert";
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });
const env = localEnv(
  {
    ...process.env,
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/eldersthuis_bench",
    PORT: process.env.BENCH_PORT ?? "3110",
    FARM_PORT: process.env.BENCH_FARM_PORT ?? "4110",
    SMTP_PORT: process.env.BENCH_SMTP_PORT ?? "2625",
    QUEUE_PREFIX: `bench-${Date.now()}`,
    FARM_TICK_MS: "0",
    LOG_LEVEL: "warn",
  },
  dataDir,
);
const outbox = env.OUTBOX_DIR!;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

await recreateDatabase(env.DATABASE_URL!);
const system = await startSystem({ env, workers: 2, seedDemo: true });
const db = createDb(env.DATABASE_URL!, 2);
try {
  const sites = (await (await fetch(`http://127.0.0.1:${env.FARM_PORT}/_farm/sites`)).json()) as { id: string }[];
  // The demo families cover the three recorded sites; other simulated sites are left out.
  const targets = sites.filter((s) => ["woonnet-haaglanden", "woningnet-amsterdam", "woonnet-rijnmond"].includes(s.id));
  // Let the first scrape of every site settle, so the recorded offer's alerts are not counted.
  await new Promise((r) => setTimeout(r, 20_000));
  const published: { site: string; key: string; at: number }[] = [];
  const offsets = Array.from({ length: N }, () => Math.random() * SPREAD_MS).sort((a, b) => a - b);
  const t0 = Date.now();
  for (let i = 0; i < N; i++) {
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + offsets[i]! - Date.now())));
    const site = targets[i % targets.length]!.id;
    const res = await fetch(`http://127.0.0.1:${env.FARM_PORT}/_farm/publish`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ site }),
    });
    const home = (await res.json()) as { street: string; houseNumber: string };
    published.push({ site, key: `${home.street} ${home.houseNumber}`, at: Date.now() });
  }
  // Wait for every home's first e-mail (at most about two poll intervals after the last publish).
  const deadline = Date.now() + 150_000;
  const firstMail = new Map<string, number>();
  while (firstMail.size < published.length && Date.now() < deadline) {
    for (const f of readdirSync(outbox).filter((x) => x.endsWith(".eml"))) {
      const file = path.join(outbox, f);
      const subject = /^Subject: (.*)$/m.exec(readFileSync(file, "utf8"))?.[1] ?? "";
      for (const p of published) {
        if (subject.includes(p.key)) {
          const t = statSync(file).mtimeMs;
          if (!firstMail.has(p.key) || t < firstMail.get(p.key)!) firstMail.set(p.key, t);
        }
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const missing = published.filter((p) => !firstMail.has(p.key));
  if (missing.length) console.error(`no e-mail for ${missing.length} of ${published.length} homes: ${missing.map((m) => m.key).join(", ")}`);
  const alert = published.filter((p) => firstMail.has(p.key)).map((p) => (firstMail.get(p.key)! - p.at) / 1000);

  const rows = await db.$queryRaw<{ seen: number; scrape: number }[]>`
    SELECT EXTRACT(EPOCH FROM (MIN(n."sentAt") - l."firstSeenAt")) * 1000 AS seen,
           EXTRACT(EPOCH FROM (MIN(n."sentAt") - r."startedAt")) * 1000 AS scrape
    FROM "Listing" l
    JOIN "ScrapeRun" r ON r.id = l."firstSeenRunId"
    JOIN "Match" m ON m."listingId" = l.id
    JOIN "Notification" n ON n."matchId" = m.id AND n."sentAt" IS NOT NULL
    WHERE l."firstSeenAt" > ${new Date(t0)}
    GROUP BY l.id, l."firstSeenAt", r."startedAt"`;
  const pipeline = rows.map((r) => Number(r.seen));
  const scrapeToAlert = rows.map((r) => Number(r.scrape));
  console.log(`BENCH listings_published ${published.length} count`);
  console.log(`BENCH time_to_alert_p50 ${percentile(alert, 50).toFixed(1)} s`);
  console.log(`BENCH time_to_alert_p95 ${percentile(alert, 95).toFixed(1)} s`);
  console.log(`BENCH pipeline_p50 ${percentile(pipeline, 50).toFixed(0)} ms`);
  console.log(`BENCH pipeline_p95 ${percentile(pipeline, 95).toFixed(0)} ms`);
  console.log(`BENCH scrape_to_alert_p50 ${percentile(scrapeToAlert, 50).toFixed(0)} ms`);
  console.log(`BENCH scrape_to_alert_p95 ${percentile(scrapeToAlert, 95).toFixed(0)} ms`);
  if (missing.length) process.exitCode = 1;
} finally {
  await db.$disconnect();
  await system.stop();
}

async function recreateDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name) || !name.includes("bench")) throw new Error(`refusing to recreate database ${name}: not a bench database`);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}
