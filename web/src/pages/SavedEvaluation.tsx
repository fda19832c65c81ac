// A saved evaluation: the report as it was saved, the child's-interests section, exports (PDF,
// CSV, print view), the versions, and sharing with an evaluator (visible to the family).
import { Alert, Button, Field, Heading, Label, Paragraph, Select, StandaloneLink, UnorderedList } from "@amsterdam/design-system-react";
import { useEffect, useId, useState, type FormEvent } from "react";
import { api, ApiError, type SavedEvaluation, type Share, type StaffUser } from "../api";
import { ReportView } from "../components/ReportView";
import { Status } from "../components/Status";
import { useI18n } from "../i18n";
import { AppLink, onInternalClick } from "../router";
import { useApi } from "../useApi";

interface Answer {
  evaluation: SavedEvaluation;
  versions: { id: string; version: number; periodStart: string; periodEnd: string; createdAt: string }[];
}

export function SavedEvaluationPage({ id, user }: { id: string; user: StaffUser }) {
  const [loaded] = useApi<Answer>(`/api/evaluations/${id}`);
  return <Status loaded={loaded}>{(a) => <View a={a} user={user} />}</Status>;
}

function View({ a, user }: { a: Answer; user: StaffUser }) {
  const { t, date, dateTime, lang } = useI18n();
  const ev = a.evaluation;
  const r = ev.report;
  const c = ev.childInterests;
  const title = t("saved.title", { name: r.family.displayName, version: ev.version });
  useEffect(() => {
    document.title = `${title} – Eldersthuis`;
  }, [title]);
  const canWrite = user.role !== "evaluator";
  return (
    <div className="eh-stack">
      {canWrite && (
        <Paragraph>
          <AppLink to={`/families/${ev.familyId}`}>{t("saved.toFamily")}</AppLink>
        </Paragraph>
      )}
      <Heading level={1}>{title}</Heading>
      <Paragraph data-period>
        {t("eval.period")}: {date(r.period.from)} – {date(r.period.to)}
      </Paragraph>
      <Paragraph className="eh-muted">{t("saved.meta", { date: dateTime(ev.createdAt), by: ev.createdBy.name })}</Paragraph>
      <Alert heading={t("saved.immutable")} headingLevel={2} />
      <div className="eh-toolbar">
        <StandaloneLink href={`/api/evaluations/${ev.id}.pdf?lang=${lang}`} download id="download-pdf">
          {t("saved.pdf")}
        </StandaloneLink>
        <StandaloneLink href={`/api/evaluations/${ev.id}.csv?lang=${lang}`} download id="download-csv">
          {t("saved.csv")}
        </StandaloneLink>
        <StandaloneLink href={`/api/evaluations/${ev.id}/print?lang=${lang}`} target="_blank" rel="noopener" id="print-view">
          {t("saved.print")}
        </StandaloneLink>
        {canWrite && (
          <StandaloneLink href={`/families/${ev.familyId}/evaluation?base=${ev.id}`} onClick={(e) => onInternalClick(e, `/families/${ev.familyId}/evaluation?base=${ev.id}`)}>
            {t("saved.newVersion")}
          </StandaloneLink>
        )}
      </div>

      <ReportView report={r} />

      <section className="eh-section" aria-labelledby="child-h">
        <Heading level={2} id="child-h">
          {t("eval.child")}
        </Heading>
        <Heading level={3}>{t("eval.situation")}</Heading>
        <Paragraph className="eh-pre" data-child="situation">{c.situation}</Paragraph>
        <Heading level={3}>{t("eval.heard")}</Heading>
        <Paragraph>{c.childrenHeard ? t("eval.heardYes") : t("eval.heardNo")}</Paragraph>
        <Heading level={3}>{t(c.childrenHeard ? "eval.view" : "eval.viewNotHeard")}</Heading>
        <Paragraph className="eh-pre">{c.childrenView}</Paragraph>
        <Heading level={3}>{t("eval.weighing")}</Heading>
        <Paragraph className="eh-pre">{c.weighing}</Paragraph>
        <Heading level={3}>{t("eval.explanation")}</Heading>
        <Paragraph className="eh-pre">{c.explanation}</Paragraph>
      </section>

      {a.versions.length > 1 && (
        <section className="eh-section" aria-labelledby="versions-h">
          <Heading level={2} id="versions-h">
            {t("saved.versions")}
          </Heading>
          <UnorderedList>
            {a.versions.map((v) => (
              <UnorderedList.Item key={v.id}>
                {v.id === ev.id ? (
                  <>
                    {t("family.evaluationItem", { version: v.version, from: date(v.periodStart), to: date(v.periodEnd), saved: date(v.createdAt) })} {t("saved.current")}
                  </>
                ) : (
                  <AppLink to={`/evaluations/${v.id}`}>{t("family.evaluationItem", { version: v.version, from: date(v.periodStart), to: date(v.periodEnd), saved: date(v.createdAt) })}</AppLink>
                )}
              </UnorderedList.Item>
            ))}
          </UnorderedList>
        </section>
      )}

      {canWrite && <Shares evaluationId={ev.id} />}
    </div>
  );
}

