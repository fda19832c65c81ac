// Which messages a new match produces, per channel. Called inside the match transaction, so the
// Match and its Notification rows commit together; the caller enqueues the returned ids with
// their delay (notBefore).
//
// The policy itself is pure (domain/delivery-policy.ts); this step feeds it the family's settings,
// channels and today's count of instant alerts, under a lock on the family row so two matches
// decided at the same moment cannot both take the last place under the daily cap.
//  - instant: one Notification per channel; SMS in quiet hours waits for their end;
//  - digest (waiting time, lottery; or a full cap; or a pause): no Notification yet. The match
//    waits, with Match.delivery = "digest", for the family's daily digest
//    (workers/processors/digest.ts), which creates its Notification rows when it is assembled.
import { amsterdamDayBounds, planMatchDelivery, type Channel } from "../../domain/delivery-policy.js";
import { withPushLink, type HomeFacts } from "../../domain/delivery-messages.js";
import type { RenderedMessage } from "../../domain/messages.js";
import { createPushLinkToken } from "../../domain/push-link.js";
import { createTapToken, TapAction } from "../../domain/tokens.js";
import type { Db } from "../../infra/db.js";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface PlannedNotification {
  id: string;
  /** Not before this instant (quiet hours); null = now. */
  notBefore: Date | null;
}

/** Which channels this deployment can use besides e-mail. Process configuration, set once by the entry point. */
export interface EnabledChannels {
  sms: boolean;
  push: boolean;
}

let enabledChannels: EnabledChannels = { sms: false, push: false };

/** Called by the worker entry point with what its configuration sets up (SMS provider, VAPID keys). */
export function configureDeliveryChannels(enabled: EnabledChannels): void {
  enabledChannels = { ...enabled };
}

export function deliveryChannelsEnabled(): EnabledChannels {
  return { ...enabledChannels };
}

/** The channels a family can be reached on now, in a fixed order. */
export function familyChannels(
  family: { email: string | null; phone: string | null; erasedAt?: Date | null; pushSubscriptions: number },
  enabled: EnabledChannels = enabledChannels,
): Channel[] {
  if (family.erasedAt) return [];
  const out: Channel[] = [];
  if (family.email) out.push("email");
  if (family.phone && enabled.sms) out.push("sms");
  if (family.pushSubscriptions > 0 && enabled.push) out.push("push");
  return out;
}

/** Settings and channels of a family, as the policy needs them. */
export async function loadFamilyForDelivery(db: Tx | Db, familyId: string) {
  const f = await db.family.findUnique({
    where: { id: familyId },
    select: {
      id: true,
      displayName: true,
      language: true,
      email: true,
      phone: true,
      erasedAt: true,
      quietFrom: true,
      quietUntil: true,
      digestTime: true,
      dailyCap: true,
      pausedUntil: true,
      _count: { select: { pushSubscriptions: true } },
    },
  });
  if (!f) return null;
  return { ...f, pushSubscriptions: f._count.pushSubscriptions };
}

export async function planDelivery(
  tx: Tx,
  input: { matchId: string; family: { id: string; email: string | null } },
  opts: { now?: Date; channels?: EnabledChannels } = {},
): Promise<PlannedNotification[]> {
  const now = opts.now ?? new Date();
  await tx.$queryRaw`SELECT id FROM "Family" WHERE id = ${input.family.id}::uuid FOR UPDATE`;
  const family = await loadFamilyForDelivery(tx, input.family.id);
  const match = await tx.match.findUnique({ where: { id: input.matchId }, select: { delivery: true } });
  if (!family || !match) return [];
  const { start, end } = amsterdamDayBounds(now);
  const instantToday = await tx.match.count({
    where: { familyId: family.id, delivery: "instant", createdAt: { gte: start, lt: end }, id: { not: input.matchId } },
  });
  const plan = planMatchDelivery({
    now,
    requested: match.delivery,
    settings: family,
    instantToday,
    channels: familyChannels(family, opts.channels ?? enabledChannels),
  });
  if (plan.mode === "none") return [];
  if (plan.mode === "digest") {
    if (match.delivery !== "digest") await tx.match.update({ where: { id: input.matchId }, data: { delivery: "digest" } });
    return [];
  }
  const planned: PlannedNotification[] = [];
  for (const s of plan.sends) {
    const n = await tx.notification.create({ data: { matchId: input.matchId, channel: s.channel, notBefore: s.notBefore }, select: { id: true, notBefore: true } });
    planned.push({ id: n.id, notBefore: n.notBefore });
  }
  return planned;
}

/** A home as the family's messages show it, from the listing row. */
export function homeFacts(
  listing: {
    street: string;
    houseNumber: string;
    houseNumberAddition: string;
    city: string;
    netRent: { toNumber(): number } | null;
    bedrooms: number | null;
    closesAt: Date | null;
    allocationModel: string;
    sourceUrl: string;
    site: { name: string };
  },
  tapLinks?: Partial<Record<TapAction, string>>,
): HomeFacts {
  return {
    address: [listing.street, listing.houseNumber, listing.houseNumberAddition].filter(Boolean).join(" "),
    town: listing.city,
    netRent: listing.netRent?.toNumber() ?? null,
    bedrooms: listing.bedrooms,
    closesAt: listing.closesAt,
    firstCome: listing.allocationModel === "first_come",
    siteName: listing.site.name,
    listingUrl: listing.sourceUrl,
    ...(tapLinks ? { tapLinks } : {}),
  };
}

/** Fresh one-tap links for every answer about a match. */
export function tapLinksFor(matchId: string, opts: { publicUrl: string; tokenSecret: string; tokenTtlSeconds: number }, now: Date): Record<TapAction, string> {
  return Object.fromEntries(
    TapAction.options.map((action) => [action, `${opts.publicUrl}/r/${createTapToken({ matchId, action, ttlSeconds: opts.tokenTtlSeconds }, opts.tokenSecret, now)}`]),
  ) as Record<TapAction, string>;
}

/** The "get alerts on this phone" link for a family's e-mails; the token stays in the fragment, out of server logs. */
export function pushLinkFor(familyId: string, opts: { publicUrl: string; tokenSecret: string; tokenTtlSeconds: number }, now: Date): string {
  return `${opts.publicUrl}/push.html#t=${createPushLinkToken({ familyId, ttlSeconds: opts.tokenTtlSeconds }, opts.tokenSecret, now)}`;
}

/** Push TTL for a message about a home: until it closes (a week when it has no closing time). */
export function pushTtlFor(closesAt: Date | null, now: Date): number {
  const seconds = closesAt ? Math.floor((closesAt.getTime() - now.getTime()) / 1000) : 7 * 86_400;
  return Math.max(60, seconds);
}

/** Adds the "get alerts on this phone" link to an e-mail when this deployment has Web Push. */
export function withPushLinkIf(pushEnabled: boolean, message: RenderedMessage, lang: string, link: () => string): RenderedMessage {
  return pushEnabled ? withPushLink(message, lang, link()) : message;
}
