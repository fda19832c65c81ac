// "Get alerts on this phone": a signed, expiring link in the family's alert e-mail that lets the
// phone it is opened on register for Web Push. Families have no login; the link is the key, like
// the one-tap links. Signed with a key derived for this purpose only, so no other token of ours
// (one-tap answers) can stand in for it.
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

const Payload = z.object({ v: z.literal(1), p: z.literal("push"), f: z.string().uuid(), exp: z.number().int() });

function sign(body: string, secret: string): string {
  const key = createHmac("sha256", secret).update("eldersthuis push-link v1").digest();
  return createHmac("sha256", key).update(body).digest("base64url");
}

export function createPushLinkToken(input: { familyId: string; ttlSeconds: number }, secret: string, now: Date = new Date()): string {
  const payload: z.infer<typeof Payload> = { v: 1, p: "push", f: input.familyId, exp: Math.floor(now.getTime() / 1000) + input.ttlSeconds };
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${sign(body, secret)}`;
}

export type PushLinkCheck = { ok: true; familyId: string } | { ok: false; reason: "malformed" | "bad_signature" | "expired" };

export function verifyPushLinkToken(token: string, secret: string, now: Date = new Date()): PushLinkCheck {
  const [body, sig, extra] = token.split(".");
  if (!body || !sig || extra !== undefined) return { ok: false, reason: "malformed" };
  const expected = Buffer.from(sign(body, secret));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: "bad_signature" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const p = Payload.safeParse(parsed);
  if (!p.success) return { ok: false, reason: "malformed" };
  if (p.data.exp * 1000 <= now.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, familyId: p.data.f };
}
