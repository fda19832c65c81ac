// Starts the whole system as separate processes on 127.0.0.1: site farm, SMTP sink, API server and
// N worker processes. Used by `npm run demo` and the benchmarks, so both run what production runs.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { generateSecret } from "otplib";
import { createDb } from "../infra/db.js";

export interface SystemOptions {
  env: NodeJS.ProcessEnv;
  workers: number;
  /** Prefix every child's output lines ("[server] ...") on this stream; omit to discard output. */
  output?: NodeJS.WritableStream;
  seedDemo: boolean;
}

export interface RunningSystem {
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
  onUnexpectedExit(fn: (name: string, code: number | null) => void): void;
}

/** Fills in the local defaults (ports, URLs, the farm override, a persistent token secret). */
export function localEnv(base: NodeJS.ProcessEnv, dataDir = ".data"): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  env.FARM_PORT ??= "4010";
  env.PORT ??= "3000";
  env.SMTP_PORT ??= "2525";
  env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/eldersthuis";
  env.REDIS_URL ??= "redis://127.0.0.1:6379";
  env.PUBLIC_URL ??= `http://127.0.0.1:${env.PORT}`;
  env.SITE_BASE_URL_OVERRIDE ??= `http://127.0.0.1:${env.FARM_PORT}/s/{site}`;
  env.OUTBOX_DIR ??= `${dataDir}/outbox`;
  env.DEMO_STAFF_PASSWORD ??= "eldersthuis-demo";
  env.LOG_LEVEL ??= "info";
  // The token secret persists across runs so links in earlier e-mails keep working.
  mkdirSync(dataDir, { recursive: true });
  const secretFile = `${dataDir}/token-secret`;
  if (!env.TOKEN_SECRET) {
    if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString("base64url"), { mode: 0o600 });
    env.TOKEN_SECRET = readFileSync(secretFile, "utf8").trim();
  }
  // Demo staff sign in with a password and a TOTP code; the secret persists like the token secret.
  // `npm run cli -- totp-code <email>` prints the current code (development only).
  const totpFile = `${dataDir}/demo-totp-secret`;
  if (!env.DEMO_TOTP_SECRET) {
    if (!existsSync(totpFile)) writeFileSync(totpFile, generateSecret(), { mode: 0o600 });
    env.DEMO_TOTP_SECRET = readFileSync(totpFile, "utf8").trim();
  }
  return env;
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, quiet = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: quiet ? "ignore" : "inherit" });
    p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}`))));
  });
}

export async function waitForHttp(url: string, seconds: number): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}

export async function startSystem(opts: SystemOptions): Promise<RunningSystem> {
  const { env } = opts;
  const children: { name: string; proc: ChildProcess }[] = [];
  let stopping = false;
  let onExit: (name: string, code: number | null) => void = () => {};
  const start = (name: string, args: string[]) => {
    const proc = spawn(process.execPath, ["--import", "tsx", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    const prefix = `[${name}] `;
    for (const stream of [proc.stdout!, proc.stderr!]) {
      stream.on("data", (d: Buffer) => opts.output?.write(d.toString().replace(/^(?=.)/gm, prefix)));
    }
    proc.on("exit", (code) => {
      if (!stopping) onExit(name, code);
    });
    children.push({ name, proc });
  };
  const stop = async () => {
    stopping = true;
    // Reverse order: workers and server first (they finish their jobs), then the farm and the sink.
    for (const { proc } of [...children].reverse()) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGTERM");
        await new Promise((r) => proc.once("exit", r));
      }
    }
  };

  await run("bash", ["tools/setup.sh"], env);
  // The staff web app (web/dist) that the server serves.
  await run("npm", ["run", "--silent", "web:build", "--", "--logLevel", "warn"], env);
  await run(process.execPath, ["--import", "tsx", "prisma/seed.ts"], { ...env, SEED_DEMO: opts.seedDemo ? "true" : "false" });
  start("farm", ["test/farm/main.ts"]);
  start("smtp", ["test/support/smtp-sink.ts"]);
  await waitForHttp(`http://127.0.0.1:${env.FARM_PORT}/_farm/sites`, 30);
  await scrapeOnlyFarmSites(env);
  start("server", ["server/main.ts"]);
  for (let i = 1; i <= opts.workers; i++) start(`worker-${i}`, ["workers/main.ts"]);
  await waitForHttp(`${env.PUBLIC_URL}/api/health`, 60);
  return { env, stop, onUnexpectedExit: (fn) => (onExit = fn) };
}

/**
 * Locally every site points at the farm; a catalogue site the farm does not simulate would only
 * answer 404 and look broken. Those are switched off for this run (the seed switches them on again).
 */
async function scrapeOnlyFarmSites(env: NodeJS.ProcessEnv): Promise<void> {
  const farmSites = (await (await fetch(`http://127.0.0.1:${env.FARM_PORT}/_farm/sites`)).json()) as { id: string }[];
  const db = createDb(env.DATABASE_URL!, 1);
  try {
    await db.site.updateMany({ where: { id: { notIn: farmSites.map((s) => s.id) } }, data: { enabled: false } });
  } finally {
    await db.$disconnect();
  }
}
