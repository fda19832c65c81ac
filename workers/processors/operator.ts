// Mails one OperatorNotice (a site broke, or works again) to OPERATOR_EMAIL.
// Once-only: the row exists once per transition (unique key), its sentAt is set after the SMTP server
// took the message, the job id is the notice id, and the sweep re-enqueues unsent rows, so an SMTP
// outage loses nothing. A worker killed between SMTP acceptance and the sentAt update resends on the
// next attempt: for operator mail a rare duplicate (same Message-ID, so mail clients fold it) beats a
// lost "site broken" notice. Without OPERATOR_EMAIL notices are only recorded (and shown on the page).
import { UnrecoverableError, type Job } from "bullmq";
import type { Logger } from "pino";
import type { Db } from "../../infra/db.js";
import type { EmailChannel } from "../channels/email.js";
import { renderOperatorNotice } from "../pipeline/site-health.js";
import { parseJob } from "../queues.js";

export interface OperatorDeps {
  db: Db;
  email: EmailChannel;
  log: Logger;
  operatorEmail: string | undefined;
  publicUrl: string;
  now?: () => Date;
}

export async function sendOperatorNotice(deps: OperatorDeps, noticeId: string, log: Logger): Promise<"sent" | "already" | "not_configured"> {
  const { db } = deps;
  const notice = await db.operatorNotice.findUnique({ where: { id: noticeId }, include: { site: { select: { name: true, host: true, lastSuccessAt: true } } } });
  if (!notice) throw new UnrecoverableError(`operator notice ${noticeId} not found`);
  if (notice.sentAt) return "already";
  if (!deps.operatorEmail) {
    log.info({ noticeId, siteId: notice.siteId, kind: notice.kind }, "operator notice recorded; OPERATOR_EMAIL is not set, so not mailed");
    return "not_configured";
  }
  if (notice.kind !== "broken" && notice.kind !== "recovered") throw new UnrecoverableError(`operator notice ${noticeId} has unknown kind ${notice.kind}`);
  const brokenSince =
    notice.kind === "recovered"
      ? ((await db.operatorNotice.findFirst({ where: { siteId: notice.siteId, kind: "broken", transitionAt: { lt: notice.transitionAt } }, orderBy: { transitionAt: "desc" } }))?.transitionAt ?? null)
      : null;
  const message = renderOperatorNotice({
    kind: notice.kind,
    siteName: notice.site.name,
    host: notice.site.host,
    transitionAt: notice.transitionAt,
    detail: notice.detail,
    lastSuccessAt: notice.site.lastSuccessAt,
    brokenSince,
    publicUrl: deps.publicUrl,
  });
  try {
    await deps.email.send(deps.operatorEmail, message, { messageId: `<operator-notice-${notice.id}@eldersthuis>` });
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    await db.operatorNotice.update({ where: { id: notice.id }, data: { error: error.slice(0, 2000) } });
    throw err; // retried with backoff; the sweep picks it up if every attempt fails
  }
  const now = (deps.now ?? (() => new Date()))();
  await db.operatorNotice.updateMany({ where: { id: notice.id, sentAt: null }, data: { sentAt: now, error: null } });
  log.info({ noticeId, siteId: notice.siteId, kind: notice.kind }, "operator notice sent");
  return "sent";
}

export function operatorProcessor(deps: OperatorDeps) {
  return async (job: Job) => {
    const { noticeId } = parseJob("operator", "operator-notice", job.data);
    return sendOperatorNotice(deps, noticeId, deps.log.child({ jobId: job.id, queue: "operator" }));
  };
}
