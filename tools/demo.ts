// `npm run demo`: the whole system on 127.0.0.1 with demo data on the recorded real site formats:
// site farm (4010), SMTP sink (2525, writing .data/outbox/*.eml), API + web (3000), and two worker
// processes sharing the load. Ports and URLs can be overridden with the usual variables.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

const env: NodeJS.ProcessEnv = { ...process.env };
const farmPort = env.FARM_PORT ?? "4010";
env.FARM_PORT = farmPort;
env.PORT ??= "3000";
env.SMTP_PORT ??= "2525";
env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/eldersthuis";
env.REDIS_URL ??= "redis://127.0.0.1:6379";
env.PUBLIC_URL ??= `http://127.0.0.1:${env.PORT}`;
env.SITE_BASE_URL_OVERRIDE ??= `http://127.0.0.1:${farmPort}/s/{site}`;
env.OUTBOX_DIR ??= ".data/outbox";
env.DEMO_STAFF_PASSWORD ??= "eldersthuis-demo";
env.LOG_LEVEL ??= "info";

// The token secret persists across demo runs so links in earlier demo e-mails keep working.
mkdirSync(".data", { recursive: true });
const secretFile = ".data/demo-token-secret";
if (!env.TOKEN_SECRET) {
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString("base64url"), { mode: 0o600 });
  env.TOKEN_SECRET = readFileSync(secretFile, "utf8").trim();
}

const children: { name: string; proc: ChildProcess }[] = [];
function start(name: string, args: string[]): ChildProcess {
  const proc = spawn(process.execPath, ["--import", "tsx", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  const prefix = `[${name}] `;
  for (const stream of [proc.stdout!, proc.stderr!]) {
    stream.on("data", (d: Buffer) => process.stdout.write(d.toString().replace(/^(?=.)/gm, prefix)));
  }
  proc.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}exited (${code ?? signal}); stopping the demo`);
      void stop(1);
    }
  });
  children.push({ name, proc });
  return proc;
}
function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: "inherit" });
    p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}`))));
  });
}
async function waitForHttp(url: string, seconds: number): Promise<void> {
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

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Reverse order: workers and server first (they finish their jobs), then the farm and the sink.
  for (const { proc } of [...children].reverse()) {
    if (proc.exitCode === null) {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
    }
  }
  process.exit(code);
}
process.once("SIGINT", () => void stop(0));
process.once("SIGTERM", () => void stop(0));

await run("bash", ["tools/setup.sh"]);
await run(process.execPath, ["--import", "tsx", "prisma/seed.ts"]);
start("farm", ["test/farm/main.ts"]);
start("smtp", ["test/support/smtp-sink.ts"]);
await waitForHttp(`http://127.0.0.1:${farmPort}/_farm/sites`, 30);
start("server", ["server/main.ts"]);
start("worker-1", ["workers/main.ts"]);
start("worker-2", ["workers/main.ts"]);
await waitForHttp(`${env.PUBLIC_URL}/api/health`, 60);
console.log(`
Eldersthuis demo is running.
  Web app and API:  ${env.PUBLIC_URL}   (staff: begeleider@demo.eldersthuis.local / ${env.DEMO_STAFF_PASSWORD})
  Site farm:        http://127.0.0.1:${farmPort}/_farm/sites
  E-mails:          ${env.OUTBOX_DIR}/*.eml
Publish a home:  curl -X POST -H 'content-type: application/json' -d '{"site":"woonnet-haaglanden"}' http://127.0.0.1:${farmPort}/_farm/publish
Stop with Ctrl-C.
`);
