// A local HTTP server on a random loopback port playing the partners' servers.
// Routes can be changed while it runs; every request is logged so tests can check
// which conditional headers Tributary sent. Torn down with t.teardown.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { ExecutionContext } from "ava";

export interface FixtureResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A static response, or a handler that may write the response itself (then return undefined). */
export type FixtureRoute =
  | FixtureResponse
  | ((req: IncomingMessage, res: ServerResponse) => FixtureResponse | undefined);

export interface LoggedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface FixtureServer {
  origin: string;
  url(path: string): string;
  requests: LoggedRequest[];
  set(path: string, route: FixtureRoute): void;
  close(): Promise<void>;
}

/**
 * Static responses that carry `ETag` or `Last-Modified` answer conditional requests with 304,
 * as a well-behaved partner server does.
 */
export async function startFixtureServer(
  t: ExecutionContext | undefined,
  routes: Record<string, FixtureRoute> = {},
): Promise<FixtureServer> {
  const table = new Map(Object.entries(routes));
  const requests: LoggedRequest[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    requests.push({ method: req.method ?? "GET", path, headers: req.headers });
    const route = table.get(path) ?? table.get(path.split("?")[0] ?? path);
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const response = typeof route === "function" ? route(req, res) : route;
    if (!response) return;
    const headers = response.headers ?? {};
    const etag = headers.ETag ?? headers.etag;
    const lastModified = headers["Last-Modified"] ?? headers["last-modified"];
    const inm = req.headers["if-none-match"];
    const ims = req.headers["if-modified-since"];
    const notModified =
      (etag !== undefined && inm !== undefined && inm === etag) ||
      (inm === undefined &&
        lastModified !== undefined &&
        ims !== undefined &&
        ims === lastModified);
    if (notModified && (response.status ?? 200) === 200) {
      res.writeHead(304, { ...(etag ? { ETag: etag } : {}) }).end();
      return;
    }
    res.writeHead(response.status ?? 200, headers).end(response.body ?? "");
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  t?.teardown(close);
  return {
    origin,
    url: (path) => `${origin}${path}`,
    requests,
    set: (path, route) => table.set(path, route),
    close,
  };
}
