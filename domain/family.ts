// Family facts shared by server and workers. Minimal by design: a pseudonymous name, a language,
// contact channels, household composition (birth years, never full dates of birth). No BSN, no
// diagnoses.

/** Languages families may choose; messages fall back to Dutch until a translation exists. */
export const LANGUAGES_ALL = ["nl", "en", "ar", "tr", "fr", "es", "pt"] as const;
export type FamilyLanguage = (typeof LANGUAGES_ALL)[number];
