import { Heading, Paragraph } from "@amsterdam/design-system-react";
import { useEffect } from "react";
import { useI18n } from "../i18n";
import { AppLink } from "../router";

export function NotFound() {
  const { t } = useI18n();
  useEffect(() => {
    document.title = `${t("notFound.title")} – Eldersthuis`;
  }, [t]);
  return (
    <div className="eh-stack">
      <Heading level={1}>{t("notFound.title")}</Heading>
      <Paragraph>{t("notFound.body")}</Paragraph>
      <Paragraph>
        <AppLink to="/">{t("notFound.back")}</AppLink>
      </Paragraph>
    </div>
  );
}
