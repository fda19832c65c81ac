// Shapes of the Zig Websoftware ("Hexia") portal API. Strict about the fields the adapter reads, loose
// about the rest: Zig adds fields per tenant and per release, and only a change in what we read is drift.
import { z } from "zod";

export const ZigSettings = z.object({
  /** Path of a listing page on the portal; the object's urlKey is appended. */
  detailPath: z.string().startsWith("/").default("/aanbod/te-huur/details/"),
  /** Some tenants serve several offers from one endpoint ("rent", "koop"); absent means the default offer. */
  configurationKey: z.string().min(1).optional(),
});
export type ZigSettings = z.infer<typeof ZigSettings>;

/** A number that some tenants send as a string ("932.93"). */
const decimal = z.union([z.number().finite(), z.string().trim().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

const named = z.looseObject({ name: z.string().nullable() });

/** One object of getallobjects (and the richer `result` of getobject). */
export const ZigObject = z.looseObject({
  id: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]),
  urlKey: z.string().min(1),
  street: z.string().min(1),
  houseNumber: z.union([z.string(), z.number().int()]),
  houseNumberAddition: z.string().nullable(),
  postalcode: z.string().nullable(),
  municipality: named.nullable(),
  city: z.looseObject({ name: z.string().min(1) }),
  netRent: decimal.nullable(),
  totalRent: decimal.nullable(),
  // "3"; "" when the corporation did not fill it in.
  sleepingRoom: z
    .looseObject({ amountOfRooms: z.union([z.string().regex(/^\d*$/), z.number().int().nonnegative()]).nullable() })
    .nullable(),
  areaDwelling: decimal.nullable(),
  dwellingType: z.looseObject({ categorie: z.string(), localizedName: z.string().nullable() }),
  model: z.looseObject({
    modelCategorie: z.looseObject({ code: z.string().min(1) }),
    advertentieSluitenNaEersteReactie: z.boolean(),
    isHospiteren: z.boolean().optional(),
  }),
  publicationDate: z.string(),
  closingDate: z.string(),
  doelgroepen: z.array(z.looseObject({ code: z.string() })),
  inschrijvingVereistVoorReageren: z.boolean().nullable(),
  isWoningruil: z.boolean(),
  // Eligibility: only getobject (the detail) carries these; 0 means "no limit".
  minimumIncome: decimal.nullable().optional(),
  maximumIncome: decimal.nullable().optional(),
  minimumHouseholdSize: decimal.nullable().optional(),
  maximumHouseholdSize: decimal.nullable().optional(),
  minimumAge: decimal.nullable().optional(),
  maximumAge: decimal.nullable().optional(),
});
export type ZigObject = z.infer<typeof ZigObject>;

/** POST /portal/object/frontend/getallobjects/format/json */
export const ZigListResponse = z.looseObject({ result: z.array(ZigObject) });

/** POST /portal/object/frontend/getobject/format/json (form body id=<id>) */
export const ZigDetailResponse = z.looseObject({ result: ZigObject });
