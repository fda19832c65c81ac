// Operators: the queue dashboard (bull-board) behind admin sign-in. Site health has its own API
// (GET /api/sites/health) and page; the web app's Operators page links both.
// bull-board's own UI cannot send our X-CSRF-Token header, so its writes (retry, clean, pause) are
// checked by origin instead: a browser always sends Origin on such requests, and it must be ours.
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import { Router, type NextFunction, type Request, type Response } from "express";
import type { Config } from "../../infra/config.js";
import { QUEUE_NAMES, type Queues } from "../../workers/queues.js";
import { requireRole } from "../auth.js";
import { HttpError } from "../errors.js";

export const QUEUE_DASHBOARD_PATH = "/operators/queues";

/** A browser asking for the dashboard without a session is sent to sign in, then back. */
function signInFirst(req: Request, res: Response, next: NextFunction) {
  if (!req.staff && req.method === "GET" && req.accepts(["json", "html"]) === "html") {
    res.redirect(303, `/login?next=${encodeURIComponent(QUEUE_DASHBOARD_PATH)}`);
    return;
  }
  next();
}

function ownOriginForWrites(publicUrl: string) {
  const own = new URL(publicUrl).origin;
  return (req: Request, _res: Response, next: NextFunction) => {
    if (["GET", "HEAD", "OPTIONS"].includes(req.method)) return next();
    const origin = req.get("origin");
    if (!origin || (origin !== own && origin !== `${req.protocol}://${req.get("host")}`)) {
      return next(new HttpError(403, "cross_origin", "Origin: dashboard changes must come from the dashboard itself"));
    }
    next();
  };
}

/**
 * bull-board's UI sets inline styles (its CSS-in-JS) and asks Google Fonts for a font; the app's
 * strict policy would break its layout. Its pages get their own policy: inline styles allowed,
 * everything else still from this server only.
 */
function dashboardPolicy(_req: Request, res: Response, next: NextFunction) {
  res.setHeader(
    "Content-Security-Policy",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'",
  );
  next();
}

export function operatorsRouter(deps: { queues: Queues; config: Config }): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.map((q) => new BullMQAdapter(deps.queues[q])),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: "Eldersthuis" } },
  });
  const r = Router();
  r.use(QUEUE_DASHBOARD_PATH, signInFirst, requireRole("admin"), ownOriginForWrites(deps.config.PUBLIC_URL), dashboardPolicy, adapter.getRouter() as Router);
  return r;
}
