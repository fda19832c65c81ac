// Shapes of Zig's newer offer API ({tenant}-aanbodapi.zig365.nl). Its objects are the portal's
// getallobjects objects, so the object schema is Zig's own; only the paged envelope is new.
import { z } from "zod";
import { ZigObject } from "../zig/schema.js";

export const ZigAanbodApiSettings = z.object({
  /** The API origin; real tenants use "https://{tenant}-aanbodapi.zig365.nl". */
  apiBaseUrl: z.url().transform((url) => url.replace(/\/+$/, "")),
  /** Path of a listing page on the tenant's portal (the site's baseUrl); the object's urlKey is appended. */
  detailPath: z.string().startsWith("/").default("/aanbod/te-huur/details/"),
  /** Objects per page; the portal's own front end asks for 60. */
  pageSize: z.number().int().min(1).max(200).default(60),
});
export type ZigAanbodApiSettings = z.infer<typeof ZigAanbodApiSettings>;

export const ZigAanbodApiMetadata = z.looseObject({ page_count: z.number().int().nonnegative() });

/** POST /api/v1/actueel-aanbod?page=<n>&limit=<size> with body {} */
export const ZigAanbodApiPage = z.looseObject({
  data: z.array(ZigObject),
  _metadata: ZigAanbodApiMetadata,
});

/** Only the paging, read by fetch before parse validates the objects. */
export const ZigAanbodApiPaging = z.looseObject({ data: z.array(z.unknown()), _metadata: ZigAanbodApiMetadata });
