// Shapes of WoningNet DAK's (OutSystems) offer data action. OutSystems serializes decimals as strings
// ("713.02") and integers as numbers or strings, so every number here accepts both.
import { z } from "zod";

export const DakSettings = z.object({
  /** The mijndak.nl region, e.g. "amsterdam" (the host's first label). */
  region: z.string().min(1),
});
export type DakSettings = z.infer<typeof DakSettings>;

/** A number sent as a number or as a decimal string; "" is 0, as OutSystems uses for "not set". */
const numeric = z.union([
  z.number().finite(),
  z
    .string()
    .trim()
    .regex(/^(-?\d+(\.\d+)?)?$/)
    .transform((s) => (s === "" ? 0 : Number(s))),
]);

const DakAddress = z.looseObject({
  Straatnaam: z.string(),
  Huisnummer: z.union([z.number().int().nonnegative(), z.string()]),
  Huisletter: z.string(),
  HuisnummerToevoeging: z.string(),
  Postcode: z.string(),
  Woonplaats: z.string(),
});

const DakUnit = z.looseObject({
  DetailSoort: z.string(),
  AantalKamers: numeric,
  TotaleOppervlakte: numeric,
  WoonVertrekkenTotOpp: numeric,
  Doelgroep: z.string(),
  NettoHuurBekend: z.boolean(),
  NettoHuur: numeric,
  BrutoHuurBekend: z.boolean(),
  Brutohuur: numeric,
});

/** A cluster publication offers several similar units; its figures are ranges. */
const DakCluster = z.looseObject({
  DetailSoort: z.string(),
  Doelgroep: z.string(),
  PrijsMinBekend: z.boolean(),
  PrijsMin: numeric,
  WoonOppervlakteMinBekend: z.boolean(),
  WoonVertrekkenTotOppMin: numeric,
  AantalKamersMin: numeric,
});

export const DakPublication = z.looseObject({
  Id: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]),
  PublicatieDatum: z.string(),
  EinddatumTijd: z.string(),
  PublicatieModel: z.string(),
  PublicatieLabel: z.string(),
  EenheidSoort: z.string(),
  IsCluster: z.boolean(),
  Adres: DakAddress,
  Eenheid: DakUnit,
  Cluster: DakCluster,
});
export type DakPublication = z.infer<typeof DakPublication>;

/** The JSON answer of DataActionHaalUitgelogdAanbod. */
export const DakOfferResponse = z.looseObject({
  data: z.looseObject({
    PublicatieLijst: z.looseObject({ List: z.array(DakPublication) }),
    Result: z.looseObject({ IsSuccess: z.boolean(), ErrorMessage: z.string().optional() }).optional(),
  }),
});
