// `npm run bench:scrape`: every enabled catalogue site the farm simulates (and that has an adapter), scraped
// for BENCH_SECONDS (default 180) by two real worker processes at the catalogue's poll intervals
// (BENCH_POLL_SECONDS overrides them), with the production politeness settings unless the environment
// says otherwise. Prints BENCH lines:
//   requests_per_site    mean requests one site received during the run (farm side, robots.txt included)
//   bytes_per_site       mean response bytes (headers + body) one site sent, counted at the farm's socket
//   cpu_ms_per_listing_parsed  CPU of both worker process trees (Chromium included) / listings parsed
//   worker_rss_mb        peak resident memory of one worker process (Node only; worker_tree_rss_mb with Chromium)
//   browserless_share    share of the sites read without a browser, in %
// Uses BENCH_DATABASE_URL (default the eldersthuis_bench database), which it empties first.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { loadCatalogue } from "../../infra/catalogue.js";
import { createDb } from "../../infra/db.js";
import { seedCatalogue, seedDemo } from "../../prisma/seed.js";
import { run } from "../../tools/system.js";
import { adapterFor } from "../../workers/sites/registry.js";
import { createFarm } from "../farm/server.js";
import { resetDatabase } from "../support/env.js";
import { startSmtpSink } from "../support/smtp-sink.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 180);
const POLL = process.env.BENCH_POLL_SECONDS ? Number(process.env.BENCH_POLL_SECONDS) : undefined;
// The farm's own default: a new home per site every 10 minutes, so most polls find the offer unchanged.
const TICK_MS = Number(process.env.BENCH_FARM_TICK_MS ?? 600_000);
const WORKERS = 2;
const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/eldersthuis_bench";
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
if (!Number.isFinite(SECONDS) || SECONDS <= 0) throw new Error("BENCH_SECONDS must be a positive number");
if (POLL !== undefined && (!Number.isFinite(POLL) || POLL < 1)) throw new Error("BENCH_POLL_SECONDS must be at least 1");

/** Linux clock ticks per second, the unit of CPU times in /proc/<pid>/stat. */
const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** utime+stime+cutime+cstime in ms, and RSS in kB, of one process; null when it is gone. */
function procStat(pid: number): { cpuMs: number; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name "(...)", which may itself contain spaces.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
    return { cpuMs: (ticks * 1000) / CLK_TCK, ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

function statusKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The process and all its descendants (Chromium and its helpers under a worker). */
function tree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = procStat(Number(entry));
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const unvisited = [root];
  while (unvisited.length) {
    const pid = unvisited.pop()!;
    out.push(pid);
    unvisited.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** CPU of a process tree; each process's cutime/cstime holds its children that already exited. */
function treeCpuMs(root: number): number {
  return tree(root).reduce((sum, pid) => sum + (procStat(pid)?.cpuMs ?? 0), 0);
}

// ---- set-up: database, farm behind a byte counter, SMTP sink ----
await run("bash", ["tools/setup.sh"], { ...process.env, DATABASE_URL: databaseUrl }, true);
const db = createDb(databaseUrl, 3);
await resetDatabase(db);

const farm = createFarm({ tickMs: TICK_MS });
const requests = new Map<string, number>();
const bytes = new Map<string, number>();
// HTTP/1.1 serves one exchange at a time per socket, so the socket's bytesWritten between the request
// and the end of its answer is exactly that answer (keep-alive sockets are shared between sites).
const front = createServer((req, res) => {
  const site = /^\/s\/([^/?]+)/.exec(req.url ?? "")?.[1];
  if (site) {
    const socket = req.socket;
    const before = socket.bytesWritten;
    requests.set(site, (requests.get(site) ?? 0) + 1);
    res.once("finish", () => bytes.set(site, (bytes.get(site) ?? 0) + (socket.bytesWritten - before)));
  }
  farm.app(req, res);
});
await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
const farmUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
const sink = await startSmtpSink({ port: 0, outbox: mkdtempSync(path.join(tmpdir(), "eh-bench-scrape-")) });

const farmIds = new Set(farm.sites().map((s) => s.id));
const hasAdapter = (platform: string) => {
  try {
    adapterFor(platform);
    return true;
  } catch {
    return false;
  }
};
// Sites the catalogue switched off (not yet verified) are not scraped in production either.
const sites = loadCatalogue().filter((s) => s.enabled && farmIds.has(s.id) && hasAdapter(s.platform));
if (sites.length === 0) throw new Error("no catalogue site is simulated by the farm");
await seedCatalogue(db, `${farmUrl}/s/{site}`, 60);
await db.site.updateMany({ where: { id: { notIn: sites.map((s) => s.id) } }, data: { enabled: false } });
if (POLL !== undefined) await db.site.updateMany({ where: { id: { in: sites.map((s) => s.id) } }, data: { pollIntervalSeconds: POLL } });
// Families as in the demo, so matching and alerts do their ordinary work after each scrape.
await seedDemo(db, randomBytes(12).toString("base64url"));

// ---- two worker processes ----
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "development",
  LOG_LEVEL: "info",
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: `bench-scrape-${Date.now()}`,
  TOKEN_SECRET: randomBytes(32).toString("base64url"),
  SITE_BASE_URL_OVERRIDE: `${farmUrl}/s/{site}`,
  SMTP_PORT: String(sink.port),
};
let parsed = 0;
let runsOk = 0;
let runsNotModified = 0;
let runsFailed = 0;
const failures = new Map<string, number>();
const workers: ChildProcess[] = [];
const started: Promise<void>[] = [];
for (let i = 0; i < WORKERS; i++) {
  const proc = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], { env, stdio: ["ignore", "pipe", "inherit"] });
  workers.push(proc);
  started.push(
    new Promise((resolve, reject) => {
      proc.once("exit", (code) => reject(new Error(`worker ${i + 1} exited with ${code} before it started`)));
      createInterface({ input: proc.stdout! }).on("line", (line) => {
        let entry: { msg?: string; parsed?: number; siteId?: string; kind?: string; err?: string };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          return;
        }
        if (entry.msg === "workers started") resolve();
        else if (entry.msg === "scrape done") {
          runsOk += 1;
          parsed += entry.parsed ?? 0;
        } else if (entry.msg === "scrape done: not modified") runsNotModified += 1;
        else if (entry.msg === "scrape failed") {
          runsFailed += 1;
          const key = `${entry.siteId} ${entry.kind}: ${(entry.err ?? "").slice(0, 160)}`;
          failures.set(key, (failures.get(key) ?? 0) + 1);
        }
      });
    }),
  );
}
await Promise.all(started);

