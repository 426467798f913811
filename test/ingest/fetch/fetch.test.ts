// fetchFeed against real sockets on a loopback fixture server; no mocks. Every test builds
// its own server (torn down with t.teardown). Only loopback addresses are ever connected to.

import { once } from "node:events";
import type { Socket } from "node:net";
import { brotliCompressSync, createGzip, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import test, { type ExecutionContext } from "ava";
import {
  type FetchErrorKind,
  networkFetchError,
  parseRetryAfter,
} from "../../../src/ingest/fetch/errors.js";
import { type FetchOptions, type FetchResult, fetchFeed } from "../../../src/ingest/fetch/fetch.js";
import { startFixtureServer } from "../../helpers/fixture-server.js";
import { freePort } from "../../helpers/ports.js";

const RSS = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Partner</title></channel></rss>`;

const options = (overrides: Partial<FetchOptions> = {}): FetchOptions => ({
  // Generous: tests that are not about the deadline must not trip it on a busy CI machine.
  timeoutMs: 15_000,
  maxBytes: 1024 * 1024,
  maxRedirects: 5,
  userAgent: "Tributary-test/1.0 (+https://tributary.example)",
  allowPrivateNetworks: true,
  ...overrides,
});

function modified(t: ExecutionContext, result: FetchResult) {
  if (result.kind !== "modified") {
    t.fail(
      `expected modified, got ${result.kind}: ${result.kind === "failed" ? result.error.message : ""}`,
    );
    throw new Error("unreachable");
  }
  return result;
}

function failed(t: ExecutionContext, result: FetchResult, kind: FetchErrorKind) {
  if (result.kind !== "failed") {
    t.fail(`expected failure ${kind}, got ${result.kind}`);
    throw new Error("unreachable");
  }
  t.is(result.error.kind, kind, result.error.message);
  return result.error;
}

/** Resolves with the time the server side of the request's socket closed. */
function socketClosed(socket: Socket): Promise<number> {
  return new Promise((resolve) => socket.once("close", () => resolve(performance.now())));
}

/** A gzip stream of `bytes` zeros, built block by block so the test never holds them all. */
async function gzipOfZeros(bytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => chunks.push(chunk));
  const block = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < bytes; written += block.length) {
    if (!gzip.write(block)) await once(gzip, "drain");
  }
  gzip.end();
  await once(gzip, "end");
  return Buffer.concat(chunks);
}

// --- 200, validators, conditional GET --------------------------------------------------

test("200 returns the body, content type and validators, and sends the polite headers", async (t) => {
  const server = await startFixtureServer(t, {
    "/feed.xml": {
      headers: {
        "content-type": "application/rss+xml; charset=utf-8",
        ETag: '"v1"',
        "Last-Modified": "Sun, 01 Mar 2026 10:00:00 GMT",
      },
      body: RSS,
    },
  });
  const url = server.url("/feed.xml");
  const result = modified(t, await fetchFeed(url, {}, options()));
  t.is(result.url, url);
  t.is(result.finalUrl, url);
  t.is(result.status, 200);
  t.is(result.body.toString("utf8"), RSS);
  t.is(result.contentType, "application/rss+xml; charset=utf-8");
  t.deepEqual(result.validators, { etag: '"v1"', lastModified: "Sun, 01 Mar 2026 10:00:00 GMT" });
  t.is(result.permanentRedirect, undefined);
  t.true(result.durationMs >= 0);

  const sent = server.requests[0]?.headers;
  t.is(sent?.["user-agent"], "Tributary-test/1.0 (+https://tributary.example)");
  t.regex(
    sent?.accept ?? "",
    /^application\/rss\+xml, application\/atom\+xml, application\/feed\+json/,
  );
  t.is(sent?.["accept-encoding"], "gzip, deflate, br");
  t.is(sent?.["if-none-match"], undefined);
  t.is(sent?.["if-modified-since"], undefined);
});

test("the second poll sends If-None-Match and If-Modified-Since and gets not-modified", async (t) => {
  const server = await startFixtureServer(t, {
    "/feed.xml": {
      headers: { ETag: '"v1"', "Last-Modified": "Sun, 01 Mar 2026 10:00:00 GMT" },
      body: RSS,
    },
  });
  const url = server.url("/feed.xml");
  const first = modified(t, await fetchFeed(url, {}, options()));
  const second = await fetchFeed(url, first.validators, options());
  t.is(second.kind, "not-modified");
  if (second.kind !== "not-modified") return;
  t.is(second.finalUrl, url);
  t.deepEqual(second.validators, first.validators, "validators are kept across a 304");
  const sent = server.requests[1]?.headers;
  t.is(sent?.["if-none-match"], '"v1"');
  t.is(sent?.["if-modified-since"], "Sun, 01 Mar 2026 10:00:00 GMT");
  t.is(sent?.["cache-control"], undefined, "unlike Node's fetch, no Cache-Control: no-cache");
});

test("Last-Modified alone is enough for a conditional GET", async (t) => {
  const server = await startFixtureServer(t, {
    "/feed.xml": { headers: { "Last-Modified": "Sun, 01 Mar 2026 10:00:00 GMT" }, body: RSS },
  });
  const url = server.url("/feed.xml");
  const first = modified(t, await fetchFeed(url, {}, options()));
  t.deepEqual(first.validators, { lastModified: "Sun, 01 Mar 2026 10:00:00 GMT" });
  const second = await fetchFeed(url, first.validators, options());
  t.is(second.kind, "not-modified");
  if (second.kind === "not-modified") t.deepEqual(second.validators, first.validators);
});

test("a 304 that carries a new ETag replaces the old one and keeps Last-Modified", async (t) => {
  const server = await startFixtureServer(t, {
    "/feed.xml": () => ({ status: 304, headers: { ETag: '"v2"' } }),
  });
  const result = await fetchFeed(
    server.url("/feed.xml"),
    { etag: '"v1"', lastModified: "Sun, 01 Mar 2026 10:00:00 GMT" },
    options(),
  );
  t.is(result.kind, "not-modified");
  if (result.kind === "not-modified") {
    t.deepEqual(result.validators, { etag: '"v2"', lastModified: "Sun, 01 Mar 2026 10:00:00 GMT" });
  }
});

test("validators given as undefined are neither sent nor echoed back", async (t) => {
  const server = await startFixtureServer(t, {
    "/feed.xml": () => ({ status: 304, headers: { ETag: '"v2"' } }),
  });
  const result = await fetchFeed(
    server.url("/feed.xml"),
    { etag: undefined, lastModified: undefined },
    options(),
  );
  t.is(result.kind, "not-modified");
  if (result.kind === "not-modified") t.deepEqual(result.validators, { etag: '"v2"' });
  t.false("if-none-match" in (server.requests[0]?.headers ?? {}));
  t.false("if-modified-since" in (server.requests[0]?.headers ?? {}));
});

test("a 200 without validators returns none, dropping the old ones", async (t) => {
  const server = await startFixtureServer(t, { "/feed.xml": { body: RSS } });
  const result = modified(
    t,
    await fetchFeed(server.url("/feed.xml"), { etag: '"old"' }, options()),
  );
  t.deepEqual(result.validators, {});
  t.is(result.contentType, undefined);
});

// --- content codings ----------------------------------------------------------------------

const codingCases: [string, string, (body: Buffer) => Buffer][] = [
  ["gzip", "gzip", (body) => gzipSync(body)],
  ["x-gzip alias", "x-gzip", (body) => gzipSync(body)],
  ["br", "br", (body) => brotliCompressSync(body)],
  ["zlib-wrapped deflate", "deflate", (body) => deflateSync(body)],
  ["raw deflate (old IIS)", "deflate", (body) => deflateRawSync(body)],
  ["two codings, undone right to left", "deflate, gzip", (body) => gzipSync(deflateSync(body))],
  ["identity is ignored", "identity, gzip", (body) => gzipSync(body)],
];

for (const [name, coding, encode] of codingCases) {
  test(`decodes Content-Encoding: ${name}`, async (t) => {
    const server = await startFixtureServer(t, {
      "/feed.xml": { headers: { "content-encoding": coding }, body: encode(Buffer.from(RSS)) },
    });
    const result = modified(t, await fetchFeed(server.url("/feed.xml"), {}, options()));
    t.is(result.body.toString("utf8"), RSS);
  });
}

test("an empty body labelled gzip is an empty body, not an error", async (t) => {
  const server = await startFixtureServer(t, {
    "/feed.xml": { headers: { "content-encoding": "gzip" }, body: "" },
  });
  const result = modified(t, await fetchFeed(server.url("/feed.xml"), {}, options()));
  t.is(result.body.length, 0);
});

test("more than two content codings is refused", async (t) => {
  const server = await startFixtureServer(t, {
    "/feed.xml": {
      headers: { "content-encoding": "gzip, gzip, gzip" },
      body: gzipSync(gzipSync(gzipSync(RSS))),
    },
  });
  failed(t, await fetchFeed(server.url("/feed.xml"), {}, options()), "bad-encoding");
});

test("an unknown content coding is refused", async (t) => {
  const server = await startFixtureServer(t, {
    "/feed.xml": { headers: { "content-encoding": "compress" }, body: RSS },
  });
  failed(t, await fetchFeed(server.url("/feed.xml"), {}, options()), "bad-encoding");
});

test("an unsupported coding on a body still streaming stops it cleanly", async (t) => {
  let closed: Promise<number> | undefined;
  const server = await startFixtureServer(t, {
    "/endless.xml": (req, res) => {
      closed = socketClosed(req.socket);
      res.writeHead(200, { "content-encoding": "compress" });
      const timer = setInterval(() => res.write(Buffer.alloc(1024)), 10);
      req.socket.once("close", () => clearInterval(timer));
      t.teardown(() => clearInterval(timer));
      return undefined;
    },
  });
  failed(t, await fetchFeed(server.url("/endless.xml"), {}, options()), "bad-encoding");
  await closed;
});

test("a corrupt gzip body is bad-encoding", async (t) => {
  const server = await startFixtureServer(t, {
    "/feed.xml": { headers: { "content-encoding": "gzip" }, body: "this is not gzip at all" },
  });
  const error = failed(t, await fetchFeed(server.url("/feed.xml"), {}, options()), "bad-encoding");
  t.truthy(error.cause);
});

// --- size caps ----------------------------------------------------------------------------

test("a gzip bomb stops at the decoded cap without expanding the whole thing", async (t) => {
  const bomb = await gzipOfZeros(64 * 1024 * 1024);
  t.true(bomb.length < 256 * 1024, `bomb is ${bomb.length} bytes compressed`);
  const server = await startFixtureServer(t, {
    "/bomb.xml": { headers: { "content-encoding": "gzip" }, body: bomb },
  });
  const before = process.memoryUsage().arrayBuffers;
  const result = await fetchFeed(server.url("/bomb.xml"), {}, options({ maxBytes: 1024 * 1024 }));
  const error = failed(t, result, "too-large");
  t.regex(error.message, /decoded/);
  // Generous: the point is that 64 MiB were never materialised.
  t.true(process.memoryUsage().arrayBuffers - before < 32 * 1024 * 1024);
});

test("a double-gzip bomb stops at the decoded cap too", async (t) => {
  const bomb = gzipSync(await gzipOfZeros(64 * 1024 * 1024));
  const server = await startFixtureServer(t, {
    "/bomb.xml": { headers: { "content-encoding": "gzip, gzip" }, body: bomb },
  });
  const result = await fetchFeed(server.url("/bomb.xml"), {}, options({ maxBytes: 1024 * 1024 }));
  failed(t, result, "too-large");
});

test("a body at exactly the cap is accepted", async (t) => {
  const server = await startFixtureServer(t, { "/feed.xml": { body: Buffer.alloc(4096, 0x61) } });
  const result = modified(
    t,
    await fetchFeed(server.url("/feed.xml"), {}, options({ maxBytes: 4096 })),
  );
  t.is(result.body.length, 4096);
});

test("a body over the cap with Content-Length is refused before reading it", async (t) => {
  const server = await startFixtureServer(t, {
    // The fixture server writes chunked unless told the length.
    "/big.xml": { headers: { "content-length": "10000" }, body: Buffer.alloc(10_000, 0x61) },
  });
  const error = failed(
    t,
    await fetchFeed(server.url("/big.xml"), {}, options({ maxBytes: 4096 })),
    "too-large",
  );
  t.regex(error.message, /Content-Length 10000/);
});

test("a chunked body over the cap is cut off while streaming and the socket closed", async (t) => {
  let closed: Promise<number> | undefined;
  let writes = 0;
  const server = await startFixtureServer(t, {
    "/endless.xml": (req, res) => {
      closed = socketClosed(req.socket);
      res.writeHead(200, { "content-type": "application/rss+xml" });
      // An endless stream: only closing the socket stops it.
      const pump = () => {
        while (!res.destroyed && res.write(Buffer.alloc(16 * 1024, 0x61))) writes++;
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
      return undefined;
    },
  });
  const result = await fetchFeed(server.url("/endless.xml"), {}, options({ maxBytes: 64 * 1024 }));
  const error = failed(t, result, "too-large");
  t.is(error.url, server.url("/endless.xml"));
  t.truthy(closed);
  await closed;
  t.pass(`server stopped after ${writes} writes`);
});

// --- deadline -----------------------------------------------------------------------------

// Timing bounds are loose on purpose: CI runs test files in parallel on small machines.
// What matters is that the deadline, not the server, ends the fetch, and that the server
// sees its socket close once fetchFeed returns.
const SLACK_MS = 1500;

async function assertClosedSoon(
  t: ExecutionContext,
  closed: Promise<number> | undefined,
  returnedAt: number,
): Promise<void> {
  if (closed === undefined) {
    t.fail("the request never reached the fixture server");
    return;
  }
  const closedAt = await closed;
  t.true(
    closedAt - returnedAt < SLACK_MS,
    `server socket closed ${Math.round(closedAt - returnedAt)} ms after fetchFeed returned`,
  );
}

test("a server that never answers hits the deadline and its socket is closed", async (t) => {
  let closed: Promise<number> | undefined;
  const server = await startFixtureServer(t, {
    "/silent.xml": (req) => {
      closed = socketClosed(req.socket);
      return undefined;
    },
  });
  const result = await fetchFeed(server.url("/silent.xml"), {}, options({ timeoutMs: 500 }));
  const returnedAt = performance.now();
  const error = failed(t, result, "timeout");
  t.true(result.durationMs >= 490, `took ${result.durationMs} ms`);
  t.true(result.durationMs < 500 + SLACK_MS, `took ${result.durationMs} ms`);
  t.regex(error.message, /500 ms/);
  await assertClosedSoon(t, closed, returnedAt);
});

test("a dripping server (1 byte every 200 ms) hits the total deadline", async (t) => {
  let closed: Promise<number> | undefined;
  const server = await startFixtureServer(t, {
    "/drip.xml": (req, res) => {
      closed = socketClosed(req.socket);
      res.writeHead(200, { "content-type": "application/rss+xml" });
      const timer = setInterval(() => res.write("<"), 200);
      req.socket.once("close", () => clearInterval(timer));
      t.teardown(() => clearInterval(timer));
      return undefined;
    },
  });
  // Each byte arrives well within any per-read timeout; only a total deadline stops this.
  const result = await fetchFeed(server.url("/drip.xml"), {}, options({ timeoutMs: 1000 }));
  const returnedAt = performance.now();
  failed(t, result, "timeout");
  t.true(result.durationMs >= 990, `took ${result.durationMs} ms`);
  t.true(result.durationMs < 1000 + SLACK_MS, `took ${result.durationMs} ms`);
  await assertClosedSoon(t, closed, returnedAt);
});

test("an external abort signal fails the fetch as aborted", async (t) => {
  const controller = new AbortController();
  let closed: Promise<number> | undefined;
  const server = await startFixtureServer(t, {
    "/silent.xml": (req) => {
      closed = socketClosed(req.socket);
      controller.abort();
      return undefined;
    },
  });
  const result = await fetchFeed(
    server.url("/silent.xml"),
    {},
    options({ timeoutMs: 30_000, signal: controller.signal }),
  );
  const returnedAt = performance.now();
  failed(t, result, "aborted");
  t.true(result.durationMs < 10_000, "did not wait for the deadline");
  await assertClosedSoon(t, closed, returnedAt);
});

test("an already aborted signal fails at once", async (t) => {
  const server = await startFixtureServer(t, { "/feed.xml": { body: RSS } });
  const result = await fetchFeed(
    server.url("/feed.xml"),
    {},
    options({ signal: AbortSignal.abort() }),
  );
  failed(t, result, "aborted");
  t.is(server.requests.length, 0);
});

// --- redirects ----------------------------------------------------------------------------

test("redirects are followed with relative Locations resolved against the current URL", async (t) => {
  const server = await startFixtureServer(t, {
    "/old/feed": { status: 302, headers: { Location: "../moved/feed.xml?x=1" } },
    "/moved/feed.xml": { status: 307, headers: { Location: "/final.xml" } },
    "/final.xml": { body: RSS, headers: { ETag: '"f"' } },
  });
  const result = modified(t, await fetchFeed(server.url("/old/feed"), {}, options()));
  t.is(result.url, server.url("/old/feed"));
  t.is(result.finalUrl, server.url("/final.xml"));
  t.is(result.permanentRedirect, undefined, "302/307 are temporary");
  t.deepEqual(
    server.requests.map((r) => r.path),
    ["/old/feed", "/moved/feed.xml?x=1", "/final.xml"],
  );
  t.deepEqual(result.validators, { etag: '"f"' });
});

test("a chain of 301/308 reports permanentRedirect as the final URL", async (t) => {
  const server = await startFixtureServer(t, {
    "/a": { status: 301, headers: { Location: "/b" } },
    "/b": { status: 308, headers: { Location: "/feed.xml" } },
    "/feed.xml": { body: RSS },
  });
  const result = modified(t, await fetchFeed(server.url("/a"), {}, options()));
  t.is(result.permanentRedirect, server.url("/feed.xml"));
  t.is(result.finalUrl, server.url("/feed.xml"));
});

test("the result counts the redirects followed, whatever their status", async (t) => {
  const server = await startFixtureServer(t, {
    "/a": { status: 301, headers: { Location: "/b" } },
    "/b": { status: 302, headers: { Location: "/feed.xml" } },
    "/feed.xml": { body: RSS, headers: { ETag: '"v1"' } },
  });
  t.is(modified(t, await fetchFeed(server.url("/a"), {}, options())).redirects, 2);
  t.is(modified(t, await fetchFeed(server.url("/feed.xml#top"), {}, options())).redirects, 0);
  const notModified = await fetchFeed(server.url("/b"), { etag: '"v1"' }, options());
  t.is(notModified.kind === "not-modified" ? notModified.redirects : -1, 1);
});

test("a 301 followed by a 302 does not report a permanent redirect", async (t) => {
  const server = await startFixtureServer(t, {
    "/a": { status: 301, headers: { Location: "/b" } },
    "/b": { status: 302, headers: { Location: "/feed.xml" } },
    "/feed.xml": { body: RSS },
  });
  const result = modified(t, await fetchFeed(server.url("/a"), {}, options()));
  t.is(result.permanentRedirect, undefined);
});

test("a single 302 does not report a permanent redirect", async (t) => {
  const server = await startFixtureServer(t, {
    "/a": { status: 302, headers: { Location: "/feed.xml" } },
    "/feed.xml": { body: RSS },
  });
  const result = modified(t, await fetchFeed(server.url("/a"), {}, options()));
  t.is(result.permanentRedirect, undefined);
});

test("a 301 to a feed that answers 304 reports the permanent redirect on not-modified", async (t) => {
  const server = await startFixtureServer(t, {
    "/a": { status: 301, headers: { Location: "/feed.xml" } },
    "/feed.xml": { body: RSS, headers: { ETag: '"v1"' } },
  });
  const result = await fetchFeed(server.url("/a"), { etag: '"v1"' }, options());
  t.is(result.kind, "not-modified");
  if (result.kind === "not-modified") {
    t.is(result.finalUrl, server.url("/feed.xml"));
    t.is(result.permanentRedirect, server.url("/feed.xml"));
  }
  t.is(server.requests[0]?.headers["if-none-match"], '"v1"', "validators go with every hop");
});

test("more redirects than maxRedirects is too-many-redirects", async (t) => {
  const routes: Record<string, { status: number; headers: Record<string, string> }> = {};
  for (let i = 0; i < 4; i++)
    routes[`/r${i}`] = { status: 302, headers: { Location: `/r${i + 1}` } };
  const server = await startFixtureServer(t, { ...routes, "/r4": { body: RSS } });
  // 4 hops: fine with 4, too many with 3.
  modified(t, await fetchFeed(server.url("/r0"), {}, options({ maxRedirects: 4 })));
  failed(
    t,
    await fetchFeed(server.url("/r0"), {}, options({ maxRedirects: 3 })),
    "too-many-redirects",
  );
  failed(
    t,
    await fetchFeed(server.url("/r0"), {}, options({ maxRedirects: 0 })),
    "too-many-redirects",
  );
});

test("a redirect loop is too-many-redirects, detected before the limit", async (t) => {
  const server = await startFixtureServer(t, {
    "/a": { status: 302, headers: { Location: "/b" } },
    "/b": { status: 301, headers: { Location: "/a" } },
  });
  const error = failed(
    t,
    await fetchFeed(server.url("/a"), {}, options({ maxRedirects: 20 })),
    "too-many-redirects",
  );
  t.regex(error.message, /loop/);
  t.is(server.requests.length, 2);
});

test("a redirect to ftp: is bad-url", async (t) => {
  const server = await startFixtureServer(t, {
    "/a": { status: 302, headers: { Location: "ftp://files.example/feed.xml" } },
  });
  const error = failed(t, await fetchFeed(server.url("/a"), {}, options()), "bad-url");
  t.regex(error.message, /ftp:/);
});

test("a redirect to a malformed URL is bad-url", async (t) => {
  const server = await startFixtureServer(t, {
    "/a": { status: 302, headers: { Location: "http://[not-an-ip/feed" } },
  });
  failed(t, await fetchFeed(server.url("/a"), {}, options()), "bad-url");
});

test("a 3xx without Location is an HTTP error", async (t) => {
  const server = await startFixtureServer(t, { "/a": { status: 302 } });
  failed(t, await fetchFeed(server.url("/a"), {}, options()), "http-302");
});

test("non-http(s) and malformed feed URLs are bad-url without any request", async (t) => {
  for (const url of [
    "ftp://files.example/feed.xml",
    "file:///etc/passwd",
    "not a url",
    "http://",
  ]) {
    const result = await fetchFeed(url, {}, options());
    failed(t, result, "bad-url");
    t.is(result.url, url);
  }
});

// --- HTTP errors --------------------------------------------------------------------------

test("404 is http-404 with the status, and the message names the URL", async (t) => {
  const server = await startFixtureServer(t);
  const url = server.url("/missing.xml");
  const error = failed(t, await fetchFeed(url, {}, options()), "http-404");
  t.is(error.status, 404);
  t.is(error.url, url);
  t.is(error.name, "FetchError");
  t.true(error instanceof Error);
  t.true(error.message.includes(url));
  t.is(error.retryAfter, undefined);
});

test("410 is gone", async (t) => {
  const server = await startFixtureServer(t, { "/feed.xml": { status: 410, body: "gone" } });
  const error = failed(t, await fetchFeed(server.url("/feed.xml"), {}, options()), "gone");
  t.is(error.status, 410);
});

test("503 with Retry-After in seconds sets retryAfter", async (t) => {
  const server = await startFixtureServer(t, {
    "/feed.xml": { status: 503, headers: { "Retry-After": "120" } },
  });
  const before = Date.now();
  const error = failed(t, await fetchFeed(server.url("/feed.xml"), {}, options()), "http-503");
  const after = Date.now();
  t.is(error.status, 503);
  const at = error.retryAfter?.getTime() ?? 0;
  t.true(at >= before + 120_000 && at <= after + 120_000, `retryAfter is ${at - before} ms away`);
});

test("503 and 429 with Retry-After as an HTTP-date set retryAfter to that date", async (t) => {
  const date = "Wed, 21 Oct 2026 07:28:00 GMT";
  const server = await startFixtureServer(t, {
    "/a": { status: 503, headers: { "Retry-After": date } },
    "/b": { status: 429, headers: { "Retry-After": date } },
  });
  const a = failed(t, await fetchFeed(server.url("/a"), {}, options()), "http-503");
  t.is(a.retryAfter?.toISOString(), "2026-10-21T07:28:00.000Z");
  const b = failed(t, await fetchFeed(server.url("/b"), {}, options()), "http-429");
  t.is(b.retryAfter?.toISOString(), "2026-10-21T07:28:00.000Z");
});

test("Retry-After is ignored on other statuses and when unparseable", async (t) => {
  const server = await startFixtureServer(t, {
    "/a": { status: 500, headers: { "Retry-After": "60" } },
    "/b": { status: 503, headers: { "Retry-After": "soon" } },
  });
  t.is(
    failed(t, await fetchFeed(server.url("/a"), {}, options()), "http-500").retryAfter,
    undefined,
  );
  t.is(
    failed(t, await fetchFeed(server.url("/b"), {}, options()), "http-503").retryAfter,
    undefined,
  );
});

test("parseRetryAfter reads seconds and dates", (t) => {
  const now = new Date("2026-03-01T12:00:00Z");
  t.is(parseRetryAfter("0", now)?.toISOString(), "2026-03-01T12:00:00.000Z");
  t.is(parseRetryAfter(" 90 ", now)?.toISOString(), "2026-03-01T12:01:30.000Z");
  t.is(
    parseRetryAfter("Sun, 01 Mar 2026 13:00:00 GMT", now)?.toISOString(),
    "2026-03-01T13:00:00.000Z",
  );
  t.is(parseRetryAfter("-5", now), undefined);
  t.is(parseRetryAfter(undefined, now), undefined);
});

// --- network failures and the address guard -----------------------------------------------

test("a closed port on 127.0.0.1 is a connection failure", async (t) => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/feed.xml`;
  const error = failed(t, await fetchFeed(url, {}, options()), "connection");
  t.regex(error.message, /ECONNREFUSED/);
  t.true(error.message.includes(url));
});

