// The family's side of the API (server/routes/family-auth.ts and me.ts), through the app's one
// fetch wrapper (api.ts: session cookie, CSRF token on writes, errors that keep the server's code).
import { api, setCsrfToken } from "./api";

export interface FamilyUser {
  id: string;
  displayName: string;
  language: string;
}

/** The way the family gets its messages: the request and the typed code name the same one. */
export type Channel = { email: string } | { phone: string };

export interface FamilyActivity {
  seq: number;
  type: string;
  /** "family", "system" or "staff" (the log names staff by id only; the family sees that staff acted). */
  actor: string;
  occurredAt: string;
  matchId: string | null;
  payload: Record<string, unknown> | null;
}

export interface AccessEntry {
  at: string;
  action: string;
  allowed: boolean;
  by: { name: string; role: "admin" | "counsellor" | "evaluator"; organisation: string } | null;
}

export interface FamilyShare {
  id: string;
  evaluation: { id: string; version: number; periodStart: string; periodEnd: string };
  evaluator: { name: string; role: string; organisation: string } | null;
  sharedBy: { name: string; role: string; organisation: string } | null;
  sharedAt: string;
  revokedAt: string | null;
  active: boolean;
}

/** Whatever address the family typed: an e-mail address has an @, anything else is a phone number. */
export function channelOf(address: string): Channel {
  const a = address.trim();
  return a.includes("@") ? { email: a } : { phone: a };
}

export const ACCESS_PAGE = 50;

export const familyApi = {
  /** Always 202, whether or not the address is known (the server tells nobody which are). */
  requestCode: (channel: Channel) => api.post<{ message: string }>("/api/family-auth/request", channel),
  /** A typed 6-digit code with its address, or the link's code alone. */
  verify: (code: string, channel?: Channel) => api.post<{ family: FamilyUser; csrfToken: string }>("/api/family-auth/verify", { code, ...channel }),
  /** The signed-in family, or null (no session, or a staff session). */
  me: async (): Promise<FamilyUser | null> => {
    const r = await api.get<{ family?: FamilyUser; user?: unknown }>("/api/auth/me").catch(() => null);
    return r?.family ?? null;
  },
  activity: () => api.get<{ activities: FamilyActivity[] }>("/api/me/activity"),
  accessLog: (before?: string) => api.get<{ entries: AccessEntry[] }>(`/api/me/access-log?limit=${ACCESS_PAGE}${before ? `&before=${encodeURIComponent(before)}` : ""}`),
  shares: () => api.get<{ shares: FamilyShare[] }>("/api/me/shares"),
  exportUrl: "/api/me/export",
  signOut: async () => {
    await api.post("/api/auth/logout").catch(() => undefined);
    setCsrfToken(null);
  },
};
