// One-tap tokens: signed (HMAC-SHA256), single-purpose (the action is inside the signed payload),
// expiring, and single-use (the server records the token id when it is used).
// No login is needed: a family taps a link in an e-mail on a phone.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";

// "couldnt" stands next to "not_for_us" ("Not suitable"): not being able to respond is not the same
// as not wanting to. "help" asks the counsellor for help (a Task).
export const TapAction = z.enum(["responded", "not_for_us", "couldnt", "help"]);
export type TapAction = z.infer<typeof TapAction>;

/**
 * The optional reasons offered after an answer, one tap each. "Couldn't" reasons are barriers
 * (domain.md: "kan niet" is not "wil niet"); "Not suitable" reasons are about the home.
 */
export const ANSWER_REASONS = {
  not_for_us: ["too_small", "too_expensive", "too_far", "not_accessible", "other"],
  couldnt: ["no_time", "child_ill", "no_credit", "language", "site_broken", "other"],
} as const satisfies Partial<Record<TapAction, readonly string[]>>;
export type AnswerReason = (typeof ANSWER_REASONS)[keyof typeof ANSWER_REASONS][number];

export function reasonsFor(action: TapAction): readonly string[] {
  return (ANSWER_REASONS as Partial<Record<TapAction, readonly string[]>>)[action] ?? [];
}

const TokenPayload = z.object({
  v: z.literal(1),
  id: z.string().min(16), // token id, recorded on use
  m: z.string().uuid(), // match id
  a: TapAction,
  exp: z.number().int(), // expiry, unix seconds
});
export type TokenPayload = z.infer<typeof TokenPayload>;

export type TokenCheck =
  | { ok: true; payload: TokenPayload }
  | { ok: false; reason: "malformed" | "bad_signature" | "expired" };

function sign(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64url");
}

export function createTapToken(
  input: { matchId: string; action: TapAction; ttlSeconds: number },
  secret: string,
  now: Date = new Date(),
): string {
  const payload: TokenPayload = {
    v: 1,
    id: randomBytes(16).toString("base64url"),
    m: input.matchId,
    a: input.action,
    exp: Math.floor(now.getTime() / 1000) + input.ttlSeconds,
  };
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${sign(body, secret)}`;
}

export function verifyTapToken(token: string, secret: string, now: Date = new Date()): TokenCheck {
  const parts = token.split(".");
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: "malformed" };
  const [body, sig] = parts as [string, string];
  const expected = Buffer.from(sign(body, secret));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: "bad_signature" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const payload = TokenPayload.safeParse(parsed);
  if (!payload.success) return { ok: false, reason: "malformed" };
  if (payload.data.exp * 1000 <= now.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, payload: payload.data };
}
