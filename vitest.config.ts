import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests share one test database and Redis: run files one after another.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: {
      DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/eldersthuis_test",
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
    },
  },
});
