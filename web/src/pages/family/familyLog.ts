// What a family's own log says, in its own words: the homes it can still answer (derived from the
// log, since /api/me offers no list of open homes), and each entry as a line of plain text.
import type { AccessEntry, FamilyActivity } from "../../familyApi";
import type { FamilyKey } from "../../familyI18n";

type Tk = (key: string, values?: Record<string, string | number>) => string | undefined;
type T = (key: FamilyKey, values?: Record<string, string | number>) => string;

const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : null);

/** A home without a closing time counts as open this long after it was offered. */
const NO_DEADLINE_OPEN_MS = 14 * 86_400_000;
const ANSWERS = new Set(["responded", "not_for_us", "couldnt"]);

export interface OpenHome {
  matchId: string;
  address: string;
  site: string | null;
  closesAt: string | null;
  offeredAt: string;
}

/**
 * Homes offered and not yet answered whose closing time is still ahead (or, without one, that
 * came in the last 14 days), soonest first. "Help me" is no answer: the home stays open.
 */
export function openHomes(activities: FamilyActivity[], now = Date.now()): OpenHome[] {
  const answered = new Set(activities.filter((a) => ANSWERS.has(a.type) && a.matchId).map((a) => a.matchId!));
  const homes: OpenHome[] = [];
  for (const a of activities) {
    if (a.type !== "offered" || !a.matchId || answered.has(a.matchId)) continue;
    const p = a.payload ?? {};
    const closesAt = str(p.closesAt);
    const open = closesAt ? Date.parse(closesAt) > now : Date.parse(a.occurredAt) > now - NO_DEADLINE_OPEN_MS;
    if (!open) continue;
    homes.push({ matchId: a.matchId, address: addressOf(p), site: str(p.site), closesAt, offeredAt: a.occurredAt });
  }
  const at = (h: OpenHome) => (h.closesAt ? Date.parse(h.closesAt) : Number.POSITIVE_INFINITY);
  return homes.sort((x, y) => at(x) - at(y) || Date.parse(y.offeredAt) - Date.parse(x.offeredAt));
}

function addressOf(p: Record<string, unknown>): string {
  return [str(p.address), str(p.town)].filter(Boolean).join(", ");
}

export interface EntryText {
  title: string;
  details: string[];
  /** The family's own words, or the counsellor's note. */
  text: string | null;
  byCounsellor: boolean;
}

/** One log entry in plain words; answers name the home from the offer they belong to. */
export function describeEntry(a: FamilyActivity, addressByMatch: Map<string, string>, t: T, tk: Tk): EntryText {
  const p = a.payload ?? {};
  const details: string[] = [];
  // The offer names the home in full (street and town); answers and reminders point at it.
  const home = (a.matchId ? addressByMatch.get(a.matchId) : undefined) || addressOf(p);
  const via = str(p.channel);
  const viaText = via ? tk(`via.${via}`) : undefined;
  let title: string;
  let text: string | null = null;
  switch (a.type) {
    case "offered":
    case "offered_again":
      title = t(a.type === "offered" ? "entry.offered" : "entry.offered_again");
      if (home) details.push(home);
      break;
    case "responded":
    case "not_for_us":
    case "couldnt":
    case "help_requested": {
      const tap = a.type === "help_requested" ? "help" : a.type;
      title = t("entry.answer", { answer: tk(`tap.${tap}`) ?? tap });
      if (home) details.push(home);
      break;
    }
    case "answer_reason": {
      const reason = str(p.reason) ?? "other";
      title = t("entry.answer_reason", { reason: tk(`reason.${reason}`) ?? reason.replace(/_/g, " ") });
      if (home) details.push(home);
      break;
    }
    case "answer_note":
      title = t("entry.answer_note");
      text = str(p.note);
      if (home) details.push(home);
      break;
    case "counsellor_note":
      title = t("entry.counsellor_note");
      text = str(p.text) ?? str(p.note);
      break;
    case "evaluation_shared": {
      const ev = (p.evaluator ?? {}) as Record<string, unknown>;
      title = t("entry.evaluation_shared", { name: [str(ev.name), str(ev.organisation)].filter(Boolean).join(", ") || "–" });
      break;
    }
    case "alert_sent":
    case "alert_delivered":
    case "alert_failed":
    case "reminder_sent":
    case "evaluation_share_revoked":
    case "registration_updated":
    case "erased":
      title = tk(`entry.${a.type}`) ?? t("entry.other");
      if (viaText) details.push(viaText);
      if (a.type === "registration_updated" && str(p.siteId)) details.push(str(p.siteId)!);
      if (a.type === "reminder_sent" && home) details.push(home);
      break;
    default:
      title = t("entry.other");
  }
  return { title, details, text, byCounsellor: a.type === "counsellor_note" };
}

/** The staff action behind an access-log row, in the family's words. */
export function whatOf(action: string): FamilyKey {
  if (/^read_(workspace|family)$/.test(action)) return "what.file";
  if (action === "read_activity") return "what.log";
  if (/^read_(matches|decision)$/.test(action)) return "what.homes";
  if (action === "read_registrations") return "what.registrations";
  if (/^(update_family|update_profile|(create|update|delete)_registration)$/.test(action)) return "what.changed";
  if (action === "add_note") return "what.note";
  if (action === "share_evaluation") return "what.share";
  if (action.includes("evaluation")) return "what.evaluation";
  if (action === "export_family") return "what.export";
  if (action.includes("calendar")) return "what.calendar";
  if (action === "create_family") return "what.created";
  return "what.other";
}

export const roleKey = (role: NonNullable<AccessEntry["by"]>["role"]): FamilyKey => `role.${role}`;
