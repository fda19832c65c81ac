// The family's language, one tap away on every family page: each language named in itself (and
// marked as that language, so a screen reader says it right).
import { FAMILY_LANGS, LANG_NAMES, dirOf, useFamilyI18n } from "../../familyI18n";

export function LanguageSwitch() {
  const { t, lang, setLang } = useFamilyI18n();
  return (
    <nav className="eh-langs" aria-label={t("app.language")}>
      <ul>
        {FAMILY_LANGS.map((l) => (
          <li key={l}>
            <button type="button" lang={l} dir={dirOf(l)} aria-pressed={l === lang} onClick={() => setLang(l)}>
              {LANG_NAMES[l]}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
