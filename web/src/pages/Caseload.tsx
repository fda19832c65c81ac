// The caseload: the counsellor's families, the ones who need attention first. Each signal is a
// reason to get in touch, with a proposal for that contact.
import { Alert, Heading, Paragraph, Table } from "@amsterdam/design-system-react";
import { useEffect } from "react";
import type { CaseloadRow, StaffUser } from "../api";
import { SignalList } from "../components/Signals";
import { Status } from "../components/Status";
import { useI18n } from "../i18n";
import { AppLink } from "../router";
import { useApi } from "../useApi";

export function Caseload({ user }: { user: StaffUser }) {
  const { t, date } = useI18n();
  const [loaded] = useApi<{ generatedAt: string; families: CaseloadRow[] }>("/api/caseload");
  const title = user.role === "admin" ? t("caseload.titleAll") : t("caseload.title");
  useEffect(() => {
    document.title = `${title} – Eldersthuis`;
  }, [title]);
  const children = (n: number) => (n === 0 ? t("caseload.noChildren") : n === 1 ? t("caseload.child") : t("caseload.children", { count: n }));
  return (
    <div className="eh-stack">
      <Heading level={1}>{title}</Heading>
      <Paragraph>{t("caseload.intro")}</Paragraph>
      <Alert heading={t("caseload.noteHeading")} headingLevel={2}>
        <Paragraph>{t("caseload.contactNotSanction")}</Paragraph>
      </Alert>
      <Status loaded={loaded}>
        {({ families }) =>
          families.length === 0 ? (
            <Paragraph>{t("caseload.empty")}</Paragraph>
          ) : (
            <div className="eh-table-wrap">
              <Table id="caseload">
                <Table.Caption>{t("caseload.caption")}</Table.Caption>
                <Table.Header>
                  <Table.Row>
                    <Table.HeaderCell scope="col">{t("caseload.family")}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{t("caseload.signals")}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{t("caseload.lastAnswer")}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{t("caseload.evaluation")}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{t("caseload.registrations")}</Table.HeaderCell>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {families.map((f) => (
                    <Table.Row key={f.familyId} data-family-id={f.familyId}>
                      <Table.HeaderCell scope="row">
                        <AppLink to={`/families/${f.familyId}`}>{f.displayName}</AppLink>
                        <span className="eh-proposal">{children(f.childCount)}</span>
                      </Table.HeaderCell>
                      <Table.Cell>
                        <SignalList signals={f.signals} />
                      </Table.Cell>
                      <Table.Cell>{f.lastAnswerAt ? date(f.lastAnswerAt) : t("caseload.never")}</Table.Cell>
                      <Table.Cell>{f.nextEvaluationOn ? date(f.nextEvaluationOn) : "–"}</Table.Cell>
                      <Table.Cell>
                        <span className={f.registration.met ? "eh-ok" : "eh-missing"}>
                          {f.registration.met
                            ? t("caseload.regOk")
                            : t("caseload.regShort", { woningnet: t(f.registration.woningnet ? "common.yes" : "common.no"), krimp: f.registration.krimpSites, required: f.registration.required })}
                        </span>
                      </Table.Cell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table>
            </div>
          )
        }
      </Status>
    </div>
  );
}
