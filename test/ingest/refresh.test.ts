// refreshSource as the orchestrator of one poll, driven through its collaborators: the fetcher
// is injected (as the poller injects `ingest`) and answers with real FetchResult values, so
// every kind of fetch outcome is played without a partner server; the store is a real
// MemoryStore, which only records the calls refresh makes before doing them.
import test from "ava";
import type { SourceConfig } from "../../src/config/types.js";
import { FetchError } from "../../src/ingest/fetch/errors.js";
import type {
  FetchFn,
  FetchOptions,
  FetchResult,
  Validators,
} from "../../src/ingest/fetch/fetch.js";
import { type RefreshDeps, refreshSource } from "../../src/ingest/refresh.js";
import { PROPOSE_MOVE_AFTER } from "../../src/model/source.js";
import type { Update } from "../../src/model/update.js";
import { MemoryStore } from "../../src/store/memory.js";
import { ALL, type RetentionPolicy, type UpsertOptions } from "../../src/store/store.js";
import { makeConfig } from "../helpers/config.js";

const NOW = new Date("2026-03-01T12:00:00.000Z");
const URL_AS_CONFIGURED = "https://partner.example.org/feed.xml";
const RETENTION: RetentionPolicy = { maxEntriesPerSource: 500, maxAgeDays: 365 };

const SOURCE: SourceConfig = {
  id: "programme",
  title: "Programme",
  url: URL_AS_CONFIGURED,
  categories: ["migration"],
  enabled: true,
};

const rss = (guids: string[]) =>
  Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Programme updates</title><link>https://partner.example.org/</link><description>d</description>
  ${guids
    .map(
      (guid) => `<item><title>Post ${guid}</title><link>/posts/${guid}</link>
    <guid isPermaLink="false">${guid}</guid><pubDate>Sun, 01 Feb 2026 09:00:00 GMT</pubDate>
    <description>Post ${guid}.</description></item>`,
    )
    .join("\n  ")}
