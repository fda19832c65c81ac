// `npm run cli -- totp-code <email>`: development and demo only. Prints a staff member's otpauth://
// URI (to add to an authenticator app) and the code that is valid now, read from the database with
// the configured TOTP key. Refused when NODE_ENV=production: there, only the person's own
// authenticator knows the codes.
import { generate } from "otplib";
import { ConfigError, loadConfig } from "../../infra/config.js";
import { decryptSecret, totpKey } from "../../infra/crypto.js";
import { createDb } from "../../infra/db.js";
import { totpUri } from "../../server/auth.js";
import { localEnv } from "../system.js";
import type { CliCommand } from "./registry.js";

export const command: CliCommand = {
  summary: "development only: print a staff member's otpauth URI and current TOTP code",
  async run({ positionals }) {
    let config;
    try {
      // Outside production, the demo's local defaults (database, token secret in .data/) apply.
      config = loadConfig(process.env.NODE_ENV === "production" ? process.env : localEnv(process.env));
    } catch (err) {
      process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
      return 78;
    }
    if (config.NODE_ENV === "production") {
      process.stderr.write("totp-code: not available in production\n");
      return 77;
    }
    const email = positionals[0]?.trim().toLowerCase();
    if (!email) {
      process.stderr.write("usage: npm run cli -- totp-code <email>\n");
      return 64;
    }
    const db = createDb(config.DATABASE_URL, 1);
    try {
      const user = await db.user.findUnique({ where: { email }, select: { id: true, email: true, totpSecret: true, totpEnabled: true } });
      if (!user?.totpSecret) {
        process.stderr.write(`totp-code: ${email} has no TOTP secret (set DEMO_TOTP_SECRET before seeding, or enrol in the app)\n`);
        return 1;
      }
      const secret = decryptSecret(user.totpSecret, totpKey(config), user.id);
      const code = await generate({ secret });
      const validFor = 30 - (Math.floor(Date.now() / 1000) % 30);
      process.stdout.write(`${JSON.stringify({ email: user.email, enabled: user.totpEnabled, otpauthUri: totpUri(secret, user.email), code, validForSeconds: validFor })}\n`);
      return 0;
    } finally {
      await db.$disconnect();
    }
  },
};
