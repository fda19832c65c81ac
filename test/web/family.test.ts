// The family's own pages in a real browser (Debian Chromium) against the running app on real
// Postgres, Redis and SMTP: a family asks for a code, reads it from the e-mail that arrives in the
// SMTP sink, types it, and sees its open homes, its log, the counsellor who read its file (and the
// one who was refused) and with whom its evaluation was shared; the one-tap link from the message;
// a wrong code and a used link in plain words; the Arabic pages right-to-left; axe on every page.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import argon2 from "argon2";
import type { ParsedMail } from "mailparser";
import { chromium, request, type APIRequestContext, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActivityType } from "../../domain/evidence.js";
import { CHROMIUM_ARGS } from "../../infra/chromium.js";
import type { Config } from "../../infra/config.js";
import type { Db } from "../../infra/db.js";
import { appendActivity } from "../../infra/evidence-log.js";
import { startServer } from "../../server/main.js";
import { freshDatabase } from "../support/database.js";
import { testConfig, testDb } from "../support/env.js";
import { readOutbox } from "../support/outbox.js";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.js";

const WEB_INDEX = new URL("../../web/dist/index.html", import.meta.url);
const PASSWORD = "correct horse battery staple";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let config: Config;
let db: Db;
let sink: SmtpSink;
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let baseUrl: string;
const ids: Record<string, string> = {};
const consoleErrors: string[] = [];

async function log(familyId: string, type: ActivityType, occurredAt: Date, payload: Record<string, unknown>, matchId: string | null = null, actor = "system") {
  await db.$transaction((tx) => appendActivity(tx, { familyId, type, actor, occurredAt, matchId, payload }));
}

let listingN = 0;
async function offer(familyId: string, city: string, at: Date, closesAt: Date | null) {
  listingN += 1;
  const listing = await db.listing.create({
    data: {
      siteId: "woningnet-amsterdam",
      externalId: `fam-${listingN}`,
      street: "Teststraat",
      houseNumber: String(listingN),
      city,
      municipality: city,
      dwellingKind: "apartment",
      allocationModel: "first_come",
      targetGroups: [],
      closesAt,
      sourceUrl: `https://example.org/${listingN}`,
      contentHash: `fam-hash-${listingN}`,
      raw: {},
    },
  });
  const match = await db.match.create({ data: { familyId, listingId: listing.id, reasons: [], createdAt: at } });
  await log(familyId, "offered", at, { listingId: listing.id, site: "woningnet-amsterdam", address: `Teststraat ${listingN}`, town: city, closesAt: closesAt?.toISOString() ?? null }, match.id);
  return match.id;
}

/** A staff member signed in through the app's own API (password; no second factor set up here). */
async function staffSession(email: string): Promise<{ api: APIRequestContext; csrf: string }> {
  const api = await request.newContext({ baseURL: baseUrl });
  const res = await api.post("/api/auth/login", { data: { email, password: PASSWORD } });
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { secondFactor: string; csrfToken: string };
  expect(body.secondFactor).toBe("none");
  return { api, csrf: body.csrfToken };
}

