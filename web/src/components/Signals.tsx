// One signal in words: what was seen, and the contact it proposes (never a sanction).
import { useI18n } from "../i18n";
import type { Signal } from "../api";

export function useSignalText() {
  const { t, td, date, dateTime } = useI18n();
  return (s: Signal): { text: string; proposal: string } => {
    const v = s.values;
    const yesNo = (n: unknown) => t(Number(n) ? "common.yes" : "common.no");
    let text: string;
    switch (s.kind) {
      case "deadline_48h":
        text = t("signal.deadline_48h", { count: v.count ?? 0, closesAt: dateTime(String(v.closesAt)) });
        break;
      case "barrier_reported":
        text = t("signal.barrier_reported", { count: v.count ?? 0, last: date(String(v.last)) });
        break;
      case "no_answer_14d":
        text = Number(v.days) < 0 ? t("signal.no_answer_14d_never", { offered: v.offered ?? 0 }) : t("signal.no_answer_14d", { days: v.days ?? 0, offered: v.offered ?? 0 });
        break;
      case "registration_missing":
        text = t("signal.registration_missing", { woningnet: yesNo(v.woningnet), krimpSites: v.krimpSites ?? 0, required: v.required ?? 3 });
        break;
      case "renewal_due":
        text = t(Number(v.overdue) ? "signal.renewal_overdue" : "signal.renewal_due", { site: String(v.siteName ?? v.siteId), dueOn: date(String(v.dueOn)) });
        break;
      case "evaluation_near":
        text = Number(v.days) < 0 ? t("signal.evaluation_overdue", { on: date(String(v.on)) }) : t("signal.evaluation_near", { on: date(String(v.on)), days: v.days ?? 0 });
        break;
      default:
        text = td(`signal.${s.kind}`, s.kind, v);
    }
    return { text, proposal: td(`proposal.${s.proposal}`, s.proposal) };
  };
}

export function SignalList({ signals }: { signals: Signal[] }) {
  const { t } = useI18n();
  const describe = useSignalText();
  if (signals.length === 0) return <span className="eh-muted">{t("caseload.none")}</span>;
  return (
    <ul className="eh-signals">
      {signals.map((s) => {
        const { text, proposal } = describe(s);
        return (
          <li key={s.kind} data-signal={s.kind}>
            {text}
            <span className="eh-proposal">
              {t("caseload.proposal")}: {proposal}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
