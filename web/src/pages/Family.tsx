// One family's page: profile, registrations checklist, open homes with their closing times,
// help requests, notes and the evidence log as a timeline, and the family's evaluations.
import { Alert, Button, DescriptionList, Field, Heading, Hint, Label, Paragraph, Table, TextArea, UnorderedList } from "@amsterdam/design-system-react";
import { useEffect, useId, useMemo, useState, type FormEvent } from "react";
import { api, ApiError, type StaffUser, type TimelineEntry, type Workspace } from "../api";
import { Status } from "../components/Status";
import { TimelineItem } from "../components/Timeline";
import { useI18n } from "../i18n";
import { AppLink } from "../router";
import { useApi } from "../useApi";

const NOTE_MAX = 2000;

export function FamilyPage({ id, user }: { id: string; user: StaffUser }) {
  const [loaded, reload] = useApi<Workspace>(`/api/families/${id}/workspace`);
  const { t } = useI18n();
  return (
    <div className="eh-stack">
      <Paragraph>
        <AppLink to="/">{t("family.back")}</AppLink>
      </Paragraph>
      <Status loaded={loaded}>{(w) => <FamilyView w={w} user={user} reload={reload} />}</Status>
    </div>
  );
}

function FamilyView({ w, user, reload }: { w: Workspace; user: StaffUser; reload: () => void }) {
  const { t, td, date, dateTime, euro, lang } = useI18n();
  const f = w.family;
  const canWrite = user.role !== "evaluator";
  useEffect(() => {
    document.title = `${f.displayName} – Eldersthuis`;
  }, [f.displayName]);
  const siteNames = useMemo(() => {
    const m = new Map<string, string>();
    for (const r of w.registrations.items) m.set(r.siteId, r.siteName);
    for (const s of w.registrations.krimpSuggestions) m.set(s.siteId, s.siteName);
    for (const o of w.openMatches) m.set(o.listing.siteId, o.listing.siteName);
    return m;
  }, [w]);
  const year = new Date().getFullYear();
  const soon = (iso: string | null) => iso !== null && new Date(iso).getTime() - Date.now() <= 48 * 3_600_000;
  const languageName = (code: string) => {
    try {
      return new Intl.DisplayNames([lang === "nl" ? "nl" : "en"], { type: "language" }).of(code) ?? code;
    } catch {
      return code;
    }
  };

  return (
    <>
      <Heading level={1}>{f.displayName}</Heading>

      <section className="eh-section" aria-labelledby="profile-h">
        <Heading level={2} id="profile-h">
          {t("family.profile")}
        </Heading>
        <DescriptionList>
          <DescriptionList.Term>{t("family.children")}</DescriptionList.Term>
          <DescriptionList.Description>{f.childBirthYears.length ? f.childBirthYears.map((y) => t("family.childAge", { age: year - y })).join(", ") : "–"}</DescriptionList.Description>
          <DescriptionList.Term>{t("family.adults")}</DescriptionList.Term>
          <DescriptionList.Description>{f.adults}</DescriptionList.Description>
          <DescriptionList.Term>{t("family.language")}</DescriptionList.Term>
          <DescriptionList.Description>{languageName(f.language)}</DescriptionList.Description>
          <DescriptionList.Term>{t("family.regions")}</DescriptionList.Term>
          <DescriptionList.Description>{f.profile?.regions.filter((r) => !r.startsWith("!")).join(", ") || "–"}</DescriptionList.Description>
          <DescriptionList.Term>{t("family.municipalities")}</DescriptionList.Term>
          <DescriptionList.Description>{f.profile?.municipalities.join(", ") || "–"}</DescriptionList.Description>
          <DescriptionList.Term>{t("family.maxRent")}</DescriptionList.Term>
          <DescriptionList.Description>{euro(f.profile?.maxNetRent)}</DescriptionList.Description>
          <DescriptionList.Term>{t("family.minBedrooms")}</DescriptionList.Term>
          <DescriptionList.Description>{f.profile?.minBedrooms ?? "–"}</DescriptionList.Description>
          <DescriptionList.Term>{t("family.needs")}</DescriptionList.Term>
          <DescriptionList.Description>{f.needs.join(", ") || "–"}</DescriptionList.Description>
          <DescriptionList.Term>{t("family.admitted")}</DescriptionList.Term>
          <DescriptionList.Description>{date(f.admittedOn)}</DescriptionList.Description>
          <DescriptionList.Term>{t("family.nextEvaluation")}</DescriptionList.Term>
          <DescriptionList.Description>{date(f.nextEvaluationOn)}</DescriptionList.Description>
          <DescriptionList.Term>{t("family.counsellor")}</DescriptionList.Term>
          <DescriptionList.Description>{f.counsellorName ?? t("family.unknown")}</DescriptionList.Description>
        </DescriptionList>
      </section>

      <section className="eh-section" aria-labelledby="reg-h" id="registrations">
        <Heading level={2} id="reg-h">
          {t("family.registrations")}
        </Heading>
        <UnorderedList>
          <UnorderedList.Item>
            <span className={w.registrations.woningnet ? "eh-ok" : "eh-missing"}>
              {t("family.regWoningnet")}: {t(w.registrations.woningnet ? "family.done" : "family.notDone")}
            </span>
          </UnorderedList.Item>
          <UnorderedList.Item>
            <span className={w.registrations.krimpSites >= w.registrations.required ? "eh-ok" : "eh-missing"}>
              {t("family.regKrimp", { count: w.registrations.krimpSites, required: w.registrations.required })}
            </span>
          </UnorderedList.Item>
        </UnorderedList>
        <Paragraph>{t(w.registrations.met ? "family.regMet" : "family.regNotMet")}</Paragraph>
        {w.registrations.items.length === 0 ? (
          <Paragraph>{t("family.regNone")}</Paragraph>
        ) : (
          <UnorderedList>
            {w.registrations.items.map((r) => (
              <UnorderedList.Item key={r.siteId}>
                {r.siteName} ({t(`report.counts.${r.counts}`)}) – {t("family.regSince", { date: date(r.registeredOn) })}
                {r.renewalDueOn && (
                  <span className={w.registrations.renewals.some((x) => x.siteId === r.siteId) ? "eh-soon" : undefined}>
                    {" "}
                    – {t("family.regRenew", { date: date(r.renewalDueOn) })}
                  </span>
                )}
              </UnorderedList.Item>
            ))}
          </UnorderedList>
        )}
        {!w.registrations.met && w.registrations.krimpSuggestions.length > 0 && (
          <>
            <Heading level={3}>{t("family.regSuggestions")}</Heading>
            <UnorderedList>
              {w.registrations.krimpSuggestions.map((s) => (
                <UnorderedList.Item key={s.siteId}>
                  {s.siteName} ({s.regions.join(", ")})
                </UnorderedList.Item>
              ))}
            </UnorderedList>
          </>
        )}
      </section>

      <section className="eh-section" aria-labelledby="open-h">
        <Heading level={2} id="open-h">
          {t("family.openMatches")}
        </Heading>
        {w.openMatches.length === 0 ? (
          <Paragraph>{t("family.noOpenMatches")}</Paragraph>
        ) : (
          <div className="eh-table-wrap">
            <Table>
              <Table.Caption className="ams-visually-hidden">{t("family.openMatchesCaption")}</Table.Caption>
              <Table.Header>
                <Table.Row>
                  <Table.HeaderCell scope="col">{t("family.home")}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{t("family.site")}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{t("family.rent")}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{t("family.closes")}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{t("family.answer")}</Table.HeaderCell>
                </Table.Row>
              </Table.Header>
              <Table.Body>
                {w.openMatches.map((m) => (
                  <Table.Row key={m.matchId}>
                    <Table.Cell>
                      <a href={m.listing.sourceUrl} rel="noreferrer noopener" target="_blank">
                        {[m.listing.street, m.listing.houseNumber, m.listing.houseNumberAddition].filter(Boolean).join(" ")}, {m.listing.city}
                      </a>
                    </Table.Cell>
                    <Table.Cell>{m.listing.siteName}</Table.Cell>
                    <Table.Cell>{euro(m.listing.netRent)}</Table.Cell>
                    <Table.Cell>
                      {m.listing.closesAt ? (
                        <span className={soon(m.listing.closesAt) ? "eh-soon" : undefined}>
                          {dateTime(m.listing.closesAt)}
                          {soon(m.listing.closesAt) && ` (${t("family.within48h")})`}
                        </span>
                      ) : (
                        t("family.noDeadline")
                      )}
                    </Table.Cell>
                    <Table.Cell>{m.answer ? td(`entry.${m.answer}`, m.answer) : t("family.noAnswer")}</Table.Cell>
                  </Table.Row>
                ))}
              </Table.Body>
            </Table>
          </div>
        )}
      </section>

      {w.tasks.length > 0 && (
        <section className="eh-section" aria-labelledby="tasks-h">
          <Heading level={2} id="tasks-h">
            {t("family.tasks")}
          </Heading>
          <UnorderedList>
            {w.tasks.map((task) => (
              <UnorderedList.Item key={task.id}>
                {dateTime(task.createdAt)} – {task.status === "open" ? t("family.taskOpen") : t("family.taskDone")}
                {task.note ? `: ${task.note}` : ""}
              </UnorderedList.Item>
            ))}
          </UnorderedList>
        </section>
      )}

      <section className="eh-section" aria-labelledby="eval-h">
        <Heading level={2} id="eval-h">
          {t("family.evaluations")}
        </Heading>
        {w.evaluations.length === 0 ? (
          <Paragraph>{t("family.noEvaluations")}</Paragraph>
        ) : (
          <UnorderedList>
            {w.evaluations.map((e) => (
              <UnorderedList.Item key={e.id}>
                <AppLink to={`/evaluations/${e.id}`}>
                  {t("family.evaluationItem", { version: e.version, from: date(e.periodStart), to: date(e.periodEnd), saved: date(e.createdAt) })}
                </AppLink>
              </UnorderedList.Item>
            ))}
          </UnorderedList>
        )}
        {canWrite && (
          <Paragraph>
            <AppLink to={`/families/${f.id}/evaluation`} id="new-evaluation">
              {t("family.newEvaluation")}
            </AppLink>
          </Paragraph>
        )}
      </section>

      {canWrite && <NoteForm familyId={f.id} onSaved={reload} />}

      <section className="eh-section" aria-labelledby="timeline-h">
        <Heading level={2} id="timeline-h">
          {t("family.timeline")}
        </Heading>
        {w.timeline.firstBrokenEntry === null ? (
          <Paragraph className="eh-ok">{t("family.chainOk", { count: w.timeline.total })}</Paragraph>
        ) : (
          <Alert heading={t("family.timeline")} headingLevel={3} severity="error">
            <Paragraph>{t("family.chainBroken", { seq: w.timeline.firstBrokenEntry })}</Paragraph>
          </Alert>
        )}
        <Timeline familyId={f.id} first={w.timeline.entries} total={w.timeline.total} siteNames={siteNames} />
      </section>
    </>
  );
}