async function seed() {
  const passwordHash = await argon2.hash(PASSWORD);
  const [hvo, leger, ggd] = await Promise.all(["HVO Querido (test)", "Leger des Heils (test)", "GGD Amsterdam (test)"].map((name) => db.organisation.create({ data: { name } })));
  const sanne = await db.user.create({ data: { email: "sanne@hvo.test", name: "Sanne", role: "counsellor", passwordHash, organisationId: hvo!.id } });
  await db.user.create({ data: { email: "kees@leger.test", name: "Kees", role: "counsellor", passwordHash, organisationId: leger!.id } });
  ids.evaluator = (await db.user.create({ data: { email: "ggd@ggd.test", name: "Beoordelaar GGD", role: "evaluator", passwordHash, organisationId: ggd!.id } })).id;
  ids.evaluator2 = (await db.user.create({ data: { email: "ggd2@ggd.test", name: "Tweede beoordelaar", role: "evaluator", passwordHash, organisationId: ggd!.id } })).id;

  const amina = await db.family.create({
    data: { displayName: "Amina", email: "amina@example.org", language: "nl", organisationId: hvo!.id, counsellorId: sanne.id, childBirthYears: [2016, 2021] },
  });
  ids.amina = amina.id;
  const now = Date.now();
  // Answered: responded, with a reminder before it.
  const m1 = await offer(amina.id, "Zaandam", new Date(now - 20 * DAY), new Date(now - 15 * DAY));
  await log(amina.id, "alert_sent", new Date(now - 20 * DAY + 60_000), { channel: "email" }, m1);
  await log(amina.id, "reminder_sent", new Date(now - 18 * DAY), { kind: "deadline", channel: "email" }, m1);
  await log(amina.id, "responded", new Date(now - 17 * DAY), { site: "woningnet-amsterdam", address: "Teststraat 1", via: "one_tap" }, m1, "family");
  // Not for us, with a reason.
  const m2 = await offer(amina.id, "Purmerend", new Date(now - 10 * DAY), new Date(now - 5 * DAY));
  await log(amina.id, "not_for_us", new Date(now - 9 * DAY), { site: "woningnet-amsterdam", address: "Teststraat 2", via: "one_tap" }, m2, "family");
  await log(amina.id, "answer_reason", new Date(now - 9 * DAY), { answer: "not_for_us", reason: "too_far" }, m2, "family");
  await log(amina.id, "counsellor_note", new Date(now - 3 * DAY), { text: "Samen naar de site gekeken." }, null, `staff:${sanne.id}`);
  // Open: one with no closing time, and one that closes within a day.
  await offer(amina.id, "Lelystad", new Date(now - 2 * DAY), null);
  await offer(amina.id, "Almere", new Date(now - 1 * DAY), new Date(now + 20 * HOUR));

  // Bo gets messages in Arabic.
  ids.bo = (await db.family.create({ data: { displayName: "Bo", email: "bo@example.org", language: "ar", organisationId: hvo!.id, counsellorId: sanne.id, childBirthYears: [2019] } })).id;
}

/** What the counsellors did through the app: Sanne read Amina's file, evaluated and shared it; Kees (another organisation) was refused. */
async function staffActs() {
  const sanne = await staffSession("sanne@hvo.test");
  expect((await sanne.api.get(`/api/families/${ids.amina}/workspace`)).status()).toBe(200);
  const childInterests = { situation: "School in Oost.", childrenHeard: false, childrenView: "Te jong om te vragen.", weighing: "Rust gaat voor.", explanation: "De moeder legt het uit." };
  const today = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 80 * DAY).toISOString().slice(0, 10);
  const saved = await sanne.api.post(`/api/families/${ids.amina}/evaluations`, { headers: { "x-csrf-token": sanne.csrf }, data: { from, to: today, childInterests } });
  expect(saved.status(), await saved.text()).toBe(201);
  const evaluationId = ((await saved.json()) as { evaluation: { id: string } }).evaluation.id;
  const share = await sanne.api.post(`/api/evaluations/${evaluationId}/shares`, { headers: { "x-csrf-token": sanne.csrf }, data: { evaluatorId: ids.evaluator } });
  expect(share.status()).toBe(201);
  const second = await sanne.api.post(`/api/evaluations/${evaluationId}/shares`, { headers: { "x-csrf-token": sanne.csrf }, data: { evaluatorId: ids.evaluator2 } });
  const secondId = ((await second.json()) as { share: { id: string } }).share.id;
  expect((await sanne.api.delete(`/api/evaluations/${evaluationId}/shares/${secondId}`, { headers: { "x-csrf-token": sanne.csrf } })).status()).toBe(204);
  await sanne.api.dispose();

  const kees = await staffSession("kees@leger.test");
  expect((await kees.api.get(`/api/families/${ids.amina}/workspace`)).status()).toBe(404);
  await kees.api.dispose();
}

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  // axe needs a page from a context of its own.
  const context = await browser.newContext({ locale: "nl-NL", timezoneId: "Europe/Amsterdam", acceptDownloads: true });
  context.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(`${m.location().url}: ${m.text()}`);
  });
  return { context, page: await context.newPage() };
}

