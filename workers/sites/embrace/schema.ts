// Shapes of the Embrace Cloud GraphQL gateway (Woonnet Rijnmond). Every field our query asks for must be
// present (a missing key means the schema changed); null is accepted where GraphQL may legitimately send it.
import { z } from "zod";

export const EmbraceSettings = z.object({
  /** The gateway origin; real portals use "https://portal.mesh-router.embracecloud.nl". */
  apiBaseUrl: z.url().transform((url) => url.replace(/\/+$/, "")),
  /** `tenantName` from the portal's /base/config.json, e.g. "woonnetrijnmond". */
  tenantId: z.string().min(1),
  /** `portalId` from the portal's /base/config.json; read from there at each scrape when not set. */
  portalId: z.string().min(1).optional(),
  /** Path of a publication page on the portal; the unit slug is appended. */
  detailPath: z.string().startsWith("/").default("/aanbod/nu-te-huur/huurwoningen/details/"),
  pageSize: z.number().int().min(1).max(200).default(50),
});
export type EmbraceSettings = z.infer<typeof EmbraceSettings>;

const exact = z.looseObject({ exact: z.number().finite().nullable() });

const connectionOf = <T extends z.ZodType>(node: T) =>
  z.looseObject({ edges: z.array(z.looseObject({ node })) });

export const EmbracePublication = z.looseObject({
  id: z.string().min(1),
  startTime: z.string().nullable(),
  stopTime: z.string().nullable(),
  allocationProcess: z.looseObject({ name: z.string(), applicationMethod: z.string().nullable() }).nullable(),
  unit: z.looseObject({
    slug: z.looseObject({ value: z.string().min(1) }),
    unitUsageType: z.string().nullable(),
    suitability: z.string().nullable(),
    basicRent: exact.nullable(),
    grossRent: exact.nullable(),
    location: z.looseObject({
      id: z.string().nullable(),
      addressLine1: z.string().min(1),
      addressLine2: z.string().min(1),
    }),
    types: connectionOf(z.looseObject({ name: z.string().nullable() })).nullable(),
    // Surfaces in millionths of a square metre (68500000 is 68.5 m²).
    dimensions: connectionOf(z.looseObject({ area: z.string(), surfaceArea: z.number().nullable() })).nullable(),
    numberOfBedrooms: exact.nullable(),
  }),
});
export type EmbracePublication = z.infer<typeof EmbracePublication>;

export const EmbracePageInfo = z.looseObject({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });

/** A GraphQL error entry; `extensions.code` is where gateways put UNAUTHENTICATED and the like. */
export const GraphQlError = z.looseObject({
  message: z.string().optional(),
  extensions: z.looseObject({ code: z.string().optional() }).nullable().optional(),
});

export const EmbraceErrorsEnvelope = z.looseObject({ errors: z.array(GraphQlError).optional() });

export const EmbracePublicationsResponse = z.looseObject({
  data: z.looseObject({
    housingPublications: z.looseObject({
      nodes: z.looseObject({
        pageInfo: EmbracePageInfo,
        edges: z.array(z.looseObject({ node: EmbracePublication })),
      }),
    }),
  }),
});
