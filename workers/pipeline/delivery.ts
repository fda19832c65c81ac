// Which messages a new match produces, per channel. Called inside the match transaction, so the
// Match and its Notification rows commit together; the caller enqueues the returned ids.
import type { Db } from "../../infra/db.js";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface PlannedNotification {
  id: string;
  /** Not before this instant (quiet hours, digest time); null = now. */
  notBefore: Date | null;
}

export async function planDelivery(
  tx: Tx,
  input: { matchId: string; family: { id: string; email: string | null } },
): Promise<PlannedNotification[]> {
  if (!input.family.email) return [];
  const n = await tx.notification.create({ data: { matchId: input.matchId, channel: "email" }, select: { id: true, notBefore: true } });
  return [{ id: n.id, notBefore: n.notBefore }];
}