function Shares({ evaluationId }: { evaluationId: string }) {
  const { t, date } = useI18n();
  const [shares, reload] = useApi<{ shares: Share[] }>(`/api/evaluations/${evaluationId}/shares`);
  const [evaluators] = useApi<{ evaluators: { id: string; name: string; organisation: string }[] }>("/api/evaluators");
  const [choice, setChoice] = useState("");
  const [error, setError] = useState<string | null>(null);
  const selectId = useId();
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      reload();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  const share = (e: FormEvent) => {
    e.preventDefault();
    if (choice) void act(() => api.post(`/api/evaluations/${evaluationId}/shares`, { evaluatorId: choice }));
  };
  return (
    <section className="eh-section eh-stack" aria-labelledby="shares-h">
      <Heading level={2} id="shares-h">
        {t("saved.shares")}
      </Heading>
      <Paragraph className="eh-muted">{t("saved.shareNote")}</Paragraph>
      {error && (
        <Alert heading={t("app.error")} headingLevel={3} severity="error">
          <Paragraph>{error}</Paragraph>
        </Alert>
      )}
      <Status loaded={shares}>
        {(s) =>
          s.shares.length === 0 ? (
            <Paragraph>{t("saved.noShares")}</Paragraph>
          ) : (
            <UnorderedList>
              {s.shares.map((sh) => (
                <UnorderedList.Item key={sh.id}>
                  {sh.evaluator ? `${sh.evaluator.name} (${sh.evaluator.organisation})` : "?"} – {date(sh.createdAt)}
                  {sh.revokedAt ? (
                    ` – ${t("saved.revoked", { date: date(sh.revokedAt) })}`
                  ) : (
                    <>
                      {" "}
                      <Button variant="tertiary" type="button" onClick={() => void act(() => api.del(`/api/evaluations/${evaluationId}/shares/${sh.id}`))}>
                        {t("saved.revoke")}
                      </Button>
                    </>
                  )}
                </UnorderedList.Item>
              ))}
            </UnorderedList>
          )
        }
      </Status>
      {evaluators.state === "ok" && evaluators.data.evaluators.length > 0 && (
        <form className="eh-toolbar" onSubmit={share}>
          <Field>
            <Label htmlFor={selectId}>{t("saved.shareWith")}</Label>
            <Select id={selectId} value={choice} onChange={(e) => setChoice(e.target.value)}>
              <Select.Option value="">–</Select.Option>
              {evaluators.data.evaluators.map((e) => (
                <Select.Option key={e.id} value={e.id}>
                  {e.name} ({e.organisation})
                </Select.Option>
              ))}
            </Select>
          </Field>
          <Button type="submit" variant="secondary" disabled={!choice}>
            {t("saved.shareButton")}
          </Button>
        </form>
      )}
    </section>
  );
}
