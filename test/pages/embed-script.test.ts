// GET /embed.js over a real socket: the bytes of the asset as they are, validators, codings,
// the year-long cache only on the current versioned URL, and the cross-origin headers.
import { readFile } from "node:fs/promises";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import test from "ava";
import {
  EMBED_SCRIPT_PATH,
  embedScriptUrl,
  embedScriptVersion,
} from "../../src/pages/embed-script.js";
import { call, startApp } from "../helpers/app.js";

const ASSET = new URL("../../src/pages/assets/tributary-feed.js", import.meta.url);

test("GET /embed.js serves the asset byte for byte as JavaScript with cross-origin headers", async (t) => {
  const { url } = await startApp(t);
  const res = await call(`${url}${EMBED_SCRIPT_PATH}`);
  t.is(res.status, 200);
  t.is(res.header("content-type"), "text/javascript; charset=utf-8");
  t.deepEqual(res.body, await readFile(ASSET));
  t.is(res.header("content-length"), String(res.body.length));
  t.is(res.header("access-control-allow-origin"), "*");
  t.is(res.header("cross-origin-resource-policy"), "cross-origin");
  t.is(res.header("x-content-type-options"), "nosniff");
  t.is(res.header("vary"), "Accept-Encoding");
  // The script never changes while the service runs: it has no modification date to give.
  t.is(res.header("last-modified"), "");
});

test("the ETag is strong, the same on every request and on every instance", async (t) => {
  const first = await startApp(t);
  const second = await startApp(t);
  const a = await call(`${first.url}/embed.js`);
  const b = await call(`${first.url}/embed.js?v=${embedScriptVersion()}`);
  const c = await call(`${second.url}/embed.js`);
  t.regex(a.header("etag"), /^"[\w-]{22}"$/);
  t.is(b.header("etag"), a.header("etag"));
  t.is(c.header("etag"), a.header("etag"));
});

test("If-None-Match with the current ETag is a 304 without a body, per coding", async (t) => {
  const { url } = await startApp(t);
  for (const coding of ["identity", "gzip", "br"]) {
    const headers = { "accept-encoding": coding };
    const first = await call(`${url}/embed.js`, { headers });
    const again = await call(`${url}/embed.js`, {
      headers: { ...headers, "if-none-match": first.header("etag") },
    });
    t.is(again.status, 304, coding);
    t.is(again.body.length, 0, coding);
    t.is(again.header("etag"), first.header("etag"), coding);
    t.is(again.header("access-control-allow-origin"), "*", coding);
    const stale = await call(`${url}/embed.js`, {
      headers: { ...headers, "if-none-match": '"an-older-release"' },
    });
    t.is(stale.status, 200, coding);
  }
});

test("HEAD /embed.js answers the headers of GET without a body", async (t) => {
  const { url } = await startApp(t);
  const get = await call(`${url}/embed.js`);
  const head = await call(`${url}/embed.js`, { method: "HEAD" });
  t.is(head.status, 200);
  t.is(head.body.length, 0);
  t.is(head.header("etag"), get.header("etag"));
  t.is(head.header("content-type"), get.header("content-type"));
});

test("gzip and br bodies decode to the identity bytes, and gzipped it stays under 8 KB", async (t) => {
  const { url } = await startApp(t);
  const identity = await call(`${url}/embed.js`);
  const gzip = await call(`${url}/embed.js`, { headers: { "accept-encoding": "gzip" } });
  const br = await call(`${url}/embed.js`, { headers: { "accept-encoding": "br" } });
  t.is(gzip.header("content-encoding"), "gzip");
  t.is(br.header("content-encoding"), "br");
  t.deepEqual(gunzipSync(gzip.body), identity.body);
  t.deepEqual(brotliDecompressSync(br.body), identity.body);
  t.not(gzip.header("etag"), identity.header("etag"));
  t.true(gzip.body.length <= 8192, `gzipped: ${gzip.body.length} bytes`);
  t.log(`embed.js: ${identity.body.length} bytes, gzip ${gzip.body.length}, br ${br.body.length}`);
});

test("the current versioned URL is cached for a year; unversioned or old versions for 5 minutes", async (t) => {
  const { url } = await startApp(t);
  const version = embedScriptVersion();
  const cases: [string, string][] = [
    [`?v=${version}`, "public, max-age=31536000, immutable"],
    [`?v=${version}&utm_source=partner`, "public, max-age=31536000, immutable"],
    ["", "public, max-age=300"],
    ["?v=0123456789", "public, max-age=300"],
    [`?v=${version}&v=${version}`, "public, max-age=300"],
    ["?cachebust=1", "public, max-age=300"],
  ];
  for (const [query, expected] of cases) {
    const res = await call(`${url}/embed.js${query}`);
    t.is(res.status, 200, query);
    t.is(res.header("cache-control"), expected, query);
  }
});

test("the version is the asset's content hash, and embedScriptUrl carries it", async (t) => {
  const version = embedScriptVersion();
  t.regex(version, /^[\w-]{10}$/);
  t.is(
    embedScriptUrl("https://tributary.example"),
    `https://tributary.example/embed.js?v=${version}`,
  );
  const { url } = await startApp(t);
  const res = await call(`${url}/embed.js`);
  // The ETag is the hash of the same bytes: the version is its first characters.
  t.true(res.header("etag").startsWith(`"${version}`));
});
