// Reading the SMTP sink's outbox back in tests.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";

export async function readOutbox(dir: string): Promise<ParsedMail[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith(".eml")).sort();
  return Promise.all(files.map((f) => simpleParser(readFileSync(path.join(dir, f)))));
}

export async function waitForMail(dir: string, predicate: (m: ParsedMail) => boolean, timeoutMs = 60_000): Promise<ParsedMail> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = (await readOutbox(dir)).find(predicate);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no matching e-mail in ${dir} within ${timeoutMs} ms`);
}

/** The one-tap links of an alert, by their visible label order: responded, not for us, couldn't. */
export function tapLinks(mail: ParsedMail): string[] {
  return [...(mail.text ?? "").matchAll(/(https?:\/\/\S+\/r\/[A-Za-z0-9_.-]+)/g)].map((m) => m[1]!);
}
