// For evaluators (e.g. the GGD): the evaluations shared with them, read-only.
import { Heading, Paragraph, UnorderedList } from "@amsterdam/design-system-react";
import { useEffect } from "react";
import { Status } from "../components/Status";
import { useI18n } from "../i18n";
import { AppLink } from "../router";
import { useApi } from "../useApi";

interface SharedItem {
  id: string;
  version: number;
  periodStart: string;
  periodEnd: string;
  createdAt: string;
  familyName: string;
}

export function SharedEvaluations() {
  const { t, date } = useI18n();
  const [loaded] = useApi<{ evaluations: SharedItem[] }>("/api/evaluations/shared");
  useEffect(() => {
    document.title = `${t("shared.title")} – Eldersthuis`;
  }, [t]);
  return (
    <div className="eh-stack">
      <Heading level={1}>{t("shared.title")}</Heading>
      <Status loaded={loaded}>
        {({ evaluations }) =>
          evaluations.length === 0 ? (
            <Paragraph>{t("shared.empty")}</Paragraph>
          ) : (
            <UnorderedList>
              {evaluations.map((e) => (
                <UnorderedList.Item key={e.id}>
                  <AppLink to={`/evaluations/${e.id}`}>
                    {e.familyName}: {t("family.evaluationItem", { version: e.version, from: date(e.periodStart), to: date(e.periodEnd), saved: date(e.createdAt) })}
                  </AppLink>
                </UnorderedList.Item>
              ))}
            </UnorderedList>
          )
        }
      </Status>
    </div>
  );
}
