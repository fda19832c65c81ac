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
import { loadStaff } from "./auth.js";
import { errorHandler, HttpError } from "./errors.js";
import { authRouter } from "./routes/auth.js";
import { familiesRouter } from "./routes/families.js";
import { healthRouter } from "./routes/health.js";
import { listingsRouter } from "./routes/listings.js";
import { tapRouter } from "./routes/tap.js";

export interface AppDeps {
  db: Db;
  redis: Redis;
  queues: Queues;
  config: Config;
  log: Logger;
}

const WEB_ROOT = new URL("../web/public/", import.meta.url).pathname;

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
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.startsWith("/r/") ? "/r/:token" : req.url.split("?")[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === "/api/health" },
    }),
  );
  app.use(helmet({ contentSecurityPolicy: { directives: { "form-action": ["'self'"] } }, hsts: config.PUBLIC_URL.startsWith("https://") }));
  app.use(express.json({ limit: "100kb" }));
  app.use(express.urlencoded({ extended: false, limit: "10kb" }));
  app.use(cookieParser());
  app.use(sameOrigin(config.PUBLIC_URL));
  app.use(loadStaff(db));

  app.use("/api", healthRouter(deps));
  app.use("/api/auth", authRouter(db, config));
  app.use("/api/families", familiesRouter(db));
  app.use("/api", listingsRouter(db));
  app.use(tapRouter(db, config));
  app.use(express.static(WEB_ROOT, { index: "index.html" }));
  app.use("/api/{*splat}", (_req, _res, next) => next(new HttpError(404, "not_found", "no such API route")));
  app.use(errorHandler(log));
  return app;
}
