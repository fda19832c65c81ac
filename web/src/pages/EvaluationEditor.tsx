// Preparing an evaluation: choose the plan period (the last three months by default), read the
// overview, write the child's-interests section, save. Saving makes a new version; nothing saved
// is ever changed.
import { Alert, Button, DateInput, ErrorMessage, Field, FieldSet, Heading, Hint, Label, Paragraph, Radio, TextArea } from "@amsterdam/design-system-react";
import { useEffect, useId, useState, type FormEvent } from "react";
import { api, ApiError, type ChildInterests, type EvaluationReport, type SavedEvaluation, type Workspace } from "../api";
import { ReportView } from "../components/ReportView";
import { Status } from "../components/Status";
import { useI18n, type MessageKey } from "../i18n";
import { AppLink, navigate } from "../router";
import { useApi } from "../useApi";

/** Today in Amsterdam as YYYY-MM-DD, and the same day three months earlier plus one. */
function defaultPeriod(): { from: string; to: string } {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  const [y, m, d] = today.split("-").map(Number) as [number, number, number];
  const from = new Date(Date.UTC(y, m - 1 - 3, d + 1));
  // Date.UTC rolls over like luxon's minus({months: 3}) except at month ends; clamp to the month's last day.
  const lastOfMonth = new Date(Date.UTC(y, m - 1 - 3 + 1, 0)).getUTCDate();
  const clamped = d > lastOfMonth ? new Date(Date.UTC(y, m - 1 - 3, lastOfMonth + 1)) : from;
  return { from: clamped.toISOString().slice(0, 10), to: today };
}

const EMPTY: ChildInterests = { situation: "", childrenHeard: true, childrenView: "", weighing: "", explanation: "" };
const FIELDS = ["situation", "childrenView", "weighing", "explanation"] as const;
type TextField = (typeof FIELDS)[number];

export function EvaluationEditor({ familyId, baseId }: { familyId: string; baseId: string | null }) {
  const { t } = useI18n();
  const [family] = useApi<Workspace>(`/api/families/${familyId}/workspace`);
  const [base] = useApi<{ evaluation: SavedEvaluation }>(baseId ? `/api/evaluations/${baseId}` : null);
  const name = family.state === "ok" ? family.data.family.displayName : "";
  useEffect(() => {
    document.title = `${t("eval.title")}${name ? ` – ${name}` : ""} – Eldersthuis`;
  }, [t, name]);
  return (
    <div className="eh-stack">
      <Paragraph>
        <AppLink to={`/families/${familyId}`}>{name || t("saved.toFamily")}</AppLink>
      </Paragraph>
      <Heading level={1}>
        {t("eval.title")}
        {name ? `: ${name}` : ""}
      </Heading>
      <Paragraph>{t("eval.intro")}</Paragraph>
      {baseId ? (
        <Status loaded={base}>{(b) => <Editor familyId={familyId} base={b.evaluation} />}</Status>
      ) : (
        <Editor familyId={familyId} base={null} />
      )}
    </div>
  );
}

