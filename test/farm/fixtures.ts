// Reading the recorded site responses the farm is built from (test/fixtures/sites, see SOURCE.md there).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const DEFAULT_FIXTURES_DIR = fileURLToPath(new URL("../fixtures/sites/", import.meta.url));

/** Parses one recorded JSON file. The caller states its shape: the files are the platforms' own. */
export function readFixture<T>(dir: string, folder: string, file: string): T {
  const path = join(dir, folder, file);
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (err) {
    throw new Error(`site farm: cannot read fixture ${path}: ${(err as Error).message}`);
  }
}