</channel></rss>`);

function modified(body: Buffer, extra: Partial<Extract<FetchResult, { kind: "modified" }>> = {}) {
  return {
    kind: "modified",
    url: URL_AS_CONFIGURED,
    finalUrl: URL_AS_CONFIGURED,
    status: 200,
    body,
    contentType: "application/rss+xml",
    validators: { etag: '"v1"', lastModified: "Sun, 01 Feb 2026 10:00:00 GMT" },
    redirects: 0,
    durationMs: 42,
    ...extra,
  } satisfies FetchResult;
}

function notModified(extra: Partial<Extract<FetchResult, { kind: "not-modified" }>> = {}) {
  return {
    kind: "not-modified",
    url: URL_AS_CONFIGURED,
    finalUrl: URL_AS_CONFIGURED,
    validators: { etag: '"v1"', lastModified: "Sun, 01 Feb 2026 10:00:00 GMT" },
    redirects: 0,
    durationMs: 7,
    ...extra,
  } satisfies FetchResult;
}

function failed(error: FetchError): FetchResult {
  return { kind: "failed", url: URL_AS_CONFIGURED, error, durationMs: 13 };
}

/** A real MemoryStore that remembers the writes refresh asked of it. */
class RecordingStore extends MemoryStore {
  readonly upserts: Update[][] = [];
  readonly retentions: {
    sourceId: string;
    policy: RetentionPolicy;
    now: Date;
    listed: string[];
  }[] = [];

  override async upsert(updates: Update[], options: UpsertOptions) {
    this.upserts.push(updates);
    return super.upsert(updates, options);
  }

  override async applyRetention(
    sourceId: string,
    policy: RetentionPolicy,
    now: Date,
    listed: ReadonlySet<string>,
  ) {
    this.retentions.push({ sourceId, policy, now, listed: [...listed].sort() });
    return super.applyRetention(sourceId, policy, now, listed);
  }
}

/** Answers each call with the next result, and keeps what it was called with. */
function scriptedFetch(...results: FetchResult[]) {
  const calls: { url: string; validators: Validators; options: FetchOptions }[] = [];
  const fetch: FetchFn = async (url, validators, options) => {
    calls.push({ url, validators, options });
    const next = results.shift();
    if (next === undefined) throw new Error("the test scripted no more fetches");
    return next;
  };
  return { fetch, calls };
}

function setUp(t: { teardown(fn: () => unknown): void }, ...results: FetchResult[]) {
  const store = new RecordingStore();
  t.teardown(() => store.close());
  const { fetch, calls } = scriptedFetch(...results);
  const deps: RefreshDeps = {
    store,
    fetchOptions: makeConfig().polling,
    retention: RETENTION,
    now: () => NOW,
    fetch,
  };
  return { store, calls, deps, poll: (source = SOURCE) => refreshSource(source, deps) };
}

test("a modified feed is stored and the outcome counts it, with the fetch's time and bytes", async (t) => {
  const body = rss(["a", "b"]);
  const { store, poll } = setUp(t, modified(body));
  t.deepEqual(await poll(), {
    sourceId: "programme",
    status: "ok",
    added: 2,
    updated: 0,
    unchanged: 0,
    dropped: 0,
    expired: 0,
    durationMs: 42,
    bytes: body.length,
  });
  t.is(await store.count("migration", "programme"), 2);
  const page = await store.list({ category: "migration", limit: 10 });
  // Links resolved against the fetched URL; entries filed under the source's categories.
  t.deepEqual(page.items.map((item) => item.link).sort(), [
    "https://partner.example.org/posts/a",
    "https://partner.example.org/posts/b",
  ]);
  t.deepEqual(page.items[0]?.categories, ["migration"]);
});

test("a success records the validators, the feed's title and link, and the poll's times", async (t) => {
  const { store, poll } = setUp(t, modified(rss(["a"])));
  await poll();
  t.deepEqual(await store.getSourceState("programme"), {
    status: "ok",
    url: URL_AS_CONFIGURED,
    consecutiveFailures: 0,
    etag: '"v1"',
    lastModified: "Sun, 01 Feb 2026 10:00:00 GMT",
    lastFetchAt: NOW.toISOString(),
    lastSuccessAt: NOW.toISOString(),
    lastDurationMs: 42,
    feedTitle: "Programme updates",
    feedLink: "https://partner.example.org/",
    movedTo: undefined,
    movedToCount: undefined,
  });
});

test("the fetcher gets the source's URL, headers and public URL, then the stored validators", async (t) => {
  const source: SourceConfig = {
    ...SOURCE,
    headers: { "X-Api-Key": "k" },
    publicUrl: "https://partner.example.org/public.xml",
  };
  const { calls, poll } = setUp(t, modified(rss(["a"])), notModified());
  await poll(source);
  await poll(source);
  t.is(calls.length, 2);
  t.is(calls[0]?.url, URL_AS_CONFIGURED);
  t.deepEqual(calls[0]?.validators, { etag: undefined, lastModified: undefined });
  t.deepEqual(calls[0]?.options.headers, { "X-Api-Key": "k" });
  t.is(calls[0]?.options.publicUrl, "https://partner.example.org/public.xml");
  t.is(calls[0]?.options.timeoutMs, makeConfig().polling.timeoutMs);
  t.deepEqual(calls[1]?.validators, {
    etag: '"v1"',
    lastModified: "Sun, 01 Feb 2026 10:00:00 GMT",
  });
});

test("a 304 writes no entry, bumps no version, skips retention and reports zero counts", async (t) => {
  const { store, poll } = setUp(t, modified(rss(["a", "b"])), notModified());
  await poll();
  const versions = [await store.version(ALL), await store.version("migration")];
  t.deepEqual(await poll(), {
    sourceId: "programme",
    status: "not-modified",
    added: 0,
    updated: 0,
    unchanged: 0,
    dropped: 0,
    expired: 0,
    durationMs: 7,
  });
  t.is(store.upserts.length, 1, "only the first poll wrote entries");
  t.is(store.retentions.length, 1, "only the first poll applied retention");
  t.deepEqual([await store.version(ALL), await store.version("migration")], versions);
  t.like(await store.getSourceState("programme"), {
    status: "not-modified",
    etag: '"v1"',
    lastFetchAt: NOW.toISOString(),
    lastDurationMs: 7,
    feedTitle: "Programme updates",
  });
});

test("retention runs after each fetched feed with the policy, the poll's start and the ids it lists", async (t) => {
  const { store, poll } = setUp(t, modified(rss(["a", "b"])), modified(rss(["b"])));
  await poll();
  await poll();
  t.is(store.retentions.length, 2);
  t.deepEqual(
    store.retentions.map(({ sourceId, policy, now }) => ({ sourceId, policy, now })),
    [
      { sourceId: "programme", policy: RETENTION, now: NOW },
      { sourceId: "programme", policy: RETENTION, now: NOW },
    ],
  );
  const [first, second] = store.retentions.map((call) => call.listed);
  t.is(first?.length, 2);
  t.is(second?.length, 1);
  t.true(first?.includes(second?.[0] ?? ""), "the second poll lists one of the first's ids");
});

test("a failed fetch records its kind and backoff, keeps the validators, and reports no bytes", async (t) => {
  const { store, poll } = setUp(
    t,
    modified(rss(["a"])),
    failed(new FetchError("timeout", URL_AS_CONFIGURED, "Timed out after 20000 ms")),
  );
  await poll();
  const outcome = await poll();
  const state = await store.getSourceState("programme");
  t.deepEqual(outcome, {
    sourceId: "programme",
    status: "error",
    errorKind: "timeout",
    error: `Timed out after 20000 ms (${URL_AS_CONFIGURED})`,
    added: 0,
    updated: 0,
    unchanged: 0,
    dropped: 0,
    expired: 0,
    durationMs: 13,
    // The backoff, for the poller's next due time.
    notBefore: state?.notBefore,
  });
  t.like(state, {
    status: "error",
    errorKind: "timeout",
    consecutiveFailures: 1,
    etag: '"v1"',
    lastSuccessAt: NOW.toISOString(),
  });
  t.true(new Date(state?.notBefore ?? 0) > NOW, "backed off");
  t.is(store.upserts.length, 1);
  t.is(store.retentions.length, 1, "a failed poll applies no retention");
});

test("a 503 with Retry-After is not polled before the partner's time; a success clears the failure", async (t) => {
  const retryAfter = new Date(NOW.getTime() + 3 * 3_600_000);
  const { store, poll } = setUp(
    t,
    failed(new FetchError("http-503", URL_AS_CONFIGURED, "HTTP 503", { status: 503, retryAfter })),
    modified(rss(["a"])),
  );
  t.like(await poll(), { status: "error", errorKind: "http-503" });
  const failing = await store.getSourceState("programme");
  t.true(new Date(failing?.notBefore ?? 0) >= retryAfter);
  t.like(await poll(), { status: "ok", added: 1 });
  const state = await store.getSourceState("programme");
  t.like(state, { status: "ok", consecutiveFailures: 0 });
  t.is(state?.errorKind, undefined);
  t.is(state?.lastError, undefined);
  t.is(state?.notBefore, undefined);
});

test("a 410 marks the source gone and the outcome says so", async (t) => {
  const { store, poll } = setUp(
    t,
    failed(new FetchError("gone", URL_AS_CONFIGURED, "HTTP 410 Gone: the feed was removed")),
  );
  t.like(await poll(), { status: "gone", errorKind: "gone" });
  t.like(await store.getSourceState("programme"), { status: "gone", errorKind: "gone" });
});

test("a body that is not a feed fails the poll with its parse kind and reports its bytes", async (t) => {
  const body = Buffer.from("<html><body>Maintenance</body></html>");
  const { store, poll } = setUp(t, modified(body, { contentType: "text/html" }));
  const outcome = await poll();
  t.like(outcome, { status: "error", errorKind: "not-a-feed", bytes: body.length, added: 0 });
  t.like(await store.getSourceState("programme"), { status: "error", errorKind: "not-a-feed" });
  t.is(store.upserts.length, 0);
});

test("a permanent redirect is reported redacted on every poll and proposed after enough of them", async (t) => {
  const target = "https://reader:secret@new.example.org/feed.xml";
  const moved = { finalUrl: target, permanentRedirect: target, redirects: 1 };
  // No channel link, so relative entry links resolve against the URL fetched.
  const withoutSiteLink = rss(["a"])
    .toString()
    .replace("<link>https://partner.example.org/</link>", "");
  const { store, poll } = setUp(
    t,
    modified(Buffer.from(withoutSiteLink), moved),
    ...Array.from({ length: PROPOSE_MOVE_AFTER - 1 }, () => notModified(moved)),
  );
  const outcomes = [];
  for (let i = 0; i < PROPOSE_MOVE_AFTER; i++) outcomes.push(await poll());
  const shown = "https://new.example.org/feed.xml";
  t.true(outcomes.every((outcome) => outcome.movedTo === shown));
  t.deepEqual(
    outcomes.map((outcome) => outcome.proposedUrl),
    [...Array.from({ length: PROPOSE_MOVE_AFTER - 1 }, () => undefined), shown],
  );
  // The state keeps the URL as fetched: it is what the next poll would be configured with.
  t.like(await store.getSourceState("programme"), {
    movedTo: target,
    movedToCount: PROPOSE_MOVE_AFTER,
  });
  // Relative links resolve against the redirect target, redacted: no credential is published.
  const page = await store.list({ category: "migration", limit: 10 });
  t.is(page.items[0]?.link, "https://new.example.org/posts/a");
});
