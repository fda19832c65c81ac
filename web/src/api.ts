// The JSON API as the web app uses it: same-origin fetch with the session cookie, the CSRF token
// on every write (fetched again once when the server says it is missing or stale), and errors
// that keep the server's message (which names the field).
// Where the server sends a domain object as it is, the type comes from domain/ itself (types only:
// nothing of domain/ is bundled), so the two cannot drift apart.
import type { CaseloadRow, Signal } from "../../domain/caseload.js";
import type { ChildInterests, Count, EvaluationReport } from "../../domain/evaluation.js";

export type { CaseloadRow, ChildInterests, Count, EvaluationReport, Signal };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

async function fetchCsrf(): Promise<void> {
  const res = await fetch("/api/auth/csrf", { headers: { accept: "application/json" }, credentials: "same-origin" });
  csrfToken = res.ok ? ((await res.json()) as { csrfToken: string }).csrfToken : null;
}

async function send<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET") {
    if (!csrfToken && !path.startsWith("/api/auth/login")) await fetchCsrf();
    if (csrfToken) headers["x-csrf-token"] = csrfToken;
  }
  const res = await fetch(path, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const code = typeof data.error === "string" ? data.error : "error";
    if (res.status === 403 && code.startsWith("csrf_token") && !retried) {
      await fetchCsrf();
      return send<T>(method, path, body, true);
    }
    throw new ApiError(res.status, code, typeof data.message === "string" ? data.message : res.statusText, Array.isArray(data.issues) ? (data.issues as ApiError["issues"]) : []);
  }
  if (typeof data.csrfToken === "string") csrfToken = data.csrfToken;
  return data as T;
}

export const api = {
  get: <T>(path: string) => send<T>("GET", path),
  post: <T>(path: string, body?: unknown) => send<T>("POST", path, body ?? {}),
  del: <T>(path: string) => send<T>("DELETE", path),
};

// ---------------------------------------------------------------------------------------------
// Shapes of the answers (the server's zod-validated output, as JSON).

export type Role = "admin" | "counsellor" | "evaluator";
export interface StaffUser {
  id: string;
  role: Role;
  organisationId: string;
  name: string;
}

export interface TimelineEntry {
  seq: number;
  type: string;
  actor: string;
  staffName: string | null;
  occurredAt: string;
  matchId: string | null;
  payload: Record<string, unknown> | null;
}

export interface Workspace {
  family: {
    id: string;
    displayName: string;
    language: string;
    adults: number;
    childBirthYears: number[];
    needs: string[];
    admittedOn: string | null;
    nextEvaluationOn: string | null;
    counsellorName: string | null;
    profile: { regions: string[]; municipalities: string[]; minBedrooms: number | null; maxNetRent: string | null; dwellingKinds: string[]; active: boolean } | null;
  };
  registrations: {
    items: { siteId: string; siteName: string; registeredOn: string; renewalDueOn: string | null; counts: "woningnet" | "krimp" | "other" }[];
    woningnet: boolean;
    krimpSites: number;
    required: number;
    met: boolean;
    renewals: { siteId: string; renewalDueOn: string; overdue: boolean }[];
    krimpSuggestions: { siteId: string; siteName: string; regions: string[] }[];
  };
  openMatches: {
    matchId: string;
    offeredAt: string;
    answer: string | null;
    listing: { id: string; siteId: string; siteName: string; street: string; houseNumber: string; houseNumberAddition: string; city: string; netRent: string | null; bedrooms: number | null; closesAt: string | null; sourceUrl: string };
  }[];
  timeline: { total: number; entries: TimelineEntry[]; firstBrokenEntry: number | null };
  tasks: { id: string; kind: string; status: string; note: string | null; createdAt: string; doneAt: string | null }[];
  evaluations: { id: string; version: number; periodStart: string; periodEnd: string; createdAt: string; chainVerified: boolean }[];
}

export interface SavedEvaluation {
  id: string;
  familyId: string;
  version: number;
  periodStart: string;
  periodEnd: string;
  createdAt: string;
  createdBy: { id: string; name: string };
  chainVerified: boolean;
  childInterests: ChildInterests;
  report: EvaluationReport;
}

export interface Share {
  id: string;
  evaluator: { id: string; name: string; organisation: string } | null;
  sharedBy: { id: string; name: string } | null;
  createdAt: string;
  revokedAt: string | null;
}
