import { createHash } from "node:crypto";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import test from "ava";
import { buildRepresentation } from "../../src/publish/representation.js";

const TEXT = `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Ünïcödé — ${"x".repeat(5000)}</title></channel></rss>`;
const TYPE = "application/rss+xml; charset=utf-8";
const DATE = new Date("2025-03-01T12:00:00.000Z");

test("identity is the UTF-8 text; gzip and br decompress to it", (t) => {
  const rep = buildRepresentation(TEXT, TYPE, DATE);
  t.true(rep.identity.body.equals(Buffer.from(TEXT, "utf8")));
  t.true(gunzipSync(rep.variant("gzip").body).equals(rep.identity.body));
  t.true(brotliDecompressSync(rep.variant("br").body).equals(rep.identity.body));
  t.true(rep.variant("gzip").body.length < rep.identity.body.length);
  t.true(rep.variant("br").body.length < rep.identity.body.length);
  t.is(rep.variant("identity"), rep.identity);
  t.is(rep.contentType, TYPE);
  t.is(rep.lastModified, DATE);
});

test("ETags are strong, quoted, derived from the content hash and differ per coding", (t) => {
  const rep = buildRepresentation(TEXT, TYPE, DATE);
  const hash = createHash("sha256").update(TEXT, "utf8").digest("base64url").slice(0, 22);
  t.is(rep.identity.etag, `"${hash}"`);
  t.is(rep.etag("gzip"), `"${hash}-gzip"`);
  t.is(rep.etag("br"), `"${hash}-br"`);
  for (const coding of ["identity", "gzip", "br"] as const) {
    t.is(rep.variant(coding).etag, rep.etag(coding));
    t.regex(rep.etag(coding), /^"[A-Za-z0-9_-]+"$/, "strong (no W/), only etagc characters");
  }
});

test("a coding is compressed on first use only, then kept with the page", (t) => {
  const rep = buildRepresentation(TEXT, TYPE, DATE);
  const gzip = rep.variant("gzip");
  t.is(rep.variant("gzip"), gzip, "the same bytes, not compressed again");
  // A stale copy of the page (spread, as the publisher makes it) shares what was compressed.
  const copy = { ...rep, stale: { since: DATE } };
  t.is(copy.variant("gzip"), gzip);
  t.is(copy.variant("br"), rep.variant("br"));
});

test("the same text gives the same bytes and ETags every time (gzip has no mtime)", (t) => {
  const a = buildRepresentation(TEXT, TYPE, DATE);
  const b = buildRepresentation(TEXT, TYPE, undefined);
  t.true(a.variant("gzip").body.equals(b.variant("gzip").body));
  t.true(a.variant("br").body.equals(b.variant("br").body));
  for (const coding of ["identity", "gzip", "br"] as const) {
    t.is(a.etag(coding), b.etag(coding));
  }
  t.is(a.variant("gzip").body.readUInt32LE(4), 0, "gzip header mtime is 0");
  t.is(b.lastModified, undefined);
});

test("different text gives different ETags", (t) => {
  const a = buildRepresentation(TEXT, TYPE, DATE);
  const b = buildRepresentation(`${TEXT} `, TYPE, DATE);
  t.not(a.identity.etag, b.identity.etag);
});
