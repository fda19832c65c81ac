// Operators: is every housing site being read, and are the queues moving? Site health comes from
// GET /api/sites/health; the queue dashboard (bull-board) is for admins.
import { Badge, Heading, Paragraph, StandaloneLink, Table } from "@amsterdam/design-system-react";
import { useEffect } from "react";
import type { StaffUser } from "../api";
import { Status } from "../components/Status";
import { useI18n } from "../i18n";
import { useApi } from "../useApi";

interface SiteHealth {
  id: string;
  name: string;
  enabled: boolean;
  health: "healthy" | "degraded" | "blocked" | "broken";
  lastSuccessAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
}

const COLOR = { healthy: "lime", degraded: "yellow", blocked: "orange", broken: "red" } as const;

export function Operators({ user }: { user: StaffUser }) {
  const { t, td, dateTime } = useI18n();
  const [loaded] = useApi<{ sites: SiteHealth[] }>("/api/sites/health");
  useEffect(() => {
    document.title = `${t("ops.title")} – Eldersthuis`;
  }, [t]);
  return (
    <div className="eh-stack">
      <Heading level={1}>{t("ops.title")}</Heading>
      <Paragraph>{t("ops.intro")}</Paragraph>
      {user.role === "admin" && (
        <section className="eh-stack" aria-labelledby="queues-h">
          <Heading level={2} id="queues-h">
            {t("ops.queues")}
          </Heading>
          <Paragraph>{t("ops.queuesIntro")}</Paragraph>
          <StandaloneLink href="/operators/queues" id="queue-dashboard">
            {t("ops.queues")}
          </StandaloneLink>
        </section>
      )}
      <section className="eh-section eh-stack" aria-labelledby="sites-h">
        <Heading level={2} id="sites-h">
          {t("ops.sites")}
        </Heading>
        <StandaloneLink href="/sites.html">{t("ops.sitesPage")}</StandaloneLink>
        <Status loaded={loaded}>
          {({ sites }) => (
            <div className="eh-table-wrap">
              <Table>
                <Table.Caption className="ams-visually-hidden">{t("ops.sitesCaption")}</Table.Caption>
                <Table.Header>
                  <Table.Row>
                    <Table.HeaderCell scope="col">{t("ops.site")}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{t("ops.health")}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{t("ops.lastSuccess")}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{t("ops.failures")}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{t("ops.lastError")}</Table.HeaderCell>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {sites.map((s) => (
                      <Table.Row key={s.id}>
                        <Table.HeaderCell scope="row">
                          {s.name}
                          {!s.enabled && <span className="eh-proposal">{t("ops.disabled")}</span>}
                        </Table.HeaderCell>
                        <Table.Cell>
                          <Badge label={td(`ops.health.${s.health}`, s.health)} color={COLOR[s.health] ?? "azure"} />
                        </Table.Cell>
                        <Table.Cell>{s.lastSuccessAt ? dateTime(s.lastSuccessAt) : t("ops.never")}</Table.Cell>
                        <Table.Cell>{s.consecutiveFailures}</Table.Cell>
                        <Table.Cell>{s.lastError ?? "–"}</Table.Cell>
                      </Table.Row>
                    ))}
                </Table.Body>
              </Table>
            </div>
          )}
        </Status>
      </section>
    </div>
  );
}
