// HTTP caching of the feed routes, rule by rule (RFC 9110 §8.8 and §13, RFC 9111), with raw
// requests: undici.request sends exactly the headers given, and the wire-level checks use
// node:net. test/http/feeds.test.ts covers the everyday cases; this file adds what a cache or
// a feed reader relies on beyond them.
import { createHash } from "node:crypto";
import { connect } from "node:net";
import { gunzipSync } from "node:zlib";
import test from "ava";
import { MemoryStore } from "../../src/store/memory.js";
import { connectRedisStore } from "../../src/store/redis.js";
import type { Store } from "../../src/store/store.js";
import { call, startApp } from "../helpers/app.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../helpers/redis.js";
import { makeUpdate, seed } from "../http/seed.js";

const FEED = "/feeds/all.atom";
const CODINGS = { identity: "identity", gzip: "gzip", br: "br" } as const;

/** The response to one request, as bytes on the wire (status line, headers, body). */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.on("error", reject);
  });
}

async function seededApp(t: import("ava").ExecutionContext, store?: Store) {
  const app = await startApp(t, store ? { store } : {});
  await seed(app.store);
  return app;
}

test("ETags are strong, quoted, and derived from a hash of the identity bytes, one per coding", async (t) => {
  const { url } = await seededApp(t);
  const identity = await call(`${url}${FEED}`);
  const hash = createHash("sha256").update(identity.body).digest("base64url").slice(0, 22);
  t.is(identity.header("etag"), `"${hash}"`);
  const gzip = await call(`${url}${FEED}`, { headers: { "accept-encoding": "gzip" } });
  const br = await call(`${url}${FEED}`, { headers: { "accept-encoding": "br" } });
  t.is(gzip.header("etag"), `"${hash}-gzip"`);
  t.is(br.header("etag"), `"${hash}-br"`);
  t.deepEqual(gunzipSync(gzip.body), identity.body);
  for (const res of [identity, gzip, br]) t.false(res.header("etag").startsWith("W/"));
});

test("every instance announces the same ETags and bytes (two apps over one Redis)", async (t) => {
  const prefix = uniquePrefix();
  t.teardown(() => deleteKeys(prefix));
  const one = await seededApp(t, await connectRedisStore({ url: TEST_REDIS_URL, prefix }));
  const two = await startApp(t, {
    store: await connectRedisStore({ url: TEST_REDIS_URL, prefix }),
  });
  for (const format of ["rss", "atom", "json"]) {
    for (const coding of Object.values(CODINGS)) {
      const headers = { "accept-encoding": coding };
      const a = await call(`${one.url}/feeds/all.${format}`, { headers });
      const b = await call(`${two.url}/feeds/all.${format}`, { headers });
      t.is(a.header("etag"), b.header("etag"), `${format} ${coding}`);
      t.deepEqual(a.body, b.body, `${format} ${coding}`);
      // A validator from one instance revalidates at the other.
      const revalidated = await call(`${two.url}/feeds/all.${format}`, {
        headers: { ...headers, "if-none-match": a.header("etag") },
      });
      t.is(revalidated.status, 304, `${format} ${coding}`);
    }
  }
});

test("the ETag of one coding does not validate another: a gzip tag asked for identity is a 200", async (t) => {
  const { url } = await seededApp(t);
  const gzipTag = (await call(`${url}${FEED}`, { headers: { "accept-encoding": "gzip" } })).header(
    "etag",
  );
  const identity = await call(`${url}${FEED}`, { headers: { "if-none-match": gzipTag } });
  t.is(identity.status, 200);
  const gzip = await call(`${url}${FEED}`, {
    headers: { "accept-encoding": "gzip", "if-none-match": gzipTag },
  });
  t.is(gzip.status, 304);
});

test("If-None-Match: weak comparison, lists with spaces and commas inside tags, no match → 200", async (t) => {
  const { url } = await seededApp(t);
  const etag = (await call(`${url}${FEED}`)).header("etag");
  const status = async (inm: string) =>
    (await call(`${url}${FEED}`, { headers: { "if-none-match": inm } })).status;
  t.is(await status(`W/${etag}`), 304);
  t.is(await status(`"a,b" ,W/"x",  ${etag}`), 304);
  t.is(await status(`"a", "b"`), 200);
  t.is(await status(`W/"${etag.slice(1, -2)}"`), 200, "a different tag, even if a prefix");
  t.is(await status("*"), 304);
});

test("If-None-Match decides alone: a failing tag with a matching date is a 200, and vice versa", async (t) => {
  const { url } = await seededApp(t);
  const first = await call(`${url}${FEED}`);
  const lastModified = first.header("last-modified");
  const nomatch = await call(`${url}${FEED}`, {
    headers: { "if-none-match": '"other"', "if-modified-since": lastModified },
  });
  t.is(nomatch.status, 200);
  const match = await call(`${url}${FEED}`, {
    headers: {
      "if-none-match": first.header("etag"),
      "if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT",
    },
  });
  t.is(match.status, 304);
});

