// Shared pieces of the adapter tests: reading recorded fixtures, expecting a SiteSchemaError, counting,
// a fetch context, and a local HTTP stand-in that records what the adapter sent.
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { expect } from "vitest";
import { BrowserPool } from "../../../workers/sites/browser.js";
import { SiteSchemaError } from "../../../workers/sites/errors.js";
import { HttpClient } from "../../../workers/sites/http.js";
import type { FetchContext } from "../../../workers/sites/types.js";

/** Reads recorded responses of one site from test/fixtures/sites/<folder>/. */
export function fixtureReader(folder: string): (name: string) => string {
  return (name) => readFileSync(new URL(`../../fixtures/sites/${folder}/${name}`, import.meta.url), "utf8");
}

export function schemaErrorOf(fn: () => unknown): SiteSchemaError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SiteSchemaError);
    return error as SiteSchemaError;
  }
  throw new Error("expected a SiteSchemaError, got a result");
}

export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** A fetch context; HTTP adapters never launch the browser pool, browser tests pass their own. */
export function httpContext(timeoutMs = 2_000, browser: BrowserPool = new BrowserPool()): FetchContext {
  return {
    http: new HttpClient({ userAgent: "Eldersthuis-test/1.0", timeoutMs }),
    browser,
    log: pino({ level: "silent" }),
    signal: new AbortController().signal,
  };
}

export interface SeenRequest {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface LocalSite {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** A local HTTP server answering with `handle`; every request is recorded in `seen`. */
export async function localSite(handle: (req: SeenRequest, res: ServerResponse) => void): Promise<LocalSite> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const request = { method: req.method, url: req.url, headers: req.headers, body };
      seen.push(request);
      handle(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
