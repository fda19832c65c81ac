// Staff sign-in on real Postgres and Redis: password + TOTP (real otplib codes), enrolment, the
// encrypted secret, CSRF tokens, rate limits, session expiry and logout.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptSecret, totpKey } from "../../infra/crypto.js";
import { createLogger } from "../../infra/logger.js";
import { createApp } from "../../server/app.js";
import { sha256 } from "../../server/auth.js";
import { testConfig } from "../support/env.js";
import { buildWorld, PASSWORD, staffAgent, totpCode, type World } from "./access-support.js";

let w: World;

beforeAll(async () => {
  w = await buildWorld({ LOGIN_FAILURES_PER_ACCOUNT: "3" });
});
afterAll(async () => {
  await w.close();
});

function sessionId(res: request.Response): string {
  const cookie = ([] as string[]).concat(res.headers["set-cookie"] ?? []).find((c) => c.startsWith("eh_session="));
  expect(cookie).toBeDefined();
  return sha256(decodeURIComponent(cookie!.split(";")[0]!.slice("eh_session=".length)));
}

describe("staff sign-in with a TOTP second factor", () => {
  it("asks for the code after the password and lets in only with a valid, unused code", async () => {
    const agent = request.agent(w.app);
    const login = await agent.post("/api/auth/login").send({ email: "tx@x.test", password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ secondFactor: "totp" });
    expect(login.body.user).toBeUndefined();
    const pendingId = sessionId(login);
    expect(await w.db.session.findUnique({ where: { id: pendingId } })).toMatchObject({ secondFactorDone: false });

    // The password alone reaches no data.
    const early = await agent.get("/api/families");
    expect(early.status).toBe(401);
    expect(early.body.error).toBe("second_factor_required");

    const code = await totpCode(w.totpSecret);
    // A cookie-authenticated write without the CSRF token is refused, even the code step.
    expect((await agent.post("/api/auth/totp").send({ code })).status).toBe(403);
    agent.set("X-CSRF-Token", login.body.csrfToken as string);
    const wrong = await agent.post("/api/auth/totp").send({ code: code === "000000" ? "111111" : "000000" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe("invalid_code");
    const bad = await agent.post("/api/auth/totp").send({ code: "12ab56" });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^code:/);

    const ok = await agent.post("/api/auth/totp").send({ code: `${code.slice(0, 3)} ${code.slice(3)}` });
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ id: w.users.tx.id, role: "counsellor" });
    // A new session token after the second factor; the password-only session is gone.
    const fullId = sessionId(ok);
    expect(fullId).not.toBe(pendingId);
    expect(await w.db.session.findUnique({ where: { id: pendingId } })).toBeNull();
    expect(await w.db.session.findUnique({ where: { id: fullId } })).toMatchObject({ secondFactorDone: true });
    agent.set("X-CSRF-Token", ok.body.csrfToken as string);
    expect((await agent.get("/api/families")).status).toBe(200);

    // The same code cannot be used again (replay), even in a new sign-in.
    const again = request.agent(w.app);
    const login2 = await again.post("/api/auth/login").send({ email: "tx@x.test", password: PASSWORD });
    again.set("X-CSRF-Token", login2.body.csrfToken as string);
    expect((await again.post("/api/auth/totp").send({ code })).status).toBe(401);
  });

  it("stores the TOTP secret encrypted, bound to its user", async () => {
    const row = await w.db.user.findUniqueOrThrow({ where: { id: w.users.tx.id } });
    expect(row.totpSecret).not.toContain(w.totpSecret);
    expect(row.totpSecret).toMatch(/^v1\./);
    expect(decryptSecret(row.totpSecret!, totpKey(w.config), w.users.tx.id)).toBe(w.totpSecret);
    expect(() => decryptSecret(row.totpSecret!, totpKey(w.config), w.users.cx.id)).toThrow(/does not decrypt/);
  });

  it("enrols: setup gives an otpauth URI, enable confirms with a code, then sign-in needs it", async () => {
    const user = await w.db.user.create({
      data: { email: "enrol@x.test", name: "New", role: "counsellor", organisationId: w.orgs.x, passwordHash: (await w.db.user.findUniqueOrThrow({ where: { id: w.users.cx.id } })).passwordHash },
    });
    const agent = await staffAgent(w, "enrol@x.test");
    const setup = await agent.post("/api/auth/totp/setup");
    expect(setup.status).toBe(200);
    const uri = new URL(setup.body.otpauthUri as string);
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.searchParams.get("issuer")).toBe("Eldersthuis");
    const secret = uri.searchParams.get("secret")!;
    expect(secret).toBe(setup.body.secret);
    expect(secret.length).toBeGreaterThanOrEqual(32); // 20 bytes in base32
    // Not active before it is confirmed.
    expect((await w.db.user.findUniqueOrThrow({ where: { id: user.id } })).totpEnabled).toBe(false);
    expect((await agent.post("/api/auth/totp/enable").send({ code: "000000" === (await totpCode(secret)) ? "111111" : "000000" })).status).toBe(401);
    const enabled = await agent.post("/api/auth/totp/enable").send({ code: await totpCode(secret) });
    expect(enabled.status).toBe(200);
    agent.set("X-CSRF-Token", enabled.body.csrfToken as string);
    expect((await agent.get("/api/families")).status).toBe(200);
    expect((await agent.post("/api/auth/totp/setup")).status).toBe(409);

    const next = request.agent(w.app);
    const login = await next.post("/api/auth/login").send({ email: "enrol@x.test", password: PASSWORD });
    expect(login.body.secondFactor).toBe("totp");
    next.set("X-CSRF-Token", login.body.csrfToken as string);
    expect((await next.post("/api/auth/totp").send({ code: await totpCode(secret, 1) })).status).toBe(200);

    // An admin of the same organisation resets a lost authenticator; the user's sessions end.
    const admin = await staffAgent(w, "ax@x.test");
    expect((await request.agent(w.app).delete(`/api/auth/totp/${user.id}`)).status).toBe(401);
    const other = await staffAgent(w, "cy@y.test");
    expect((await other.delete(`/api/auth/totp/${user.id}`)).status).toBe(403);
    expect((await admin.delete(`/api/auth/totp/${user.id}`)).status).toBe(204);
    expect(await w.db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ totpEnabled: false, totpSecret: null });
    expect((await next.get("/api/families")).status).toBe(401);
  });

  it("with STAFF_TOTP_REQUIRED, staff without TOTP can only enrol", async () => {
    const config = testConfig({ STAFF_TOTP_REQUIRED: "true", DATABASE_URL: w.config.DATABASE_URL });
    const app = createApp({ db: w.db, redis: w.redis, queues: w.queues, config, log: createLogger("silent", "test") });
    const agent = request.agent(app);
    const login = await agent.post("/api/auth/login").send({ email: "cx2@x.test", password: PASSWORD });
    expect(login.body.secondFactor).toBe("enrol");
    agent.set("X-CSRF-Token", login.body.csrfToken as string);
    expect((await agent.get("/api/families")).body.error).toBe("second_factor_required");
    const setup = await agent.post("/api/auth/totp/setup");
    expect(setup.status).toBe(200);
    const secret = setup.body.secret as string;
    const enabled = await agent.post("/api/auth/totp/enable").send({ code: await totpCode(secret) });
    expect(enabled.status).toBe(200);
    agent.set("X-CSRF-Token", enabled.body.csrfToken as string);
    expect((await agent.get("/api/families")).status).toBe(200);
    // Back to password-only for the other tests.
    await w.db.user.update({ where: { id: w.users.cx2.id }, data: { totpEnabled: false, totpSecret: null } });
  });
});