test("network error codes map to dns and connection kinds", (t) => {
  const url = "https://partner.example/feed.xml";
  const errno = (code: string) => Object.assign(new Error(code), { code });
  t.is(networkFetchError(errno("ENOTFOUND"), url).kind, "dns");
  t.is(networkFetchError(errno("EAI_AGAIN"), url).kind, "dns");
  t.is(networkFetchError(new Error("wrapped", { cause: errno("ENOTFOUND") }), url).kind, "dns");
  t.is(networkFetchError(errno("ECONNRESET"), url).kind, "connection");
  t.is(networkFetchError(new AggregateError([errno("ECONNREFUSED")]), url).kind, "connection");
  t.is(networkFetchError(errno("UND_ERR_HEADERS_TIMEOUT"), url).kind, "timeout");
  const error = networkFetchError(errno("ECONNRESET"), url);
  t.true(error.message.includes(url));
  t.truthy(error.cause);
});

test("loopback is refused in every spelling when private networks are not allowed", async (t) => {
  const server = await startFixtureServer(t, { "/feed.xml": { body: RSS } });
  const port = new URL(server.origin).port;
  const hosts = [
    "127.0.0.1",
    "localhost",
    "2130706433",
    "0x7f.0.0.1",
    "017700000001",
    "127.1",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "0.0.0.0",
  ];
  for (const host of hosts) {
    const result = await fetchFeed(
      `http://${host}:${port}/feed.xml`,
      {},
      options({ allowPrivateNetworks: false }),
    );
    failed(t, result, "blocked-address");
  }
  t.is(server.requests.length, 0, "no request reached the server");
});

test("with allowPrivateNetworks the same loopback spellings connect", async (t) => {
  const server = await startFixtureServer(t, { "/feed.xml": { body: RSS } });
  const port = new URL(server.origin).port;
  for (const host of ["127.0.0.1", "localhost", "2130706433", "0x7f.0.0.1", "017700000001"]) {
    modified(t, await fetchFeed(`http://${host}:${port}/feed.xml`, {}, options()));
  }
  t.is(server.requests.length, 5);
});
