// `npm run cli -- <command> [options]`: operator and developer commands. Each command lives in its
// own file in tools/cli/ and is registered here.
import { parseArgs } from "node:util";
import { COMMANDS } from "./registry.js";

export { registerCommand, type CliCommand } from "./registry.js";

// Commands (lazy, so one command's dependencies do not slow the others).
await import("./commands.js");

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const load = name ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`usage: npm run cli -- <command> [options]\ncommands:\n`);
    for (const [n, l] of Object.entries(COMMANDS)) process.stderr.write(`  ${n.padEnd(12)} ${(await l()).summary}\n`);
    return name ? 64 : 0;
  }
  const command = await load();
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`${name}: ${(err as Error).message}\n`);
    return 64;
  }
  return command.run({ values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals });
}

process.exitCode = await main(process.argv.slice(2));
