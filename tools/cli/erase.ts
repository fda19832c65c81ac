// `npm run cli -- erase-due --by <admin e-mail> [--dry-run]`: erases the data of every family that
// left the shelter at least ERASE_AFTER_DAYS ago. Only anonymous counts remain.
//
// The audited erasure procedure (one transaction per family; all or nothing):
//  1. lock the family row and check it is still due;
//  2. count what exists: evidence entries per type, matches, messages, registrations, tasks,
//     evaluations and shares, reminders, digests;
//  3. switch off the evidence log's append-only trigger for this transaction only
//     (ALTER TABLE ... DISABLE TRIGGER holds a lock on "Activity" until commit, so no other
//     session can change or append entries meanwhile), delete the family's entries, switch the
//     trigger back on;
//  4. start a new chain for the family with one "erased" entry that holds the counts and who
//     erased (actor staff:<admin id>), so the chain verifies and the totals stay available;
//  5. delete the profile, registrations, matches (and their messages), reminders, digests, tasks,
//     evaluations (and their shares), push subscriptions, sign-in codes and sessions;
//  6. keep the Family row with displayName "erased", personal fields emptied and erasedAt set;
//  7. record the erasure in the access log under the admin who ran it.
// The access log itself stays: it says which staff looked at the family, not who the family was.
import { loadConfig, ConfigError } from "../../infra/config.js";
import { createDb, type Db } from "../../infra/db.js";
import { appendActivity } from "../../infra/evidence-log.js";
import type { CliCommand } from "./registry.js";

const DAY_MS = 86_400_000;

export interface ErasureCounts {
  activity: Record<string, number>;
  matches: number;
  notifications: number;
  registrations: number;
  tasks: number;
  evaluations: number;
  evaluationShares: number;
  reminders: number;
  digests: number;
  pushSubscriptions: number;
}

/** The last day a family may have left the shelter and be due for erasure on `now`. */
export function erasureCutoff(now: Date, days: number): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - days * DAY_MS);
}

