// The router of platform adapters: each site in the catalogue names its platform, and the scrape
// processor looks the adapter up here.
import { dakAdapter } from "./dak/adapter.js";
import { embraceAdapter } from "./embrace/adapter.js";
import { entreeAdapter } from "./entree/adapter.js";
import { itrisAdapter } from "./itris/adapter.js";
import { PLATFORMS, type Platform, type SiteAdapter } from "./types.js";
import { woonmatchAdapter } from "./woonmatch/adapter.js";
import { zigAdapter } from "./zig/adapter.js";
import { zigAanbodApiAdapter } from "./zig-aanbodapi/adapter.js";

// `any`: each adapter has its own settings type, validated by its settingsSchema at the call.
export const adapters: Record<Platform, SiteAdapter<any>> = {
  zig: zigAdapter,
  "zig-aanbodapi": zigAanbodApiAdapter,
  dak: dakAdapter,
  embrace: embraceAdapter,
  woonmatch: woonmatchAdapter,
  entree: entreeAdapter,
  itris: itrisAdapter,
};

function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}

export function adapterFor(platform: string): SiteAdapter {
  if (!isPlatform(platform)) {
    throw new Error(`no site adapter for platform ${JSON.stringify(platform)}; known platforms: ${PLATFORMS.join(", ")}`);
  }
  return adapters[platform];
}
