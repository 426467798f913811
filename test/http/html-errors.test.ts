// Errors answer in the form the route serves: the home page during an outage is the last page
// it rendered, marked stale, or a short HTML 503; other errors on pages are HTML pages; feeds and
// the API stay JSON. Real app, real MemoryStore (closed: every call then fails as unavailable).
import test from "ava";
import { pino } from "pino";
import { errorPage } from "../../src/http/error-page.js";
import { MemoryStore } from "../../src/store/memory.js";
import { call, pagesFor, startApp } from "../helpers/app.js";
import { makeConfig } from "../helpers/config.js";
import { seed } from "./seed.js";

const BROWSER = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };
const STACK = /\bat .+:\d+:\d+/;

test("GET / during an outage serves the page last rendered, with a visible notice and the stale headers", async (t) => {
  const { url, store } = await startApp(t);
  await seed(store);
  const before = await call(`${url}/`);
  t.is(before.status, 200);
  t.is(before.header("warning"), "");
  t.false(before.body.toString().includes('class="notice"'));
  await store.close();

  const res = await call(`${url}/`, { headers: BROWSER });
  t.is(res.status, 200);
  t.is(res.header("content-type"), "text/html; charset=utf-8");
  t.is(res.header("warning"), '110 - "Response is Stale"');
  const since = res.header("x-tributary-stale");
  t.regex(since, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.true(Date.parse(since) <= Date.now());
  t.regex(res.header("age"), /^\d+$/);
  t.regex(res.header("content-security-policy"), /default-src 'none'/);
  const html = res.body.toString();
  t.regex(html, /<p class="notice" role="status">The archive cannot be reached right now/);
  // The same page otherwise: the counts and links as they were.
  t.true(html.includes("<p>3 entries</p>"));
  t.true(html.includes('href="http://tributary.test/feeds/trafficking.atom"'));
  t.is(html.replace(/\n<p class="notice"[^\n]*/, ""), before.body.toString());
});

test("GET / during an outage with no page rendered yet is a short HTML 503 with Retry-After", async (t) => {
  const { url, store } = await startApp(t);
  await store.close();
  const res = await call(`${url}/`);
  t.is(res.status, 503);
  t.is(res.header("content-type"), "text/html; charset=utf-8");
  t.is(res.header("retry-after"), "5");
  t.regex(res.header("content-security-policy"), /default-src 'none'/);
  const html = res.body.toString();
  t.true(html.startsWith("<!doctype html>"));
  t.true(html.includes("<title>503 Service Unavailable — Tributary test</title>"));
  t.true(html.includes("<p>store unavailable, retry later</p>"));
  t.false(html.includes("memory store is closed"), "no backend detail");
  t.false(STACK.test(html));
});

test("JSON routes stay JSON during an outage, even when a browser asks", async (t) => {
  const { url, store } = await startApp(t);
  await store.close();
  for (const path of ["/api/sources", "/feeds/all.rss"]) {
    const res = await call(`${url}${path}`, { headers: BROWSER });
    t.is(res.status, 503, path);
    t.is(res.header("content-type"), "application/json; charset=utf-8", path);
    t.deepEqual(res.json(), { error: "store unavailable, retry later" });
  }
});

test("other errors on the home page are HTML pages too: a 405, and a bug's 500 without its message", async (t) => {
  const { url } = await startApp(t);
  const res = await call(`${url}/`, { method: "POST" });
  t.is(res.status, 405);
  t.is(res.header("content-type"), "text/html; charset=utf-8");
  t.regex(res.header("allow"), /GET/);
  t.true(res.body.toString().includes("<title>405 Method Not Allowed — "));

  const { url: broken, store } = await startApp(t);
  // A store that fails in an unexpected way: the only way to reach the 500 of the home page.
  store.count = async () => {
    throw new Error("count exploded at /srv/secret/path.ts:42");
  };
  const bug = await call(`${broken}/`);
  t.is(bug.status, 500);
  t.is(bug.header("content-type"), "text/html; charset=utf-8");
  t.true(bug.body.toString().includes("<p>internal error</p>"));
  t.false(bug.body.toString().includes("secret"));
  t.false(STACK.test(bug.body.toString()));
});

test("an unknown path is an HTML 404 for a browser and JSON for everything else", async (t) => {
  const { url } = await startApp(t);
  const page = await call(`${url}/no/such/page`, { headers: BROWSER });
  t.is(page.status, 404);
  t.is(page.header("content-type"), "text/html; charset=utf-8");
  t.true(page.body.toString().includes("<title>404 Not Found — "));
  for (const accept of [undefined, "*/*", "application/json", "application/json, text/html"]) {
    const res = await call(`${url}/no/such/page`, { headers: accept ? { accept } : {} });
    t.is(res.status, 404, accept);
    t.is(res.header("content-type"), "application/json; charset=utf-8", accept);
  }
  // A known JSON or feed route keeps JSON whatever the Accept says.
  const feed = await call(`${url}/feeds/nope.rss`, { headers: BROWSER });
  t.is(feed.header("content-type"), "application/json; charset=utf-8");
});

test("the HTML error page escapes its message, from the templates and in the plain fallback", (t) => {
  const message = `bad "x" <script>alert(1)</script> & more`;
  const pages = pagesFor(makeConfig(), new MemoryStore());
  const logger = pino({ level: "silent" });
  const templated = errorPage(pages, 400, message, logger);
  const plain = errorPage(undefined, 400, message, logger);
  for (const { html } of [templated, plain]) {
    t.false(html.includes("<script>"));
    t.regex(
      html,
      /bad (&quot;|&#34;)x(&quot;|&#34;) &lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; more/,
    );
    t.true(html.includes("<title>400 Bad Request"));
  }
  t.regex(templated.headers["Content-Security-Policy"] ?? "", /style-src 'sha256-/);
  t.is(
    plain.headers["Content-Security-Policy"],
    "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  );
});

test("after a reload the page rendered for the old config is not served stale for the new one", async (t) => {
  const { url, store, deps } = await startApp(t);
  await seed(store);
  t.is((await call(`${url}/`)).status, 200);
  // A reload replaces the config object: its title, categories and links may all differ.
  const reloaded = { ...deps.getConfig(), service: { ...deps.getConfig().service, title: "New" } };
  deps.getConfig = () => reloaded;
  // As the service swaps them: the pages of the new config, with nothing rendered yet.
  const pages = pagesFor(reloaded, store);
  deps.getPages = () => pages;
  await store.close();
  const res = await call(`${url}/`);
  t.is(res.status, 503);
  t.is(res.header("content-type"), "text/html; charset=utf-8");
});
