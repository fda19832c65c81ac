// The router of platform adapters: each site in the catalogue names its platform, and the scrape
// processor looks the adapter up here.
import { dakAdapter } from "./dak/adapter.js";
import { embraceAdapter } from "./embrace/adapter.js";
import { PLATFORMS, type Platform, type SiteAdapter } from "./types.js";
import { zigAdapter } from "./zig/adapter.js";

// `any`: each adapter has its own settings type, validated by its settingsSchema at the call.
export const adapters: Record<Platform, SiteAdapter<any>> = {
  zig: zigAdapter,
  dak: dakAdapter,
  embrace: embraceAdapter,
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
