// The family's own page: the homes it can still respond to, its evidence log as a timeline, who
// of the staff looked at its data, with whom its evaluations are (or were) shared, and all its
// data as one download. Only its own data: the server answers /api/me for the signed-in family.
import { Alert, Button, Heading, Link, Paragraph } from "@amsterdam/design-system-react";
import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import { ApiError } from "../../api";
import { ACCESS_PAGE, familyApi, type AccessEntry, type FamilyActivity, type FamilyShare, type FamilyUser } from "../../familyApi";
import { useFamilyI18n } from "../../familyI18n";
import { describeEntry, openHomes, roleKey, whatOf } from "./familyLog";

type Loaded<T> = { state: "loading" } | { state: "error"; error: unknown } | { state: "ok"; data: T };

/** Loads one of the family's resources; a lost session (401) is handed to the shell. */
function useFamilyData<T>(load: () => Promise<T>, onSignedOut: () => void): Loaded<T> {
  const [result, setResult] = useState<Loaded<T>>({ state: "loading" });
  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && setResult({ state: "ok", data }),
      (error: unknown) => {
        if (!live) return;
        if (error instanceof ApiError && error.status === 401) onSignedOut();
        else setResult({ state: "error", error });
      },
    );
    return () => {
      live = false;
    };
  }, [load, onSignedOut]);
  return result;
}

function Loading<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ReactNode }) {
  const { t } = useFamilyI18n();
  if (loaded.state === "loading") return <Paragraph role="status">{t("app.loading")}</Paragraph>;
  if (loaded.state === "error") {
    return (
      <Alert heading={t("app.errorTitle")} headingLevel={3} severity="error">
        <Paragraph>{t("app.error")}</Paragraph>
      </Alert>
    );
  }
  return <>{children(loaded.data)}</>;
}

const loadActivity = () => familyApi.activity().then((r) => r.activities);
const loadShares = () => familyApi.shares().then((r) => r.shares);

export function FamilyHome({ family, onSignedOut }: { family: FamilyUser; onSignedOut: () => void }) {
  const { t } = useFamilyI18n();
  const activity = useFamilyData(loadActivity, onSignedOut);
  const shares = useFamilyData(loadShares, onSignedOut);
  useEffect(() => {
    document.title = `${t("me.title")} – Eldersthuis`;
  }, [t]);

  return (
    <div className="eh-stack">
      <Heading level={1}>{t("me.title")}</Heading>
      <Paragraph>{t("me.hello", { name: family.displayName })}</Paragraph>

      <section className="eh-section" aria-labelledby="open-h" id="open-homes">
        <Heading level={2} id="open-h">
          {t("open.title")}
        </Heading>
        <Loading loaded={activity}>{(a) => <OpenHomes activities={a} />}</Loading>
      </section>

      <section className="eh-section" aria-labelledby="log-h" id="log">
        <Heading level={2} id="log-h">
          {t("log.title")}
        </Heading>
        <Paragraph>{t("log.intro")}</Paragraph>
        <Loading loaded={activity}>{(a) => <Log activities={a} />}</Loading>
      </section>

      <section className="eh-section" aria-labelledby="access-h" id="access-log">
        <Heading level={2} id="access-h">
          {t("access.title")}
        </Heading>
        <Paragraph>{t("access.intro")}</Paragraph>
        <AccessLog onSignedOut={onSignedOut} />
      </section>

      <section className="eh-section" aria-labelledby="shares-h" id="shares">
        <Heading level={2} id="shares-h">
          {t("shares.title")}
        </Heading>
        <Paragraph>{t("shares.intro")}</Paragraph>
        <Loading loaded={shares}>{(s) => <Shares shares={s} />}</Loading>
      </section>

      <section className="eh-section" aria-labelledby="data-h">
        <Heading level={2} id="data-h">
          {t("data.title")}
        </Heading>
        <Paragraph>{t("data.intro")}</Paragraph>
        <Paragraph>
          <Link href={familyApi.exportUrl} download id="download-data">
            {t("data.download")}
          </Link>
        </Paragraph>
      </section>
    </div>
  );
}

function OpenHomes({ activities }: { activities: FamilyActivity[] }) {
  const { t, dateTime } = useFamilyI18n();
  const homes = useMemo(() => openHomes(activities), [activities]);
  if (homes.length === 0) return <Paragraph>{t("open.none")}</Paragraph>;
  const soon = (iso: string) => Date.parse(iso) - Date.now() <= 48 * 3_600_000;
  return (
    <>
      <Paragraph>{t("open.how")}</Paragraph>
      <ul className="eh-homes">
        {homes.map((h) => (
          <li key={h.matchId} data-match-id={h.matchId}>
            <strong>{h.address || "–"}</strong>
            <div>
              {h.closesAt ? (
                <>
                  {t("open.closes", { when: dateTime(h.closesAt) })}
                  {soon(h.closesAt) && (
                    <>
                      {" "}
                      <strong>{t("open.soon")}</strong>
                    </>
                  )}
                </>
              ) : (
                t("open.noEnd")
              )}
            </div>
            {h.site && <div className="eh-muted">{t("open.site", { site: h.site })}</div>}
          </li>
        ))}
      </ul>
    </>
  );
}

const LOG_PAGE = 50;

