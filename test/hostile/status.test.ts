// What partners say with HTTP statuses — moved, not modified, gone, slow down, broken — and what
// the service does about it, seen from /api/sources, the log and the next polls.

import type { LookupFunction } from "node:net";
import test from "ava";
import { ingestBytes } from "../../src/ingest/ingest.js";
import { BACKOFF } from "../../src/ingest/poll-state.js";
import type { IngestFn } from "../../src/ingest/worker/pool.js";
import type { ErrorKind } from "../../src/model/poll.js";
import { PROPOSE_MOVE_AFTER } from "../../src/model/source.js";
import { ALL } from "../../src/store/store.js";
import { freePort } from "../helpers/ports.js";
import { caseTitle } from "./cases.js";
import { closeSharedPool, startHarness } from "./harness.js";
import {
  LOGIN_WALL,
  numberedItems,
  redirect,
  rssFeed,
  serve,
  startHostileServer,
  status,
} from "./hostile-server.js";

test.after.always(closeSharedPool);

const GOOD = rssFeed(numberedItems("good", 3));
const GOOD_TITLES = ["good story 1", "good story 2", "good story 3"];
const MOVED_MSG = /^source moved permanently; update its url in the config to /;

// --- permanent redirects ---------------------------------------------------------------------

test(
  caseTitle(
    "permanent-redirect",
    "301 and 308 are followed; the new URL is proposed after 3 polls in a row, the config untouched",
  ),
  async (t) => {
    const server = await startHostileServer(t, {
      "/old-301": redirect(301, "/new-301"),
      "/old-308": redirect(308, "/new-308"),
      // With an ETag, polls 2 and 3 are 304s: a moved feed is usually noticed on those.
      "/new-301": serve(GOOD, { "content-type": "application/rss+xml", etag: '"v1"' }),
      "/new-308": serve(GOOD, { "content-type": "application/rss+xml" }),
    });
    const h = await startHarness(t, {
      sources: [
        { id: "p301", url: server.url("/old-301") },
        { id: "p308", url: server.url("/old-308") },
      ],
    });
    for (let poll = 1; poll <= PROPOSE_MOVE_AFTER; poll++) {
      const outcomes = await h.poll();
      for (const outcome of outcomes) {
        t.true(outcome.status === "ok" || outcome.status === "not-modified", outcome.status);
        t.is(outcome.movedTo, server.url(`/new-${outcome.sourceId.slice(1)}`));
      }
      const proposed = (await h.sources()).map((s) => s.proposedUrl);
      if (poll < PROPOSE_MOVE_AFTER) {
        t.deepEqual(proposed, [null, null], `poll ${poll}: nothing proposed yet`);
        t.false(h.logs.some((l) => MOVED_MSG.test(l.msg)));
      } else {
        t.deepEqual(proposed, [server.url("/new-301"), server.url("/new-308")]);
      }
    }
    t.deepEqual(await h.titles("p301"), GOOD_TITLES, "the redirect was followed");
    const lines = h.logs.filter((l) => MOVED_MSG.test(l.msg));
    t.deepEqual(lines.map((l) => l.msg).sort(), [
      `source moved permanently; update its url in the config to ${server.url("/new-301")}`,
      `source moved permanently; update its url in the config to ${server.url("/new-308")}`,
    ]);
    // The operator decides: the config (and so /api/sources' url) still names the old URL.
    t.deepEqual(
      (await h.sources()).map((s) => s.url),
      [server.url("/old-301"), server.url("/old-308")],
    );
    t.is(h.config.sources[0]?.url, server.url("/old-301"));
  },
);

test(
  caseTitle(
    "permanent-redirect",
    "302 and 307 never propose anything, however often they are seen",
  ),
  async (t) => {
    const server = await startHostileServer(t, {
      "/old-302": redirect(302, "/new"),
      "/old-307": redirect(307, "/new"),
      "/new": serve(GOOD),
    });
    const h = await startHarness(t, {
      sources: [
        { id: "p302", url: server.url("/old-302") },
        { id: "p307", url: server.url("/old-307") },
      ],
    });
    for (let poll = 0; poll < PROPOSE_MOVE_AFTER + 2; poll++) {
      for (const outcome of await h.poll()) {
        t.is(outcome.status, "ok");
        t.is(outcome.movedTo, undefined);
        t.is(outcome.proposedUrl, undefined);
      }
    }
    t.deepEqual(
      (await h.sources()).map((s) => [s.proposedUrl, s.entries]),
      [
        [null, 3],
        [null, 3],
      ],
    );
    t.false(h.logs.some((l) => MOVED_MSG.test(l.msg)));
  },
);

