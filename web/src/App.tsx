// The app shell: who is signed in, the City-style header and footer, and the page for the route.
import { Grid, Page, PageFooter, PageHeader, SkipLink } from "@amsterdam/design-system-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { api, ApiError, setCsrfToken, type StaffUser } from "./api";
import { useI18n } from "./i18n";
import { Caseload } from "./pages/Caseload";
import { EvaluationEditor } from "./pages/EvaluationEditor";
import { FamilyPage } from "./pages/Family";
import { NotFound } from "./pages/NotFound";
import { Operators } from "./pages/Operators";
import { SavedEvaluationPage } from "./pages/SavedEvaluation";
import { SharedEvaluations } from "./pages/SharedEvaluations";
import { SignIn, type PendingStep } from "./pages/SignIn";
import { FamilyApp } from "./pages/family/FamilyApp";
import { isFamilyRoute, navigate, onInternalClick, parseRoute, useLocation, type Route } from "./router";

type Session = { state: "loading" } | { state: "signedOut"; pending: PendingStep | null } | { state: "signedIn"; user: StaffUser };

/** Families' pages (/login/family, /me) have their own shell and session; everything else is staff's. */
export function App() {
  const loc = useLocation();
  const route = parseRoute(loc.pathname, loc.search);
  return isFamilyRoute(route) ? <FamilyApp route={route} /> : <StaffApp />;
}

function StaffApp() {
  const { t, lang, setLang } = useI18n();
  const loc = useLocation();
  const route = parseRoute(loc.pathname, loc.search);
  const [session, setSession] = useState<Session>({ state: "loading" });

  useEffect(() => {
    api.get<{ user?: StaffUser }>("/api/auth/me").then(
      (r) => setSession(r.user ? { state: "signedIn", user: r.user } : { state: "signedOut", pending: null }),
      (err: unknown) => {
        const pending = err instanceof ApiError && err.code === "second_factor_required" ? (/set up/.test(err.message) ? "enrol" : "totp") : null;
        setSession({ state: "signedOut", pending });
      },
    );
  }, []);

  // Pages need a signed-in staff member; the sign-in page returns to where they were going.
  useEffect(() => {
    if (session.state === "signedOut" && route.name !== "signIn") {
      navigate(`/login?next=${encodeURIComponent(loc.pathname + loc.search)}`, true);
    }
    if (session.state === "signedIn" && route.name === "signIn") navigate(route.next ?? "/", true);
  }, [session.state, route, loc.pathname, loc.search]);

  const signedIn = useCallback((user: StaffUser) => setSession({ state: "signedIn", user }), []);
  const signOut = async () => {
    await api.post("/api/auth/logout").catch(() => undefined);
    setCsrfToken(null);
    setSession({ state: "signedOut", pending: null });
    navigate("/login", true);
  };

  const user = session.state === "signedIn" ? session.user : null;
  const menu = (
    <>
      {user && user.role !== "evaluator" && (
        <PageHeader.MenuLink href="/" onClick={(e) => onInternalClick(e, "/")} aria-current={route.name === "caseload" ? "page" : undefined}>
          {t("nav.caseload")}
        </PageHeader.MenuLink>
      )}
      {user && user.role === "evaluator" && (
        <PageHeader.MenuLink href="/shared" onClick={(e) => onInternalClick(e, "/shared")} aria-current={route.name === "shared" ? "page" : undefined}>
          {t("nav.shared")}
        </PageHeader.MenuLink>
      )}
      {user && user.role === "admin" && (
        <PageHeader.MenuLink href="/operators" onClick={(e) => onInternalClick(e, "/operators")} aria-current={route.name === "operators" ? "page" : undefined}>
          {t("nav.operators")}
        </PageHeader.MenuLink>
      )}
      <PageHeader.MenuLink linkComponent="button" type="button" lang={t("app.switchToLang")} onClick={() => setLang(lang === "nl" ? "en" : "nl")} fixed>
        {t("app.switchTo")}
      </PageHeader.MenuLink>
      {user && (
        <PageHeader.MenuLink linkComponent="button" type="button" onClick={() => void signOut()} fixed>
          {t("nav.signOut")}
        </PageHeader.MenuLink>
      )}
    </>
  );

  return (
    <>
      <SkipLink href="#main">{t("app.skip")}</SkipLink>
      <Page>
        <PageHeader
          brandName="Eldersthuis"
          logoLinkTitle={lang === "nl" ? "Naar de startpagina van Eldersthuis" : "To the Eldersthuis home page"}
          navigationLabel={t("nav.menu")}
          menuItems={menu}
        />
        <main id="main" tabIndex={-1}>
          <Grid paddingTop="x-large" paddingBottom="2x-large">
            <Grid.Cell span="all">
              {session.state === "loading" ? (
                <p role="status">{t("app.loading")}</p>
              ) : session.state === "signedOut" || route.name === "signIn" ? (
                <SignIn pending={session.state === "signedOut" ? session.pending : null} onSignedIn={signedIn} />
              ) : (
                <RoutePage route={route} user={session.user} />
              )}
            </Grid.Cell>
          </Grid>
        </main>
        <PageFooter>
          {user && (
            <PageFooter.Menu>
              <PageFooter.MenuLink href="/sites.html">{t("ops.sitesPage")}</PageFooter.MenuLink>
            </PageFooter.Menu>
          )}
        </PageFooter>
      </Page>
    </>
  );
}

function RoutePage({ route, user }: { route: Route; user: StaffUser }) {
  // Move focus to the page heading on navigation, so screen readers hear the new page.
  const first = useRef(true);
  const key = JSON.stringify(route);
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
  }, [key]);
  switch (route.name) {
    case "caseload":
      return user.role === "evaluator" ? <SharedEvaluations /> : <Caseload user={user} />;
    case "family":
      return <FamilyPage id={route.id} user={user} />;
    case "newEvaluation":
      return <EvaluationEditor familyId={route.familyId} baseId={route.base} />;
    case "evaluation":
      return <SavedEvaluationPage id={route.id} user={user} />;
    case "shared":
      return <SharedEvaluations />;
    case "operators":
      return <Operators user={user} />;
    default:
      return <NotFound />;
  }
}
