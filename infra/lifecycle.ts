// The one way a process entry point starts and stops: config validated first (exit 78, EX_CONFIG, on a
// bad setting), then ordered shutdown on SIGTERM or SIGINT, exit 0 when every part closed and 1 when not.
import { loadConfig, type Config } from "./config.js";
import type { Logger } from "./logger.js";

export interface Running {
  close(): Promise<void>;
  log: Logger;
}

export interface LifecycleHooks<T extends Running> {
  /** Runs when a stop signal arrives, before close(). */
  onSignal?: (running: T, signal: NodeJS.Signals) => void;
  /** Runs when close() rejects, before the process exits with 1. */
  onCloseError?: (running: T, err: unknown) => void;
}

export async function runUntilSignal<T extends Running>(
  start: (config: Config) => Promise<T>,
  hooks: LifecycleHooks<T> = {},
): Promise<T> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(78);
  }
  const running = await start(config);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      hooks.onSignal?.(running, signal);
      running.close().then(
        () => process.exit(0),
        (err: unknown) => {
          hooks.onCloseError?.(running, err);
          process.exit(1);
        },
      );
    });
  }
  return running;
}
