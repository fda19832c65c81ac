// Delivery reports from the SMS provider (MessageBird): a GET on the reportUrl we gave with each
// message, with the message id, our reference, the recipient and the status in the query string.
// Every request must carry a MessageBird-Signature-JWT header: an HS256/384/512 JWT made with the
// account's signing key (SMS_WEBHOOK_SIGNING_KEY), issuer "MessageBird", valid for a minute, with
// the SHA-256 of the full URL (url_hash) and, when there is a body, of the body (payload_hash).
// A report updates the delivery record it names (our reference: n-<notification>, d-<digest>,
// r-<reminder>); updates are conditional, so a repeated report changes nothing.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import express, { Router, type Request } from "express";
import type { Logger } from "pino";
import { z } from "zod";
import type { Config } from "../../infra/config.js";
import type { Db } from "../../infra/db.js";
import { appendActivity } from "../../infra/evidence-log.js";
import { SMS_REPORT_PATH } from "../../workers/channels/sms.js";
import { HttpError } from "../errors.js";

const SIGNATURE_HEADER = "messagebird-signature-jwt";
const CLOCK_TOLERANCE_S = 5;

const Report = z.object({
  id: z.string().min(1).max(64),
  reference: z.string().regex(/^[ndr]-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "not one of our references"),
  recipient: z.string().regex(/^\d{6,17}$/),
  status: z.enum(["scheduled", "sent", "buffered", "delivered", "expired", "delivery_failed"]),
  statusDatetime: z.iso.datetime({ offset: true }),
  statusReason: z.string().max(200).optional(),
  statusErrorCode: z.string().max(20).optional(),
});
type Report = z.infer<typeof Report>;

const JwtHeader = z.object({ alg: z.enum(["HS256", "HS384", "HS512"]), typ: z.string().optional() });
const JwtClaims = z.object({
  iss: z.literal("MessageBird"),
  nbf: z.number().optional(),
  iat: z.number().optional(),
  exp: z.number(),
  jti: z.string().min(1),
  url_hash: z.string().regex(/^[0-9a-f]{64}$/),
  payload_hash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});

/**
 * Checks a MessageBird-Signature-JWT for the request's full URL and raw body. Returns null when it
 * is valid, else what is wrong (for the log, never for the caller).
 */
export function verifyMessageBirdSignature(token: string, url: string, body: Buffer, signingKey: string, now: Date = new Date()): string | null {
  const parts = token.split(".");
  if (parts.length !== 3) return "malformed token";
  const [h, p, sig] = parts as [string, string, string];
  let header: z.infer<typeof JwtHeader>;
  let claims: z.infer<typeof JwtClaims>;
  try {
    header = JwtHeader.parse(JSON.parse(Buffer.from(h, "base64url").toString("utf8")));
    claims = JwtClaims.parse(JSON.parse(Buffer.from(p, "base64url").toString("utf8")));
  } catch {
    return "malformed token";
  }
  const algo = { HS256: "sha256", HS384: "sha384", HS512: "sha512" }[header.alg];
  const expected = createHmac(algo, signingKey).update(`${h}.${p}`).digest();
  const given = Buffer.from(sig, "base64url");
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return "bad signature";
  const t = now.getTime() / 1000;
  if (claims.exp < t - CLOCK_TOLERANCE_S) return "expired";
  if (claims.nbf !== undefined && claims.nbf > t + CLOCK_TOLERANCE_S) return "not yet valid";
  if (createHash("sha256").update(url).digest("hex") !== claims.url_hash) return "url_hash does not match";
  if (claims.payload_hash !== undefined) {
    if (createHash("sha256").update(body).digest("hex") !== claims.payload_hash) return "payload_hash does not match";
  } else if (body.length > 0) return "body without payload_hash";
  return null;
}

export interface HooksDeps {
  db: Db;
  config: Config;
  log: Logger;
}

const FINAL_FAILURES = new Set(["expired", "delivery_failed"]);
/** Failures that only mean "we do not know whether it went": a report from the provider settles them. */
const UNSURE = ["interrupted", "uncertain"];

export function hooksRouter(deps: HooksDeps): Router {
  const { db, config, log } = deps;
  const r = Router();
  const publicOrigin = new URL(config.PUBLIC_URL).origin;

  // The raw body is part of the signature (MessageBird sends none on GET; we still check).
  r.get(SMS_REPORT_PATH, express.raw({ type: () => true, limit: "10kb" }), async (req, res) => {
    const key = config.SMS_WEBHOOK_SIGNING_KEY;
    if (!key) throw new HttpError(404, "not_found", "SMS delivery reports are not set up");
    const token = req.get(SIGNATURE_HEADER);
    if (!token) throw new HttpError(401, "signature_missing", "MessageBird-Signature-JWT: header missing");
    // The URL the provider called: ours as configured (PUBLIC_URL), whatever proxies did to Host.
    const url = `${publicOrigin}${req.originalUrl}`;
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const problem = verifyMessageBirdSignature(token, url, body, key);
    if (problem) {
      log.warn({ reqId: req.id, problem }, "SMS delivery report refused");
      throw new HttpError(401, "signature_invalid", "MessageBird-Signature-JWT: not valid for this request");
    }
    const report = Report.parse(req.query);
    const applied = await applyReport(db, report, log.child({ reqId: (req as Request & { id?: string }).id }));
    res.status(200).type("text").send(applied ? "OK" : "OK (nothing to change)");
  });
  return r;
}

