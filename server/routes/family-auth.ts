// Families sign in without a password: they ask for a code at their e-mail address (or phone),
// and get a 6-digit code plus a link. Both are single-use, valid 10 minutes, stored only as keyed
// hashes (HMAC with TOKEN_SECRET, so a database copy alone does not reveal them). Typed codes
// count their wrong attempts; asking and verifying are rate limited per IP and per address.
// The request always answers 202 in the same way and does its work after answering, so nobody
// learns from the answer (or its timing) whether an address belongs to a family.
import { createHmac, randomBytes, randomInt } from "node:crypto";
import { Router } from "express";
import type { Redis } from "ioredis";
import { z } from "zod";
import { escapeHtml, translator } from "../../domain/messages.js";
import type { Config } from "../../infra/config.js";
import type { Db } from "../../infra/db.js";
import type { Logger } from "../../infra/logger.js";
import { createEmailChannel, type EmailChannel } from "../../workers/channels/email.js";
import { createMessageBirdProvider, smsSettingsFrom, type SmsProvider } from "../../workers/channels/sms.js";
import { createSession, endSession, hashedBucket, ipBucket, rateLimiter, sessionToken, setSessionCookie } from "../auth.js";
import { HttpError } from "../errors.js";

export const FAMILY_CODE_TTL_MS = 10 * 60_000;
export const FAMILY_CODE_MAX_ATTEMPTS = 5;
const CODES_PER_ADDRESS = 3;

const Email = z.string().trim().toLowerCase().email("must be an e-mail address").max(254);
const Phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()-]{8,20}$/, "must be a phone number like +31612345678")
  .transform(normalizePhone);

const Channel = z
  .object({ email: Email.optional(), phone: Phone.optional() })
  .strict()
  .refine((v) => (v.email === undefined) !== (v.phone === undefined), { path: ["email"], message: "give an e-mail address or a phone number (one of them)" });

// Pasted codes arrive with spaces or a dash ("123 456"); link codes are base64url and kept as sent.
const Code = z
  .string()
  .trim()
  .transform((s) => (/^\d{6}$/.test(s.replace(/[\s-]/g, "")) ? s.replace(/[\s-]/g, "") : s))
  .pipe(z.string().regex(/^(\d{6}|[A-Za-z0-9_-]{43})$/, "must be the 6-digit code or the code from the link"));

const Verify = z
  .object({ code: Code, email: Email.optional(), phone: Phone.optional() })
  .strict()
  .refine((v) => v.code.length !== 6 || v.email !== undefined || v.phone !== undefined, {
    path: ["email"],
    message: "give the e-mail address or phone number the code was sent to",
  });

/** "06 1234 5678", "0031612345678" and "+31 6 12345678" are the same number. */
export function normalizePhone(raw: string): string {
  const s = raw.replace(/[^0-9+]/g, "");
  if (s.startsWith("00")) return `+${s.slice(2)}`;
  if (s.startsWith("0")) return `+31${s.slice(1)}`;
  return s.startsWith("+") ? s : `+${s}`;
}

const keyed = (secret: string, what: string) => createHmac("sha256", secret).update(what).digest("hex");
export const linkCodeHash = (secret: string, token: string) => `l:${keyed(secret, `family-link:${token}`)}`;
export const typedCodeHash = (secret: string, familyId: string, code: string) => `c:${keyed(secret, `family-code:${familyId}:${code}`)}`;

export interface FamilyAuthDeps {
  db: Db;
  config: Config;
  redis: Redis;
  log: Logger;
  email?: EmailChannel;
  /** Defaults to the configured SMS provider; without SMS settings, phone requests send nothing. */
  sms?: SmsProvider | null;
}

