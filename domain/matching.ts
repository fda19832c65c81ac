// Matching is decided by the eligibility engine (domain/eligibility.ts). This module keeps the
// names other modules import from here (regions, listing storage, tests).
export {
  bedroomsNeeded,
  decideMatch,
  deliveryFor,
  householdSize,
  normalizePlace,
  type FamilyFacts,
  type ListingFacts,
  type MatchDecision,
  type MatchReason,
} from "./eligibility.js";
