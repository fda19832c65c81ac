// Parser fuzzing: every adapter's parse, fed thousands of mutations of its fixture (fields deleted,
// renamed or retyped, bodies cut, attributes removed or garbled, markup inserted), must either return
// listings that are each a complete NormalizedListing, or throw SiteSchemaError. Any other exception,
// a hang, or a listing that only half passes is a bug: the scrape processor relies on "schema error or
// good listings", never "no new homes" by accident.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NormalizedListing } from "../../../domain/listing.js";
import { SiteSchemaError, SiteUnavailableError } from "../../../workers/sites/errors.js";
import { adapters } from "../../../workers/sites/registry.js";
import type { Platform, SiteTarget } from "../../../workers/sites/types.js";
import { extractNextData } from "../../../workers/sites/woonmatch/adapter.js";

const fixture = (path: string) => readFileSync(new URL(`../../fixtures/sites/${path}`, import.meta.url), "utf8");

/** Runs per adapter: enough to hit every field many times, small enough for the 2-core machine. */
const NUM_RUNS = 1500;

// ---- JSON mutations: a slot is one property or array element anywhere in the tree ----

type Container = Record<string, unknown> | unknown[];
interface Slot {
  parent: Container;
  key: string | number;
}

function slots(root: unknown): Slot[] {
  const out: Slot[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((value, i) => {
        out.push({ parent: node, key: i });
        walk(value);
      });
    } else if (node !== null && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        out.push({ parent: node as Record<string, unknown>, key });
        walk(value);
      }
    }
  };
  walk(root);
  return out;
}

type JsonMutation =
  | { op: "delete"; at: number }
  | { op: "rename"; at: number; style: "suffix" | "case" | "dutch" | "random"; name: string }
  | { op: "retype"; at: number; value: unknown }
  | { op: "stringify"; at: number }
  | { op: "duplicate"; at: number }
  | { op: "root"; value: unknown };

/** Values a field may suddenly hold: other types, edge numbers, odd strings. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e9, -0.5, 20_001, "", " ", "abc", "0000-00-00 00:00:00", "1900-01-01T00:00:00Z", "/Date(-1)/", [], {}, [null], { id: 1 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 12 }),
  fc.jsonValue({ maxDepth: 2 }),
);

const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  fc.record({ op: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({
    op: fc.constant("rename" as const),
    at: fc.nat(),
    style: fc.constantFrom("suffix" as const, "case" as const, "dutch" as const, "random" as const),
    name: fc.string({ minLength: 1, maxLength: 10 }),
  }),
  fc.record({ op: fc.constant("retype" as const), at: fc.nat(), value: oddValue }),
  fc.record({ op: fc.constant("stringify" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("duplicate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("root" as const), value: oddValue }),
);

const DUTCH: Record<string, string> = { street: "straat", city: "plaats", id: "nummer", houses: "woningen", aanbod: "woningen", data: "gegevens" };

function renamed(key: string, style: "suffix" | "case" | "dutch" | "random", name: string): string {
  if (style === "suffix") return `${key}_v2`;
  if (style === "case") return key.charAt(0) === key.charAt(0).toUpperCase() ? key.charAt(0).toLowerCase() + key.slice(1) : key.charAt(0).toUpperCase() + key.slice(1);
  if (style === "dutch") return DUTCH[key] ?? `${key}Nieuw`;
  return name;
}

/** Applies one mutation in place; returns the (possibly new) root. */
function mutateJson(root: unknown, m: JsonMutation): unknown {
  if (m.op === "root") return structuredClone(m.value);
  const all = slots(root);
  if (all.length === 0) return root;
  const { parent, key } = all[m.at % all.length]!;
  const value = (parent as Record<string | number, unknown>)[key];
  if (Array.isArray(parent)) {
    const i = key as number;
    if (m.op === "delete") parent.splice(i, 1);
    else if (m.op === "duplicate") parent.splice(i, 0, structuredClone(value));
    else if (m.op === "retype") parent[i] = structuredClone(m.value);
    else if (m.op === "stringify") parent[i] = JSON.stringify(value);
    else parent[i] = structuredClone(value); // rename has no meaning for an array element
    return root;
  }
  const object = parent as Record<string, unknown>;
  const k = key as string;
  if (m.op === "delete") delete object[k];
  else if (m.op === "rename") {
    delete object[k];
    object[renamed(k, m.style, m.name)] = value;
  } else if (m.op === "retype") object[k] = structuredClone(m.value);
  else if (m.op === "stringify") object[k] = typeof value === "string" ? Number(value) || null : JSON.stringify(value);
  else if (m.op === "duplicate") object[`${k}2`] = structuredClone(value);
  return root;
}

// ---- text mutations: on the serialized body (JSON or HTML) ----

type TextMutation =
  | { op: "truncate"; at: number }
  | { op: "cut"; at: number; length: number }
  | { op: "insert"; at: number; text: string }
  | { op: "dropAttribute"; at: number }
  | { op: "garbleAttribute"; at: number; value: string }
  | { op: "renameAttribute"; at: number; name: string }
  | { op: "garbleText"; at: number; text: string };

