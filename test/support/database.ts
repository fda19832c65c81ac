// A fresh test database with the real site catalogue. Kept apart from env.ts because the seed
// loads every site adapter, which tests that only need a config should not pay for.
import type { Db } from "../../infra/db.js";
import { seedCatalogue } from "../../prisma/seed.js";
import { resetDatabase } from "./env.js";

/** Empties every table and seeds the catalogue with sites pointing at a closed port: nothing is ever fetched. */
export async function freshDatabase(db: Db): Promise<void> {
  await resetDatabase(db);
  await seedCatalogue(db, "http://127.0.0.1:9/s/{site}");
}