describe("CSRF protection for cookie-authenticated writes", () => {
  it("refuses a write without the token, with a wrong one, and accepts the session's token", async () => {
    const agent = request.agent(w.app);
    const login = await agent.post("/api/auth/login").send({ email: "cx@x.test", password: PASSWORD });
    const missing = await agent.post("/api/families").send({ displayName: "Z." });
    expect(missing.status).toBe(403);
    expect(missing.body.error).toBe("csrf_token_missing");
    expect(missing.body.message).toMatch(/^X-CSRF-Token:/);
    const wrong = await agent.post("/api/families").set("X-CSRF-Token", "x".repeat(43)).send({ displayName: "Z." });
    expect(wrong.body.error).toBe("csrf_token_invalid");
    const token = (await agent.get("/api/auth/csrf")).body.csrfToken as string;
    expect(token).toBe(login.body.csrfToken);
    expect((await agent.post("/api/families").set("X-CSRF-Token", token).send({ displayName: "Z." })).status).toBe(201);
    // Logout is a write too.
    expect((await agent.post("/api/auth/logout")).status).toBe(403);
  });

  it("does not apply to requests without a session cookie, nor to the one-tap routes", async () => {
    expect((await request(w.app).post("/api/families").send({ displayName: "Z." })).status).toBe(401);
    expect((await request(w.app).get("/api/auth/csrf")).status).toBe(401);
    // /r/ is outside /api: an invalid token is answered by the tap page, not by CSRF.
    const agent = await staffAgent(w, "cx@x.test");
    const tap = await agent.post("/r/not-a-token").unset("X-CSRF-Token");
    expect(tap.status).toBe(400);
  });
});