// Measure from here: start-up (tsx compiling, Chromium not yet launched) is not scraping.
requests.clear();
bytes.clear();
parsed = 0;
runsOk = runsNotModified = runsFailed = 0;
failures.clear();
const pids = workers.map((w) => w.pid!);
const cpuStart = pids.map(treeCpuMs);
let peakTreeRssKb = 0;
const sampler = setInterval(() => {
  for (const pid of pids) peakTreeRssKb = Math.max(peakTreeRssKb, tree(pid).reduce((sum, p) => sum + statusKb(p, "VmRSS"), 0));
}, 500);
await new Promise((r) => setTimeout(r, SECONDS * 1000));
clearInterval(sampler);
const cpuMs = pids.map(treeCpuMs).reduce((sum, v, i) => sum + (v - cpuStart[i]!), 0);
const peakWorkerRssKb = Math.max(...pids.map((pid) => statusKb(pid, "VmHWM")));

for (const w of workers) w.kill("SIGTERM");
await Promise.all(workers.map((w) => (w.exitCode === null ? new Promise((r) => w.once("exit", r)) : undefined)));
await sink.close();
await new Promise<void>((resolve) => {
  front.close(() => resolve());
  front.closeAllConnections();
});
await db.$disconnect();

const mean = (m: Map<string, number>) => sites.reduce((sum, s) => sum + (m.get(s.id) ?? 0), 0) / sites.length;
const browserless = sites.filter((s) => !adapterFor(s.platform).needsBrowser).length;
console.log(`BENCH sites ${sites.length} count`);
console.log(`BENCH duration ${SECONDS} s`);
console.log(`BENCH requests_per_site ${mean(requests).toFixed(1)} requests`);
console.log(`BENCH requests_per_site_per_minute ${((mean(requests) * 60) / SECONDS).toFixed(2)} requests`);
console.log(`BENCH bytes_per_site ${Math.round(mean(bytes))} bytes`);
console.log(`BENCH scrapes_ok ${runsOk} count`);
console.log(`BENCH scrapes_not_modified ${runsNotModified} count`);
console.log(`BENCH scrapes_failed ${runsFailed} count`);
console.log(`BENCH listings_parsed ${parsed} count`);
console.log(`BENCH cpu_ms_per_listing_parsed ${parsed > 0 ? (cpuMs / parsed).toFixed(2) : "NaN"} ms`);
console.log(`BENCH worker_cpu ${Math.round(cpuMs)} ms`);
console.log(`BENCH worker_rss_mb ${(peakWorkerRssKb / 1024).toFixed(1)} MB`);
console.log(`BENCH worker_tree_rss_mb ${(peakTreeRssKb / 1024).toFixed(1)} MB`);
console.log(`BENCH browserless_share ${((browserless / sites.length) * 100).toFixed(1)} %`);
for (const s of sites) {
  console.error(`site ${s.id} (${s.platform}): ${requests.get(s.id) ?? 0} requests, ${bytes.get(s.id) ?? 0} bytes`);
}
for (const [failure, n] of failures) console.error(`failed ${n}x: ${failure}`);
process.exit(0);
