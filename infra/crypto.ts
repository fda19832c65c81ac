// Small secrets at rest (staff TOTP secrets): AES-256-GCM with a fresh 12-byte IV per value and the
// owner's id as additional authenticated data, so a ciphertext copied onto another user's row does
// not decrypt. Stored as "v1.<iv>.<tag>.<ciphertext>" (base64url parts).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const VERSION = "v1";

export class SecretDecryptError extends Error {
  constructor() {
    super("stored secret does not decrypt with this key (wrong key, wrong owner, or tampered)");
    this.name = "SecretDecryptError";
  }
}

export function encryptSecret(plain: string, key: Buffer, owner: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(owner, "utf8"));
  const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

export function decryptSecret(stored: string, key: Buffer, owner: string): string {
  const [version, iv, tag, ct] = stored.split(".");
  if (version !== VERSION || !iv || !tag || ct === undefined) throw new SecretDecryptError();
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(owner, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptError();
  }
}

/** Decodes a base64 (or base64url) key; null unless it is exactly 32 bytes. */
export function decodeKey32(value: string): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return null;
  const buf = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return buf.length === 32 ? buf : null;
}

/**
 * The TOTP encryption key. Production must set TOTP_ENCRYPTION_KEY (loadConfig enforces it);
 * development and tests without it derive one from TOKEN_SECRET, so the demo needs no extra secret.
 */
export function totpKey(cfg: { TOTP_ENCRYPTION_KEY?: string | undefined; TOKEN_SECRET: string }): Buffer {
  if (cfg.TOTP_ENCRYPTION_KEY) {
    const key = decodeKey32(cfg.TOTP_ENCRYPTION_KEY);
    if (!key) throw new Error("TOTP_ENCRYPTION_KEY: must be 32 bytes, base64");
    return key;
  }
  return Buffer.from(hkdfSync("sha256", cfg.TOKEN_SECRET, "eldersthuis", "totp-secret-key (development only)", 32));
}
