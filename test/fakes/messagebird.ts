// A local fake of MessageBird's SMS REST API, speaking its real shapes: POST /messages with
// "Authorization: AccessKey <key>" and a JSON body {originator, recipients, body, reference,
// reportUrl, datacoding}; 201 with the message object; errors as {errors: [{code, description,
// parameter}]}. Status reports go out as the real ones do: a GET on the message's reportUrl with
// id, reference, recipient, status, statusDatetime in the query, signed with a
// MessageBird-Signature-JWT (HS256 over the signing key; iss, nbf, exp, jti, url_hash).
// Test controls: stall the next request (accept the message, never answer), fail the next one.
// Development/test tool only: never used by the application itself.
import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";

export interface FakeSmsMessage {
  id: string;
  originator: string;
  recipients: string[];
  body: string;
  reference: string | null;
  reportUrl: string | null;
  datacoding: string;
  createdDatetime: string;
}

export interface MessageBirdFake {
  /** Base URL to configure as SMS_API_BASE_URL. */
  url: string;
  accessKey: string;
  signingKey: string;
  /** Every message the fake accepted, including stalled ones, in order. */
  messages: FakeSmsMessage[];
  /** The next POST /messages is accepted (counted as sent to the phone) but never answered. */
  stallNext(): void;
  /** The next POST /messages gets this status and MessageBird error body. */
  failNext(status: number, error?: { code: number; description: string; parameter?: string }): void;
  /** Resolves when `count` messages have been accepted. */
  waitForMessages(count: number, timeoutMs?: number): Promise<FakeSmsMessage[]>;
  /** Sends a signed status report for a message to its reportUrl; returns the webhook's answer. */
  report(messageId: string, status: "sent" | "buffered" | "delivered" | "expired" | "delivery_failed", opts?: { signingKey?: string; tamper?: boolean }): Promise<Response>;
  close(): Promise<void>;
}

const Body = z.object({
  originator: z.string().min(1).max(17),
  recipients: z.union([z.array(z.union([z.string(), z.number()])).min(1), z.string().min(1)]),
  body: z.string().min(1).max(1377),
  reference: z.string().max(128).optional(),
  reportUrl: z.string().url().optional(),
  datacoding: z.enum(["plain", "unicode", "auto"]).optional(),
});

function signJwt(claims: Record<string, unknown>, key: string): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const head = `${enc({ alg: "HS256", typ: "JWT" })}.${enc(claims)}`;
  return `${head}.${createHmac("sha256", key).update(head).digest("base64url")}`;
}

export async function startMessageBirdFake(opts: { accessKey?: string; signingKey?: string } = {}): Promise<MessageBirdFake> {
  const accessKey = opts.accessKey ?? `test_${randomBytes(12).toString("hex")}`;
  const signingKey = opts.signingKey ?? randomBytes(32).toString("hex");
  const messages: FakeSmsMessage[] = [];
  const events = new EventEmitter();
  let stall = false;
  let failure: { status: number; error: { code: number; description: string; parameter?: string } } | null = null;
  const stalled: ServerResponse[] = [];

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    if (req.method !== "POST" || req.url !== "/messages") return json(res, 404, { errors: [{ code: 20, description: "message not found", parameter: null }] });
    if (req.headers.authorization !== `AccessKey ${accessKey}`) {
      return json(res, 401, { errors: [{ code: 2, description: "Request not allowed (incorrect access_key)", parameter: "access_key" }] });
    }
    if (failure) {
      const f = failure;
      failure = null;
      return json(res, f.status, { errors: [{ code: f.error.code, description: f.error.description, parameter: f.error.parameter ?? null }] });
    }
    let parsed: z.infer<typeof Body>;
    try {
      const data = req.headers["content-type"]?.startsWith("application/json") ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw));
      parsed = Body.parse(data);
    } catch (err) {
      const field = err instanceof z.ZodError ? String(err.issues[0]?.path[0] ?? "body") : "body";
      return json(res, 422, { errors: [{ code: field === "recipients" ? 9 : 10, description: field === "recipients" ? "no (correct) recipients found" : `${field} is invalid`, parameter: field }] });
    }
    const recipients = (Array.isArray(parsed.recipients) ? parsed.recipients : parsed.recipients.split(",")).map((r) => String(r).trim());
    if (!recipients.every((r) => /^\d{7,17}$/.test(r))) return json(res, 422, { errors: [{ code: 9, description: "no (correct) recipients found", parameter: "recipients" }] });
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "+00:00");
    const message: FakeSmsMessage = {
      id: randomBytes(16).toString("hex"),
      originator: parsed.originator,
      recipients,
      body: parsed.body,
      reference: parsed.reference ?? null,
      reportUrl: parsed.reportUrl ?? null,
      datacoding: parsed.datacoding ?? "plain",
      createdDatetime: now,
    };
    messages.push(message);
    events.emit("message", message);
    if (stall) {
      stall = false;
      stalled.push(res); // accepted and on its way to the phone; the answer never comes
      return;
    }
    json(res, 201, {
      id: message.id,
      href: `${fake.url}/messages/${message.id}`,
      direction: "mt",
      type: "sms",
      originator: message.originator,
      body: message.body,
      reference: message.reference,
      validity: null,
      gateway: 10,
      typeDetails: {},
      datacoding: message.datacoding,
      mclass: 1,
      scheduledDatetime: null,
      createdDatetime: message.createdDatetime,
      recipients: {
        totalCount: recipients.length,
        totalSentCount: recipients.length,
        totalDeliveredCount: 0,
        totalDeliveryFailedCount: 0,
        items: recipients.map((r) => ({ recipient: Number(r), status: "sent", statusDatetime: now, messagePartCount: 1 })),
      },
    });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => json(res, 500, { errors: [{ code: 99, description: String(err), parameter: null }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const fake: MessageBirdFake = {
    url: `http://127.0.0.1:${port}`,
    accessKey,
    signingKey,
    messages,
    stallNext() {
      stall = true;
    },
    failNext(status, error = { code: 99, description: "internal error" }) {
      failure = { status, error };
    },
    waitForMessages(count, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        if (messages.length >= count) return resolve(messages.slice());
        const timer = setTimeout(() => {
          events.off("message", check);
          reject(new Error(`only ${messages.length} of ${count} SMS within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          events.off("message", check);
          resolve(messages.slice());
        };
        events.on("message", check);
      });
    },
    async report(messageId, status, o = {}) {
      const m = messages.find((x) => x.id === messageId);
      if (!m?.reportUrl || !m.reference) throw new Error(`message ${messageId} has no reportUrl/reference: MessageBird sends no report`);
      const query = new URLSearchParams({
        id: m.id,
        reference: m.reference,
        recipient: m.recipients[0]!,
        status,
        statusDatetime: new Date().toISOString().replace(/\.\d{3}Z$/, "+00:00"),
      });
      if (status === "delivery_failed") {
        query.set("statusReason", "unknown subscriber");
        query.set("statusErrorCode", "1");
      }
      const url = `${m.reportUrl}?${query.toString()}`;
      const now = Math.floor(Date.now() / 1000);
      const jwt = signJwt({ iss: "MessageBird", nbf: now, exp: now + 60, jti: randomUUID(), url_hash: createHash("sha256").update(url).digest("hex") }, o.signingKey ?? signingKey);
      return fetch(o.tamper ? url.replace(`status=${status}`, "status=delivered") : url, { headers: { "MessageBird-Signature-JWT": jwt } });
    },
    async close() {
      for (const res of stalled) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
