// probeSource (what check-source does) driven through its collaborators: an injected fetcher
// answering with real FetchResult values, and the real ingestDocument on this thread (the CLI
// passes an ingest pool's), so each path — failed fetch, bogus 304, unusable body, conditional
// check — is played without a partner server.
import test from "ava";
import { FetchError } from "../../../src/ingest/fetch/errors.js";
import type {
  FetchFn,
  FetchOptions,
  FetchResult,
  Validators,
} from "../../../src/ingest/fetch/fetch.js";
import { type DocumentIngestResult, ingestDocument } from "../../../src/ingest/ingest.js";
import type { NormaliseSource } from "../../../src/ingest/normalise/normalise.js";
import { type ProbeDeps, probeSource } from "../../../src/ingest/probe/probe.js";
import type { IngestDocumentFn } from "../../../src/ingest/worker/pool.js";
import { makeConfig } from "../../helpers/config.js";

const NOW = new Date("2026-03-10T12:00:00.000Z");
const URL_GIVEN = "https://reader:secret@partner.example/feeds/news.xml?apikey=K";
const URL_SHOWN = "https://partner.example/feeds/news.xml";
const SOURCE = { id: "news", categories: ["migration"] };

/** Two entries without GUIDs, with relative links: warnings only the parsed document shows. */
const BODY = Buffer.from(`<?xml version="1.0"?><rss version="2.0"><channel>
<title>Partner news</title><description>d</description>
<item><title>First</title><link>/posts/1</link><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>
<item><title>Second</title><link>/posts/2</link><pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate></item>
</channel></rss>`);

function modified(
  validators: Validators = { etag: '"v1"' },
  body = BODY,
  contentType = "application/rss+xml",
): FetchResult {
  return {
    kind: "modified",
    url: URL_GIVEN,
    finalUrl: URL_GIVEN,
    status: 200,
    body,
    contentType,
    validators,
    redirects: 0,
    durationMs: 12,
  };
}

const notModified: FetchResult = {
  kind: "not-modified",
  url: URL_GIVEN,
  finalUrl: URL_GIVEN,
  validators: { etag: '"v1"' },
  redirects: 0,
  durationMs: 3,
};

function setUp(...results: FetchResult[]) {
  const fetches: { url: string; validators: Validators; options: FetchOptions }[] = [];
  const fetch: FetchFn = async (url, validators, options) => {
    fetches.push({ url, validators, options });
    const next = results.shift();
    if (next === undefined) throw new Error("the test scripted no more fetches");
    return next;
  };
  const ingests: { body: Buffer; source: NormaliseSource; now: Date }[] = [];
  const ingest: IngestDocumentFn = (body, contentType, source, now) => {
    ingests.push({ body, source, now });
    return ingestDocument(body, contentType, source, now);
  };
  const deps: ProbeDeps = { fetch, fetchOptions: makeConfig().polling, ingest, now: () => NOW };
  return { fetches, ingests, deps, probe: () => probeSource(URL_GIVEN, SOURCE, deps) };
}

test("the body is ingested once, and the warnings come from the document that ingest returned", async (t) => {
  const { ingests, probe } = setUp(modified(), notModified);
  const report = await probe();
  t.is(ingests.length, 1);
  t.is(ingests[0]?.body, BODY);
  t.true(report.usable);
  t.is(report.entries, 2);
  t.deepEqual(
    report.warnings.map((warning) => warning.code),
    ["missing-guids", "relative-links"],
  );
});

test("a document is read only through the ingest collaborator, never parsed beside it", async (t) => {
  const { deps } = setUp(modified(), notModified);
  // The collaborator's document is the one described, whatever bytes were fetched.
  const stored = await ingestDocument(
    BODY,
    "application/rss+xml",
    { ...SOURCE, feedUrl: URL_SHOWN },
    NOW,
  );
  const withGuids: DocumentIngestResult = {
    ...stored,
    parsed: {
      ...stored.parsed,
      items: stored.parsed.items.map((item, i) => ({ ...item, guid: `g-${i}` })),
    },
  };
  const report = await probeSource(URL_GIVEN, SOURCE, { ...deps, ingest: async () => withGuids });
  t.deepEqual(
    report.warnings.map((warning) => warning.code),
    ["relative-links"],
  );
});

test("URLs are fetched as given and shown redacted; links resolve against the redacted final URL", async (t) => {
  const { fetches, ingests, probe } = setUp(modified(), notModified);
  const report = await probe();
  t.is(fetches[0]?.url, URL_GIVEN);
  t.is(report.url, URL_SHOWN);
  t.is(report.finalUrl, URL_SHOWN);
  t.deepEqual(ingests[0]?.source, { ...SOURCE, feedUrl: URL_SHOWN });
  t.is(ingests[0]?.now, NOW);
  t.true(report.sample.every((entry) => entry.link?.startsWith("https://partner.example/posts/")));
});

test("a second, conditional fetch with the first response's validators tells whether they are honoured", async (t) => {
  const honoured = setUp(modified(), notModified);
  t.is((await honoured.probe()).caching.conditional, "not-modified");
  t.deepEqual(honoured.fetches[0]?.validators, {});
  t.deepEqual(honoured.fetches[1]?.validators, { etag: '"v1"' });
  t.is(honoured.fetches[1]?.url, URL_GIVEN, "the URL as given: only it carries the credentials");

  const ignored = setUp(modified(), modified());
  const report = await ignored.probe();
  t.is(report.caching.conditional, "full-body");
  t.true(report.warnings.some((warning) => warning.code === "conditional-ignored"));

  const failing = setUp(modified(), {
    kind: "failed",
    url: URL_GIVEN,
    error: new FetchError("timeout", URL_SHOWN, "Timed out"),
    durationMs: 1,
  });
  t.is((await failing.probe()).caching.conditional, "failed");
});

test("without validators there is no conditional fetch", async (t) => {
  const { fetches, probe } = setUp(modified({}));
  const report = await probe();
  t.is(fetches.length, 1);
  t.is(report.caching.conditional, "not-checked");
  t.true(report.warnings.some((warning) => warning.code === "no-caching"));
});

test("a failed fetch is an unusable source with the fetch's kind, and nothing is ingested", async (t) => {
  const { ingests, probe } = setUp({
    kind: "failed",
    url: URL_GIVEN,
    error: new FetchError("dns", URL_SHOWN, "No such host"),
    durationMs: 2,
  });
  const report = await probe();
  t.like(report, {
    url: URL_SHOWN,
    usable: false,
    problem: { kind: "dns", message: `No such host (${URL_SHOWN})` },
  });
  t.is(report.http, undefined);
  t.is(ingests.length, 0);
});

test("a 304 to a request without validators is the server's bug: unusable, http-304", async (t) => {
  const { probe } = setUp(notModified);
  t.like(await probe(), { usable: false, problem: { kind: "http-304" } });
});

test("a body that is not a feed is unusable with its parse kind, keeps the HTTP facts, and is not asked again", async (t) => {
  const html = modified(
    { etag: '"v1"' },
    Buffer.from("<html><body>Sign in</body></html>"),
    "text/html",
  );
  const { fetches, probe } = setUp(html);
  const report = await probe();
  t.like(report, {
    usable: false,
    problem: { kind: "not-a-feed" },
    http: { status: 200, contentType: "text/html", durationMs: 12 },
  });
  t.is(fetches.length, 1);
});
