// Municipalities (CBS, 1 January 2025) and krimp/anticipeer regions, read from data/, and the
// regions a catalogue site serves, computed from its municipalities so nobody types them by hand.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { normalizePlace } from "../domain/matching.js";
import { regionsServed, type RegionDefinition } from "../domain/regions.js";

const DATA_DIR = new URL("../data/", import.meta.url);

/**
 * RFC 4180 CSV: fields separated by commas, optionally in double quotes, where a quoted field may
 * hold commas, line breaks and doubled quotes (""). Lines end in \n or \r\n; a final newline is optional.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = "";
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i += 1;
      continue;
    }
    if (c === '"') {
      if (field !== "") throw new Error(`CSV: quote inside an unquoted field on line ${rows.length + 1}`);
      quoted = true;
    } else if (c === ",") {
      endField();
    } else if (c === "\n" || c === "\r") {
      endField();
      rows.push(row);
      row = [];
      if (c === "\r" && text[i + 1] === "\n") i += 1;
    } else {
      field += c;
    }
    i += 1;
  }
  if (quoted) throw new Error("CSV: a quoted field is not closed");
  if (field !== "" || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows;
}

export const Municipality = z.object({
  code: z.string().regex(/^GM\d{4}$/),
  name: z.string().min(1),
  /** Everyday name where it differs from the CBS name ("Den Haag" for "'s-Gravenhage"). */
  commonName: z.string().min(1).nullable(),
  province: z.string().min(1),
});
export type Municipality = z.infer<typeof Municipality>;

export function parseMunicipalities(csv: string): Municipality[] {
  const [header, ...rows] = parseCsv(csv);
  const expected = ["cbs_code", "name", "common_name", "province"];
  if (header?.join(",") !== expected.join(",")) throw new Error(`municipalities CSV: header must be ${expected.join(",")}`);
  return rows.map((r, i) => {
    const parsed = Municipality.safeParse({ code: r[0], name: r[1], commonName: r[2] || null, province: r[3] });
    if (!parsed.success || r.length !== expected.length) {
      throw new Error(`municipalities CSV line ${i + 2}: ${parsed.success ? `${r.length} fields` : z.prettifyError(parsed.error)}`);
    }
    return parsed.data;
  });
}

/** Looks municipalities up by CBS code, CBS name or (when only one municipality has it) everyday name. */
export class MunicipalityIndex {
  private readonly byCodeMap = new Map<string, Municipality>();
  private readonly byNameMap = new Map<string, Municipality>();
  /** Everyday names two municipalities share ("Bergen"): they name no municipality on their own. */
  private readonly ambiguous = new Set<string>();

  constructor(readonly all: readonly Municipality[]) {
    for (const m of all) {
      if (this.byCodeMap.has(m.code)) throw new Error(`municipality code ${m.code} appears twice`);
      this.byCodeMap.set(m.code, m);
      const key = normalizePlace(m.name);
      if (this.byNameMap.has(key)) throw new Error(`municipality name ${m.name} appears twice`);
      this.byNameMap.set(key, m);
    }
    const common = new Map<string, Municipality[]>();
    for (const m of all) {
      if (!m.commonName) continue;
      const key = normalizePlace(m.commonName);
      common.set(key, [...(common.get(key) ?? []), m]);
    }
    for (const [key, ms] of common) {
      const official = this.byNameMap.get(key);
      if (ms.length > 1 || (official && official !== ms[0])) this.ambiguous.add(key);
      else if (!official) this.byNameMap.set(key, ms[0]!);
    }
  }

  byCode(code: string): Municipality | undefined {
    return this.byCodeMap.get(code.trim().toUpperCase());
  }

  /** By CBS name or unambiguous everyday name, ignoring case, accents and punctuation. */
  byName(name: string): Municipality | undefined {
    return this.byNameMap.get(normalizePlace(name));
  }

  /** True only for the exact CBS name, as the catalogue and region files must use it. */
  isCbsName(name: string): boolean {
    return this.byNameMap.get(normalizePlace(name))?.name === name;
  }

  /** The names a municipality goes by: its CBS name plus its everyday name when that is unambiguous. */
  namesOf(name: string): string[] {
    const m = this.byName(name);
    if (!m) return [name];
    const everyday = m.commonName && !this.ambiguous.has(normalizePlace(m.commonName)) ? [m.commonName] : [];
    return [m.name, ...everyday];
  }
}

let municipalityIndexCache: MunicipalityIndex | undefined;

/** The 342 municipalities of data/municipalities-2025.csv (read once per process). */
export function loadMunicipalities(): MunicipalityIndex {
  municipalityIndexCache ??= new MunicipalityIndex(parseMunicipalities(readFileSync(new URL("municipalities-2025.csv", DATA_DIR), "utf8")));
  return municipalityIndexCache;
}

const RegionFile = z.object({
  regions: z.array(
    z.object({
      name: z.string().min(1),
      kind: z.enum(["krimp", "anticipeer"]),
      verified: z.boolean(),
      municipalities: z.array(z.object({ name: z.string().min(1), cbs_code: z.string().regex(/^GM\d{4}$/) })).min(1),
      aliases: z.array(z.string().min(1)).default([]),
      note: z.string().optional(),
    }),
  ),
});

export interface Region extends RegionDefinition {
  /** Whether the region's municipality list was confirmed by a source (see the data file's policy). */
  verified: boolean;
  aliases: string[];
  note: string | null;
}

let regionCache: Region[] | undefined;

/**
 * The krimp and anticipeer regions of data/krimp-anticipeer-regions.json, each municipality
 * checked against the CBS list by code and name (read once per process).
 */
export function loadRegions(): Region[] {
  if (regionCache) return regionCache;
  const file = RegionFile.parse(JSON.parse(readFileSync(new URL("krimp-anticipeer-regions.json", DATA_DIR), "utf8")));
  const index = loadMunicipalities();
  regionCache = file.regions.map((r) => {
    for (const m of r.municipalities) {
      const known = index.byCode(m.cbs_code);
      if (!known || known.name !== m.name) {
        throw new Error(`krimp-anticipeer-regions.json: ${r.name}: ${m.cbs_code} ${m.name} is not a 2025 municipality`);
      }
    }
    return { name: r.name, kind: r.kind, verified: r.verified, municipalities: r.municipalities.map((m) => m.name), aliases: r.aliases, note: r.note ?? null };
  });
  return regionCache;
}

/** The krimp and anticipeer regions a site serves, from its municipalities. */
export function siteRegions(site: { municipalities: string[] }, regions: RegionDefinition[] = loadRegions()): { krimp: string[]; anticipeer: string[] } {
  return regionsServed(site.municipalities, regions);
}
