// One send on one channel, whatever the message (alert, digest, reminder). Push goes to every
// device the family registered; a device the push service no longer knows is deleted.
import type { Logger } from "pino";
import type { Channel } from "../../domain/delivery-policy.js";
import type { PushMessage } from "../../domain/delivery-messages.js";
import type { RenderedMessage } from "../../domain/messages.js";
import type { Db } from "../../infra/db.js";
import type { EmailChannel } from "./email.js";
import { ChannelRejectedError, ChannelUnavailableError, ChannelUncertainError, isChannelError, SubscriptionGoneError } from "./errors.js";
import type { PushChannel } from "./push.js";
import type { SmsProvider } from "./sms.js";

export interface Channels {
  email: EmailChannel;
  /** null: SMS is not set up in this deployment. */
  sms?: SmsProvider | null;
  /** null: Web Push is not set up in this deployment. */
  push?: PushChannel | null;
}

/** The content of one message for each channel, built only for the channel that is used. */
export interface Outgoing {
  email: () => RenderedMessage;
  sms: () => string;
  push: () => PushMessage;
}

export interface SendOptions {
  /** Our reference for this message: e-mail Message-ID, SMS reference (echoed in delivery reports). */
  emailMessageId: string;
  smsRef: string;
  pushTtlSeconds: number;
  pushUrgency: "normal" | "high";
}

/** Whether a family can be reached on a channel with what this worker has set up. */
export function canUse(channels: Channels, channel: Channel, family: { email: string | null; phone: string | null; pushSubscriptions: number }): boolean {
  if (channel === "email") return Boolean(family.email);
  if (channel === "sms") return Boolean(family.phone && channels.sms);
  return Boolean(channels.push && family.pushSubscriptions > 0);
}

export async function sendOn(
  db: Db,
  channels: Channels,
  channel: Channel,
  family: { id: string; email: string | null; phone: string | null },
  content: Outgoing,
  opts: SendOptions,
  log: Logger,
): Promise<{ providerMessageId: string }> {
  if (channel === "email") {
    if (!family.email) throw new ChannelRejectedError("the family has no e-mail address", "no_address");
    return channels.email.send(family.email, content.email(), { messageId: opts.emailMessageId });
  }
  if (channel === "sms") {
    if (!channels.sms) throw new ChannelRejectedError("SMS is not set up", "not_configured");
    if (!family.phone) throw new ChannelRejectedError("the family has no phone number", "no_address");
    return channels.sms.send(family.phone, content.sms(), opts.smsRef);
  }
  if (!channels.push) throw new ChannelRejectedError("Web Push is not set up", "not_configured");
  const subscriptions = await db.pushSubscription.findMany({ where: { familyId: family.id }, orderBy: { createdAt: "asc" } });
  if (subscriptions.length === 0) throw new ChannelRejectedError("no phone registered for push", "no_subscription");
  const payload = content.push();
  const accepted: string[] = [];
  const errors: Error[] = [];
  for (const s of subscriptions) {
    try {
      const r = await channels.push.send(s, payload, { ttlSeconds: opts.pushTtlSeconds, urgency: opts.pushUrgency });
      accepted.push(r.providerMessageId);
    } catch (err) {
      if (err instanceof SubscriptionGoneError) {
        await db.pushSubscription.deleteMany({ where: { id: s.id } });
        log.info({ subscriptionId: s.id, status: err.statusCode }, "push subscription gone; deleted");
      }
      errors.push(err instanceof Error ? err : new Error(String(err)));
    }
  }
  // One device that has it is enough: resending to the others could repeat it on that one.
  if (accepted.length > 0) return { providerMessageId: accepted.join(" ").slice(0, 1000) };
  const summary = errors.map((e) => e.message).join("; ").slice(0, 500);
  if (errors.some((e) => e instanceof ChannelUncertainError)) throw new ChannelUncertainError(summary);
  if (errors.some((e) => e instanceof ChannelUnavailableError)) throw new ChannelUnavailableError(summary);
  if (errors.every((e) => isChannelError(e))) throw new ChannelRejectedError(summary || "no push subscription accepted the message", "push_refused");
  throw errors[0]!;
}
