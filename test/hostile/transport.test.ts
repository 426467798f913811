// Hostile transports, end to end: the real service polls a hostile loopback server, and the
// operator's views (/api/sources, the feeds, the log) must name each failure while the last
// good entries stay served. Each test first polls good content, then swaps in the hostile
// answer on the same URL.
import test from "ava";
import { parseConfig } from "../../src/config/load.js";
import { caseTitle } from "./cases.js";
import { closeSharedPool, startHarness } from "./harness.js";
import {
  brotliBomb,
  drip,
  encoded,
  endless,
  gzipBomb,
  type HostileRoute,
  huge,
  numberedItems,
  redirect,
  redirectChain,
  redirectLoop,
  rssFeed,
  serve,
  silent,
  startHostileServer,
} from "./hostile-server.js";

const GOOD = rssFeed(numberedItems("good", 3));
const GOOD_TITLES = ["good story 1", "good story 2", "good story 3"];
const CAP = 1024 * 1024;

test.after.always(closeSharedPool);

/** Polls good content, swaps in `hostile`, polls again; returns what the second poll did. */
async function goodThenHostile(
  t: import("ava").ExecutionContext,
  hostile: HostileRoute,
  polling: Parameters<typeof startHarness>[1]["polling"] = {},
) {
  const server = await startHostileServer(t, { "/feed": serve(GOOD) });
  const h = await startHarness(t, { sources: [{ id: "p", url: server.url("/feed") }], polling });
  // The good poll gets a generous deadline of its own: on a busy machine the tight limits some
  // tests configure must only ever meet the hostile answer.
  const first = await h.refresh("p", { timeoutMs: 15_000, maxBytes: 15 * 1024 * 1024 });
  t.is(first.status, "ok");
  server.set("/feed", hostile);
  const [second] = await h.poll();
  const view = await h.source("p");
  // The last good entries are still served, whatever went wrong.
  t.deepEqual(await h.titles("p"), GOOD_TITLES);
  t.is(view.entries, 3);
  t.is(view.status, "error");
  t.is(view.errorKind, second?.errorKind ?? "(none)");
  const logged = h.logs.find((l) => l.msg === "poll failed" && l.source === "p");
  t.is(logged?.errorKind, second?.errorKind, "the log line names the kind");
  return { server, h, outcome: second, view };
}

// --- timeout ------------------------------------------------------------------------------

test(
  caseTitle(
    "timeout",
    "a server that never answers fails at the deadline and its socket is closed",
  ),
  async (t) => {
    let closedAt: Promise<number> | undefined;
    const neverAnswers: HostileRoute = (req, res) => {
      closedAt = new Promise((resolve) =>
        req.socket.once("close", () => resolve(performance.now())),
      );
      silent()(req, res);
    };
    const { outcome, view } = await goodThenHostile(t, neverAnswers, { timeoutMs: 600 });
    const returnedAt = performance.now();
    t.is(outcome?.errorKind, "timeout");
    t.regex(view.lastError ?? "", /600 ms/);
    if (closedAt === undefined) return t.fail("the request never reached the server");
    t.true((await closedAt) - returnedAt < 1500, "the socket was destroyed, not left open");
  },
);

test(
  caseTitle("timeout", "a server dripping one byte every 200 ms fails at the total deadline"),
  async (t) => {
    const { outcome } = await goodThenHostile(t, drip(200), { timeoutMs: 1000 });
    t.is(outcome?.errorKind, "timeout");
    t.true((outcome?.durationMs ?? 0) >= 990, `took ${outcome?.durationMs} ms`);
  },
);

// --- too-large ------------------------------------------------------------------------------

test(
  caseTitle("too-large", "a body over maxBytes with Content-Length is refused before reading"),
  async (t) => {
    const { outcome, view } = await goodThenHostile(t, huge(CAP * 4, true), { maxBytes: CAP });
    t.is(outcome?.errorKind, "too-large");
    t.regex(view.lastError ?? "", /Content-Length 4194304/);
  },
);

test(
  caseTitle("too-large", "an endless body without Content-Length stops at the cap"),
  async (t) => {
    let written = 0;
    const counting: HostileRoute = (req, res) => {
      const write = res.write.bind(res) as (chunk: Buffer) => boolean;
      res.write = ((chunk: Buffer) => {
        written += chunk.length;
        return write(chunk);
      }) as typeof res.write;
      endless()(req, res);
    };
    const { outcome, view } = await goodThenHostile(t, counting, { maxBytes: CAP });
    t.is(outcome?.errorKind, "too-large");
    t.regex(view.lastError ?? "", /raw body/);
    // Socket buffers on both sides hold a few MiB at most; an unbounded reader would go on.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = written;
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.is(written, after, "the server can no longer write: the connection is gone");
    t.true(written < CAP + 16 * 1024 * 1024, `server wrote ${written} bytes`);
  },
);

// --- bombs ------------------------------------------------------------------------------------

