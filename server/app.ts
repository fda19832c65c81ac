// The Express app, built from its dependencies so tests can give it real services of their own.
import { randomUUID } from "node:crypto";
import cookieParser from "cookie-parser";
import express, { type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import type { Redis } from "ioredis";
import { pinoHttp } from "pino-http";
import type { Logger } from "pino";
import type { Config } from "../infra/config.js";
import type { Db } from "../infra/db.js";
import type { Queues } from "../workers/queues.js";
import { evaluatorReadOnly, familySessionScope } from "./access.js";
import { csrfProtection, loadSession } from "./auth.js";
import { errorHandler, HttpError } from "./errors.js";
import { authRouter } from "./routes/auth.js";
import { exportRouter } from "./routes/export.js";
import { familyAuthRouter } from "./routes/family-auth.js";
import { familiesRouter } from "./routes/families.js";
import { healthRouter } from "./routes/health.js";
import { listingsRouter } from "./routes/listings.js";
import { meRouter } from "./routes/me.js";
import { sharesRouter } from "./routes/shares.js";
import { sitesRouter } from "./routes/sites.js";
import { tapRouter } from "./routes/tap.js";
import { hooksRouter } from "./routes/hooks.js";
import { pushRouter } from "./routes/push.js";
import { calendarRouter } from "./routes/calendar.js";
import { caseloadRouter } from "./routes/caseload.js";
import { evaluationsRouter } from "./routes/evaluations.js";
import { notesRouter } from "./routes/notes.js";
import { operatorsRouter } from "./routes/operators.js";

export interface AppDeps {
  db: Db;
  redis: Redis;
  queues: Queues;
  config: Config;
  log: Logger;
}

const WEB_ROOT = new URL("../web/public/", import.meta.url).pathname;
// The staff app, built by `npm run web:build` (Vite) into web/dist.
const WEB_DIST = new URL("../web/dist/", import.meta.url).pathname;

/**
 * Cookie-authenticated writes must come from our own pages: SameSite=Lax keeps the cookie off
 * cross-site POSTs, and this check refuses a write whose Origin is another site.
 */
function sameOrigin(publicUrl: string) {
  const own = new URL(publicUrl).origin;
  return (req: Request, _res: Response, next: NextFunction) => {
    if (["GET", "HEAD", "OPTIONS"].includes(req.method)) return next();
    const origin = req.get("origin");
    if (origin && origin !== own && origin !== `${req.protocol}://${req.get("host")}`) {
      return next(new HttpError(403, "cross_origin", "request from another site refused"));
    }
    next();
  };
}

export function createApp(deps: AppDeps): express.Express {
  const { db, config, log } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");
  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req, res) => {
        const id = randomUUID();
        res.setHeader("x-request-id", id);
        return id;
      },
      // No personal data in logs: one-tap URLs carry tokens, so log the route, not the URL.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.startsWith("/r/") ? "/r/:token" : req.url.startsWith("/cal/") ? "/cal/:token.ics" : req.url.split("?")[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === "/api/health" },
    }),
  );
  const https = config.PUBLIC_URL.startsWith("https://");
  // The web app is built (Vite) to files under 'self': no inline scripts or styles, no framing.
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          "default-src": ["'self'"],
          "script-src": ["'self'"],
          "style-src": ["'self'"],
          "img-src": ["'self'", "data:"],
          "font-src": ["'self'", "data:"],
          "connect-src": ["'self'"],
          "frame-ancestors": ["'none'"],
          "form-action": ["'self'"],
          "object-src": ["'none'"],
          "base-uri": ["'self'"],
          // Over plain http (127.0.0.1 in development) an upgrade would break every asset.
          "upgrade-insecure-requests": https ? [] : null,
        },
      },
      hsts: https,
    }),
  );
  app.use(express.json({ limit: "100kb" }));
  app.use(express.urlencoded({ extended: false, limit: "10kb" }));
  app.use(cookieParser());
  app.use(sameOrigin(config.PUBLIC_URL));
  app.use(loadSession(db, config));
  // Personal data must not sit in caches (browser, proxies).
  app.use("/api", (_req, res, next) => {
    res.set("Cache-Control", "no-store");
    next();
  });
  // Sign-in posts authenticate by what they carry, not by the cookie: no CSRF token yet.
  app.use("/api", csrfProtection(["/auth/login", "/family-auth/request", "/family-auth/verify"]));
  app.use("/api", familySessionScope(db, ["/me", "/auth", "/family-auth", "/health"]));
  app.use("/api", evaluatorReadOnly(db, ["/auth/"]));

  app.use("/api", healthRouter(deps));
  app.use("/api/auth", authRouter(deps));
  app.use("/api/family-auth", familyAuthRouter(deps));
  app.use("/api/me", meRouter(db));
  app.use("/api/families", familiesRouter(db));
  app.use("/api/families", exportRouter(db));
  app.use("/api", sharesRouter(db));
  app.use("/api", caseloadRouter(db));
  app.use("/api", evaluationsRouter(db, config));
  app.use("/api", notesRouter(db));
  app.use("/api/sites", sitesRouter(db));
  app.use("/api", listingsRouter(db));
  app.use(tapRouter(db, config));
  app.use(hooksRouter(deps));
  app.use(pushRouter(deps));
  app.use(calendarRouter(db, config));
  app.use(operatorsRouter(deps));
  app.use(express.static(WEB_ROOT, { index: false }));
  app.use(express.static(WEB_DIST, { index: false }));
  // The app's own routes (/families/…, /evaluations/…) all load its index page; API, one-tap and
  // calendar paths, and missing files, do not.
  app.get("/{*splat}", (req, res, next) => {
    if (/^\/(api|r|cal)(\/|$)/.test(req.path) || /\.[a-z0-9]+$/i.test(req.path)) return next();
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile("index.html", { root: WEB_DIST }, (err) => {
      if (err) res.status(503).type("text").send("The web app is not built: run `npm run web:build`.");
    });
  });
  app.use("/api/{*splat}", (_req, _res, next) => next(new HttpError(404, "not_found", "no such API route")));
  app.use(errorHandler(log));
  return app;
}
