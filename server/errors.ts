// HTTP errors by kind. A 4xx names what is wrong; anything else reaching the handler is a bug (500).
import type { ErrorRequestHandler } from "express";
import { ZodError } from "zod";
import type { Logger } from "pino";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
export const badRequest = (msg: string) => new HttpError(400, "invalid_request", msg);
export const unauthorized = () => new HttpError(401, "unauthorized", "sign in first");
export const forbidden = () => new HttpError(403, "forbidden", "not allowed for your account");
export const notFound = (what: string) => new HttpError(404, "not_found", `${what} not found`);

export function zodIssues(err: ZodError): { field: string; message: string }[] {
  return err.issues.map((i) => ({ field: i.path.length ? i.path.join(".") : "(body)", message: i.message }));
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof ZodError) {
      const issues = zodIssues(err);
      res.status(400).json({ error: "invalid_request", message: issues.map((i) => `${i.field}: ${i.message}`).join("; "), issues });
      return;
    }
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.code, message: err.message });
      return;
    }
    // body-parser's own errors (malformed JSON, too large) carry a status.
    const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
    if (typeof status === "number" && status >= 400 && status < 500) {
      res.status(status).json({ error: "invalid_request", message: status === 400 ? "body: not valid JSON" : (err as Error).message });
      return;
    }
    log.error({ err, reqId: req.id }, "unhandled error");
    res.status(500).json({ error: "internal", message: "something went wrong on our side" });
  };
}
