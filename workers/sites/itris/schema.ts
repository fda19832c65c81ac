// Shapes of an Itris corporation offer page (/woningaanbod/): one div.woningaanbod per home, its key
// facts in data attributes, the rest in marked-up children. The adapter first gathers each item's
// attribute and child values as strings under their selector, then this schema checks them, so a
// failure names the selector ("woningaanbod.3.data-prijs").
import { z } from "zod";

export const ItrisSettings = z.object({
  /** Path of the offer page; null (not checked for this site) means the usual "/woningaanbod/". */
  listPath: z
    .string()
    .startsWith("/")
    .nullish()
    .transform((path) => path ?? "/woningaanbod/"),
});
export type ItrisSettings = z.infer<typeof ItrisSettings>;

/** "689.12" (machine format in data attributes); "" when the corporation did not fill it in. */
const decimalAttr = z
  .string()
  .trim()
  .regex(/^(\d{1,6}(\.\d{1,2})?)?$/)
  .transform((s) => (s === "" ? null : Number(s)));

const countAttr = z
  .string()
  .trim()
  .regex(/^(\d{1,2})?$/)
  .transform((s) => (s === "" ? null : Number(s)));

/** <time datetime="2026-09-28T20:00">: Amsterdam wall-clock time, as the page shows it. */
const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/);

/** "92 m²", "92,5 m2" */
const area = z
  .string()
  .trim()
  .regex(/^\d{1,4}([.,]\d{1,2})?\s*m(²|2)$/)
  .transform((s) => Number(s.replace(/\s*m(²|2)$/, "").replace(",", ".")));

export const ItrisItem = z.object({
  "data-aanbod-id": z.string().regex(/^\d{1,12}$/),
  "data-plaats": z.string().trim().min(1),
  /** Kale huur (net rent). */
  "data-prijs": decimalAttr,
  /** Rooms including the living room, as Dutch ads count them. */
  "data-kamers": countAttr,
  ".woningaanbod__adres": z.string().trim().min(1),
  ".woningaanbod__link[href]": z.string().min(1),
  ".postcode": z.string().optional(),
  "li.type": z.string().trim().min(1),
  "li.oppervlakte": area.optional(),
  "li.model": z.string().optional(),
  "li.doelgroep": z.string().optional(),
  ".woningaanbod__reageren time[datetime]": localDateTime.optional(),
  ".woningaanbod__gepubliceerd time[datetime]": localDateTime.optional(),
});
export type ItrisItem = z.infer<typeof ItrisItem>;