test(
  caseTitle(
    "permanent-redirect",
    "a 302 between 301s neither counts nor resets; a poll without redirect ends the move",
  ),
  async (t) => {
    const server = await startHostileServer(t, { "/new": serve(GOOD), "/old": serve(GOOD) });
    const h = await startHarness(t, { sources: [{ id: "p", url: server.url("/old") }] });
    const pollWith = async (code: number | undefined) => {
      server.set("/old", code === undefined ? serve(GOOD) : redirect(code, "/new"));
      return (await h.poll())[0];
    };
    await pollWith(301);
    await pollWith(301);
    t.is((await pollWith(302))?.proposedUrl, undefined);
    t.is((await h.source("p")).proposedUrl, null);
    t.is((await pollWith(301))?.proposedUrl, server.url("/new"), "third 301 proposes");
    t.is((await pollWith(307))?.proposedUrl, server.url("/new"), "a 307 leaves the proposal");
    t.is((await pollWith(undefined))?.proposedUrl, undefined, "back at the old URL: no move");
    t.is((await h.source("p")).proposedUrl, null);
  },
);

// --- 304 --------------------------------------------------------------------------------------

test(
  caseTitle(
    "not-modified",
    "304 is counted as not-modified, validators are kept, nothing is parsed or written",
  ),
  async (t) => {
    const server = await startHostileServer(t, {
      "/feed": serve(GOOD, {
        "content-type": "application/rss+xml",
        etag: '"v1"',
        "last-modified": "Mon, 02 Mar 2026 10:00:00 GMT",
      }),
    });
    const h = await startHarness(t, { sources: [{ id: "p", url: server.url("/feed") }] });
    let parses = 0;
    const counting: IngestFn = (...args) => {
      parses++;
      return ingestBytes(...args);
    };
    t.is((await h.refresh("p", {}, { ingest: counting })).status, "ok");
    t.is(parses, 1);
    const version = await h.service.store.version(ALL);
    for (let poll = 0; poll < 2; poll++) {
      const outcome = await h.refresh("p", {}, { ingest: counting });
      t.is(outcome.status, "not-modified");
      t.is(outcome.added + outcome.updated, 0);
    }
    t.is(parses, 1, "a 304 is never parsed");
    t.is(await h.service.store.version(ALL), version, "nothing was written");
    // Each conditional GET carried the validators of the first 200: they were kept.
    const conditional = server.requests.slice(1);
    t.is(conditional.length, 2);
    for (const request of conditional) {
      t.is(request.headers["if-none-match"], '"v1"');
      t.is(request.headers["if-modified-since"], "Mon, 02 Mar 2026 10:00:00 GMT");
    }
    const view = await h.source("p");
    t.is(view.status, "not-modified");
    t.is(view.entries, 3);
  },
);

// --- 410 --------------------------------------------------------------------------------------

test(
  caseTitle(
    "gone",
    "410 marks the source gone: no more scheduled polls until its URL changes, entries kept",
  ),
  async (t) => {
    const server = await startHostileServer(t, { "/feed": serve(GOOD), "/new": serve(GOOD) });
    const h = await startHarness(t, { sources: [{ id: "p", url: server.url("/feed") }] });
    await h.poll();
    server.set("/feed", status(410, {}, "Gone"));
    const [outcome] = await h.poll();
    t.is(outcome?.status, "gone");
    t.is(outcome?.errorKind, "gone");
    const view = await h.source("p");
    t.is(view.status, "gone");
    t.is(view.nextPollAt, null);
    t.deepEqual(await h.titles("p"), GOOD_TITLES);
    const requests = server.requests.length;
    t.deepEqual(await h.poll(undefined, { scheduled: true }), [], "a scheduled poll skips it");
    t.is(server.requests.length, requests, "no request was sent");

    // The operator changes the URL in the config: a service on the same store polls it again.
    const changed = await startHarness(t, {
      sources: [{ id: "p", url: server.url("/new") }],
      store: h.service.store,
    });
    const [again] = await changed.poll(undefined, { scheduled: true });
    t.is(again?.status, "ok", `${again?.errorKind}: ${again?.error}`);
    t.is((await changed.source("p")).status, "ok");
  },
);

// --- Retry-After ------------------------------------------------------------------------------

