// A catalogue for farm tests: one site per platform (and the edge cases of placing homes), so the
// tests do not depend on what data/sites.json holds at the moment.
import type { FarmCatalogueSite } from "./server.js";

export const TEST_CATALOGUE: FarmCatalogueSite[] = [
  { id: "t-zig", platform: "zig", municipalities: ["Aalten", "Winterswijk"], settings: { detailPath: "/aanbod/te-huur/details/" } },
  {
    id: "t-aanbodapi",
    platform: "zig-aanbodapi",
    municipalities: ["Roosendaal", "Bergen op Zoom"],
    settings: { apiBaseUrl: "https://t-aanbodapi.zig365.nl", detailPath: "/aanbod/nu-te-huur/huurwoningen/details/" },
  },
  { id: "t-dak", platform: "dak", municipalities: ["Utrecht"], settings: { region: "utrecht", towns: { "De Meern": "Utrecht" } } },
  {
    id: "t-embrace",
    platform: "embrace",
    municipalities: ["Schiedam"],
    settings: { apiBaseUrl: "https://portal.mesh-router.embracecloud.nl", tenantId: "woonnetrijnmond" },
  },
  { id: "t-woonmatch", platform: "woonmatch", municipalities: ["Den Helder", "Hollands Kroon"], settings: { offerPath: null } },
  { id: "t-entree", platform: "entree", municipalities: ["Stadskanaal", "Veendam"], settings: { listPath: "/WebServices/Aanbod.asmx/Lijst" } },
  { id: "t-itris", platform: "itris", municipalities: ["Oost Gelre"], settings: { towns: { Groenlo: "Oost Gelre", Lichtenvoorde: "Oost Gelre" } } },
  { id: "t-friesland", platform: "zig", municipalities: [], regions: ["Fryslân"], settings: {} },
  { id: "t-nowhere", platform: "zig", municipalities: [], regions: ["West-Brabant"], settings: {} },
  { id: "t-unknown", platform: "unknown", municipalities: ["Groningen"], settings: {} },
];
