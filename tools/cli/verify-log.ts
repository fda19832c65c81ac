// `npm run cli -- verify-log <familyId>`: checks a family's evidence log (the hash chain) and names
// the first broken entry. Exit 0 when intact, 1 when broken, 64 for a bad or unknown family id.
// Needs only DATABASE_URL; prints no payloads (they hold what the family said).
import { z } from "zod";
import { firstBrokenEntry } from "../../domain/evidence.js";
import { ConfigSchema } from "../../infra/config.js";
import { createDb } from "../../infra/db.js";
import type { CliCommand } from "./registry.js";

const FamilyId = z.string().uuid();

export const command: CliCommand = {
  summary: "check a family's evidence log (hash chain) and name the first broken entry",
  async run({ positionals }) {
    const [id, ...extra] = positionals;
    const parsedId = FamilyId.safeParse(id);
    if (!parsedId.success || extra.length > 0) {
      process.stderr.write("usage: npm run cli -- verify-log <familyId>   (familyId: a uuid)\n");
      return 64;
    }
    const env = ConfigSchema.pick({ DATABASE_URL: true }).safeParse(process.env);
    if (!env.success) {
      process.stderr.write(`verify-log: DATABASE_URL: ${env.error.issues[0]?.message ?? "missing"}\n`);
      return 78; // EX_CONFIG
    }
    const db = createDb(env.data.DATABASE_URL, 1);
    try {
      const family = await db.family.findUnique({ where: { id: parsedId.data }, select: { id: true } });
      if (!family) {
        process.stderr.write(`verify-log: no family ${parsedId.data}\n`);
        return 64;
      }
      const entries = await db.activity.findMany({ where: { familyId: family.id }, orderBy: { seq: "asc" } });
      const broken = firstBrokenEntry(entries.map((e) => ({ ...e, payload: e.payload as unknown })));
      if (broken === null) {
        const last = entries.at(-1);
        process.stdout.write(
          `intact: family ${family.id}, ${entries.length} entries${last ? `, last seq ${last.seq} at ${last.occurredAt.toISOString()}, hash ${last.hash}` : ""}\n`,
        );
        return 0;
      }
      const e = entries.find((x) => x.seq === broken)!;
      const index = entries.indexOf(e);
      const gap = index > 0 ? entries[index - 1]!.seq + 1 !== e.seq : e.seq !== 1;
      process.stdout.write(
        `BROKEN: family ${family.id}, first broken entry seq ${e.seq}, id ${e.id}, type ${e.type}, time ${e.occurredAt.toISOString()}` +
          `${gap ? " (entries before it are missing)" : " (its content or hash does not match the chain)"}; ${index} of ${entries.length} entries verify before it\n`,
      );
      return 1;
    } finally {
      await db.$disconnect();
    }
  },
};
