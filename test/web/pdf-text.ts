// The text of a PDF as Chromium (Skia) writes it, for checking a printed report's contents in tests.
// No PDF library is installed and pdftotext may be missing, so this reads just what Skia produces:
// plain PDF objects (no object streams), Flate-compressed content streams, Type0 fonts with
// Identity-H encoding and a ToUnicode CMap, text shown with Tj/TJ and hex strings. Anything else
// throws, so a change in Chromium's output fails the test loudly rather than passing emptily.
import { inflateSync } from "node:zlib";

interface PdfObject {
  dict: string;
  stream: Buffer | null;
}

function parseObjects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString("latin1");
  if (/\/Type\s*\/ObjStm/.test(text)) throw new Error("pdf-text: object streams are not supported");
  const objects = new Map<number, PdfObject>();
  const re = /(\d+) 0 obj\b/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const start = m.index + m[0].length;
    const end = text.indexOf("endobj", start);
    if (end < 0) throw new Error(`pdf-text: object ${m[1]} has no end`);
    const body = text.slice(start, end);
    const streamAt = body.search(/\bstream\r?\n/);
    let dict = body;
    let stream: Buffer | null = null;
    if (streamAt >= 0) {
      dict = body.slice(0, streamAt);
      const dataStart = start + streamAt + body.slice(streamAt).match(/^stream\r?\n/)![0].length;
      const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
      const dataEnd = length ? dataStart + Number(length[1]) : text.indexOf("endstream", dataStart);
      const raw = pdf.subarray(dataStart, dataEnd);
      stream = /\/Filter\s*\/FlateDecode/.test(dict) ? inflateSync(raw) : raw;
    }
    objects.set(Number(m[1]), { dict, stream });
    re.lastIndex = end;
  }
  return objects;
}

function utf16be(hex: string): string {
  let s = "";
  for (let i = 0; i + 4 <= hex.length; i += 4) s += String.fromCharCode(parseInt(hex.slice(i, i + 4), 16));
  return s;
}

/** ToUnicode CMap: glyph code (hex) → text. */
function parseCMap(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const pair of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) map.set(parseInt(pair[1]!, 16), utf16be(pair[2]!));
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const r of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]+>|\[[^\]]*\])/g)) {
      const lo = parseInt(r[1]!, 16);
      const hi = parseInt(r[2]!, 16);
      if (r[3]!.startsWith("[")) {
        const targets = [...r[3]!.matchAll(/<([0-9a-fA-F]+)>/g)].map((x) => utf16be(x[1]!));
        for (let c = lo; c <= hi; c++) map.set(c, targets[c - lo] ?? "");
      } else {
        const base = r[3]!.slice(1, -1);
        const first = parseInt(base, 16);
        for (let c = lo; c <= hi; c++) map.set(c, utf16be((first + c - lo).toString(16).padStart(base.length, "0")));
      }
    }
  }
  return map;
}

const ref = (dict: string, key: string) => {
  const m = new RegExp(`/${key}\\s+(\\d+)\\s+0\\s+R`).exec(dict);
  return m ? Number(m[1]) : null;
};

