// A local fake of a browser's push service (RFC 8030), over HTTPS with a self-signed certificate
// made by openssl at start. It checks what a real one checks: the VAPID Authorization header
// (RFC 8292: "vapid t=<ES256 JWT>, k=<public key>", aud = this origin, exp within 24 h), TTL,
// Content-Encoding aes128gcm; and, as the browser would, it decrypts the payload (RFC 8291) with
// the subscription's private key, so tests see what the phone would show. Answers 201 with a
// Location naming the message; 410 for an expired subscription, 404 for an unknown one.
// Development/test tool only.
import { createDecipheriv, createECDH, createHmac, createPublicKey, randomBytes, verify } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https, { Agent } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface ReceivedPush {
  subscriptionId: string;
  payload: unknown;
  ttl: number;
  urgency: string | null;
  vapid: { aud: string; sub: string; exp: number; publicKey: string };
  location: string;
}

export interface PushServiceFake {
  origin: string;
  /** An https.Agent that trusts the fake's certificate (give it to createPushChannel). */
  agent: Agent;
  /** The certificate, PEM (for NODE_EXTRA_CA_CERTS in a child process). */
  caFile: string;
  received: ReceivedPush[];
  /** A new browser subscription: what PushSubscription.toJSON() gives. */
  createSubscription(): { endpoint: string; keys: { p256dh: string; auth: string } };
  /** The subscription is gone from now on: 410. */
  expire(endpoint: string): void;
  /** The next request gets this status. */
  failNext(status: number): void;
  close(): Promise<void>;
}

function hmac(key: Buffer, data: Buffer): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

/** RFC 8291 + RFC 8188: decrypts an aes128gcm Web Push body with the subscription's keys. */
function decrypt(body: Buffer, ua: { ecdh: ReturnType<typeof createECDH>; publicKey: Buffer; auth: Buffer }): Buffer {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body.readUInt8(20);
  const asPublic = body.subarray(21, 21 + idlen);
  const records = body.subarray(21 + idlen);
  if (records.length > rs) throw new Error("more than one record: not expected for a small push message");
  const ecdhSecret = ua.ecdh.computeSecret(asPublic);
  const prkKey = hmac(ua.auth, ecdhSecret);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), ua.publicKey, asPublic]);
  const ikm = hmac(prkKey, Buffer.concat([keyInfo, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from("Content-Encoding: aes128gcm\0\x01", "binary")).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from("Content-Encoding: nonce\0\x01", "binary")).subarray(0, 12);
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const plain = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  // Padding: the content ends with a 0x02 delimiter (last record), then zeros.
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end -= 1;
  if (plain[end] !== 2) throw new Error("bad padding delimiter");
  return plain.subarray(0, end);
}

/** RFC 8292: checks the VAPID header; returns its claims and key, or throws. */
function checkVapid(header: string | undefined, origin: string): ReceivedPush["vapid"] {
  const m = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? "");
  if (!m) throw new Error("Authorization is not a vapid header");
  const [jwt, k] = [m[1]!, m[2]!];
  const [h, p, s] = jwt.split(".") as [string, string, string];
  const head = JSON.parse(Buffer.from(h, "base64url").toString()) as { alg: string };
  if (head.alg !== "ES256") throw new Error("VAPID JWT must be ES256");
  const point = Buffer.from(k, "base64url");
  if (point.length !== 65 || point[0] !== 4) throw new Error("k is not an uncompressed P-256 key");
  const key = createPublicKey({ key: { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") }, format: "jwk" });
  if (!verify("sha256", Buffer.from(`${h}.${p}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"))) throw new Error("VAPID signature invalid");
  const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as { aud: string; sub: string; exp: number };
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud} is not ${origin}`);
  const now = Date.now() / 1000;
  if (!(claims.exp > now && claims.exp <= now + 24 * 3600 + 60)) throw new Error("exp not within 24 hours");
  if (!/^(mailto:|https:)/.test(claims.sub ?? "")) throw new Error("sub must be mailto: or https:");
  return { ...claims, publicKey: k };
}

export async function startPushServiceFake(): Promise<PushServiceFake> {
  const dir = mkdtempSync(path.join(tmpdir(), "eh-push-"));
  const keyFile = path.join(dir, "key.pem");
  const caFile = path.join(dir, "cert.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyFile, "-out", caFile, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
  ], { stdio: "ignore" });
  const cert = readFileSync(caFile);
  const subscriptions = new Map<string, { ecdh: ReturnType<typeof createECDH>; publicKey: Buffer; auth: Buffer; gone: boolean }>();
  const received: ReceivedPush[] = [];
  let failStatus: number | null = null;

  const server = https.createServer({ key: readFileSync(keyFile), cert }, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, text = "", headers: Record<string, string> = {}) => res.writeHead(status, { "content-type": "text/plain", ...headers }).end(text);
      const m = /^\/push\/([A-Za-z0-9_-]+)$/.exec(req.url ?? "");
      if (req.method !== "POST" || !m) return send(404, "no such subscription");
      if (failStatus !== null) {
        const s = failStatus;
        failStatus = null;
        return send(s, "failing on request");
      }
      const sub = subscriptions.get(m[1]!);
      if (!sub) return send(404, "no such subscription");
      if (sub.gone) return send(410, "subscription expired");
      let vapid: ReceivedPush["vapid"];
      try {
        vapid = checkVapid(req.headers.authorization, fake.origin);
      } catch (err) {
        return send(401, (err as Error).message);
      }
      const ttl = Number(req.headers.ttl);
      if (!Number.isInteger(ttl) || ttl < 0) return send(400, "TTL header missing");
      if (req.headers["content-encoding"] !== "aes128gcm") return send(415, "Content-Encoding must be aes128gcm");
      let payload: unknown;
      try {
        payload = JSON.parse(decrypt(Buffer.concat(chunks), sub).toString("utf8"));
      } catch (err) {
        return send(400, `cannot decrypt: ${(err as Error).message}`);
      }
      const location = `${fake.origin}/message/${randomBytes(12).toString("base64url")}`;
      received.push({ subscriptionId: m[1]!, payload, ttl, urgency: (req.headers.urgency as string | undefined) ?? null, vapid, location });
      send(201, "", { location });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const fake: PushServiceFake = {
    origin: `https://127.0.0.1:${port}`,
    agent: new Agent({ ca: cert }),
    caFile,
    received,
    createSubscription() {
      const id = randomBytes(16).toString("base64url");
      const ecdh = createECDH("prime256v1");
      const publicKey = ecdh.generateKeys();
      const auth = randomBytes(16);
      subscriptions.set(id, { ecdh, publicKey, auth, gone: false });
      return { endpoint: `${fake.origin}/push/${id}`, keys: { p256dh: publicKey.toString("base64url"), auth: auth.toString("base64url") } };
    },
    expire(endpoint) {
      const id = endpoint.split("/").pop()!;
      const sub = subscriptions.get(id);
      if (sub) sub.gone = true;
    },
    failNext(status) {
      failStatus = status;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fake.agent.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fake;
}
