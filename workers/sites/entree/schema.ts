// Shapes of an Entree offer answer: an ASP.NET page method (or ASMX script service) that wraps its
// result in "d", with "__type" markers and dates as "/Date(<ms since 1970, UTC>)/".
import { z } from "zod";

export const EntreeSettings = z.object({
  /** Path of the offer method, POSTed with a JSON body ({}) as ASP.NET script services require. */
  /** null (not checked for this site) means the usual "/Aanbod.aspx/GetAanbod". */
  listPath: z
    .string()
    .startsWith("/")
    .nullish()
    .transform((path) => path ?? "/Aanbod.aspx/GetAanbod"),
});
export type EntreeSettings = z.infer<typeof EntreeSettings>;

/** A number that ASP.NET may also send as an invariant-culture string ("612.35"); "" is "not set". */
const decimal = z.union([
  z.number().finite(),
  z
    .string()
    .trim()
    .regex(/^(\d+(\.\d+)?)?$/)
    .transform((s) => (s === "" ? null : Number(s))),
]);

/** "/Date(1758700800000)/" or with an offset suffix "/Date(1758700800000+0200)/"; the number is UTC. */
export const AspNetDate = z.string().regex(/^\/Date\((-?\d{1,15})([+-]\d{4})?\)\/$/);

export const EntreeItem = z.looseObject({
  id: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]),
  straat: z.string().trim().min(1),
  huisnummer: z.union([z.number().int().nonnegative(), z.string()]),
  toevoeging: z.string().nullable(),
  postcode: z.string().nullable(),
  plaats: z.string().trim().min(1),
  gemeente: z.string().nullable(),
  kalehuur: decimal.nullable(),
  brutohuur: decimal.nullable(),
  slaapkamers: z.number().int().nonnegative().nullable(),
  oppervlakte: decimal.nullable(),
  /** The kind of unit in the corporation's words ("Eengezinswoning", "Galerijflat", "Garagebox"). */
  objecttype: z.string(),
  /** What the unit is for: "Woning", "Parkeren", "Bedrijfsruimte". */
  gebruik: z.string().trim().min(1),
  /** Allocation: "Inschrijfduur", "Loting", "Direct te huur", ... */
  toewijzing: z.string(),
  doelgroep: z.string().nullable(),
  publicatiedatum: AspNetDate.nullable(),
  einddatum: AspNetDate.nullable(),
  /** Root-relative link of the home's page. */
  url: z.string().min(1),
});
export type EntreeItem = z.infer<typeof EntreeItem>;

export const EntreeResponse = z.looseObject({
  d: z.looseObject({
    aanbod: z.array(EntreeItem),
    /** How many homes the offer has, when the method says so. */
    aantal: z.number().int().nonnegative().optional(),
  }),
});