function Log({ activities }: { activities: FamilyActivity[] }) {
  const { t, tk, dateTime } = useFamilyI18n();
  const [shown, setShown] = useState(LOG_PAGE);
  const addressByMatch = useMemo(() => {
    const m = new Map<string, string>();
    for (const a of activities) {
      const p = a.payload ?? {};
      if (a.type === "offered" && a.matchId) m.set(a.matchId, [p.address, p.town].filter((x) => typeof x === "string" && x).join(", "));
    }
    return m;
  }, [activities]);
  const newestFirst = useMemo(() => [...activities].reverse(), [activities]);
  if (newestFirst.length === 0) return <Paragraph>{t("log.none")}</Paragraph>;
  return (
    <>
      <ol className="eh-timeline" id="timeline">
        {newestFirst.slice(0, shown).map((a) => {
          const e = describeEntry(a, addressByMatch, t, tk);
          return (
            <li key={a.seq} data-type={a.type} className={e.byCounsellor ? "eh-note" : undefined}>
              <time dateTime={a.occurredAt}>{dateTime(a.occurredAt)}</time>
              <div>
                <strong>{e.title}</strong>
              </div>
              {e.details.length > 0 && <div>{e.details.join(" · ")}</div>}
              {e.text && <div className="eh-pre">{e.text}</div>}
            </li>
          );
        })}
      </ol>
      {shown < newestFirst.length && (
        <Button variant="secondary" onClick={() => setShown((n) => n + LOG_PAGE)}>
          {t("log.more")}
        </Button>
      )}
    </>
  );
}

function AccessLog({ onSignedOut }: { onSignedOut: () => void }) {
  const { t, dateTime } = useFamilyI18n();
  const first = useFamilyData(
    useCallback(() => familyApi.accessLog().then((r) => r.entries), []),
    onSignedOut,
  );
  const [older, setOlder] = useState<AccessEntry[]>([]);
  const [more, setMore] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  return (
    <Loading loaded={first}>
      {(firstPage) => {
        const entries = [...firstPage, ...older];
        const hasMore = more ?? firstPage.length === ACCESS_PAGE;
        const loadOlder = async () => {
          setBusy(true);
          setFailed(false);
          try {
            const r = await familyApi.accessLog(entries.at(-1)!.at);
            setOlder((o) => [...o, ...r.entries]);
            setMore(r.entries.length === ACCESS_PAGE);
          } catch (err) {
            if (err instanceof ApiError && err.status === 401) onSignedOut();
            else setFailed(true);
          } finally {
            setBusy(false);
          }
        };
        if (entries.length === 0) return <Paragraph>{t("access.none")}</Paragraph>;
        return (
          <>
            <ol className="eh-shares" id="access-list" aria-label={t("access.caption")}>
              {entries.map((e, i) => (
                <li key={`${e.at}-${i}`} data-allowed={String(e.allowed)}>
                  <span className="ams-visually-hidden">{t("access.when")}: </span>
                  <time dateTime={e.at}>{dateTime(e.at)}</time>
                  <div>
                    <span className="ams-visually-hidden">{t("access.who")}: </span>
                    <strong data-field="name">{e.by?.name ?? t("access.nobody")}</strong>
                    {e.by && (
                      <>
                        {", "}
                        <span className="ams-visually-hidden">{t("access.role")}: </span>
                        <span data-field="role">{t(roleKey(e.by.role))}</span>
                        {", "}
                        <span className="ams-visually-hidden">{t("access.organisation")}: </span>
                        <span data-field="organisation">{e.by.organisation}</span>
                      </>
                    )}
                  </div>
                  <div>
                    {t("access.what")}: <span data-field="what">{t(whatOf(e.action))}</span>
                  </div>
                  {!e.allowed && (
                    <div>
                      <strong data-field="refused">{t("access.refused")}</strong>
                    </div>
                  )}
                </li>
              ))}
            </ol>
            {failed && (
              <Alert heading={t("app.errorTitle")} headingLevel={3} severity="error">
                <Paragraph>{t("app.error")}</Paragraph>
              </Alert>
            )}
            {hasMore && (
              <Button variant="secondary" onClick={() => void loadOlder()} disabled={busy}>
                {t("access.more")}
              </Button>
            )}
          </>
        );
      }}
    </Loading>
  );
}

function Shares({ shares }: { shares: FamilyShare[] }) {
  const { t, date } = useFamilyI18n();
  if (shares.length === 0) return <Paragraph>{t("shares.none")}</Paragraph>;
  return (
    <ul className="eh-shares">
      {shares.map((s) => (
        <li key={s.id} data-state={s.active ? "active" : "revoked"}>
          <strong>{t("shares.evaluation", { from: date(s.evaluation.periodStart), to: date(s.evaluation.periodEnd) })}</strong>
          <div>{t("shares.with", { name: s.evaluator?.name ?? "–", organisation: s.evaluator?.organisation ?? "–" })}</div>
          <div>{t("shares.on", { date: date(s.sharedAt), by: s.sharedBy?.name ?? "–" })}</div>
          <div>{s.active ? t("shares.active") : <strong>{t("shares.revoked", { date: date(s.revokedAt) })}</strong>}</div>
        </li>
      ))}
    </ul>
  );
}
