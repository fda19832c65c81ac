// SMS through a provider interface, with one real implementation: MessageBird's REST API
// (POST {base}/messages, "Authorization: AccessKey <key>"). Delivery reports come back to
// server/routes/hooks.ts as GET requests on the reportUrl, carrying our reference.
// The channel only sends; whether and when is decided by the processors and guarded in Postgres.
import { z } from "zod";
import { ConfigError, type Config } from "../../infra/config.js";
import { ChannelRejectedError, ChannelUnavailableError, classifyNetworkError, withoutContacts } from "./errors.js";

export interface SmsProvider {
  readonly name: string;
  /** Sends one text to one number. `ref` is our reference (≤ 128 characters), echoed in delivery reports. */
  send(to: string, text: string, ref: string): Promise<{ providerMessageId: string }>;
}

export interface SmsSettings {
  baseUrl: string;
  accessKey: string;
  originator: string;
  /** Where delivery reports go; without it the provider sends none for our messages. */
  reportUrl?: string;
  timeoutMs?: number;
}

/** The path delivery reports arrive at (server/routes/hooks.ts). */
export const SMS_REPORT_PATH = "/hooks/sms/messagebird";

/** SMS settings from config, or null when SMS is not set up. Half a configuration is an error. */
export function smsSettingsFrom(config: Config): SmsSettings | null {
  const vars = { SMS_API_BASE_URL: config.SMS_API_BASE_URL, SMS_API_KEY: config.SMS_API_KEY, SMS_ORIGINATOR: config.SMS_ORIGINATOR };
  const set = Object.entries(vars).filter(([, v]) => v !== undefined);
  if (set.length === 0) return null;
  if (set.length < 3) {
    throw new ConfigError(Object.entries(vars).filter(([, v]) => v === undefined).map(([variable]) => ({ variable, message: "needed when SMS is set up (set all three SMS_API_* / SMS_ORIGINATOR, or none)" })));
  }
  return {
    baseUrl: config.SMS_API_BASE_URL!,
    accessKey: config.SMS_API_KEY!,
    originator: config.SMS_ORIGINATOR!,
    // Reports are only worth asking for when we can check their signature.
    reportUrl: config.SMS_WEBHOOK_SIGNING_KEY ? `${config.PUBLIC_URL.replace(/\/$/, "")}${SMS_REPORT_PATH}` : undefined,
  };
}

/**
 * A phone number as MessageBird wants it (MSISDN, digits with country code, no "+"): Dutch
 * numbers written as "06-12345678" or "+31 6 1234 5678" become "31612345678".
 */
export function toMsisdn(phone: string): string {
  const cleaned = phone.replace(/[\s().-]/g, "");
  let digits: string;
  if (/^\+[1-9]\d{6,14}$/.test(cleaned)) digits = cleaned.slice(1);
  else if (/^00[1-9]\d{6,14}$/.test(cleaned)) digits = cleaned.slice(2);
  else if (/^0[1-9]\d{8}$/.test(cleaned)) digits = `31${cleaned.slice(1)}`;
  else throw new ChannelRejectedError("not a phone number we can text", "bad_number");
  return digits;
}

/** MessageBird's body limit; our texts stay far below it. */
export const SMS_MAX_CHARS = 1377;

const MessageCreated = z.object({
  id: z.string().min(1),
  recipients: z.object({ items: z.array(z.object({ recipient: z.union([z.number(), z.string()]), status: z.string() })) }),
});
const ErrorBody = z.object({ errors: z.array(z.object({ code: z.number(), description: z.string(), parameter: z.string().nullish() })) });

export function createMessageBirdProvider(s: SmsSettings): SmsProvider {
  const url = `${s.baseUrl.replace(/\/$/, "")}/messages`;
  return {
    name: "messagebird",
    async send(to, text, ref) {
      if (text.length > SMS_MAX_CHARS) throw new ChannelRejectedError(`text too long for SMS (${text.length} characters)`, "too_long");
      const body = {
        originator: s.originator,
        recipients: [toMsisdn(to)],
        body: text,
        reference: ref,
        // "auto" lets the provider use unicode only when the text needs it (Arabic, Turkish letters).
        datacoding: "auto",
        ...(s.reportUrl ? { reportUrl: s.reportUrl } : {}),
      };
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: { authorization: `AccessKey ${s.accessKey}`, "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(s.timeoutMs ?? 15_000),
        });
      } catch (err) {
        throw classifyNetworkError(err, "SMS provider");
      }
      const raw = await res.text().catch(() => "");
      if (res.status === 200 || res.status === 201) {
        let parsed: z.infer<typeof MessageCreated>;
        try {
          parsed = MessageCreated.parse(JSON.parse(raw));
        } catch {
          // It said yes but we cannot read its answer: the message probably went.
          return { providerMessageId: `unknown-${ref}` };
        }
        const failed = parsed.recipients.items.find((i) => i.status === "delivery_failed");
        if (failed) throw new ChannelRejectedError("the provider refused the recipient", "delivery_failed");
        return { providerMessageId: parsed.id };
      }
      const errors = (() => {
        try {
          return ErrorBody.parse(JSON.parse(raw)).errors;
        } catch {
          return [];
        }
      })();
      const detail = withoutContacts(errors.map((e) => `${e.code} ${e.description}${e.parameter ? ` (${e.parameter})` : ""}`).join("; ") || raw.slice(0, 200));
      // 5xx and 429: not accepted, try later. 401/402: our account (key, balance): also later,
      // an operator can fix it without the message being lost. Other 4xx: this message is wrong.
      if (res.status >= 500 || res.status === 429 || res.status === 401 || res.status === 402) {
        throw new ChannelUnavailableError(`SMS provider answered ${res.status}: ${detail}`);
      }
      throw new ChannelRejectedError(`SMS provider refused the message (${res.status}): ${detail}`, String(errors[0]?.code ?? res.status));
    },
  };
}
