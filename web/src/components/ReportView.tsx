// The evaluation report's figures, as the preview and a saved report show them.
import { Alert, Heading, Paragraph, Table, UnorderedList } from "@amsterdam/design-system-react";
import type { ReactNode } from "react";
import type { Count, EvaluationReport } from "../api";
import { useI18n } from "../i18n";

function CountTable({ caption, head, rows }: { caption: string; head: string[]; rows: ReactNode[][] }) {
  const { t } = useI18n();
  if (rows.length === 0) return <Paragraph className="eh-muted">{t("report.empty")}</Paragraph>;
  return (
    <div className="eh-table-wrap">
      <Table>
        <Table.Caption className="ams-visually-hidden">{caption}</Table.Caption>
        <Table.Header>
          <Table.Row>
            {head.map((h) => (
              <Table.HeaderCell scope="col" key={h}>
                {h}
              </Table.HeaderCell>
            ))}
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {rows.map((r, i) => (
            <Table.Row key={i}>
              {r.map((c, j) => (j === 0 ? <Table.HeaderCell scope="row" key={j}>{c}</Table.HeaderCell> : <Table.Cell key={j}>{c}</Table.Cell>))}
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
    </div>
  );
}

export function ReportView({ report: r, level = 2 }: { report: EvaluationReport; level?: 2 | 3 }) {
  const { t, td, date, month } = useI18n();
  const H = ({ children }: { children: string }) => <Heading level={level}>{children}</Heading>;
  const sub = (level + 1) as 3 | 4;
  const reason = (c: Count) => td(`reason.${c.key}`, c.key.replace(/_/g, " "));
  return (
    <div className="eh-stack" data-report>
      <section aria-label={t("report.registrations")}>
        <H>{t("report.registrations")}</H>
        <CountTable
          caption={t("report.registrations")}
          head={[t("report.site"), t("report.since"), t("report.renew"), t("report.counts")]}
          rows={r.registrations.items.map((i) => [i.siteName, date(i.registeredOn), i.renewalDueOn ? date(i.renewalDueOn) : "–", td(`report.counts.${i.counts}`, i.counts)])}
        />
        <Paragraph className={r.registrations.met ? "eh-ok" : "eh-missing"}>
          {t("report.requirement", { woningnet: t(r.registrations.woningnet ? "common.yes" : "common.no"), krimp: r.registrations.krimpSites, required: r.registrations.required })}{" "}
          {t(r.registrations.met ? "report.met" : "report.notMet")}
        </Paragraph>
      </section>

      <section aria-label={t("report.offered")}>
        <H>{t("report.offered")}</H>
        <Paragraph data-figure="offered">{t("report.offeredTotal", { total: r.offered.total, unanswered: r.offered.unanswered })}</Paragraph>
        <Heading level={sub}>{t("report.perSite")}</Heading>
        <CountTable caption={t("report.perSite")} head={[t("report.site"), t("report.count")]} rows={r.offered.perSite.map((s) => [s.label, s.count])} />
        <Heading level={sub}>{t("report.perRegion")}</Heading>
        <CountTable
          caption={t("report.perRegion")}
          head={[t("report.region"), t("report.regionKind"), t("report.count")]}
          rows={r.offered.perRegion.map((s) => [s.label, td(`report.kind.${s.kind}`, s.kind), s.count])}
        />
      </section>

      <section aria-label={t("report.responses")}>
        <H>{t("report.responses")}</H>
        <Paragraph data-figure="responses">
          {t("report.responsesSummary", { total: r.responses.total, line: r.responses.line, met: r.responses.monthsMet, full: r.responses.fullMonths })}
        </Paragraph>
        <CountTable
          caption={t("report.responses")}
          head={[t("report.month"), t("report.responded"), t("report.woningnet"), t("report.line", { line: r.responses.line })]}
          rows={r.responses.perMonth.map((m) => [
            `${month(m.month)}${m.partial ? ` (${t("report.partial")})` : ""}`,
            m.responded,
            m.woningnet,
            m.partial ? "–" : t(m.lineMet ? "report.lineMet" : "report.lineNotMet"),
          ])}
        />
      </section>

      <section aria-label={t("report.notResponding")}>
        <H>{t("report.notResponding")}</H>
        <Heading level={sub}>{t("report.notSuitable", { count: r.notSuitable.total })}</Heading>
        <CountTable caption={t("report.notSuitable", { count: r.notSuitable.total })} head={[t("report.reason"), t("report.count")]} rows={r.notSuitable.reasons.map((c) => [reason(c), c.count])} />
        <Heading level={sub}>{t("report.couldnt", { count: r.couldnt.total })}</Heading>
        <CountTable
          caption={t("report.couldnt", { count: r.couldnt.total })}
          head={[t("report.reason"), t("report.count")]}
          rows={r.couldnt.reasons.map((c) => [c.confirmedBySiteHealth ? `${reason(c)} (${t("report.confirmed", { count: c.confirmedBySiteHealth })})` : reason(c), c.count])}
        />
      </section>

      <section aria-label={t("report.limits")}>
        <H>{t("report.limits")}</H>
        {r.portalLimits.length === 0 ? (
          <Paragraph>{t("report.noLimits")}</Paragraph>
        ) : (
          <UnorderedList>
            {r.portalLimits.map((l, i) => (
              <UnorderedList.Item key={i}>
                <strong>{l.siteName}</strong>: {td(`report.limit.${l.rule}`, l.rule, { value: l.value ?? "?" })}
                {l.text ? ` – ${l.text}` : ""} ({t("report.limitOffers", { count: l.offersInPeriod })})
              </UnorderedList.Item>
            ))}
          </UnorderedList>
        )}
      </section>

      <section aria-label={t("report.remindersHelp")}>
        <H>{t("report.remindersHelp")}</H>
        <Paragraph>{t("report.reminders", { sent: r.reminders.sent, followed: r.reminders.followedByResponse })}</Paragraph>
        <Paragraph>
          {t("report.help", { asked: r.help.asked, answered: r.help.answered, open: r.help.open })}
          {r.help.medianDaysToAnswer !== null && ` ${t("report.helpMedian", { days: r.help.medianDaysToAnswer })}`}
        </Paragraph>
        <Paragraph>{t("report.notes", { count: r.counsellorNotes })}</Paragraph>
      </section>

      <section aria-label={t("report.evidence")}>
        <H>{t("report.evidence")}</H>
        {r.evidence.verified ? (
          <Paragraph className="eh-ok" data-figure="chain">
            {t("report.chainOk", { entries: r.evidence.entries, inPeriod: r.evidence.inPeriod })}
          </Paragraph>
        ) : (
          <Alert heading={t("report.evidence")} headingLevel={sub} severity="error">
            <Paragraph data-figure="chain">{t("report.chainBroken", { seq: r.evidence.firstBrokenEntry ?? 0, entries: r.evidence.entries })}</Paragraph>
          </Alert>
        )}
      </section>
    </div>
  );
}
