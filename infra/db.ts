// The Prisma client, on the pg driver adapter (no native query engine: works offline).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.js";

export type Db = PrismaClient;
export { Prisma } from "./generated/prisma/client.js";
export * as DbModels from "./generated/prisma/client.js";

export function createDb(databaseUrl: string, poolSize = 10): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }) });
}
