// Loading and error states, the same on every page. A refusal reads the same as "not found":
// the server does not say whether a family exists that one may not see.
import { Alert, Paragraph } from "@amsterdam/design-system-react";
import type { ReactNode } from "react";
import { ApiError } from "../api";
import { useI18n } from "../i18n";
import { AppLink } from "../router";
import type { Loaded } from "../useApi";

export function Status<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ReactNode }) {
  const { t } = useI18n();
  if (loaded.state === "loading") return <Paragraph role="status">{t("app.loading")}</Paragraph>;
  if (loaded.state === "error") {
    const e = loaded.error;
    const status = e instanceof ApiError ? e.status : 0;
    return (
      <Alert heading={status === 404 ? t("app.notFound") : t("app.error")} headingLevel={2} severity="error">
        <Paragraph>{status === 404 ? t("app.notFoundBody") : status === 401 ? t("app.signedOut") : e.message}</Paragraph>
        {status === 401 && (
          <Paragraph>
            <AppLink to={`/login?next=${encodeURIComponent(location.pathname)}`}>{t("signin.title")}</AppLink>
          </Paragraph>
        )}
      </Alert>
    );
  }
  return <>{children(loaded.data)}</>;
}
