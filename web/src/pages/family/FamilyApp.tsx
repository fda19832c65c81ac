// The family's side of the app: signing in with a code (/login/family) and its own page (/me).
// Its own shell: no staff menu, the family's seven languages, and a family session (a code from
// its message), never a staff one.
import { Grid, Page, PageFooter, PageHeader, Paragraph, SkipLink } from "@amsterdam/design-system-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { familyApi, type FamilyUser } from "../../familyApi";
import { FamilyI18nProvider, isFamilyLang, useFamilyI18n, type FamilyKey } from "../../familyI18n";
import { navigate, type FamilyRoute } from "../../router";
import { FamilyHome } from "./FamilyHome";
import { FamilyLogin } from "./FamilyLogin";
import { LanguageSwitch } from "./LanguageSwitch";
import "./family.css";

type Session = { state: "loading" } | { state: "signedOut"; notice: FamilyKey | null } | { state: "signedIn"; family: FamilyUser };

export function FamilyApp({ route }: { route: FamilyRoute }) {
  return (
    <FamilyI18nProvider>
      <FamilyShell route={route} />
    </FamilyI18nProvider>
  );
}

function FamilyShell({ route }: { route: FamilyRoute }) {
  const { t, chosen, setLang } = useFamilyI18n();
  // A link from the message signs in by itself: no need to ask who is signed in first.
  const [session, setSession] = useState<Session>(route.name === "familyLogin" && route.code ? { state: "signedOut", notice: null } : { state: "loading" });

  useEffect(() => {
    if (session.state !== "loading") return;
    let live = true;
    void familyApi.me().then((family) => {
      if (!live) return;
      setSession(family ? { state: "signedIn", family } : { state: "signedOut", notice: route.name === "familyHome" ? "app.notSignedIn" : null });
    });
    return () => {
      live = false;
    };
  }, [session.state, route.name]);

  // Signed in: the family's page; signed out: the sign-in page.
  useEffect(() => {
    if (session.state === "signedIn" && route.name === "familyLogin") navigate("/me", true);
    if (session.state === "signedOut" && route.name === "familyHome") navigate("/login/family", true);
  }, [session.state, route.name]);

  const signedIn = useCallback(
    (family: FamilyUser) => {
      // The family's messages come in its language; the pages follow, unless this device chose one.
      if (!chosen && isFamilyLang(family.language)) setLang(family.language, { remember: false });
      setSession({ state: "signedIn", family });
    },
    [chosen, setLang],
  );
  const signOut = async () => {
    await familyApi.signOut();
    setSession({ state: "signedOut", notice: "app.signedOut" });
    navigate("/login/family", true);
  };
  const signedOut = useCallback(() => {
    setSession({ state: "signedOut", notice: "app.notSignedIn" });
    navigate("/login/family", true);
  }, []);

  // Move focus to the new page's heading, so screen readers hear the page change.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const h1 = document.querySelector<HTMLElement>("main h1");
    if (h1) {
      h1.tabIndex = -1;
      h1.focus();
    }
    window.scrollTo(0, 0);
  }, [route.name]);

  const family = session.state === "signedIn" ? session.family : null;
  return (
    <>
      <SkipLink href="#main">{t("app.skip")}</SkipLink>
      <Page>
        <PageHeader
          brandName="Eldersthuis"
          logoLink={family ? "/me" : "/login/family"}
          logoLinkTitle={t("app.logoTitle")}
          navigationLabel={t("app.menu")}
          menuItems={
            family && (
              <PageHeader.MenuLink linkComponent="button" type="button" onClick={() => void signOut()} fixed>
                {t("app.signOut")}
              </PageHeader.MenuLink>
            )
          }
        />
        <main id="main" tabIndex={-1}>
          <Grid paddingTop="large" paddingBottom="2x-large">
            <Grid.Cell span="all" className="eh-family">
              <LanguageSwitch />
              {session.state === "loading" ? (
                <Paragraph role="status">{t("app.loading")}</Paragraph>
              ) : family && route.name === "familyHome" ? (
                <FamilyHome family={family} onSignedOut={signedOut} />
              ) : family ? (
                <Paragraph role="status">{t("app.loading")}</Paragraph>
              ) : (
                <FamilyLogin code={route.name === "familyLogin" ? route.code : null} notice={session.state === "signedOut" ? session.notice : null} onSignedIn={signedIn} />
              )}
            </Grid.Cell>
          </Grid>
        </main>
        <PageFooter>
          <PageFooter.Spotlight>
            <Grid paddingVertical="large">
              <Grid.Cell span="all">
                <Paragraph color="inverse">{t("app.footer")}</Paragraph>
              </Grid.Cell>
            </Grid>
          </PageFooter.Spotlight>
        </PageFooter>
      </Page>
    </>
  );
}