/** Applies one delivery report to the record it names. Returns whether anything changed. */
export async function applyReport(db: Db, report: Report, log: Logger): Promise<boolean> {
  const id = report.reference.slice(2);
  const at = new Date(report.statusDatetime);
  const failed = FINAL_FAILURES.has(report.status);
  const delivered = report.status === "delivered";
  const reason = `provider: ${report.status}${report.statusReason ? ` (${report.statusReason}${report.statusErrorCode ? `, ${report.statusErrorCode}` : ""})` : ""}`;
  const providerMessageId = report.id;

  if (report.reference.startsWith("n-")) {
    return db.$transaction(async (tx) => {
      const n = await tx.notification.findUnique({ where: { id }, include: { match: { select: { familyId: true } } } });
      if (!n) return false;
      // A message we marked failed because a worker died mid-send, or because the provider gave no
      // clear answer, did go if the provider reports on it: the report corrects the record.
      const unsure = n.status === "failed" && UNSURE.some((p) => (n.error ?? "").startsWith(p));
      if (delivered) {
        if (!(n.status === "sent" || n.status === "sending" || unsure)) return false;
        await tx.notification.update({ where: { id }, data: { status: "delivered", deliveredAt: at, providerMessageId, ...(unsure ? { error: `${n.error}; corrected: the provider delivered it`, sentAt: n.sentAt ?? at } : {}) } });
        await appendActivity(tx, { familyId: n.match.familyId, type: "alert_delivered", actor: "system", matchId: n.matchId, payload: { notificationId: n.id, channel: n.channel, providerMessageId, at: at.toISOString() } });
        return true;
      }
      if (failed) {
        if (!(n.status === "sent" || n.status === "sending")) return false;
        await tx.notification.update({ where: { id }, data: { status: "failed", error: reason } });
        await appendActivity(tx, { familyId: n.match.familyId, type: "alert_failed", actor: "system", matchId: n.matchId, payload: { notificationId: n.id, channel: n.channel, error: reason } });
        return true;
      }
      if ((report.status === "sent" || report.status === "buffered") && (n.status === "sending" || unsure)) {
        await tx.notification.update({ where: { id }, data: { status: "sent", sentAt: at, providerMessageId, error: unsure ? `${n.error}; corrected: the provider took it` : null } });
        await appendActivity(tx, { familyId: n.match.familyId, type: "alert_sent", actor: "system", matchId: n.matchId, payload: { notificationId: n.id, channel: n.channel, providerMessageId, via: "delivery_report" } });
        return true;
      }
      return false;
    });
  }

  if (report.reference.startsWith("d-")) {
    return db.$transaction(async (tx) => {
      const d = await tx.digest.findUnique({ where: { id } });
      if (!d) return false;
      const link = `digest:${d.id}`;
      if (delivered) {
        const won = await tx.digest.updateMany({ where: { id, OR: [{ status: { in: ["sent", "sending"] } }, ...UNSURE.map((p) => ({ status: "failed", error: { startsWith: p } }))] }, data: { status: "delivered", providerMessageId } });
        if (won.count === 0) return false;
        const ns = await tx.notification.findMany({ where: { providerMessageId: link, OR: [{ status: { in: ["sent", "sending"] } }, ...UNSURE.map((p) => ({ status: "failed" as const, error: { startsWith: p } }))] } });
        await tx.notification.updateMany({ where: { id: { in: ns.map((n) => n.id) } }, data: { status: "delivered", deliveredAt: at } });
        for (const n of ns) {
          await appendActivity(tx, { familyId: d.familyId, type: "alert_delivered", actor: "system", matchId: n.matchId, payload: { notificationId: n.id, digestId: d.id, channel: n.channel, providerMessageId, at: at.toISOString() } });
        }
        return true;
      }
      if (failed) {
        const won = await tx.digest.updateMany({ where: { id, status: { in: ["sent", "sending"] } }, data: { status: "failed", error: reason } });
        if (won.count === 0) return false;
        const ns = await tx.notification.findMany({ where: { providerMessageId: link, status: { in: ["sent", "sending"] } } });
        await tx.notification.updateMany({ where: { id: { in: ns.map((n) => n.id) } }, data: { status: "failed", error: reason } });
        for (const n of ns) {
          await appendActivity(tx, { familyId: d.familyId, type: "alert_failed", actor: "system", matchId: n.matchId, payload: { notificationId: n.id, digestId: d.id, channel: n.channel, error: reason } });
        }
        return true;
      }
      return false;
    });
  }

  // r-: reminders keep their delivery state on the row (status delivered / failed, reason).
  if (delivered) {
    const won = await db.reminder.updateMany({ where: { id, OR: [{ status: { in: ["sent", "sending"] } }, ...UNSURE.map((p) => ({ status: "failed", reason: { startsWith: p } }))] }, data: { status: "delivered", reason: null } });
    return won.count > 0;
  }
  if (failed) {
    const won = await db.reminder.updateMany({ where: { id, status: { in: ["sent", "sending"] } }, data: { status: "failed", reason } });
    if (won.count > 0) log.warn({ reminderId: id, status: report.status }, "reminder SMS not delivered");
    return won.count > 0;
  }
  return false;
}
