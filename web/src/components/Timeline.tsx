// The evidence log as a timeline, newest first. Counsellors' notes are marked as such, so nobody
// reads them as the family's own words.
import { useI18n } from "../i18n";
import type { TimelineEntry } from "../api";

const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : null);

export function TimelineItem({ entry, siteNames }: { entry: TimelineEntry; siteNames: Map<string, string> }) {
  const { t, td, dateTime } = useI18n();
  const p = entry.payload ?? {};
  const by =
    entry.actor === "staff"
      ? t("entry.by.staff", { name: entry.staffName ?? "?" })
      : entry.actor === "family"
        ? t("entry.by.family")
        : t("entry.by.system");
  const site = str(p.site);
  const address = [str(p.address), str(p.town)].filter(Boolean).join(", ");
  const reason = str(p.reason) ?? str(p.answer_reason);
  const details: string[] = [];
  if (address) details.push(address);
  if (site) details.push(siteNames.get(site) ?? site);
  if (reason) details.push(t("entry.reason", { reason: td(`reason.${reason}`, reason.replace(/_/g, " ")) }));
  if (str(p.channel)) details.push(t("entry.channel", { channel: String(p.channel) }));
  const isNote = entry.type === "counsellor_note";
  const text = str(p.text) ?? str(p.note);
  return (
    <li className={isNote ? "eh-note" : undefined} data-type={entry.type} data-seq={entry.seq}>
      <time dateTime={entry.occurredAt}>{dateTime(entry.occurredAt)}</time>
      <div>
        <strong>{td(`entry.${entry.type}`, entry.type.replace(/_/g, " "))}</strong> <span className="eh-muted">{by}</span>
      </div>
      {isNote && <div className="eh-muted">{t("entry.noteMarked")}</div>}
      {details.length > 0 && <div>{details.join(" · ")}</div>}
      {text && <div className="eh-pre">{text}</div>}
    </li>
  );
}
