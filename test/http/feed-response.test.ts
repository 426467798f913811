import { createHash } from "node:crypto";
import { brotliCompressSync, gzipSync } from "node:zlib";
import test from "ava";
import { buildFeedResponse } from "../../src/http/feed-response.js";
import type { Representation, Variant } from "../../src/publish/types.js";

// A Representation built the way the publisher's contract describes it (bytes + strong
// content-hash ETag per coding), so the pure builder is tested without the renderer.
function representation(text = '{"version":"https://jsonfeed.org/version/1.1"}'): Representation {
  const variant = (body: Buffer): Variant => ({
    body,
    etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
  });
  const identity = Buffer.from(text);
  return {
    contentType: "application/feed+json; charset=utf-8",
    lastModified: new Date("2025-02-03T04:05:06.789Z"),
    identity: variant(identity),
    gzip: variant(gzipSync(identity)),
    br: variant(brotliCompressSync(identity)),
  };
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
    t.is(res.body, rep[coding].body);
    t.is(res.headers.ETag, rep[coding].etag);
    t.is(res.headers["Content-Encoding"], coding);
    t.is(res.headers["Content-Length"], String(rep[coding].body.length));
  }
});

test("304 carries the validators and no body or entity headers", (t) => {
  const rep = representation();
  const res = buildFeedResponse(rep, "rss", { ifNoneMatch: rep.identity.etag }, 300);
  t.is(res.status, 304);
  t.is(res.body, undefined);
  t.deepEqual(Object.keys(res.headers).sort(), ["Cache-Control", "ETag", "Last-Modified", "Vary"]);
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