function Editor({ familyId, base }: { familyId: string; base: SavedEvaluation | null }) {
  const { t } = useI18n();
  const [period, setPeriod] = useState(base ? { from: base.periodStart, to: base.periodEnd } : defaultPeriod());
  const [shown, setShown] = useState(period);
  const [preview, reloadPreview] = useApi<{ period: { from: string; to: string }; report: EvaluationReport }>(
    `/api/families/${familyId}/evaluation-preview?from=${shown.from}&to=${shown.to}`,
  );
  const [child, setChild] = useState<ChildInterests>(base ? base.childInterests : EMPTY);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = {
    from: useId(),
    to: useId(),
    ...Object.fromEntries(FIELDS.map((f) => [f, `child-${f}`])),
  } as Record<"from" | "to" | TextField, string>;

  const show = (e: FormEvent) => {
    e.preventDefault();
    setShown(period);
    reloadPreview();
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    // Every part of the child's-interests section is needed; the server checks again.
    const missing = FIELDS.filter((f) => child[f].trim() === "");
    if (missing.length > 0) {
      setFieldErrors(Object.fromEntries(missing.map((f) => [f, t("eval.required")])));
      document.getElementById(ids[missing[0]!])?.focus();
      return;
    }
    setBusy(true);
    setFieldErrors({});
    try {
      const r = await api.post<{ evaluation: { id: string } }>(`/api/families/${familyId}/evaluations`, { from: shown.from, to: shown.to, childInterests: child });
      navigate(`/evaluations/${r.evaluation.id}`);
    } catch (err) {
      if (err instanceof ApiError) {
        setError(err.message);
        setFieldErrors(Object.fromEntries(err.issues.map((i) => [i.field.replace(/^childInterests\./, ""), i.message])));
      } else setError(String(err));
    } finally {
      setBusy(false);
    }
  };

  const text = (field: TextField, label: MessageKey, hint: MessageKey | null) => (
    <Field invalid={Boolean(fieldErrors[field])}>
      <Label htmlFor={ids[field]}>{t(label)}</Label>
      {hint && <Hint id={`${ids[field]}-hint`}>{t(hint)}</Hint>}
      {fieldErrors[field] && (
        <ErrorMessage id={`${ids[field]}-error`} prefix={t("error.prefix")}>
          {fieldErrors[field]}
        </ErrorMessage>
      )}
      <TextArea
        id={ids[field]}
        name={field}
        rows={5}
        maxLength={5000}
        aria-required="true"
        invalid={Boolean(fieldErrors[field])}
        aria-describedby={[hint ? `${ids[field]}-hint` : "", fieldErrors[field] ? `${ids[field]}-error` : ""].filter(Boolean).join(" ") || undefined}
        value={child[field]}
        onChange={(e) => setChild((c) => ({ ...c, [field]: e.target.value }))}
      />
    </Field>
  );

  return (
    <>
      {base && <Paragraph>{t("eval.basedOn", { version: base.version })}</Paragraph>}
      <form className="eh-stack" onSubmit={show} aria-labelledby="period-h">
        <Heading level={2} id="period-h">
          {t("eval.period")}
        </Heading>
        <div className="eh-toolbar">
          <Field>
            <Label htmlFor={ids.from}>{t("eval.from")}</Label>
            <DateInput id={ids.from} name="from" required value={period.from} max={period.to} onChange={(e) => setPeriod((p) => ({ ...p, from: e.target.value }))} />
          </Field>
          <Field>
            <Label htmlFor={ids.to}>{t("eval.to")}</Label>
            <DateInput id={ids.to} name="to" required value={period.to} min={period.from} onChange={(e) => setPeriod((p) => ({ ...p, to: e.target.value }))} />
          </Field>
        </div>
        <Button type="submit" variant="secondary">
          {t("eval.show")}
        </Button>
      </form>

      <section className="eh-section" aria-labelledby="preview-h">
        <Heading level={2} id="preview-h">
          {t("eval.preview")}
        </Heading>
        <Status loaded={preview}>{(p) => <ReportView report={p.report} level={3} />}</Status>
      </section>

      <form className="eh-section eh-stack" onSubmit={(e) => void save(e)} aria-labelledby="child-h" id="child-interests">
        <Heading level={2} id="child-h">
          {t("eval.child")}
        </Heading>
        <Paragraph>{t("eval.childIntro")}</Paragraph>
        {error && (
          <Alert heading={t("eval.saveFailed")} headingLevel={3} severity="error">
            <Paragraph>{error}</Paragraph>
          </Alert>
        )}
        {text("situation", "eval.situation", "eval.situationHint")}
        <FieldSet legend={t("eval.heard")}>
          <Radio name="childrenHeard" value="yes" checked={child.childrenHeard} onChange={() => setChild((c) => ({ ...c, childrenHeard: true }))}>
            {t("eval.heardYes")}
          </Radio>
          <Radio name="childrenHeard" value="no" checked={!child.childrenHeard} onChange={() => setChild((c) => ({ ...c, childrenHeard: false }))}>
            {t("eval.heardNo")}
          </Radio>
        </FieldSet>
        {text("childrenView", child.childrenHeard ? "eval.view" : "eval.viewNotHeard", child.childrenHeard ? "eval.viewHint" : null)}
        {text("weighing", "eval.weighing", "eval.weighingHint")}
        {text("explanation", "eval.explanation", "eval.explanationHint")}
        <Button type="submit" disabled={busy || preview.state !== "ok"}>
          {busy ? t("eval.saving") : t("eval.save")}
        </Button>
      </form>
    </>
  );
}
