// The single exit of every simulated-site answer. Platform handlers describe an Answer; this step
// sends it. Keeping one per-site step is what lets fault modes (errors, throttling, slow or broken
// bodies, challenge pages) be injected later without touching the platform handlers.
import type { Request, Response } from "express";
import type { Answer } from "./types.js";

export type Respond = (req: Request, res: Response, answer: Answer) => void;

export function sendAnswer(res: Response, answer: Answer): void {
  res.status(answer.status ?? 200);
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  for (const c of answer.cookies ?? []) {
    res.cookie(c.name, c.value, { path: c.path, httpOnly: c.httpOnly, sameSite: "lax" });
  }
  if (answer.html !== undefined) {
    res.type("html").send(answer.html);
  } else if (answer.json !== undefined) {
    // Sent as text so the body is exactly JSON.stringify of what the handler built.
    res.type("application/json; charset=utf-8").send(JSON.stringify(answer.json));
  } else {
    res.end();
  }
}