/** The text of every page, in order, one string per page; lines end with "\n". */
export function pdfText(pdf: Buffer): string[] {
  if (pdf.subarray(0, 5).toString("latin1") !== "%PDF-") throw new Error("pdf-text: not a PDF");
  const objects = parseObjects(pdf);
  const get = (n: number) => {
    const o = objects.get(n);
    if (!o) throw new Error(`pdf-text: object ${n} missing`);
    return o;
  };
  const cmaps = new Map<number, Map<number, string>>();
  const fontMap = (fontObj: number) => {
    if (!cmaps.has(fontObj)) {
      const font = get(fontObj);
      const toUnicode = ref(font.dict, "ToUnicode");
      if (toUnicode === null) throw new Error(`pdf-text: font ${fontObj} has no ToUnicode map`);
      if (!/\/Identity-H/.test(font.dict)) throw new Error(`pdf-text: font ${fontObj} is not Identity-H`);
      cmaps.set(fontObj, parseCMap(get(toUnicode).stream!.toString("latin1")));
    }
    return cmaps.get(fontObj)!;
  };

  // Pages in document order: walk the page tree from the catalog.
  const catalog = [...objects.values()].find((o) => /\/Type\s*\/Catalog/.test(o.dict));
  if (!catalog) throw new Error("pdf-text: no catalog");
  const pages: number[] = [];
  const walk = (n: number) => {
    const o = get(n);
    if (/\/Type\s*\/Pages/.test(o.dict)) {
      for (const kid of o.dict.match(/\/Kids\s*\[([^\]]*)\]/)![1]!.matchAll(/(\d+)\s+0\s+R/g)) walk(Number(kid[1]));
    } else pages.push(n);
  };
  walk(ref(catalog.dict, "Pages")!);

  return pages.map((n) => {
    const page = get(n);
    const resourcesRef = ref(page.dict, "Resources");
    const resources = resourcesRef !== null ? get(resourcesRef).dict : page.dict;
    const fontDictRef = ref(resources, "Font");
    const fontDict = fontDictRef !== null ? get(fontDictRef).dict : (/\/Font\s*<<([\s\S]*?)>>/.exec(resources)?.[1] ?? "");
    const fonts = new Map([...fontDict.matchAll(/\/(\w+)\s+(\d+)\s+0\s+R/g)].map((f) => [f[1]!, Number(f[2])]));
    const contents = /\/Contents\s*\[([^\]]*)\]/.exec(page.dict)?.[1] ?? `${ref(page.dict, "Contents")} 0 R`;
    const content = [...contents.matchAll(/(\d+)\s+0\s+R/g)].map((c) => get(Number(c[1])).stream!.toString("latin1")).join("\n");

    let out = "";
    let font: Map<number, string> | null = null;
    let lastY: number | null = null;
    const show = (hex: string) => {
      if (!font) throw new Error("pdf-text: text shown before a font was set");
      for (let i = 0; i + 4 <= hex.length; i += 4) out += font.get(parseInt(hex.slice(i, i + 4), 16)) ?? "";
    };
    const moveTo = (y: number) => {
      if (lastY !== null && Math.abs(y - lastY) > 0.5) out += "\n";
      else if (out && !/\s$/.test(out)) out += " ";
      lastY = y;
    };
    const tokens = content.matchAll(/\[(?:[^\]]*)\]\s*TJ|<[0-9a-fA-F]*>\s*Tj|\/(\w+)\s+[\d.]+\s+Tf|([-\d.]+)\s+([-\d.]+)\s+Td|(?:[-\d.]+\s+){5}([-\d.]+)\s+Tm|\bET\b/g);
    for (const t of tokens) {
      const s = t[0];
      if (s.endsWith("Tf")) font = fontMap(fonts.get(t[1]!) ?? Number.NaN);
      else if (s.endsWith("Td")) moveTo((lastY ?? 0) + Number(t[3]));
      else if (s.endsWith("Tm")) moveTo(Number(t[4]));
      else if (s === "ET") continue;
      else if (s.endsWith("Tj")) show(s.slice(s.indexOf("<") + 1, s.indexOf(">")));
      else {
        // TJ: strings with kerning numbers between them; a large gap is a space.
        for (const part of s.slice(1, s.lastIndexOf("]")).matchAll(/<([0-9a-fA-F]*)>|(-?[\d.]+)/g)) {
          if (part[1] !== undefined) show(part[1]);
          else if (Number(part[2]) < -200) out += " ";
        }
      }
    }
    return `${out}\n`;
  });
}

/** Whitespace-insensitive containment: PDF text positioning decides where spaces fall. */
export function squash(s: string): string {
  return s.replace(/\s+/g, "");
}