async function findFamily(db: Db, channel: { email?: string | undefined; phone?: string | undefined }) {
  if (channel.email) {
    return db.family.findFirst({
      where: { email: { equals: channel.email, mode: "insensitive" }, erasedAt: null },
      orderBy: { createdAt: "desc" },
      select: { id: true, language: true, email: true, phone: true },
    });
  }
  // Stored numbers may be written any way the counsellor typed them; compare normalized.
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Family"
    WHERE "erasedAt" IS NULL AND phone IS NOT NULL AND (
      CASE WHEN regexp_replace(phone, '[^0-9+]', '', 'g') LIKE '00%' THEN '+' || substr(regexp_replace(phone, '[^0-9+]', '', 'g'), 3)
           WHEN regexp_replace(phone, '[^0-9+]', '', 'g') LIKE '0%' THEN '+31' || substr(regexp_replace(phone, '[^0-9+]', '', 'g'), 2)
           WHEN regexp_replace(phone, '[^0-9+]', '', 'g') LIKE '+%' THEN regexp_replace(phone, '[^0-9+]', '', 'g')
           ELSE '+' || regexp_replace(phone, '[^0-9+]', '', 'g') END) = ${channel.phone}
    ORDER BY "createdAt" DESC LIMIT 1`;
  if (!rows[0]) return null;
  return db.family.findUnique({ where: { id: rows[0].id }, select: { id: true, language: true, email: true, phone: true } });
}

export function renderLoginMessage(lang: string, code: string, link: string) {
  const { t } = translator(lang, "login");
  const minutes = FAMILY_CODE_TTL_MS / 60_000;
  const lines = [t("intro"), t("code", { code }), t("valid", { minutes }), t("link")];
  const subject = t("subject", { code });
  const notYou = t("notYou");
  const text = [lines[0], "", lines[1], lines[2], "", lines[3], link, "", notYou].join("\n");
  const e = escapeHtml;
  const html = `<!doctype html><html lang="${e(lang)}"><head><meta charset="utf-8"><title>${e(subject)}</title></head>
<body style="font-family:Arial,sans-serif;font-size:17px;line-height:1.5;color:#000;max-width:36em">
<p>${e(lines[0]!)}</p>
<p>${e(t("codeLabel"))}</p>
<p style="font-size:28px;letter-spacing:4px"><strong>${e(code)}</strong></p>
<p>${e(lines[2]!)}</p>
<p><a href="${e(link)}">${e(t("button"))}</a></p>
<p>${e(notYou)}</p>
</body></html>`;
  // SMS: short, with the origin-bound line that lets phones offer the code for autofill (WebOTP).
  const sms = `${t("code", { code })} ${t("valid", { minutes })}\n\n@${new URL(link).host} #${code}`;
  return { subject, text, html, sms };
}

