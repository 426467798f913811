import { createHash } from "node:crypto";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import test from "ava";
import { buildRepresentation, buildRepresentationAsync } from "../../src/publish/representation.js";

const TEXT = `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Ünïcödé — ${"x".repeat(5000)}</title></channel></rss>`;
const TYPE = "application/rss+xml; charset=utf-8";
const DATE = new Date("2025-03-01T12:00:00.000Z");

test("identity is the UTF-8 text; gzip and br decompress to it", (t) => {
  const rep = buildRepresentation(TEXT, TYPE, DATE);
  t.true(rep.identity.body.equals(Buffer.from(TEXT, "utf8")));
  t.true(gunzipSync(rep.gzip.body).equals(rep.identity.body));
  t.true(brotliDecompressSync(rep.br.body).equals(rep.identity.body));
  t.true(rep.gzip.body.length < rep.identity.body.length);
  t.true(rep.br.body.length < rep.identity.body.length);
  t.is(rep.contentType, TYPE);
  t.is(rep.lastModified, DATE);
});

test("ETags are strong, quoted, derived from the content hash and differ per coding", (t) => {
  const rep = buildRepresentation(TEXT, TYPE, DATE);
  const hash = createHash("sha256").update(TEXT, "utf8").digest("base64url").slice(0, 22);
  t.is(rep.identity.etag, `"${hash}"`);
  t.is(rep.gzip.etag, `"${hash}-gzip"`);
  t.is(rep.br.etag, `"${hash}-br"`);
  for (const etag of [rep.identity.etag, rep.gzip.etag, rep.br.etag]) {
    t.regex(etag, /^"[A-Za-z0-9_-]+"$/, "strong (no W/), only etagc characters");
  }
});

test("the same text gives the same bytes and ETags every time (gzip has no mtime)", (t) => {
  const a = buildRepresentation(TEXT, TYPE, DATE);
  const b = buildRepresentation(TEXT, TYPE, new Date(0));
  t.true(a.gzip.body.equals(b.gzip.body));
  t.true(a.br.body.equals(b.br.body));
  t.deepEqual([a.identity.etag, a.gzip.etag, a.br.etag], [b.identity.etag, b.gzip.etag, b.br.etag]);
  t.is(a.gzip.body.readUInt32LE(4), 0, "gzip header mtime is 0");
});

test("the async builder produces exactly the same representation", async (t) => {
  const sync = buildRepresentation(TEXT, TYPE, DATE);
  const async = await buildRepresentationAsync(TEXT, TYPE, DATE);
  t.true(async.identity.body.equals(sync.identity.body));
  t.true(async.gzip.body.equals(sync.gzip.body));
  t.true(async.br.body.equals(sync.br.body));
  t.deepEqual(
    [async.identity.etag, async.gzip.etag, async.br.etag],
    [sync.identity.etag, sync.gzip.etag, sync.br.etag],
  );
});

test("different text gives different ETags", (t) => {
  const a = buildRepresentation(TEXT, TYPE, DATE);
  const b = buildRepresentation(`${TEXT} `, TYPE, DATE);
  t.not(a.identity.etag, b.identity.etag);
});
