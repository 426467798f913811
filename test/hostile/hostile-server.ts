// A partner server gone bad, on a random loopback port: one route per hostile behaviour (never
// answering, dripping, endless and oversized bodies, compression bombs, redirect loops, HTML
// login walls, XXE…). Routes can be swapped while it runs (good content first, then the
// hostile answer), and every request and TCP connection is counted, so a test can prove that
// a refused URL never produced a packet. Used by test/hostile/*.test.ts and, in a child
// process, by bench/hostile.ts; it never imports ava at run time.
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { constants, createBrotliCompress, createGzip, type Gzip } from "node:zlib";

export type HostileRoute = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface LoggedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
}

export interface HostileServer {
  origin: string;
  port: number;
  url(path: string): string;
  set(path: string, route: HostileRoute): void;
  requests: LoggedRequest[];
  /** Requests whose path is `path` (query ignored). */
  hits(path: string): number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Starts the server; with a test context it is closed at teardown. */
export async function startHostileServer(
  t?: { teardown(fn: () => unknown): void },
  routes: Record<string, HostileRoute> = {},
): Promise<HostileServer> {
  const table = new Map(Object.entries(routes));
  const requests: LoggedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    requests.push({ method: req.method ?? "GET", path, headers: req.headers });
    // The client hanging up mid-body is the expected end of most routes here.
    res.on("error", () => undefined);
    const route = table.get(path) ?? table.get(path.split("?")[0] ?? path);
    if (route === undefined) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    Promise.resolve(route(req, res)).catch(() => res.destroy());
  });
  server.on("connection", (socket) => {
    connections++;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.once("close", () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  t?.teardown(close);
  return {
    origin,
    port,
    url: (path) => `${origin}${path}`,
    set: (path, route) => table.set(path, route),
    requests,
    hits: (path) => requests.filter((r) => (r.path.split("?")[0] ?? r.path) === path).length,
    get connections() {
      return connections;
    },
    close,
  };
}

// --- feeds ------------------------------------------------------------------------------------

export interface FeedItem {
  guid?: string;
  title: string;
  link?: string;
  pubDate?: string;
  description?: string;
  /** Raw XML added inside <item> (categories, enclosures…). */
  extra?: string;
}

/** An RSS 2.0 document; values are inserted as given (escape them yourself when needed). */
export function rssFeed(items: FeedItem[], channelTitle = "Partner"): string {
  const body = items
    .map(
      (item) =>
        `<item><title>${item.title}</title>` +
        (item.link === undefined ? "" : `<link>${item.link}</link>`) +
        (item.guid === undefined ? "" : `<guid isPermaLink="false">${item.guid}</guid>`) +
        `<pubDate>${item.pubDate ?? "Mon, 02 Mar 2026 10:00:00 GMT"}</pubDate>` +
        (item.description === undefined ? "" : `<description>${item.description}</description>`) +
        (item.extra ?? "") +
        "</item>",
    )
    .join("\n");
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>${channelTitle}</title><link>https://partner.example.org/</link>
<description>Partner news</description>
${body}
</channel></rss>`;
}

/** `count` plain entries `prefix-1…`, one hour apart, newest first. */
export function numberedItems(prefix: string, count: number): FeedItem[] {
  return Array.from({ length: count }, (_, i) => ({
    guid: `${prefix}-${i + 1}`,
    title: `${prefix} story ${i + 1}`,
    link: `https://partner.example.org/${prefix}/${i + 1}`,
    pubDate: new Date(Date.UTC(2026, 2, 2, 10) - i * 3_600_000).toUTCString(),
    description: `Summary of ${prefix} story ${i + 1}.`,
  }));
}

// --- route factories ----------------------------------------------------------------------------

/** 200 with a body; with an ETag, a matching If-None-Match gets 304 like a good server. */
export function serve(
  body: string | Buffer,
  headers: Record<string, string> = { "content-type": "application/rss+xml; charset=utf-8" },
): HostileRoute {
  return (req, res) => {
    const etag = headers.etag ?? headers.ETag;
    if (etag !== undefined && req.headers["if-none-match"] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, headers).end(body);
  };
}

export function status(
  code: number,
  headers: Record<string, string> = {},
  body = `HTTP ${code}`,
): HostileRoute {
  return (_req, res) => {
    res.writeHead(code, { "content-type": "text/plain", ...headers }).end(body);
  };
}

export function redirect(code: number, location: string): HostileRoute {
  return status(code, { location }, "moved");
}

/** Accepts the request and never answers (no status line, no byte). */
export function silent(): HostileRoute {
  return () => undefined;
}

/** Sends headers, then one byte every `everyMs`: each read is quick, the whole never ends. */
export function drip(everyMs = 200): HostileRoute {
  return (req, res) => {
    res.writeHead(200, { "content-type": "application/rss+xml" });
    res.write("<");
    const timer = setInterval(() => res.write("x"), everyMs);
    req.socket.once("close", () => clearInterval(timer));
  };
}

/** An endless body (chunked, no Content-Length): only the client hanging up stops it. */
export function endless(chunk: Buffer = Buffer.alloc(64 * 1024, 0x61)): HostileRoute {
  return (_req, res) => {
    res.writeHead(200, { "content-type": "application/rss+xml" });
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) {}
      if (!res.destroyed) res.once("drain", pump);
    };
    pump();
  };
}

/**
 * `bytes` of body, streamed; with `declare`, announced in Content-Length (the client can
 * refuse it before reading), without, chunked.
 */