function Timeline({ familyId, first, total, siteNames }: { familyId: string; first: TimelineEntry[]; total: number; siteNames: Map<string, string> }) {
  const { t } = useI18n();
  const [older, setOlder] = useState<TimelineEntry[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => setOlder([]), [first]);
  const entries = [...first, ...older];
  const oldest = entries.at(-1)?.seq ?? 0;
  const more = async () => {
    setBusy(true);
    try {
      const r = await api.get<{ entries: TimelineEntry[] }>(`/api/families/${familyId}/timeline?before=${oldest}&limit=100`);
      setOlder((o) => [...o, ...r.entries]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Paragraph className="eh-muted">{t("family.timelineCaption")}</Paragraph>
      <ol className="eh-timeline" id="timeline">
        {entries.map((e) => (
          <TimelineItem key={e.seq} entry={e} siteNames={siteNames} />
        ))}
      </ol>
      {entries.length < total && oldest > 1 && (
        <Button variant="secondary" onClick={() => void more()} disabled={busy}>
          {t("family.timelineMore")}
        </Button>
      )}
    </>
  );
}

function NoteForm({ familyId, onSaved }: { familyId: string; onSaved: () => void }) {
  const { t } = useI18n();
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const ids = { text: useId(), hint: useId(), warn: useId() };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await api.post(`/api/families/${familyId}/notes`, { text });
      setText("");
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="eh-section" aria-labelledby="notes-h">
      <Heading level={2} id="notes-h">
        {t("family.notes")}
      </Heading>
      <form className="eh-stack" onSubmit={(e) => void submit(e)}>
        <Alert heading={t("family.noteWarningTitle")} headingLevel={3} severity="warning" id={ids.warn}>
          <Paragraph>{t("family.noteWarning")}</Paragraph>
        </Alert>
        {error && (
          <Alert heading={t("app.error")} headingLevel={3} severity="error">
            <Paragraph>{error}</Paragraph>
          </Alert>
        )}
        {saved && (
          <Paragraph role="status" className="eh-ok">
            {t("family.noteSaved")}
          </Paragraph>
        )}
        <Field>
          <Label htmlFor={ids.text}>{t("family.noteLabel")}</Label>
          <Hint id={ids.hint} hint={t("family.noteHint")} />
          <TextArea id={ids.text} name="note" rows={4} maxLength={NOTE_MAX} aria-required="true" aria-describedby={`${ids.hint} ${ids.warn}`} value={text} onChange={(e) => setText(e.target.value)} />
        </Field>
        <Button type="submit" disabled={busy || text.trim() === ""}>
          {t("family.noteSave")}
        </Button>
      </form>
    </section>
  );
}