async function axe(page: Page, where: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

const mailsTo = async (address: string) => (await readOutbox(sink.outbox)).filter((m) => JSON.stringify(m.to ?? "").includes(address));

/** The next sign-in message to this address (after `already` of them), with its code and link. */
async function nextCode(address: string, already: number): Promise<{ code: string; link: string; mail: ParsedMail }> {
  const deadline = Date.now() + 20_000;
  let mails: ParsedMail[] = [];
  while ((mails = await mailsTo(address)).length <= already) {
    if (Date.now() > deadline) throw new Error(`no sign-in e-mail to ${address}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const mail = mails.sort((a, b) => (a.date?.getTime() ?? 0) - (b.date?.getTime() ?? 0)).at(-1)!;
  const code = /(\d{6})/.exec(mail.subject ?? "")![1]!;
  const link = /(https?:\/\/\S+\/login\/family\?code=[A-Za-z0-9_-]+)/.exec(mail.text ?? "")![1]!;
  return { code, link, mail };
}

/** The message's link points at PUBLIC_URL; the test server listens on a port of its own. */
const onTestServer = (link: string) => {
  const u = new URL(link);
  return `${baseUrl}${u.pathname}${u.search}`;
};

beforeAll(async () => {
  if (!existsSync(WEB_INDEX)) throw new Error("web/dist is missing: run `npm run web:build` first (tools/test.sh does)");
  sink = await startSmtpSink({ port: 0, outbox: mkdtempSync(path.join(tmpdir(), "eh-family-web-outbox-")) });
  config = testConfig({ PORT: "0", SMTP_PORT: String(sink.port) });
  db = testDb(config);
  await freshDatabase(db);
  await seed();
  server = await startServer(config);
  baseUrl = `http://127.0.0.1:${server.port}`;
  browser = await chromium.launch({ executablePath: config.CHROMIUM_PATH, args: CHROMIUM_ARGS });
  await staffActs();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await sink?.close();
  await db?.$disconnect();
});

describe("the family's pages in the browser", () => {
  it("signs a family in with a code from its e-mail, and shows its homes, its log, who looked and with whom it was shared", async () => {
    const { context, page } = await newPage();
    await page.goto(`${baseUrl}/login/family`);
    await page.getByRole("heading", { level: 1, name: "Inloggen" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("nl");
    // No staff menu for families.
    expect(await page.getByRole("link", { name: "Gezinnen" }).count()).toBe(0);
    await axe(page, "family sign-in");

    const already = (await mailsTo("amina@example.org")).length;
    await page.getByLabel("Uw e-mailadres of telefoonnummer").fill("Amina@Example.org");
    await page.getByRole("button", { name: "Stuur mij een code" }).click();
    await page.getByRole("heading", { level: 1, name: "Vul de code in" }).waitFor();
    const field = page.getByLabel("Code (6 cijfers)");
    expect(await field.getAttribute("autocomplete")).toBe("one-time-code");
    expect(await field.getAttribute("inputmode")).toBe("numeric");
    // The code field has the focus, ready for the phone's autofill.
    expect(await field.evaluate((el) => el === document.activeElement)).toBe(true);
    await axe(page, "family code");

    const { code, mail } = await nextCode("amina@example.org", already);
    expect(mail.text).toContain(code);
    // As pasted from the message, with a space in the middle.
    await field.fill(`${code.slice(0, 3)} ${code.slice(3)}`);
    await page.getByRole("button", { name: "Inloggen" }).click();
    await page.waitForURL(`${baseUrl}/me`);
    await page.getByRole("heading", { level: 1, name: "Uw pagina" }).waitFor();
    expect(await page.getByText("Hallo Amina.").count()).toBe(1);

    // Open homes, soonest first; answered and closed ones are not among them.
    const open = page.locator("#open-homes li");
    await open.first().waitFor();
    expect(await open.evaluateAll((li) => li.map((l) => l.querySelector("strong")?.textContent))).toEqual(["Teststraat 4, Almere", "Teststraat 3, Lelystad"]);
    expect(await open.first().innerText()).toMatch(/Reageren kan tot .*\. Let op: dit is binnen 2 dagen\./);
    expect(await open.nth(1).innerText()).toContain("Er staat geen einddatum bij.");

    // Its own log, newest first, in plain words.
    const timeline = page.locator("#timeline");
    const entries = await timeline.locator("li").evaluateAll((li) => li.map((l) => l.querySelector("strong")?.textContent));
    expect(entries).toEqual([
      "Uw evaluatie wordt niet meer gedeeld",
      "Uw evaluatie is gedeeld met Tweede beoordelaar, GGD Amsterdam (test)",
      "Uw evaluatie is gedeeld met Beoordelaar GGD, GGD Amsterdam (test)",
      "We stuurden u een woning",
      "We stuurden u een woning",
      "Notitie van uw begeleider",
      "Uw reden: Te ver van school of zorg",
      "U antwoordde: Deze woning past niet",
      "We stuurden u een woning",
      "U antwoordde: Ik heb gereageerd",
      "Herinnering gestuurd",
      "Bericht verstuurd",
      "We stuurden u een woning",
    ]);
    expect(await timeline.locator('li[data-type="responded"]').innerText()).toContain("Teststraat 1, Zaandam");
    expect(await timeline.locator('li[data-type="reminder_sent"]').innerText()).toContain("per e-mail");
    expect(await timeline.locator('li[data-type="counsellor_note"]').innerText()).toContain("Samen naar de site gekeken.");

    // Who looked: Sanne read the file; Kees of another organisation was refused.
    const access = page.locator("#access-list > li");
    await access.first().waitFor();
    const rows = await access.evaluateAll((lis) =>
      lis.map((li) => ["name", "role", "organisation", "what", "refused"].map((f) => li.querySelector(`[data-field="${f}"]`)?.textContent ?? null)),
    );
    expect(rows).toContainEqual(["Sanne", "begeleider", "HVO Querido (test)", "Uw gegevens", null]);
    expect(rows).toContainEqual(["Kees", "begeleider", "Leger des Heils (test)", "Uw gegevens", "Geweigerd: mocht dit niet zien"]);
    expect(rows).toContainEqual(["Sanne", "begeleider", "HVO Querido (test)", "Uw evaluatie gedeeld", null]);
    // When: each entry has its time, newest first.
    const times = await access.locator("time").evaluateAll((ts) => ts.map((x) => Date.parse(x.getAttribute("datetime")!)));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    // Shared with: the evaluator who can read it, and the one whose access was stopped.
    const active = page.locator('#shares li[data-state="active"]');
    expect(await active.innerText()).toContain("Gedeeld met Beoordelaar GGD, GGD Amsterdam (test)");
    expect(await active.innerText()).toContain("Deze persoon kan uw evaluatie lezen.");
    const revoked = page.locator('#shares li[data-state="revoked"]');
    expect(await revoked.innerText()).toContain("Gedeeld met Tweede beoordelaar, GGD Amsterdam (test)");
    expect(await revoked.innerText()).toMatch(/Gestopt op \d+ \w+ \d{4}\. Deze persoon kan uw evaluatie niet meer lezen\./);

    // No staff navigation: only signing out in the menu.
    expect(await page.locator(".ams-page-header__menu li").allInnerTexts()).toEqual(["Uitloggen"]);
    await axe(page, "family page");

    // Its data as one file.
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download-data").click()]);
    const exported = JSON.parse(readFileSync((await download.path())!, "utf8")) as { family: { id: string }; activity: unknown[] };
    expect(exported.family.id).toBe(ids.amina);
    expect(exported.activity).toHaveLength(await db.activity.count({ where: { familyId: ids.amina } }));

    // Signing out ends the session.
    await page.getByRole("button", { name: "Uitloggen" }).click();
    await page.waitForURL(`${baseUrl}/login/family`);
    await page.getByText("U bent uitgelogd.").waitFor();
    expect((await context.request.get(`${baseUrl}/api/me`)).status()).toBe(401);
    await page.goto(`${baseUrl}/me`);
    await page.waitForURL(`${baseUrl}/login/family`);
    await page.getByText("U bent niet (meer) ingelogd. Log opnieuw in.").waitFor();
    await context.close();
  });

  it("says in plain words that a wrong code does not work, and the right one still does", async () => {
    const { context, page } = await newPage();
    await page.goto(`${baseUrl}/login/family`);
    const already = (await mailsTo("amina@example.org")).length;
    await page.getByLabel("Uw e-mailadres of telefoonnummer").fill("amina@example.org");
    await page.getByRole("button", { name: "Stuur mij een code" }).click();
    const field = page.getByLabel("Code (6 cijfers)");
    await field.waitFor();
    const { code } = await nextCode("amina@example.org", already);
    await field.fill(code === "000000" ? "000001" : "000000");
    await page.getByRole("button", { name: "Inloggen" }).click();
    await page.getByText("Deze code werkt niet (meer). Vraag een nieuwe code.").waitFor();
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    expect(page.url()).toBe(`${baseUrl}/login/family`);
    await axe(page, "family code, wrong");
    // Too short: said before asking the server.
    await field.fill("12345");
    await page.getByRole("button", { name: "Inloggen" }).click();
    await page.getByText("Vul de 6 cijfers van de code in.").waitFor();
    await field.fill(code);
    await page.getByRole("button", { name: "Inloggen" }).click();
    await page.getByRole("heading", { level: 1, name: "Uw pagina" }).waitFor();
    await context.close();
  });

  it("signs in with one tap on the link in the message, in the family's language (Arabic, right to left)", async () => {
    const already = (await mailsTo("bo@example.org")).length;
    const asked = await fetch(`${baseUrl}/api/family-auth/request`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "bo@example.org" }) });
    expect(asked.status).toBe(202);
    const { link } = await nextCode("bo@example.org", already);

    const { context, page } = await newPage();
    await page.goto(onTestServer(link));
    await page.waitForURL(`${baseUrl}/me`);
    await page.getByRole("heading", { level: 1, name: "صفحتك" }).waitFor();
    expect(await page.locator("html").getAttribute("dir")).toBe("rtl");
    expect(await page.locator("html").getAttribute("lang")).toBe("ar");
    await page.getByText("لا توجد الآن بيوت مفتوحة لك.").waitFor();
    await page.getByText("لم يطّلع أحد على بياناتك بعد.").waitFor();
    // The single-use code does not stay in the history.
    expect(await page.evaluate(() => location.search)).toBe("");
    await axe(page, "family page (ar)");

    // Dutch is one tap away, and back to left-to-right.
    await page.getByRole("button", { name: "Nederlands" }).click();
    await page.getByRole("heading", { level: 1, name: "Uw pagina" }).waitFor();
    expect(await page.locator("html").getAttribute("dir")).toBe("ltr");
    expect(await page.locator("html").getAttribute("lang")).toBe("nl");
    await context.close();

    // The same link again: used, so refused in plain words, with the way to a new code.
    const again = await newPage();
    await again.page.goto(onTestServer(link));
    await again.page.getByText("Deze link werkt niet (meer). Vraag hieronder een nieuwe code.").waitFor();
    expect(again.page.url()).toBe(`${baseUrl}/login/family`);
    await again.page.getByLabel("Uw e-mailadres of telefoonnummer").waitFor();
    await axe(again.page, "family sign-in, used link");
    await again.context.close();
  });

  it("offers the sign-in page in the seven family languages, Arabic right to left", async () => {
    const { context, page } = await newPage();
    await page.goto(`${baseUrl}/login/family`);
    await page.getByRole("heading", { level: 1, name: "Inloggen" }).waitFor();
    const languages = page.getByRole("navigation", { name: "Taal" }).getByRole("button");
    expect(await languages.allInnerTexts()).toEqual(["Nederlands", "English", "العربية", "Türkçe", "Français", "Español", "Português"]);
    await page.getByRole("button", { name: "العربية" }).click();
    await page.getByRole("heading", { level: 1, name: "تسجيل الدخول" }).waitFor();
    expect(await page.locator("html").getAttribute("dir")).toBe("rtl");
    expect(await page.locator("html").getAttribute("lang")).toBe("ar");
    expect(await page.getByRole("button", { name: "العربية" }).getAttribute("aria-pressed")).toBe("true");
    await axe(page, "family sign-in (ar)");
    // The choice stays on this device.
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "تسجيل الدخول" }).waitFor();
    await page.getByRole("button", { name: "Türkçe" }).click();
    await page.getByRole("button", { name: "Bana bir kod gönderin" }).waitFor();
    expect(await page.locator("html").getAttribute("dir")).toBe("ltr");
    await context.close();

    // Only refusals the pages expect: no session yet (401), and the wrong or used codes above.
    const expected = [/\/api\/[^:]*: Failed to load resource: the server responded with a status of 401/];
    expect(consoleErrors.filter((e) => !expected.some((re) => re.test(e)))).toEqual([]);
  });
});
