// The single exit of every simulated-site answer. Platform handlers describe an Answer; this step
// sends it, and is the one place where a site's fault mode (faults.ts) is applied, so every platform
// gets every fault without its handlers knowing:
//   http500, http503 (Retry-After), http429 (Retry-After), slow (answer after delayMs), challenge
//   (Cloudflare-like interstitial with 200) apply to every request of the site;
//   malformed (JSON or HTML cut in half), empty (well-formed, no homes), drift (renamed fields) apply
//   to answers that carry the offer (Answer.offer), in the platform's own shape.
// Answers marked `etag` get a strong ETag and answer a matching If-None-Match with 304, unless a fault
// changed them.
import { createHash } from "node:crypto";
import type { Request, Response } from "express";
import { challengePage, type FaultBook } from "./faults.js";
import type { Answer } from "./types.js";

export type Respond = (req: Request, res: Response, answer: Answer) => void;

/** Timers of "slow" answers still waiting; the farm clears them on close so nothing fires afterwards. */
export type PendingTimers = Set<NodeJS.Timeout>;

function body(answer: Answer): { text: string; type: string } | null {
  if (answer.html !== undefined) return { text: answer.html, type: "text/html; charset=utf-8" };
  // Sent as text so the body is exactly JSON.stringify of what the handler built.
  if (answer.json !== undefined) return { text: JSON.stringify(answer.json), type: "application/json; charset=utf-8" };
  if (answer.text !== undefined) return { text: answer.text, type: "text/plain; charset=utf-8" };
  return null;
}

/** Entity tags as quoted strings; If-None-Match may list several, or be "*". */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

export function sendAnswer(req: Request, res: Response, answer: Answer): void {
  const content = body(answer);
  const status = answer.status ?? 200;
  res.status(status);
  // The handler's own headers come after the default content type, so they may override it.
  if (content) res.setHeader("Content-Type", content.type);
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  for (const c of answer.cookies ?? []) {
    res.cookie(c.name, c.value, { path: c.path, httpOnly: c.httpOnly, sameSite: "lax" });
  }
  if (content && answer.etag && status === 200) {
    const etag = `"${createHash("sha1").update(content.text).digest("base64url")}"`;
    res.setHeader("ETag", etag);
    if (matchesEtag(req.get("if-none-match"), etag)) {
      res.status(304).end();
      return;
    }
  }
  if (!content) {
    res.end();
    return;
  }
  res.send(content.text);
}

/** The answer's body cut in half: invalid JSON, or HTML that stops mid-page. */
function malformed(answer: Answer): Answer {
  const content = body(answer);
  const text = content?.text ?? "";
  const cut = text.slice(0, Math.floor(text.length / 2));
  const { offer: _offer, etag: _etag, json: _json, html: _html, text: _text, ...rest } = answer;
  if (answer.html !== undefined) return { ...rest, html: cut };
  // A raw body with the JSON content type: clients see a JSON answer that does not parse.
  return { ...rest, text: cut, headers: { ...rest.headers, "Content-Type": "application/json; charset=utf-8" } };
}

export function createRespond(siteId: string, faults: FaultBook, pending: PendingTimers): Respond {
  let challenges = 0;
  return (req, res, answer) => {
    const fault = faults.take(siteId, answer.offer !== undefined);
    if (!fault) {
      sendAnswer(req, res, answer);
      return;
    }
    switch (fault.fault) {
      case "http500":
        sendAnswer(req, res, { status: 500, html: "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>" });
        return;
      case "http503":
        sendAnswer(req, res, {
          status: 503,
          headers: { "Retry-After": String(fault.retryAfter) },
          html: "<!DOCTYPE html><html lang=\"nl\"><head><title>Onderhoud</title></head><body><h1>Wij zijn even bezig met onderhoud</h1><p>Probeer het later opnieuw.</p></body></html>",
        });
        return;
      case "http429":
        sendAnswer(req, res, { status: 429, headers: { "Retry-After": String(fault.retryAfter) }, text: "Too Many Requests" });
        return;
      case "challenge": {
        challenges += 1;
        const ray = createHash("sha1").update(`${siteId}:${challenges}`).digest("hex").slice(0, 16);
        sendAnswer(req, res, {
          status: 200,
          headers: { Server: "cloudflare", "CF-RAY": `${ray}-AMS`, "Cache-Control": "private, max-age=0, no-store, no-cache, must-revalidate" },
          html: challengePage(ray),
        });
        return;
      }
      case "slow": {
        const timer = setTimeout(() => {
          pending.delete(timer);
          if (!res.writableEnded && !res.destroyed) sendAnswer(req, res, answer);
        }, fault.delayMs);
        pending.add(timer);
        // A client that gave up frees the timer at once.
        res.once("close", () => {
          clearTimeout(timer);
          pending.delete(timer);
        });
        return;
      }
      case "malformed":
        sendAnswer(req, res, malformed(answer));
        return;
      case "empty":
        sendAnswer(req, res, { ...answer.offer!.empty(), etag: false });
        return;
      case "drift":
        sendAnswer(req, res, { ...answer.offer!.drift(), etag: false });
        return;
    }
  };
}