export async function dueFamilies(db: Db, days: number, now = new Date()): Promise<string[]> {
  const rows = await db.family.findMany({
    where: { erasedAt: null, leftShelterOn: { not: null, lte: erasureCutoff(now, days) } },
    orderBy: { leftShelterOn: "asc" },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/**
 * Erases one family (see the procedure above). Returns the counts kept, or null when the family is
 * not (or no longer) due, e.g. erased meanwhile by another run.
 */
export async function eraseFamily(db: Db, familyId: string, adminId: string, days: number, now = new Date()): Promise<ErasureCounts | null> {
  return db.$transaction(
    async (tx) => {
      const cutoff = erasureCutoff(now, days).toISOString().slice(0, 10);
      const [family] = await tx.$queryRaw<{ due: boolean | null }[]>`
        SELECT ("erasedAt" IS NULL AND "leftShelterOn" <= ${cutoff}::date) AS due FROM "Family" WHERE id = ${familyId}::uuid FOR UPDATE`;
      if (!family?.due) return null;

      const where = { familyId };
      const [byType, matches, notifications, registrations, tasks, evaluations, evaluationShares, reminders, digests, pushSubscriptions] = await Promise.all([
        tx.activity.groupBy({ by: ["type"], where, _count: { _all: true } }),
        tx.match.count({ where }),
        tx.notification.count({ where: { match: { familyId } } }),
        tx.registration.count({ where }),
        tx.task.count({ where }),
        tx.evaluation.count({ where }),
        tx.evaluationShare.count({ where: { evaluation: { familyId } } }),
        tx.reminder.count({ where }),
        tx.digest.count({ where }),
        tx.pushSubscription.count({ where }),
      ]);
      const counts: ErasureCounts = {
        activity: Object.fromEntries(byType.map((g) => [g.type, g._count._all]).sort(([a], [b]) => String(a).localeCompare(String(b)))),
        matches,
        notifications,
        registrations,
        tasks,
        evaluations,
        evaluationShares,
        reminders,
        digests,
        pushSubscriptions,
      };

      await tx.$executeRawUnsafe(`ALTER TABLE "Activity" DISABLE TRIGGER "Activity_append_only"`);
      await tx.$executeRaw`DELETE FROM "Activity" WHERE "familyId" = ${familyId}::uuid`;
      await tx.$executeRawUnsafe(`ALTER TABLE "Activity" ENABLE TRIGGER "Activity_append_only"`);
      await appendActivity(tx, {
        familyId,
        type: "erased",
        actor: `staff:${adminId}`,
        occurredAt: now,
        payload: { counts: counts as unknown as Record<string, unknown>, erasedAfterDays: days },
      });

      await tx.match.deleteMany({ where }); // notifications cascade
      await tx.evaluation.deleteMany({ where }); // shares cascade
      await tx.registration.deleteMany({ where });
      await tx.searchProfile.deleteMany({ where });
      await tx.reminder.deleteMany({ where });
      await tx.digest.deleteMany({ where });
      await tx.task.deleteMany({ where });
      await tx.pushSubscription.deleteMany({ where });
      await tx.familyLoginCode.deleteMany({ where });
      await tx.session.deleteMany({ where });
      await tx.family.update({
        where: { id: familyId },
        data: {
          displayName: "erased",
          email: null,
          phone: null,
          adults: 1,
          childBirthYears: [],
          needs: [],
          incomeBand: null,
          counsellorId: null,
          pausedUntil: null,
          calendarToken: null,
          admittedOn: null,
          nextEvaluationOn: null,
          leftShelterOn: null,
          erasedAt: now,
        },
      });
      await tx.accessLog.create({ data: { userId: adminId, familyId, action: "erase_family", allowed: true } });
      return counts;
    },
    // DISABLE TRIGGER waits for transactions that are appending evidence right now.
    { timeout: 60_000, maxWait: 10_000 },
  );
}

export interface EraseDueResult {
  due: number;
  erased: { familyId: string; counts: ErasureCounts }[];
}

export async function eraseDue(db: Db, adminId: string, days: number, now = new Date()): Promise<EraseDueResult> {
  const ids = await dueFamilies(db, days, now);
  const erased: EraseDueResult["erased"] = [];
  for (const id of ids) {
    const counts = await eraseFamily(db, id, adminId, days, now);
    if (counts) erased.push({ familyId: id, counts });
  }
  return { due: ids.length, erased };
}

export const command: CliCommand = {
  summary: "erase families that left the shelter ERASE_AFTER_DAYS ago (--by <admin e-mail>, --dry-run)",
  options: { by: { type: "string" }, "dry-run": { type: "boolean" } },
  async run({ values }) {
    let config;
    try {
      config = loadConfig();
    } catch (err) {
      process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
      return 78;
    }
    const by = typeof values.by === "string" ? values.by.trim().toLowerCase() : "";
    if (!by) {
      process.stderr.write("erase-due: --by <e-mail of the admin running the erasure> is required (it is recorded)\n");
      return 64;
    }
    const db = createDb(config.DATABASE_URL, 2);
    try {
      const admin = await db.user.findUnique({ where: { email: by }, select: { id: true, role: true } });
      if (!admin || admin.role !== "admin") {
        process.stderr.write("erase-due: --by must name an admin account\n");
        return 64;
      }
      if (values["dry-run"]) {
        const ids = await dueFamilies(db, config.ERASE_AFTER_DAYS);
        process.stdout.write(`${JSON.stringify({ dryRun: true, eraseAfterDays: config.ERASE_AFTER_DAYS, due: ids.length, familyIds: ids }, null, 2)}\n`);
        return 0;
      }
      const result = await eraseDue(db, admin.id, config.ERASE_AFTER_DAYS);
      process.stdout.write(`${JSON.stringify({ eraseAfterDays: config.ERASE_AFTER_DAYS, ...result }, null, 2)}\n`);
      return 0;
    } finally {
      await db.$disconnect();
    }
  },
};
