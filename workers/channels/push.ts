// Web Push (RFC 8030/8291/8292) with the web-push package: the payload is encrypted for one
// browser subscription and handed to that browser's push service, signed with our VAPID key.
// A 404/410 means the subscription is gone: the caller deletes it.
import type { Agent } from "node:https";
import webpush, { WebPushError } from "web-push";
import type { PushMessage } from "../../domain/delivery-messages.js";
import { ConfigError, type Config } from "../../infra/config.js";
import { ChannelRejectedError, ChannelUnavailableError, classifyNetworkError, SubscriptionGoneError } from "./errors.js";

export interface PushSettings {
  publicKey: string;
  privateKey: string;
  subject: string;
}

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface PushChannel {
  readonly publicKey: string;
  send(target: PushTarget, payload: PushMessage, opts: { ttlSeconds: number; urgency: "normal" | "high" }): Promise<{ providerMessageId: string }>;
}

/** Push settings from config, or null when push is not set up. Half a configuration is an error. */
export function pushSettingsFrom(config: Config): PushSettings | null {
  const vars = { VAPID_PUBLIC_KEY: config.VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: config.VAPID_PRIVATE_KEY, VAPID_SUBJECT: config.VAPID_SUBJECT };
  const set = Object.entries(vars).filter(([, v]) => v !== undefined);
  if (set.length === 0) return null;
  if (set.length < 3) {
    throw new ConfigError(Object.entries(vars).filter(([, v]) => v === undefined).map(([variable]) => ({ variable, message: "needed when Web Push is set up (set all three VAPID_* or none)" })));
  }
  return { publicKey: config.VAPID_PUBLIC_KEY!, privateKey: config.VAPID_PRIVATE_KEY!, subject: config.VAPID_SUBJECT! };
}

/** Push services accept a TTL of up to four weeks; a message about a home is useless after it closes. */
export const PUSH_MAX_TTL_SECONDS = 28 * 86_400;

export function createPushChannel(s: PushSettings, opts: { agent?: Agent; timeoutMs?: number } = {}): PushChannel {
  return {
    publicKey: s.publicKey,
    async send(target, payload, sendOpts) {
      try {
        const res = await webpush.sendNotification(
          { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
          JSON.stringify(payload),
          {
            vapidDetails: { subject: s.subject, publicKey: s.publicKey, privateKey: s.privateKey },
            TTL: Math.max(0, Math.min(PUSH_MAX_TTL_SECONDS, Math.floor(sendOpts.ttlSeconds))),
            urgency: sendOpts.urgency,
            contentEncoding: "aes128gcm",
            timeout: opts.timeoutMs ?? 15_000,
            ...(opts.agent ? { agent: opts.agent } : {}),
          },
        );
        // RFC 8030 5: the push service names the message it created in Location.
        const location = res.headers["location"];
        return { providerMessageId: (Array.isArray(location) ? location[0] : location) ?? `push-${res.statusCode}` };
      } catch (err) {
        if (err instanceof WebPushError) {
          if (err.statusCode === 404 || err.statusCode === 410) throw new SubscriptionGoneError(err.statusCode);
          if (err.statusCode === 429 || err.statusCode >= 500) throw new ChannelUnavailableError(`push service answered ${err.statusCode}`);
          throw new ChannelRejectedError(`push service refused the message (${err.statusCode}): ${String(err.body).slice(0, 200)}`, String(err.statusCode));
        }
        throw classifyNetworkError(err, "push service");
      }
    },
  };
}