test("If-Modified-Since: equal or later is 304; earlier, unparsable or in the future is ignored → 200", async (t) => {
  const { url } = await seededApp(t);
  const lastModified = (await call(`${url}${FEED}`)).header("last-modified");
  const status = async (ims: string) =>
    (await call(`${url}${FEED}`, { headers: { "if-modified-since": ims } })).status;
  t.is(await status(lastModified), 304);
  // Later, but not in the future: Last-Modified is when the content last changed, moments ago.
  t.is(await status(new Date().toUTCString()), 304);
  t.is(await status(new Date(Date.parse(lastModified) - 1000).toUTCString()), 200);
  t.is(await status("yesterday"), 200);
  t.is(await status(new Date(Date.now() + 86_400_000).toUTCString()), 200);
});

test("a 304 on the wire: ETag, Cache-Control, Vary and Last-Modified, and not a byte of body", async (t) => {
  const { url } = await seededApp(t);
  const ok = await call(`${url}${FEED}`, { headers: { "accept-encoding": "br" } });
  const wire = await rawExchange(
    url,
    `GET ${FEED} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\nIf-None-Match: ${ok.header("etag")}\r\nConnection: close\r\n\r\n`,
  );
  const [head = "", body] = wire.split("\r\n\r\n");
  t.regex(head, /^HTTP\/1\.1 304 /);
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, "im").exec(head)?.[1]?.trim();
  t.is(header("etag"), ok.header("etag"));
  t.is(header("cache-control"), "public, max-age=300");
  t.is(header("vary"), "Accept-Encoding");
  t.is(header("last-modified"), ok.header("last-modified"));
  t.is(header("content-encoding"), undefined);
  t.is(header("transfer-encoding"), undefined);
  t.is(body, "");
});

test("HEAD on the wire: GET's headers, Content-Length of the coding chosen, no body", async (t) => {
  const { url } = await seededApp(t);
  for (const coding of Object.values(CODINGS)) {
    const get = await call(`${url}${FEED}`, { headers: { "accept-encoding": coding } });
    const wire = await rawExchange(
      url,
      `HEAD ${FEED} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: ${coding}\r\nConnection: close\r\n\r\n`,
    );
    const [head = "", body] = wire.split("\r\n\r\n");
    t.regex(head, /^HTTP\/1\.1 200 /);
    const length = /^content-length: (\d+)$/im.exec(head)?.[1];
    t.is(length, String(get.body.length), coding);
    t.is(/^etag: (.*)$/im.exec(head)?.[1]?.trim(), get.header("etag"));
    t.is(body, "");
  }
});

test("Content-Length is the length of the bytes sent, for each coding", async (t) => {
  const { url } = await seededApp(t);
  const lengths = new Set<string>();
  for (const coding of Object.values(CODINGS)) {
    const res = await call(`${url}/feeds/all.rss`, { headers: { "accept-encoding": coding } });
    t.is(res.header("content-length"), String(res.body.length), coding);
    lengths.add(res.header("content-length"));
  }
  t.is(lengths.size, 3, "three different codings, three different lengths");
});

test("Accept-Encoding: q-values, case, x-gzip, wildcards and exclusions", async (t) => {
  const { url } = await seededApp(t);
  const coding = async (accept: string) =>
    (await call(`${url}${FEED}`, { headers: { "accept-encoding": accept } })).header(
      "content-encoding",
    ) || "identity";
  t.is(await coding("GZIP"), "gzip");
  t.is(await coding("x-gzip"), "gzip");
  t.is(await coding("gzip;q=0.2, br;q=0.8"), "br");
  t.is(await coding("gzip;Q=1.0, br;q=0.999"), "gzip");
  t.is(await coding("identity;q=1, gzip;q=0.5"), "identity");
  t.is(await coding("*;q=0.1, br;q=0"), "gzip");
  t.is(await coding("br;q=0, gzip;q=0, *;q=0.5"), "identity");
  t.is(await coding("deflate"), "identity");
  t.is(await coding(""), "identity");
});

test("compressed variants are computed once per content change, not once per request", async (t) => {
  // The real MemoryStore, counting its list calls: every render (and so every compression of
  // identity, gzip and br) reads the page's entries exactly once. Instrumentation, not a mock.
  const memory = new MemoryStore();
  let lists = 0;
  const store = new Proxy(memory, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (property === "list") lists++;
        return value.apply(target, args);
      };
    },
  });
  const { url } = await seededApp(t, store);
  const poll = async () => {
    const etags = new Set<string>();
    for (const coding of Object.values(CODINGS)) {
      for (let i = 0; i < 5; i++) {
        const res = await call(`${url}${FEED}`, { headers: { "accept-encoding": coding } });
        etags.add(res.header("etag"));
        await call(`${url}${FEED}`, {
          headers: { "accept-encoding": coding, "if-none-match": res.header("etag") },
        });
        await call(`${url}${FEED}`, { method: "HEAD", headers: { "accept-encoding": coding } });
      }
    }
    return etags;
  };
  t.is((await poll()).size, 3);
  t.is(lists, 1, "45 requests in three codings: one render");
  await store.upsert([makeUpdate(6, { categories: ["trafficking"] })], {
    fallbackDated: new Set(),
  });
  t.is((await poll()).size, 3);
  t.is(lists, 2, "the content changed once: one more render");
});
