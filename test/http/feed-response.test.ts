import test from "ava";
import { buildResponse, publicMaxAge } from "../../src/http/feed-response.js";
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
  const res = buildResponse(rep, {}, publicMaxAge(300));
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
    const res = buildResponse(rep, { acceptEncoding: coding }, publicMaxAge(60));
    t.is(res.body, rep.variant(coding).body);
    t.is(res.headers.ETag, rep.etag(coding));
    t.is(res.headers["Content-Encoding"], coding);
    t.is(res.headers["Content-Length"], String(rep.variant(coding).body.length));
  }
});

test("304 carries the validators and no body or entity headers", (t) => {
  const rep = representation();
  const res = buildResponse(rep, { ifNoneMatch: rep.identity.etag }, publicMaxAge(300));
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
  const res = buildResponse(
    counting,
    { acceptEncoding: "br", ifNoneMatch: rep.etag("br") },
    publicMaxAge(300),
  );
  t.is(res.status, 304);
  t.is(res.headers.ETag, rep.etag("br"));
  t.deepEqual(compressed, []);
  buildResponse(counting, { acceptEncoding: "br" }, publicMaxAge(300));
  t.deepEqual(compressed, ["br"]);
});

test("a page whose category never changed sends no Last-Modified, and If-Modified-Since gets a 200", (t) => {
  const rep = representation("{}", { lastModified: undefined });
  const res = buildResponse(rep, {}, publicMaxAge(300));
  t.false("Last-Modified" in res.headers, JSON.stringify(res.headers));
  const ims = buildResponse(
    rep,
    { ifModifiedSince: "Thu, 01 Jan 1970 00:00:00 GMT" },
    publicMaxAge(300),
  );
  t.is(ims.status, 200);
  const notModified = buildResponse(rep, { ifNoneMatch: rep.identity.etag }, publicMaxAge(300));
  t.is(notModified.status, 304);
  t.false("Last-Modified" in notModified.headers);
});

test("an ETag of another coding does not validate the negotiated one", (t) => {
  const rep = representation();
  const res = buildResponse(
    rep,
    { acceptEncoding: "gzip", ifNoneMatch: rep.identity.etag },
    publicMaxAge(300),
  );
  t.is(res.status, 200);
  t.is(res.headers["Content-Encoding"], "gzip");
});

test("content type and Cache-Control come from the representation and the caller", (t) => {
  const rss = buildRepresentation("<rss/>", "application/rss+xml; charset=utf-8", LAST_MODIFIED);
  const res = buildResponse(rss, {}, publicMaxAge(300));
  t.is(res.headers["Content-Type"], "application/rss+xml; charset=utf-8");
  t.is(res.headers["Cache-Control"], "public, max-age=300");
  const immutable = buildResponse(rss, {}, "public, max-age=31536000, immutable");
  t.is(immutable.headers["Cache-Control"], "public, max-age=31536000, immutable");
});