test(caseTitle("bombs", "a gzip bomb is capped at maxBytes decoded"), async (t) => {
  const bomb = await gzipBomb(32 * CAP);
  const { outcome, view } = await goodThenHostile(t, encoded("gzip", bomb), { maxBytes: CAP });
  t.is(outcome?.errorKind, "too-large");
  t.regex(view.lastError ?? "", /decoded body/);
});

test(caseTitle("bombs", "a brotli bomb is capped at maxBytes decoded"), async (t) => {
  const bomb = await brotliBomb(32 * CAP);
  t.true(bomb.length < 1024, `the bomb is ${bomb.length} bytes on the wire`);
  const { outcome, view } = await goodThenHostile(t, encoded("br", bomb), { maxBytes: CAP });
  t.is(outcome?.errorKind, "too-large");
  t.regex(view.lastError ?? "", /decoded body/);
});

test(caseTitle("bombs", "a bomb inside two stacked codings is capped the same way"), async (t) => {
  const { gzipSync } = await import("node:zlib");
  const double = gzipSync(await brotliBomb(32 * CAP));
  const { outcome } = await goodThenHostile(t, encoded("br, gzip", double), { maxBytes: CAP });
  t.is(outcome?.errorKind, "too-large");
});

test(caseTitle("bombs", "a chain of many Content-Encodings is refused"), async (t) => {
  const { gzipSync } = await import("node:zlib");
  let body = Buffer.from(GOOD);
  for (let i = 0; i < 6; i++) body = gzipSync(body);
  const coding = Array(6).fill("gzip").join(", ");
  const { outcome, view } = await goodThenHostile(t, encoded(coding, body));
  t.is(outcome?.errorKind, "bad-encoding");
  t.regex(view.lastError ?? "", /Too many content codings/);
});

// --- redirects --------------------------------------------------------------------------------

test(caseTitle("redirects", "a redirect loop is too-many-redirects"), async (t) => {
  const server = await startHostileServer(t, { "/feed": serve(GOOD) });
  const h = await startHarness(t, { sources: [{ id: "p", url: server.url("/feed") }] });
  await h.poll();
  for (const [path, route] of Object.entries(redirectLoop("/loop"))) server.set(path, route);
  server.set("/feed", redirect(301, "/loop/a"));
  const [outcome] = await h.poll();
  t.is(outcome?.errorKind, "too-many-redirects");
  t.regex((await h.source("p")).lastError ?? "", /loop/i);
  t.deepEqual(await h.titles("p"), GOOD_TITLES);
  t.true(server.hits("/loop/a") <= 2, "the loop was noticed, not followed to the limit");
});

test(
  caseTitle(
    "redirects",
    "more redirects than maxRedirects is too-many-redirects; exactly that many is fine",
  ),
  async (t) => {
    const server = await startHostileServer(t, {
      ...redirectChain("/long", 4, serve(GOOD)),
      ...redirectChain("/short", 3, serve(GOOD)),
    });
    const h = await startHarness(t, {
      sources: [
        { id: "long", url: server.url("/long/0") },
        { id: "short", url: server.url("/short/0") },
      ],
      polling: { maxRedirects: 3 },
    });
    const outcomes = await h.poll();
    const kinds = Object.fromEntries(outcomes.map((o) => [o.sourceId, o.errorKind ?? o.status]));
    t.deepEqual(kinds, { long: "too-many-redirects", short: "ok" });
    t.is(server.hits("/long/4"), 0, "the hop beyond the limit was never requested");
    t.is((await h.source("long")).errorKind, "too-many-redirects");
  },
);

// --- non-http URLs ----------------------------------------------------------------------------

test(
  caseTitle("non-http", "a redirect to a non-http(s) URL is refused and nothing more is requested"),
  async (t) => {
    for (const location of [
      "ftp://127.0.0.1/feed.xml",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "data:text/xml,<rss/>",
      "gopher://127.0.0.1:70/",
    ]) {
      const { outcome, view, server } = await goodThenHostile(t, redirect(302, location));
      t.is(outcome?.errorKind, "bad-url", location);
      t.regex(view.lastError ?? "", /Not an http\(s\) URL|Malformed URL/, location);
      t.is(server.requests.length, 2, "only the good poll and the redirect were requested");
    }
  },
);

test(
  caseTitle("non-http", "a non-http(s) source URL is refused by the config and never fetched"),
  async (t) => {
    const yaml = (url: string) => `categories: [{ id: news, title: News }]
sources: [{ id: p, title: P, url: "${url}", categories: [news] }]`;
    for (const url of ["ftp://127.0.0.1/feed.xml", "file:///etc/passwd", "javascript:alert(1)"]) {
      const error = t.throws(() => parseConfig(yaml(url), {}));
      t.regex(error?.message ?? "", /sources\[0\]\.url: must be an http\(s\) URL/, url);
    }
    // A URL that bypassed the config (a bug, a future API) is refused by fetch, without a socket.
    const server = await startHostileServer(t, {});
    const h = await startHarness(t, { sources: [{ id: "p", url: "file:///etc/passwd" }] });
    const [outcome] = await h.poll();
    t.is(outcome?.errorKind, "bad-url");
    t.is((await h.source("p")).errorKind, "bad-url");
    t.is(server.connections, 0);
  },
);