test(
  caseTitle(
    "retry-after",
    "429 with Retry-After seconds and 503 with an HTTP date: no poll before that time",
  ),
  async (t) => {
    const inAnHour = new Date(Date.now() + 3_600_000);
    inAnHour.setUTCMilliseconds(0);
    const server = await startHostileServer(t, {
      "/slow": status(429, { "retry-after": "7200" }, "Too Many Requests"),
      "/down": status(503, { "retry-after": inAnHour.toUTCString() }, "Service Unavailable"),
    });
    const h = await startHarness(t, {
      sources: [
        { id: "slow", url: server.url("/slow") },
        { id: "down", url: server.url("/down") },
      ],
    });
    const started = Date.now();
    const outcomes = await h.poll();
    t.deepEqual(outcomes.map((o) => o.errorKind).sort(), ["http-429", "http-503"]);
    const slow = await h.service.store.getSourceState("slow");
    const down = await h.service.store.getSourceState("down");
    t.true(Date.parse(slow?.notBefore ?? "") >= started + 7_200_000, slow?.notBefore);
    t.true(Date.parse(down?.notBefore ?? "") >= inAnHour.getTime(), down?.notBefore);
    for (const view of await h.sources()) {
      const earliest = view.id === "slow" ? started + 7_200_000 : inAnHour.getTime();
      t.true(Date.parse(view.nextPollAt ?? "") >= earliest, `${view.id}: ${view.nextPollAt}`);
    }
    const requests = server.requests.length;
    t.deepEqual(await h.poll(undefined, { scheduled: true }), []);
    t.is(server.requests.length, requests, "scheduled polls wait for Retry-After");
  },
);

// --- backoff ----------------------------------------------------------------------------------

test(
  caseTitle(
    "backoff",
    "5xx, connection refused and DNS failure back off exponentially with jitter, then recover",
  ),
  async (t) => {
    const server = await startHostileServer(t, { "/feed": status(500) });
    const refused = await freePort();
    const h = await startHarness(t, {
      sources: [
        { id: "err500", url: server.url("/feed") },
        { id: "refused", url: `http://127.0.0.1:${refused}/feed` },
        { id: "nodns", url: `http://partner.test:${server.port}/feed` },
      ],
    });
    // A resolver that says NXDOMAIN: no DNS query leaves the machine.
    const nxdomain = ((hostname, _options, callback) => {
      const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
        code: "ENOTFOUND",
      });
      setImmediate(() => callback(error, "", 4));
    }) as LookupFunction;
    const kinds: Record<string, ErrorKind> = {
      err500: "http-500",
      refused: "connection",
      nodns: "dns",
    };
    for (let failures = 1; failures <= 3; failures++) {
      for (const id of Object.keys(kinds)) {
        const outcome = await h.refresh(id, { lookup: nxdomain });
        t.is(outcome.errorKind, kinds[id], id);
        const state = await h.service.store.getSourceState(id);
        t.is(state?.consecutiveFailures, failures);
        const delay = Date.parse(state?.notBefore ?? "") - Date.parse(state?.lastFetchAt ?? "");
        const base = BACKOFF.baseMs * 2 ** (failures - 1);
        t.true(
          delay >= base * (1 - BACKOFF.jitter) && delay <= base * (1 + BACKOFF.jitter),
          `${id} after ${failures} failures: ${delay} ms`,
        );
      }
    }
    t.deepEqual(
      (await h.sources()).map((s) => [s.id, s.errorKind]),
      Object.entries(kinds),
    );
    // The next success puts the source back on its normal schedule.
    server.set("/feed", serve(GOOD));
    t.is((await h.refresh("err500")).status, "ok");
    const state = await h.service.store.getSourceState("err500");
    t.is(state?.consecutiveFailures, 0);
    t.is(state?.notBefore, undefined);
    const view = await h.source("err500");
    t.is(view.errorKind, null);
    t.true(Date.parse(view.nextPollAt ?? "") - Date.now() <= 30 * 60_000, "next cron tick");
  },
);

// --- HTML served as a feed -------------------------------------------------------------------

test(
  caseTitle(
    "not-a-feed",
    "a login wall, an error page or a captcha served with 200 is not-a-feed; entries kept",
  ),
  async (t) => {
    const pages = [
      LOGIN_WALL,
      "<html><body><h1>Internal error</h1><p>Please try again later.</p></body></html>",
      '<!doctype html><html><head><script src="/captcha.js"></script></head><body>Are you human?</body></html>',
    ];
    const server = await startHostileServer(t, { "/feed": serve(GOOD) });
    const h = await startHarness(t, { sources: [{ id: "p", url: server.url("/feed") }] });
    await h.poll();
    for (const page of pages) {
      server.set("/feed", serve(page, { "content-type": "text/html; charset=utf-8" }));
      const [outcome] = await h.poll();
      t.is(outcome?.errorKind, "not-a-feed");
      const view = await h.source("p");
      t.is(view.errorKind, "not-a-feed");
      t.regex(view.lastError ?? "", /HTML page|not a feed/i);
      t.deepEqual(await h.titles("p"), GOOD_TITLES);
    }
  },
);