describe("sessions", () => {
  it("end at logout", async () => {
    const agent = await staffAgent(w, "cx@x.test");
    expect((await agent.get("/api/families")).status).toBe(200);
    expect((await agent.post("/api/auth/logout")).status).toBe(204);
    expect((await agent.get("/api/families")).status).toBe(401);
  });

  it("expire: an expired session is refused and removed", async () => {
    const agent = request.agent(w.app);
    const login = await agent.post("/api/auth/login").send({ email: "cx@x.test", password: PASSWORD });
    const id = sessionId(login);
    await w.db.session.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await agent.get("/api/families")).status).toBe(401);
    expect(await w.db.session.findUnique({ where: { id } })).toBeNull();
  });

  it("end after the idle timeout: a request moves the end forward, never past the absolute TTL", async () => {
    const agent = request.agent(w.app);
    const login = await agent.post("/api/auth/login").send({ email: "cx@x.test", password: PASSWORD });
    const id = sessionId(login);
    const first = await w.db.session.findUniqueOrThrow({ where: { id } });
    expect(first.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(w.config.SESSION_IDLE_MINUTES * 60_000);
    // Pretend the last request was 5 minutes ago and the session was made 7 hours 58 minutes ago.
    const createdAt = new Date(Date.now() - (w.config.SESSION_TTL_HOURS * 60 - 2) * 60_000);
    await w.db.session.update({ where: { id }, data: { lastSeenAt: new Date(Date.now() - 5 * 60_000), createdAt } });
    expect((await agent.get("/api/families")).status).toBe(200);
    const touched = await w.db.session.findUniqueOrThrow({ where: { id } });
    expect(touched.expiresAt.getTime()).toBe(createdAt.getTime() + w.config.SESSION_TTL_HOURS * 3_600_000);
  });
});

describe("sign-in rate limits", () => {
  it("locks an account after repeated wrong passwords, even for the right one", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await request(w.app).post("/api/auth/login").send({ email: "cy@y.test", password: "wrong" })).status).toBe(401);
    }
    const locked = await request(w.app).post("/api/auth/login").send({ email: "CY@y.test", password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe("rate_limited");
    // Another account is not affected.
    expect((await request(w.app).post("/api/auth/login").send({ email: "ax@x.test", password: PASSWORD })).status).toBe(200);
    await w.redis.del(...(await w.redis.keys(`${w.config.QUEUE_PREFIX}:rl:login-account:*`)));
  });

  it("limits failed sign-ins per IP address across accounts", async () => {
    const config = testConfig({ LOGIN_FAILURES_PER_IP: "4", DATABASE_URL: w.config.DATABASE_URL });
    const app = createApp({ db: w.db, redis: w.redis, queues: w.queues, config, log: createLogger("silent", "test") });
    for (let i = 0; i < 4; i++) {
      expect((await request(app).post("/api/auth/login").send({ email: `nobody${i}@x.test`, password: "wrong" })).status).toBe(401);
    }
    expect((await request(app).post("/api/auth/login").send({ email: "cx@x.test", password: PASSWORD })).status).toBe(429);
    await w.redis.del(...(await w.redis.keys(`${config.QUEUE_PREFIX}:rl:*`)));
  });

  it("limits wrong TOTP codes per user", async () => {
    // Earlier tests spent some of this user's attempts; start this window afresh.
    const keys = await w.redis.keys(`${w.config.QUEUE_PREFIX}:rl:totp-user:*`);
    if (keys.length) await w.redis.del(...keys);
    const agent = request.agent(w.app);
    const login = await agent.post("/api/auth/login").send({ email: "tx@x.test", password: PASSWORD });
    agent.set("X-CSRF-Token", login.body.csrfToken as string);
    const good = await totpCode(w.totpSecret, 1);
    const wrongCode = good === "999999" ? "999998" : "999999";
    for (let i = 0; i < 5; i++) expect((await agent.post("/api/auth/totp").send({ code: wrongCode })).status).toBe(401);
    expect((await agent.post("/api/auth/totp").send({ code: good })).status).toBe(429);
  });
});