export function huge(bytes: number, declare: boolean): HostileRoute {
  return (_req, res) => {
    res.writeHead(200, {
      "content-type": "application/rss+xml",
      ...(declare ? { "content-length": String(bytes) } : {}),
    });
    const block = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const pump = () => {
      while (!res.destroyed && sent < bytes) {
        const piece = block.subarray(0, Math.min(block.length, bytes - sent));
        sent += piece.length;
        if (!res.write(piece)) return void res.once("drain", pump);
      }
      if (!res.destroyed) res.end();
    };
    pump();
  };
}

/** 200 with the given Content-Encoding and pre-encoded body. */
export function encoded(coding: string, body: Buffer): HostileRoute {
  return (_req, res) => {
    res
      .writeHead(200, {
        "content-type": "application/rss+xml",
        "content-encoding": coding,
        "content-length": String(body.length),
      })
      .end(body);
  };
}

/** A redirect loop: `${base}/a` → `${base}/b` → `${base}/a` … (install both with `install`). */
export function redirectLoop(base: string): Record<string, HostileRoute> {
  return { [`${base}/a`]: redirect(302, `${base}/b`), [`${base}/b`]: redirect(302, `${base}/a`) };
}

/** `${base}/0` → `${base}/1` → … → `${base}/${hops}`, which serves `final`. */
export function redirectChain(
  base: string,
  hops: number,
  final: HostileRoute,
  code = 302,
): Record<string, HostileRoute> {
  const routes: Record<string, HostileRoute> = { [`${base}/${hops}`]: final };
  for (let i = 0; i < hops; i++) routes[`${base}/${i}`] = redirect(code, `${base}/${i + 1}`);
  return routes;
}

// --- compression bombs (built once per process, block by block, never held decoded) ------------

async function compressZeros(
  stream: Gzip | ReturnType<typeof createBrotliCompress>,
  bytes: number,
) {
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  const block = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < bytes; written += block.length) {
    if (!stream.write(block)) await once(stream, "drain");
  }
  stream.end();
  await once(stream, "end");
  return Buffer.concat(chunks);
}

const bombs = new Map<string, Promise<Buffer>>();

/** gzip of `bytes` zeros (64 MiB → about 64 KB). */
export function gzipBomb(bytes: number): Promise<Buffer> {
  const key = `gzip:${bytes}`;
  let bomb = bombs.get(key);
  if (bomb === undefined) {
    bomb = compressZeros(createGzip({ level: 9 }), bytes);
    bombs.set(key, bomb);
  }
  return bomb;
}

/** brotli of `bytes` zeros (64 MiB → about 100 bytes). */
export function brotliBomb(bytes: number): Promise<Buffer> {
  const key = `br:${bytes}`;
  let bomb = bombs.get(key);
  if (bomb === undefined) {
    const quality = { [constants.BROTLI_PARAM_QUALITY]: 5 };
    bomb = compressZeros(createBrotliCompress({ params: quality }), bytes);
    bombs.set(key, bomb);
  }
  return bomb;
}

// --- hostile documents ----------------------------------------------------------------------

/** A login wall served as 200 text/html, as SSO proxies and captcha pages do. */
export const LOGIN_WALL = `<!DOCTYPE html>
<html><head><title>Sign in</title></head>
<body><form action="/login" method="post"><input name="user"><input type="password" name="pass">
<button>Sign in</button></form></body></html>`;

export const MALFORMED_XML = `<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>
<item><title>Unclosed</item></channel></rss>`;

/** XXE: an external entity naming a local file. */
export const XXE_FILE = `<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>XXE</title><item><title>&secret;</title><guid>x</guid></item></channel></rss>`;

/** XXE: external and parameter entities naming a URL on `origin` (which counts the requests). */
export const xxeNetwork = (origin: string) => `<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY % remote SYSTEM "${origin}/xxe.dtd">
  %remote;
  <!ENTITY leak SYSTEM "${origin}/xxe-leak">
]>
<rss version="2.0"><channel><title>XXE</title><item><title>&leak;</title><guid>x</guid></item></channel></rss>`;

/** An external DTD by URL, which a validating parser would fetch. */
export const externalDtd = (origin: string) => `<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "${origin}/evil.dtd">
<rss version="2.0"><channel><title>DTD</title><item><title>&ext;</title><guid>x</guid></item></channel></rss>`;

export const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>lol</title><item><title>&lol9;</title><guid>x</guid></item></channel></rss>`;

/** 100,000 nested elements inside one item. */
export function deepNesting(depth = 100_000): string {
  return rssFeed([
    { guid: "deep", title: "Deep", extra: `${"<x>".repeat(depth)}${"</x>".repeat(depth)}` },
  ]);
}

/** One item whose title is `bytes` of words. */
export function hugeTitle(bytes = 10 * 1024 * 1024): string {
  return rssFeed([{ guid: "big", title: "word ".repeat(Math.floor(bytes / 5)) }]);
}

/**
 * Strings built to make backtracking regexes and naive scanners quadratic: unclosed tags and
 * entities for summaries, long digit-and-comma runs for date parsers.
 */
export function pathologicalStrings(items = 200): string {
  const summary = `${"<".repeat(200_000)}${"&amp;".repeat(40_000)}${"<a ".repeat(30_000)}`;
  return rssFeed(
    Array.from({ length: items }, (_, i) => ({
      guid: `p-${i}`,
      title: `${"&lt;b".repeat(2_000)} ${i}`,
      pubDate: `${"Mon, 1".repeat(2_000)} ${"9".repeat(5_000)}`,
      description: i === 0 ? `<![CDATA[${summary}]]>` : `${"-".repeat(10_000)}`,
    })),
  );
}
