import test from "ava";
import { buildFeedResponse } from "../../src/http/feed-response.js";
import { buildRepresentation } from "../../src/publish/representation.js";
import type { Coding, Representation } from "../../src/publish/types.js";

const LAST_MODIFIED = new Date("2025-02-03T04:05:06.789Z");

// A Representation as the publisher hands it over (bytes + strong content-hash ETag per
// coding), so the pure builder is tested without the renderer.
function representation(
  text = '{"version":"https://jsonfeed.org/version/1.1"}',
  dated: { lastModified: Date | undefined } = { lastModified: LAST_MODIFIED },
): Representation {
  return buildRepresentation(text, "application/feed+json; charset=utf-8", dated.lastModified);
}

test("200 with identity bytes and every cache header", (t) => {
  const rep = representation();
  const res = buildFeedResponse(rep, "json", {}, 300);
  t.is(res.status, 200);
  t.is(res.body, rep.identity.body);
  t.deepEqual(res.headers, {
    ETag: rep.identity.etag,
    "Last-Modified": "Mon, 03 Feb 2025 04:05:06 GMT",
    "Cache-Control": "public, max-age=300",
    Vary: "Accept-Encoding",
    "Content-Type": "application/feed+json; charset=utf-8",
    "Content-Length": String(rep.identity.body.length),
  });
});

test("the negotiated variant supplies body, ETag, length and Content-Encoding", (t) => {
  const rep = representation();
  for (const coding of ["gzip", "br"] as const) {
    const res = buildFeedResponse(rep, "json", { acceptEncoding: coding }, 60);
    t.is(res.body, rep.variant(coding).body);
    t.is(res.headers.ETag, rep.etag(coding));
    t.is(res.headers["Content-Encoding"], coding);
    t.is(res.headers["Content-Length"], String(rep.variant(coding).body.length));
  }
});

test("304 carries the validators and no body or entity headers", (t) => {
  const rep = representation();
  const res = buildFeedResponse(rep, "rss", { ifNoneMatch: rep.identity.etag }, 300);
  t.is(res.status, 304);
  t.is(res.body, undefined);
  t.deepEqual(Object.keys(res.headers).sort(), ["Cache-Control", "ETag", "Last-Modified", "Vary"]);
});

test("a 304 compresses nothing: a coding's bytes are made only when they are sent", (t) => {
  const rep = representation();
  const compressed: Coding[] = [];
  const counting: Representation = {
    ...rep,
    variant: (coding) => {
      compressed.push(coding);
      return rep.variant(coding);
    },
  };
  const res = buildFeedResponse(
    counting,
    "json",
    { acceptEncoding: "br", ifNoneMatch: rep.etag("br") },
    300,
  );
  t.is(res.status, 304);
  t.is(res.headers.ETag, rep.etag("br"));
  t.deepEqual(compressed, []);
  buildFeedResponse(counting, "json", { acceptEncoding: "br" }, 300);
  t.deepEqual(compressed, ["br"]);
});

test("a page whose category never changed sends no Last-Modified, and If-Modified-Since gets a 200", (t) => {
  const rep = representation("{}", { lastModified: undefined });
  const res = buildFeedResponse(rep, "json", {}, 300);
  t.false("Last-Modified" in res.headers, JSON.stringify(res.headers));
  const ims = buildFeedResponse(
    rep,
    "json",
    { ifModifiedSince: "Thu, 01 Jan 1970 00:00:00 GMT" },
    300,
  );
  t.is(ims.status, 200);
  const notModified = buildFeedResponse(rep, "json", { ifNoneMatch: rep.identity.etag }, 300);
  t.is(notModified.status, 304);
  t.false("Last-Modified" in notModified.headers);
});

test("an ETag of another coding does not validate the negotiated one", (t) => {
  const rep = representation();
  const res = buildFeedResponse(
    rep,
    "rss",
    { acceptEncoding: "gzip", ifNoneMatch: rep.identity.etag },
    300,
  );
  t.is(res.status, 200);
  t.is(res.headers["Content-Encoding"], "gzip");
});

test("content type comes from the requested format", (t) => {
  const res = buildFeedResponse(representation("<rss/>"), "rss", {}, 300);
  t.is(res.headers["Content-Type"], "application/rss+xml; charset=utf-8");
  const atom = buildFeedResponse(representation("<feed/>"), "atom", {}, 300);
  t.is(atom.headers["Content-Type"], "application/atom+xml; charset=utf-8");
});
