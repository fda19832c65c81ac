// Regions as sets of municipalities, and the shelter's registration rule: WoningNet Stadsregio
// Amsterdam plus at least three housing sites in krimpregio's.
import { describe, expect, it } from "vitest";
import { registrationRequirement, regionsServed, type RegionDefinition, type RequirementSite } from "../../domain/regions.js";

const REGIONS: RegionDefinition[] = [
  { name: "Achterhoek", kind: "krimp", municipalities: ["Aalten", "Winterswijk"] },
  { name: "Zeeuws-Vlaanderen", kind: "krimp", municipalities: ["Hulst", "Sluis", "Terneuzen"] },
  { name: "Walcheren", kind: "anticipeer", municipalities: ["Middelburg (Z.)", "Vlissingen"] },
];

describe("regionsServed", () => {
  it("names every region with at least one of the site's municipalities, by kind", () => {
    expect(regionsServed(["Terneuzen", "Vlissingen", "Goes"], REGIONS)).toEqual({ krimp: ["Zeeuws-Vlaanderen"], anticipeer: ["Walcheren"] });
    expect(regionsServed(["Winterswijk"], REGIONS)).toEqual({ krimp: ["Achterhoek"], anticipeer: [] });
  });

  it("serves no region without municipalities, and compares names loosely", () => {
    expect(regionsServed([], REGIONS)).toEqual({ krimp: [], anticipeer: [] });
    expect(regionsServed(["middelburg (z)"], REGIONS).anticipeer).toEqual(["Walcheren"]);
  });
});

const SITES: RequirementSite[] = [
  { id: "woningnet-amsterdam", platform: "dak", host: "amsterdam.mijndak.nl", krimpRegions: [] },
  { id: "woningnet-utrecht", platform: "dak", host: "utrecht.mijndak.nl", krimpRegions: [] },
  { id: "thuis-in-de-achterhoek", platform: "zig", host: "www.thuisindeachterhoek.nl", krimpRegions: ["Achterhoek"] },
  { id: "thuis-in-limburg", platform: "zig", host: "www.thuisinlimburg.nl", krimpRegions: ["Parkstad Limburg", "Maastricht-Heuvelland"] },
  { id: "zuidwestwonen", platform: "zig", host: "www.zuidwestwonen.nl", krimpRegions: ["Zeeuws-Vlaanderen"] },
  { id: "thus-wonen", platform: "unknown", host: "thuswonen.nl", krimpRegions: ["Noordoost-Fryslân"] },
  { id: "wonen-in-de-kop", platform: "zig", host: "www.wonenindekop.nl", krimpRegions: [] },
];
const reg = (...ids: string[]) => ids.map((siteId) => ({ siteId }));

describe("registrationRequirement", () => {
  it("is met with WoningNet Amsterdam and three krimp sites", () => {
    expect(registrationRequirement(reg("thuis-in-de-achterhoek", "woningnet-amsterdam", "zuidwestwonen", "thus-wonen"), SITES)).toEqual({
      woningnet: true,
      krimpSites: ["thuis-in-de-achterhoek", "zuidwestwonen", "thus-wonen"],
      met: true,
    });
  });

  it("is not met with only two krimp sites, and anticipeer-only sites do not count", () => {
    const r = registrationRequirement(reg("woningnet-amsterdam", "thuis-in-limburg", "zuidwestwonen", "wonen-in-de-kop"), SITES);
    expect(r).toEqual({ woningnet: true, krimpSites: ["thuis-in-limburg", "zuidwestwonen"], met: false });
  });

  it("needs WoningNet Stadsregio Amsterdam, not another WoningNet region", () => {
    const r = registrationRequirement(reg("woningnet-utrecht", "thuis-in-de-achterhoek", "thuis-in-limburg", "zuidwestwonen"), SITES);
    expect(r).toEqual({ woningnet: false, krimpSites: ["thuis-in-de-achterhoek", "thuis-in-limburg", "zuidwestwonen"], met: false });
  });

  it("counts a site once, and ignores registrations at sites it does not know", () => {
    const r = registrationRequirement(reg("woningnet-amsterdam", "zuidwestwonen", "zuidwestwonen", "gone", "thuis-in-limburg"), SITES);
    expect(r).toEqual({ woningnet: true, krimpSites: ["zuidwestwonen", "thuis-in-limburg"], met: false });
  });

  it("is not met without registrations", () => {
    expect(registrationRequirement([], SITES)).toEqual({ woningnet: false, krimpSites: [], met: false });
  });
});
