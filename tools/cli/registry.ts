// The registry of CLI commands, apart from main.ts: commands.ts registers into it while main.ts is
// still starting, and importing main.ts from there would wait on main's own top-level await forever.
import type { ParseArgsConfig } from "node:util";

export interface CliCommand {
  summary: string;
  options?: ParseArgsConfig["options"];
  /** Returns the process exit code. Writes results to stdout, diagnostics to stderr. */
  run(args: { values: Record<string, string | boolean | undefined>; positionals: string[] }): Promise<number>;
}

export const COMMANDS: Record<string, () => Promise<CliCommand>> = {};

export function registerCommand(name: string, load: () => Promise<CliCommand>): void {
  COMMANDS[name] = load;
}
