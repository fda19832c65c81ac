// CLI entry of the site farm: `tsx test/farm/main.ts`. Listens on 127.0.0.1:$FARM_PORT (default 4010).
// Optional: FARM_TICK_MS (default 600000, 0 = no new listings over time), FARM_SEED and FARM_ID_BASE
// (default: from the start time, so a restarted farm publishes new ids and addresses — the demo's
// database remembers the old ones and would treat them as homes it already announced).
// Simulates the recorded sites and every catalogue site of data/sites.json with a known platform.
import { createFarm } from "./server.js";

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
  return value;
}

const port = envNumber("FARM_PORT", 4010);
const startSecond = Math.floor(Date.now() / 1000);
const farm = createFarm({
  tickMs: envNumber("FARM_TICK_MS", 10 * 60_000),
  seed: envNumber("FARM_SEED", startSecond % 1_000_000),
  idBase: envNumber("FARM_ID_BASE", (startSecond % 10_000_000) * 100),
});
const running = await farm.start(port, "127.0.0.1");
const sites = farm.sites();
console.log(
  `site farm listening on ${running.url} (${sites.length} sites: ${sites.map((s) => `${running.url}${s.basePath}`).join(", ")})`,
);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  running.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