const markup = fc.constantFrom(
  "<",
  ">",
  "</div>",
  '<div class="woningaanbod">',
  '<div class="woningaanbod" data-aanbod-id="1" data-plaats="X" data-prijs="1" data-kamers="1"></div>',
  "<!--",
  "<script>",
  "</script>",
  '"',
  "&amp;",
  "&#0;",
  "\u0000",
  "}",
  "{",
  ",",
  "]",
);

const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("cut" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: fc.oneof(markup, fc.string({ maxLength: 20 })) }),
  fc.record({ op: fc.constant("dropAttribute" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("garbleAttribute" as const), at: fc.nat(), value: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("", "-1", "1e400", "12,50", "2026-13-45T25:61", "99999999")) }),
  fc.record({ op: fc.constant("renameAttribute" as const), at: fc.nat(), name: fc.constantFrom("data-id", "data-prijs-oud", "class", "href", "datetime", "x") }),
  fc.record({ op: fc.constant("garbleText" as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 16 }), fc.constantFrom("", "m²", "12 m2", "abc")) }),
);

const ATTRIBUTE = /\s([a-zA-Z][\w:-]*)="([^"]*)"/g;
const ELEMENT_TEXT = />([^<>]+)</g;

function mutateText(body: string, m: TextMutation): string {
  const at = (n: number) => (body.length === 0 ? 0 : n % body.length);
  switch (m.op) {
    case "truncate":
      return body.slice(0, at(m.at));
    case "cut":
      return body.slice(0, at(m.at)) + body.slice(at(m.at) + m.length);
    case "insert":
      return body.slice(0, at(m.at)) + m.text + body.slice(at(m.at));
    case "garbleText": {
      const found = [...body.matchAll(ELEMENT_TEXT)];
      if (found.length === 0) return body;
      const hit = found[m.at % found.length]!;
      return body.slice(0, hit.index + 1) + m.text + body.slice(hit.index + hit[0].length - 1);
    }
    default: {
      const found = [...body.matchAll(ATTRIBUTE)];
      if (found.length === 0) return body;
      const hit = found[m.at % found.length]!;
      const [whole, name] = hit;
      const replacement =
        m.op === "dropAttribute" ? "" : m.op === "garbleAttribute" ? ` ${name}="${m.value.replace(/"/g, "&quot;")}"` : ` ${m.name}="${hit[2]}"`;
      return body.slice(0, hit.index) + replacement + body.slice(hit.index + whole.length);
    }
  }
}

// ---- the adapters and their payloads ----

interface Case {
  platform: Platform;
  site: SiteTarget;
  /** A mutated body from the fixture. */
  body: fc.Arbitrary<string>;
  /** For DAK: an answer that says the action failed is reported as unavailable, by design. */
  allowed?: (error: unknown, body: string) => boolean;
}

const jsonCase = (text: string, opts: { textOps: boolean }): fc.Arbitrary<string> => {
  const original = JSON.parse(text) as unknown;
  return fc
    .tuple(fc.array(jsonMutation, { minLength: 0, maxLength: 4 }), fc.array(textMutation, { minLength: 0, maxLength: opts.textOps ? 1 : 0 }))
    .filter(([json, textOps]) => json.length + textOps.length > 0)
    .map(([json, textOps]) => {
      let root = structuredClone(original);
      for (const m of json) root = mutateJson(root, m);
      let body = JSON.stringify(root) ?? "";
      for (const m of textOps) if (m.op === "truncate" || m.op === "cut" || m.op === "insert") body = mutateText(body, m);
      return body;
    });
};

const htmlCase = (page: string): fc.Arbitrary<string> =>
  fc.array(textMutation, { minLength: 1, maxLength: 4 }).map((ops) => ops.reduce(mutateText, page));

/** Woonmatch: mutate the __NEXT_DATA__ JSON and the page around it. */
function woonmatchCase(page: string): fc.Arbitrary<string> {
  const found = extractNextData(page);
  if (typeof found === "string") throw new Error("woonmatch fixture has no __NEXT_DATA__");
  const data = JSON.parse(found.text) as unknown;
  const [before, after] = [page.slice(0, page.indexOf(found.text)), page.slice(page.indexOf(found.text) + found.text.length)];
  return fc
    .tuple(fc.array(jsonMutation, { minLength: 0, maxLength: 4 }), fc.array(textMutation, { minLength: 0, maxLength: 2 }))
    .filter(([json, text]) => json.length + text.length > 0)
    .map(([json, text]) => {
      let root = structuredClone(data);
      for (const m of json) root = mutateJson(root, m);
      const embedded = (JSON.stringify(root) ?? "").replace(/</g, "\\u003c");
      return text.reduce(mutateText, before + embedded + after);
    });
}

const zigText = fixture("zig-woonnet-haaglanden/getallobjects.json");
const zigObjects = (JSON.parse(zigText) as { result: unknown[] }).result;

