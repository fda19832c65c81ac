// Every language has every message Dutch has, in every namespace file present
// (domain/locales/<lang>/<ns>.json), with the plural forms its own grammar needs (Arabic six,
// French/Spanish/Portuguese three, the others two) and the same placeholders.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LANGUAGES, NAMESPACES } from "../../domain/messages.js";

const dir = new URL("../../domain/locales/", import.meta.url);
const PLURAL = /_(zero|one|two|few|many|other)$/;

function flatten(obj: Record<string, unknown>, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object") for (const [kk, vv] of flatten(v as Record<string, unknown>, key)) out.set(kk, vv);
    else out.set(key, String(v));
  }
  return out;
}

function load(lang: string, ns: string): Map<string, string> | null {
  try {
    return flatten(JSON.parse(readFileSync(new URL(`${lang}/${ns}.json`, dir), "utf8")) as Record<string, unknown>);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

const placeholders = (s: string) => new Set([...s.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]!));
const dutchNamespaces = readdirSync(new URL("nl/", dir)).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5));

describe("translation files", () => {
  it("are loaded: every namespace file found is an i18next namespace", () => {
    for (const ns of ["alert", "reason", "skip", "tap"]) expect(NAMESPACES).toContain(ns);
    for (const ns of dutchNamespaces) expect(NAMESPACES).toContain(ns);
  });

  const cases = dutchNamespaces.flatMap((ns) => LANGUAGES.filter((l) => l !== "nl").map((lang) => [ns, lang] as const));
  it.each(cases)("%s: %s has every key of Dutch, its plural forms and the same placeholders", (ns, lang) => {
    const nl = load("nl", ns)!;
    const other = load(lang, ns);
    expect(other, `domain/locales/${lang}/${ns}.json is missing`).not.toBeNull();
    const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
    const missing: string[] = [];
    const wrongPlaceholders: string[] = [];
    const check = (nlKey: string, key: string) => {
      const text = other!.get(key);
      if (text === undefined || text.trim() === "") return missing.push(key);
      const want = placeholders(nl.get(nlKey)!);
      const got = placeholders(text);
      // A plural form may spell the number out ("شخصان", two people) instead of {{count}}.
      const ok = [...want].every((p) => p === "count" || got.has(p)) && [...got].every((p) => want.has(p) || p === "count");
      if (!ok) wrongPlaceholders.push(`${key}: ${[...got].join(",")} vs ${[...want].join(",")}`);
    };
    const pluralBases = new Set<string>();
    for (const key of nl.keys()) {
      const m = PLURAL.exec(key);
      if (m) pluralBases.add(key.slice(0, -m[0].length));
      else check(key, key);
    }
    for (const base of pluralBases) for (const c of categories) check(nl.has(`${base}_${c}`) ? `${base}_${c}` : `${base}_other`, `${base}_${c}`);
    expect(missing, `missing in ${lang}/${ns}.json`).toEqual([]);
    expect(wrongPlaceholders, `placeholders differ in ${lang}/${ns}.json`).toEqual([]);
  });

  it("Dutch itself has both of its plural forms wherever it has one", () => {
    for (const ns of dutchNamespaces) {
      const nl = load("nl", ns)!;
      for (const key of nl.keys()) {
        const m = PLURAL.exec(key);
        if (!m) continue;
        const base = key.slice(0, -m[0].length);
        expect(nl.has(`${base}_one`) && nl.has(`${base}_other`), `${ns}:${base}`).toBe(true);
      }
    }
  });
});
