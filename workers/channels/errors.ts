// What a failed send means for the message. The notify, digest and reminder processors act on the
// kind, never on a provider's own error shapes:
//  - rejected: the provider refused this message for good (bad number, gone subscription, 5xx
//    SMTP reply): record it as failed, do not retry;
//  - unavailable: it certainly did not go (connection refused, 5xx/429 from an HTTP API): retry;
//  - uncertain: it may have gone (timeout or reset after the request was written): never resend,
//    record it as failed; a later delivery report can still correct the record.
export class ChannelRejectedError extends Error {
  readonly kind = "rejected" as const;
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = "ChannelRejectedError";
  }
}

export class ChannelUnavailableError extends Error {
  readonly kind = "unavailable" as const;
  constructor(message: string) {
    super(message);
    this.name = "ChannelUnavailableError";
  }
}

export class ChannelUncertainError extends Error {
  readonly kind = "uncertain" as const;
  constructor(message: string) {
    super(message);
    this.name = "ChannelUncertainError";
  }
}

/** A push subscription the push service no longer knows (404/410): delete it. */
export class SubscriptionGoneError extends ChannelRejectedError {
  constructor(readonly statusCode: number) {
    super(`push subscription gone (${statusCode})`, "gone");
    this.name = "SubscriptionGoneError";
  }
}

/**
 * Provider and SMTP error texts can quote the address ("550 <name@example.org>: unknown user"):
 * they go to logs and records, so addresses and phone numbers are blanked out first.
 */
export function withoutContacts(text: string): string {
  return text.replace(/[^\s<>"'@]+@[^\s<>"'@]+\.[a-z]{2,}/gi, "[address]").replace(/\+?\d[\d\s-]{7,}\d/g, "[number]");
}

export type ChannelError = ChannelRejectedError | ChannelUnavailableError | ChannelUncertainError;

/** Network errors that happen before a request reaches the other side: nothing was sent. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNECTION", "EDNS", "CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "ERR_TLS_CERT_ALTNAME_INVALID"]);

/** Sorts a network-level error (fetch, https, SMTP) into "certainly not sent" or "may have gone". */
export function classifyNetworkError(err: unknown, what: string): ChannelUnavailableError | ChannelUncertainError {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NOT_SENT_CODES.has(code)) return new ChannelUnavailableError(`${what}: ${code}`);
    e = (e as { cause?: unknown }).cause;
  }
  const message = withoutContacts(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  return new ChannelUncertainError(`${what}: no clear answer (${message.slice(0, 200)})`);
}

export function isChannelError(err: unknown): err is ChannelError {
  return err instanceof ChannelRejectedError || err instanceof ChannelUnavailableError || err instanceof ChannelUncertainError;
}
