// Shapes of a Woonmatch offer page (Woonmatch Kop van Noord-Holland, Woonmatch Waterland): a Next.js
// page whose server-rendered data sits in <script id="__NEXT_DATA__"> as props.pageProps.houses[].
// Strict about the fields the adapter reads, loose about the rest (Next.js adds build fields).
import { z } from "zod";

export const WoonmatchSettings = z.object({
  /** Path of the offer page on the site; null (not checked for this site) means the usual "/aanbod". */
  offerPath: z
    .string()
    .startsWith("/")
    .nullish()
    .transform((path) => path ?? "/aanbod"),
});
export type WoonmatchSettings = z.infer<typeof WoonmatchSettings>;

/** An instant with its offset ("2026-09-29T23:59:00+02:00" or "...Z"); without one it would be read in our own zone. */
const instant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/);

const amount = z.number().finite().nonnegative();

export const WoonmatchHouse = z.looseObject({
  id: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]),
  street: z.string().trim().min(1),
  houseNumber: z.union([z.number().int().nonnegative(), z.string()]),
  houseNumberAddition: z.string().nullable(),
  postalCode: z.string().nullable(),
  city: z.string().trim().min(1),
  municipality: z.string().nullable(),
  /** Kale huur (net rent). */
  rent: amount.nullable(),
  totalRent: amount.nullable(),
  bedrooms: z.number().int().nonnegative().nullable(),
  area: amount.nullable(),
  /** The site's own word for the dwelling ("Eengezinswoning", "Garagebox"). */
  type: z.string(),
  /** Allocation: "Punten", "Loting", "Direct te huur", ... */
  model: z.string(),
  targetGroups: z.array(z.string()),
  publishedAt: instant.nullable(),
  closingAt: instant.nullable(),
  /** Root-relative link of the home's page ("/aanbod/48213-middenweg-112-den-helder"). */
  url: z.string().min(1),
});
export type WoonmatchHouse = z.infer<typeof WoonmatchHouse>;

export const WoonmatchNextData = z.looseObject({
  props: z.looseObject({
    pageProps: z.looseObject({
      houses: z.array(WoonmatchHouse),
      /** How many homes the offer has; the page lists them all at once. */
      total: z.number().int().nonnegative(),
    }),
  }),
});
