// A small history-API router: the app has six pages, which a table of patterns serves well.
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from "react";
import { Link as AmsLink } from "@amsterdam/design-system-react";

export type Route =
  | { name: "caseload" }
  | { name: "signIn"; next: string | null }
  | { name: "family"; id: string }
  | { name: "newEvaluation"; familyId: string; base: string | null }
  | { name: "evaluation"; id: string }
  | { name: "shared" }
  | { name: "operators" }
  | { name: "familyLogin"; code: string | null }
  | { name: "familyHome" }
  | { name: "notFound" };

/** The family's own pages, which run without the staff app's session and menu. */
export type FamilyRoute = Extract<Route, { name: "familyLogin" | "familyHome" }>;
export const isFamilyRoute = (r: Route): r is FamilyRoute => r.name === "familyLogin" || r.name === "familyHome";

const ID = "([0-9a-fA-F-]{36})";

export function parseRoute(pathname: string, search: string): Route {
  const q = new URLSearchParams(search);
  const m = (re: string) => new RegExp(`^${re}/?$`).exec(pathname);
  let r: RegExpExecArray | null;
  if (m("") || pathname === "/") return { name: "caseload" };
  // The link in a family's sign-in message carries its single-use code (server/routes/family-auth.ts).
  if (m("/login/family")) return { name: "familyLogin", code: q.get("code") };
  if (m("/me")) return { name: "familyHome" };
  if (m("/login")) {
    const next = q.get("next");
    // Only our own paths: an open redirect would send staff anywhere after signing in.
    return { name: "signIn", next: next && next.startsWith("/") && !next.startsWith("//") ? next : null };
  }
  if ((r = m(`/families/${ID}`))) return { name: "family", id: r[1]! };
  if ((r = m(`/families/${ID}/evaluation`))) {
    const base = q.get("base");
    return { name: "newEvaluation", familyId: r[1]!, base: base && /^[0-9a-fA-F-]{36}$/.test(base) ? base : null };
  }
  if ((r = m(`/evaluations/${ID}`))) return { name: "evaluation", id: r[1]! };
  if (m("/shared")) return { name: "shared" };
  if (m("/operators")) return { name: "operators" };
  return { name: "notFound" };
}

const NAVIGATE = "eldersthuis:navigate";

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  window.dispatchEvent(new Event(NAVIGATE));
}

export function useLocation(): { pathname: string; search: string } {
  const read = () => ({ pathname: location.pathname, search: location.search });
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const update = () => setLoc(read());
    window.addEventListener("popstate", update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return loc;
}

/** Handles a click on an in-app link without reloading; new-tab clicks stay the browser's. */
export function onInternalClick(e: MouseEvent<HTMLAnchorElement>, to: string): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(to);
}

export function AppLink({ to, children, ...rest }: { to: string } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "color">) {
  return (
    <AmsLink href={to} onClick={(e) => onInternalClick(e, to)} {...rest}>
      {children}
    </AmsLink>
  );
}
