// Prisma CLI config. Prisma's CLI normally downloads a native schema engine; on offline machines
// that fails, so migrations run on the JavaScript schema engine through the pg driver adapter.
// Three workarounds (see docs/DEVELOPING.md, "Prisma offline"):
//  1. adapter-pg cannot read the catalog types `name` (OID 19) and `"char"` (OID 18) that the
//     schema engine queries (prisma/orm#27403): results report them as text (OID 25).
//  2. Separate host/port/user/database fields, not a connection string (with a string the
//     adapter's shadow database would be the dev database itself).
//  3. allowExitOnIdle so CLI commands exit promptly.
//  4. adapter-pg's executeScript splits a migration on every ";" (even inside quoted function
//     bodies), so a migration with a PL/pgSQL trigger fails. A migration file is sent whole
//     instead: Postgres' simple query protocol runs several statements in one call.
import path from "node:path";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

const CATALOG_TEXT_OIDS = new Set([18, 19]);

function asText(result: pg.QueryResult | undefined): void {
  for (const field of result?.fields ?? []) {
    if (CATALOG_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = 25;
  }
}

/** A pool whose results report catalog name/"char" columns as text. */
class CatalogSafePool extends pg.Pool {
  override query(...args: unknown[]): any {
    const out = (super.query as (...a: unknown[]) => any)(...args);
    if (out && typeof out.then === "function") return out.then((r: pg.QueryResult) => (asText(r), r));
    return out;
  }
  override connect(...args: unknown[]): any {
    const patch = (client: pg.PoolClient) => {
      const original = client.query.bind(client) as (...a: unknown[]) => any;
      (client as any).query = (...a: unknown[]) => {
        const out = original(...a);
        if (out && typeof out.then === "function") return out.then((r: pg.QueryResult) => (asText(r), r));
        return out;
      };
      return client;
    };
    if (typeof args[0] === "function") {
      const cb = args[0] as (err: Error | undefined, client?: pg.PoolClient, done?: unknown) => void;
      return (super.connect as any)((err: Error | undefined, client: pg.PoolClient, done: unknown) =>
        cb(err, client ? patch(client) : client, done),
      );
    }
    return (super.connect as () => Promise<pg.PoolClient>)().then(patch);
  }
}

function poolConfig(): pg.PoolConfig {
  const raw = process.env.DATABASE_URL;
  if (!raw) throw new Error("DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/eldersthuis)");
  const url = new URL(raw);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || "postgres"),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: url.pathname.replace(/^\//, ""),
    allowExitOnIdle: true,
  };
}

export default defineConfig({
  experimental: { adapter: true },
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations"), seed: "tsx prisma/seed.ts" },
  engine: "js",
  adapter: async () => {
    const pool = new CatalogSafePool(poolConfig());
    const factory = new PrismaPg(pool as pg.Pool);
    const connect = factory.connect.bind(factory);
    factory.connect = async () => {
      const adapter = await connect();
      adapter.executeScript = async (script: string) => {
        await pool.query(script);
      };
      return adapter;
    };
    return factory;
  },
});