const CASES: Case[] = [
  {
    platform: "zig",
    site: { id: "fuzz-zig", baseUrl: "https://www.woonnet-haaglanden.nl", settings: {} },
    body: jsonCase(zigText, { textOps: true }),
  },
  {
    platform: "zig-aanbodapi",
    site: { id: "fuzz-aanbodapi", baseUrl: "https://www.klikvoorwonen.nl", settings: { apiBaseUrl: "https://klikvoorwonen-aanbodapi.zig365.nl" } },
    body: jsonCase(JSON.stringify({ data: zigObjects, _metadata: { page: 0, per_page: 60, page_count: 1, total_count: zigObjects.length } }), { textOps: true }),
  },
  {
    platform: "dak",
    site: { id: "fuzz-dak", baseUrl: "https://amsterdam.mijndak.nl", settings: { region: "amsterdam" } },
    body: jsonCase(fixture("woningnet-dak/aanbod-amsterdam.json"), { textOps: true }),
    allowed: (error, body) => {
      if (!(error instanceof SiteUnavailableError) || !/offer action failed/.test(error.message)) return false;
      return (JSON.parse(body) as { data: { Result: { IsSuccess: unknown } } }).data.Result.IsSuccess === false;
    },
  },
  {
    platform: "embrace",
    site: {
      id: "fuzz-embrace",
      baseUrl: "https://www.woonnetrijnmond.nl",
      settings: { apiBaseUrl: "https://portal.mesh-router.embracecloud.nl", tenantId: "woonnetrijnmond", portalId: "p" },
    },
    body: jsonCase(fixture("embrace-woonnet-rijnmond/publications-page-1.json"), { textOps: true }),
  },
  {
    platform: "woonmatch",
    site: { id: "fuzz-woonmatch", baseUrl: "https://www.woonmatchkopnh.nl", settings: {} },
    body: woonmatchCase(fixture("woonmatch-kop-nh/aanbod.html")),
  },
  {
    platform: "entree",
    site: { id: "fuzz-entree", baseUrl: "https://www.entree.example", settings: {} },
    body: jsonCase(fixture("entree/aanbod.json"), { textOps: true }),
  },
  {
    platform: "itris",
    site: { id: "fuzz-itris", baseUrl: "https://www.corporatie.example", settings: {} },
    body: htmlCase(fixture("itris/woningaanbod.html")),
  },
];

describe("parser fuzzing: mutated payloads give valid listings or a SiteSchemaError", () => {
  it("covers every registered platform", () => {
    expect(CASES.map((c) => c.platform).sort()).toEqual(Object.keys(adapters).sort());
  });

  for (const c of CASES) {
    it(`${c.platform}: ${NUM_RUNS} mutated payloads`, () => {
      const adapter = adapters[c.platform];
      // The untouched fixture parses: the mutations, not the harness, cause the failures below.
      expect(adapter.parse(baseBody(c), c.site).length).toBeGreaterThan(0);
      const outcomes = { listings: 0, empty: 0, schema: 0, other: 0 };
      fc.assert(
        fc.property(c.body, (body) => {
          let listings: NormalizedListing[];
          try {
            listings = adapter.parse(body, c.site);
          } catch (error) {
            if (error instanceof SiteSchemaError) {
              outcomes.schema += 1;
              // The message says what and where, for the operator.
              return error.message.startsWith(`${c.site.id}: `) && error.message.length > c.site.id.length + 10;
            }
            if (c.allowed?.(error, body)) {
              outcomes.other += 1;
              return true;
            }
            throw error;
          }
          if (!Array.isArray(listings)) return false;
          if (listings.length === 0) outcomes.empty += 1;
          else outcomes.listings += 1;
          for (const listing of listings) {
            const again = NormalizedListing.safeParse(listing);
            if (!again.success) throw new Error(`half-normalized listing: ${again.error.message}`);
            // Nothing filled in by the schema's defaults: the adapter produced every field itself.
            expect(again.data).toEqual(listing);
            // Links are built on the site's baseUrl; Woonmatch and Entree may also carry absolute links.
            const absoluteAllowed = c.platform === "woonmatch" || c.platform === "entree";
            expect(listing.sourceUrl.startsWith(c.site.baseUrl) || (absoluteAllowed && /^https?:\/\//.test(listing.sourceUrl))).toBe(true);
          }
          return true;
        }),
        { numRuns: NUM_RUNS },
      );
      // Both outcomes must occur often, or the mutations are not reaching what the parser reads.
      expect(outcomes.schema).toBeGreaterThan(NUM_RUNS * 0.1);
      expect(outcomes.listings).toBeGreaterThan(NUM_RUNS * 0.05);
    }, 60_000);
  }
});

function baseBody(c: Case): string {
  switch (c.platform) {
    case "zig":
      return zigText;
    case "zig-aanbodapi":
      return JSON.stringify({ data: zigObjects, _metadata: { page_count: 1 } });
    case "dak":
      return fixture("woningnet-dak/aanbod-amsterdam.json");
    case "embrace":
      return fixture("embrace-woonnet-rijnmond/publications-page-1.json");
    case "woonmatch":
      return fixture("woonmatch-kop-nh/aanbod.html");
    case "entree":
      return fixture("entree/aanbod.json");
    case "itris":
      return fixture("itris/woningaanbod.html");
  }
}