export function familyAuthRouter(deps: FamilyAuthDeps): Router {
  const { db, config, redis, log } = deps;
  const email =
    deps.email ??
    createEmailChannel({ host: config.SMTP_HOST, port: config.SMTP_PORT, secure: config.SMTP_SECURE, user: config.SMTP_USER, pass: config.SMTP_PASS, from: config.MAIL_FROM });
  const smsSettings = deps.sms === undefined ? smsSettingsFrom(config) : null;
  const sms = deps.sms ?? (smsSettings ? createMessageBirdProvider(smsSettings) : null);
  const secret = config.TOKEN_SECRET;
  const r = Router();

  const requestPerIp = rateLimiter(redis, config.QUEUE_PREFIX, {
    name: "family-request-ip",
    limit: config.FAMILY_CODE_REQUESTS_PER_IP,
    key: ipBucket,
    message: "too many codes asked from this connection; wait 15 minutes",
  });
  const requestPerAddress = rateLimiter(redis, config.QUEUE_PREFIX, {
    name: "family-request-address",
    limit: CODES_PER_ADDRESS,
    key: (req) => {
      const body = req.body as { email?: unknown; phone?: unknown } | undefined;
      if (typeof body?.email === "string") return hashedBucket(`e:${body.email.trim().toLowerCase()}`);
      if (typeof body?.phone === "string") return hashedBucket(`p:${normalizePhone(body.phone)}`);
      return undefined;
    },
    message: "too many codes asked for this address; wait 15 minutes",
  });
  const verifyPerIp = rateLimiter(redis, config.QUEUE_PREFIX, {
    name: "family-verify-ip",
    limit: 20,
    key: ipBucket,
    failuresOnly: true,
    message: "too many wrong codes from this connection; wait 15 minutes",
  });

  async function issue(channel: { email?: string | undefined; phone?: string | undefined }): Promise<void> {
    const family = await findFamily(db, channel);
    if (!family) return;
    const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    const token = randomBytes(32).toString("base64url");
    const now = new Date();
    const expiresAt = new Date(now.getTime() + FAMILY_CODE_TTL_MS);
    await db.$transaction([
      // Only the newest code works: older unused ones end here.
      db.familyLoginCode.updateMany({ where: { familyId: family.id, usedAt: null }, data: { usedAt: now } }),
      db.familyLoginCode.deleteMany({ where: { familyId: family.id, expiresAt: { lt: new Date(now.getTime() - 24 * 3_600_000) } } }),
      db.familyLoginCode.create({ data: { familyId: family.id, codeHash: typedCodeHash(secret, family.id, code), expiresAt } }),
      db.familyLoginCode.create({ data: { familyId: family.id, codeHash: linkCodeHash(secret, token), expiresAt } }),
    ]);
    const link = `${config.PUBLIC_URL.replace(/\/$/, "")}/login/family?code=${token}`;
    const message = renderLoginMessage(family.language, code, link);
    if (channel.email && family.email) {
      await email.send(family.email, message, { messageId: `<login-${randomBytes(8).toString("hex")}@eldersthuis>` });
    } else if (channel.phone && family.phone) {
      if (!sms) {
        log.warn({ familyId: family.id }, "family sign-in code asked by phone, but SMS is not set up");
        return;
      }
      await sms.send(family.phone, message.sms, `login-${randomBytes(8).toString("hex")}`);
    }
  }

  r.post("/request", requestPerIp, requestPerAddress, (req, res) => {
    const channel = Channel.parse(req.body);
    res.status(202).json({ message: "if this address belongs to a family, a code is on its way" });
    setImmediate(() => {
      issue(channel).catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err), reqId: req.id }, "family sign-in code not sent"));
    });
  });

  const invalid = () => new HttpError(401, "invalid_code", "code: wrong, already used or expired; ask for a new code");

  r.post("/verify", verifyPerIp, async (req, res) => {
    const input = Verify.parse(req.body);
    const now = new Date();
    let familyId: string | null = null;
    if (input.code.length === 6) {
      const family = await findFamily(db, input);
      // An unknown address is refused exactly like a wrong code.
      if (!family) throw invalid();
      const hash = typedCodeHash(secret, family.id, input.code);
      const active = { familyId: family.id, usedAt: null, expiresAt: { gt: now }, attempts: { lt: FAMILY_CODE_MAX_ATTEMPTS } };
      const claimed = await db.familyLoginCode.updateMany({ where: { ...active, codeHash: hash }, data: { usedAt: now } });
      if (claimed.count !== 1) {
        await db.familyLoginCode.updateMany({ where: { ...active, codeHash: { startsWith: "c:" } }, data: { attempts: { increment: 1 } } });
        throw invalid();
      }
      familyId = family.id;
    } else {
      const row = await db.familyLoginCode.findUnique({ where: { codeHash: linkCodeHash(secret, input.code) }, select: { id: true, familyId: true } });
      if (!row) throw invalid();
      const claimed = await db.familyLoginCode.updateMany({ where: { id: row.id, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
      if (claimed.count !== 1) throw invalid();
      familyId = row.familyId;
    }
    const family = await db.family.findUnique({ where: { id: familyId }, select: { id: true, displayName: true, language: true, erasedAt: true } });
    if (!family || family.erasedAt) throw invalid();
    // The code and its link are one sign-in: using either ends both (and any older code).
    await db.familyLoginCode.updateMany({ where: { familyId, usedAt: null }, data: { usedAt: now } });
    await endSession(db, sessionToken(req));
    await db.session.deleteMany({ where: { expiresAt: { lt: now } } });
    const session = await createSession(db, { familyId, expiresAt: new Date(now.getTime() + config.FAMILY_SESSION_TTL_HOURS * 3_600_000) });
    setSessionCookie(res, config, session.token, session.expiresAt);
    res.json({ family: { id: family.id, displayName: family.displayName, language: family.language }, csrfToken: session.csrfToken });
  });
  return r;
}
