// "Get alerts on this phone": the page web/public/push.html (opened from the link in an alert
// e-mail, token in the URL fragment) asks here for the VAPID key and its texts, subscribes the
// phone's browser to Web Push and posts the subscription back. Families have no login: the signed,
// expiring link (domain/push-link.ts) says which family the phone is for. One row per device
// (PushSubscription.endpoint is unique); a device registered again moves to the newest family.
// Outside /api on purpose: the link works whether or not the phone has a session cookie.
import { Router, type Response } from "express";
import { z } from "zod";
import { pushPageTexts } from "../../domain/delivery-messages.js";
import { verifyPushLinkToken } from "../../domain/push-link.js";
import type { Config } from "../../infra/config.js";
import type { Db } from "../../infra/db.js";
import { HttpError } from "../errors.js";

const base64url = (bytes: number, what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `${what} must be base64url`)
    .refine((s) => Buffer.from(s, "base64url").length === bytes, `${what} must be ${bytes} bytes`);

/** What PushSubscription.toJSON() gives in the browser. */
export const SubscriptionBody = z.object({
  token: z.string().min(20).max(1000),
  subscription: z.object({
    endpoint: z.string().url().max(2000).refine((u) => u.startsWith("https://"), "push endpoints are https URLs"),
    expirationTime: z.number().nullable().optional(),
    keys: z.object({
      // An uncompressed P-256 point (RFC 8291): 65 bytes.
      p256dh: base64url(65, "keys.p256dh"),
      auth: base64url(16, "keys.auth"),
    }),
  }),
});

const SetupQuery = z.object({ t: z.string().min(20).max(1000) });

/** In production only public push services: no IP literals or local names (we POST to this URL). */
function endpointAllowed(endpoint: string, production: boolean): boolean {
  if (!production) return true;
  const host = new URL(endpoint).hostname;
  return !(host === "localhost" || host.endsWith(".local") || host.endsWith(".internal") || /^[\d.]+$/.test(host) || host.includes(":") || host.startsWith("["));
}

export function pushRouter(deps: { db: Db; config: Config }): Router {
  const { db, config } = deps;
  const r = Router();
  const publicKey = config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY && config.VAPID_SUBJECT ? config.VAPID_PUBLIC_KEY : null;

  const refuse = (res: Response, status: number, key: "expired" | "invalid" | "unsupported", lang = "nl") => {
    const page = pushPageTexts(lang);
    res.status(status).json({ error: key, message: page.texts[key], ...page });
  };

  async function familyFor(token: string) {
    const check = verifyPushLinkToken(token, config.TOKEN_SECRET);
    if (!check.ok) return { check } as const;
    const family = await db.family.findUnique({ where: { id: check.familyId }, select: { id: true, language: true, erasedAt: true } });
    return { check, family: family && !family.erasedAt ? family : null } as const;
  }

  // The page's first call: the key to subscribe with, and its texts in the family's language.
  r.get("/push/setup", async (req, res) => {
    const { t } = SetupQuery.parse(req.query);
    if (!publicKey) return refuse(res, 404, "unsupported");
    const { check, family } = await familyFor(t);
    if (!check.ok) return refuse(res, check.reason === "expired" ? 410 : 400, check.reason === "expired" ? "expired" : "invalid");
    if (!family) return refuse(res, 404, "invalid");
    res.set("Cache-Control", "no-store").json({ publicKey, ...pushPageTexts(family.language) });
  });

  r.post("/push/subscriptions", async (req, res) => {
    const body = SubscriptionBody.parse(req.body);
    if (!publicKey) return refuse(res, 404, "unsupported");
    const { check, family } = await familyFor(body.token);
    if (!check.ok) return refuse(res, check.reason === "expired" ? 410 : 400, check.reason === "expired" ? "expired" : "invalid");
    if (!family) return refuse(res, 404, "invalid");
    const { endpoint, keys } = body.subscription;
    if (!endpointAllowed(endpoint, config.NODE_ENV === "production")) throw new HttpError(400, "invalid_request", "subscription.endpoint: not a public push service");
    const saved = await db.pushSubscription.upsert({
      where: { endpoint },
      create: { familyId: family.id, endpoint, p256dh: keys.p256dh, auth: keys.auth },
      update: { familyId: family.id, p256dh: keys.p256dh, auth: keys.auth },
      select: { id: true },
    });
    res.status(201).json({ ok: true, id: saved.id, ...pushPageTexts(family.language) });
  });
  return r;
}
