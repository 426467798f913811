// The pages over a real socket: what a person sees, validators and codings as the feeds have
// them, the security headers, the errors as pages, and the copy served during an outage.
import { gunzipSync } from "node:zlib";
import test from "ava";
import type { Update } from "../../src/model/update.js";
import { call, startApp } from "../helpers/app.js";
import { makeConfig } from "../helpers/config.js";
import { makeUpdate, seed } from "../http/seed.js";

const BROWSER = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

const hostile = (): Update =>
  makeUpdate(9, {
    id: "hostile",
    sourceId: "atr",
    categories: ["trafficking"],
    title: `<img src=x onerror="alert(1)">Trafficking <script>alert(2)</script>`,
    summary: `<b onclick="alert(3)">bold</b> & more`,
    link: "javascript:alert(4)",
  });

test("GET / shows the newest entries in the archive style, the categories and the feeds", async (t) => {
  const { url, store } = await startApp(t);
  await seed(store);
  const res = await call(`${url}/`);
  t.is(res.status, 200);
  t.is(res.header("content-type"), "text/html; charset=utf-8");
  const html = res.body.toString();
  const titles = [...html.matchAll(/class="entry-title" dir="auto"><a href="([^"]+)">([^<]+)</g)];
  t.deepEqual(
    titles.map((m) => m[2]),
    ["Story 5", "Story 4", "Story 3", "Story 2", "Story 1"],
  );
  t.is(titles[0]?.[1], "https://news.example.org/stories/5");
  t.regex(
    html,
    /<time datetime="2026-03-01T17:00:00.000Z">March 1, 2026<\/time> · <span class="entry-source">Anti-Trafficking Review<\/span>/,
  );
  t.regex(html, /<a class="read-more" href="https:\/\/news\.example\.org\/stories\/5">Read More/);
  t.regex(html, /<h3><a href="\/categories\/trafficking">Human trafficking<\/a><\/h3>/);
  t.true(html.includes("<p>3 entries</p>"));
  t.true(html.includes('href="http://tributary.test/feeds/all.atom"'));
  t.true(html.includes('href="/opml"'));
  t.true(html.includes('<html lang="en">'));
});

test("pages send strong ETags, Last-Modified, 304s and compressed codings like the feeds", async (t) => {
  const { url, store } = await startApp(t);
  await seed(store);
  for (const path of ["/", "/categories/trafficking", "/sources", "/embed/trafficking"]) {
    const first = await call(`${url}${path}`);
    t.is(first.status, 200, path);
    const etag = first.header("etag");
    t.regex(etag, /^"[\w-]{22}"$/, path);
    t.is(first.header("cache-control"), "public, max-age=60", path);
    t.is(first.header("vary"), "Accept-Encoding", path);
    t.not(first.header("last-modified"), "", path);
    const again = await call(`${url}${path}`, { headers: { "if-none-match": etag } });
    t.is(again.status, 304, path);
    t.is(again.body.length, 0, path);
    const gzip = await call(`${url}${path}`, { headers: { "accept-encoding": "gzip" } });
    t.is(gzip.header("content-encoding"), "gzip", path);
    t.deepEqual(gunzipSync(gzip.body), first.body, path);
    const br = await call(`${url}${path}`, { headers: { "accept-encoding": "br" } });
    t.is(br.header("content-encoding"), "br", path);
  }
});

test("a page is rendered again when its category's content changes, not before", async (t) => {
  const { url, store } = await startApp(t);
  await seed(store);
  const first = await call(`${url}/categories/migration`);
  const same = await call(`${url}/categories/migration`);
  t.is(same.header("etag"), first.header("etag"));
  await store.upsert([makeUpdate(6, { title: "Story 6" })], { fallbackDated: new Set() });
  const changed = await call(`${url}/categories/migration`);
  t.not(changed.header("etag"), first.header("etag"));
  t.true(changed.body.toString().includes("Story 6"));
});

test("every page has a strict CSP without inline script, and only the embed may be framed", async (t) => {
  const { url, store } = await startApp(t, {
    config: makeConfig({ embed: { allowedOrigins: ["https://partner.example", "'self'"] } }),
  });
  await seed(store);
  for (const path of ["/", "/categories/all", "/sources"]) {
    const res = await call(`${url}${path}`);
    const csp = res.header("content-security-policy");
    t.regex(
      csp,
      /^default-src 'none'; img-src data:; form-action 'self'; base-uri 'none'; style-src 'sha256-[\w+/=]+'; frame-ancestors 'none'$/,
      path,
    );
    t.is(res.header("x-frame-options"), "DENY", path);
    t.false(/<script/i.test(res.body.toString()), path);
    t.false(/\son[a-z]+=/i.test(res.body.toString()), path);
  }
  const embed = await call(`${url}/embed/trafficking`);
  t.regex(
    embed.header("content-security-policy"),
    /frame-ancestors https:\/\/partner\.example 'self'$/,
  );
  t.is(embed.header("x-frame-options"), "");
});

test("a hostile entry is inert text on every page; its javascript: link is dropped", async (t) => {
  const { url, store } = await startApp(t);
  await store.upsert([hostile()], { fallbackDated: new Set() });
  for (const path of ["/", "/categories/trafficking", "/embed/trafficking"]) {
    const html = (await call(`${url}${path}`)).body.toString();
    t.false(html.includes("<script>alert"), path);
    t.false(html.includes("<img"), path);
    t.false(html.includes("javascript:"), path);
    t.true(
      html.includes(
        "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;Trafficking &lt;script&gt;alert(2)&lt;/script&gt;",
      ),
      path,
    );
    t.true(html.includes("&lt;b onclick=&#34;alert(3)&#34;&gt;bold&lt;/b&gt; &amp; more"), path);
  }
});

test("the category page advertises its feeds, filters by partner and offers snippets from baseUrl", async (t) => {
  const { url, store } = await startApp(t);
  await seed(store);
  const html = (await call(`${url}/categories/trafficking?source=atr`)).body.toString();
  const head = html.slice(0, html.indexOf("</head>"));
  for (const [type, ext] of [
    ["application/rss+xml", "rss"],
    ["application/atom+xml", "atom"],
    ["application/feed+json", "json"],
  ] as const) {
    t.regex(
      head,
      new RegExp(
        `<link rel="alternate" type="${type.replace("+", "\\+")}" title="[^"]+" href="http://tributary\\.test/feeds/trafficking\\.${ext}\\?source=atr">`,
      ),
    );
  }
  const titles = [...html.matchAll(/class="entry-title" dir="auto"><a [^>]+>([^<]+)</g)].map(
    (m) => m[1],
  );
  t.deepEqual(titles, ["Story 5", "Story 4"]);
  t.regex(html, /<option value="atr" selected>Anti-Trafficking Review<\/option>/);
  t.regex(
    html,
    /&lt;script src=&#34;http:\/\/tributary\.test\/embed\.js\?v=[\w-]+&#34; defer&gt;&lt;\/script&gt;/,
  );
  t.true(
    html.includes(
      "&lt;iframe src=&#34;http://tributary.test/embed/trafficking?limit=5&amp;amp;source=atr&#34;",
    ),
  );
});

test("an unknown category is an HTML 404 naming the known ones; a bad query value is an HTML 400", async (t) => {
  const { url } = await startApp(t);
  const res = await call(`${url}/categories/nope`);
  t.is(res.status, 404);
  t.is(res.header("content-type"), "text/html; charset=utf-8");
  const html = res.body.toString();
  t.true(
    html.includes("unknown category &#34;nope&#34;; known categories: all, migration, trafficking"),
  );
  t.true(html.includes('<a href="/categories/trafficking">Human trafficking</a>'));
  for (const [path, message] of [
    ["/categories/all?source=ghost", "source: unknown source"],
    ["/categories/all?cursor=x", "cursor: not a valid cursor"],
    ["/categories/all?cursor=a&before=b", "cursor and before"],
    ["/embed/all?limit=51", "limit: must be an integer between 1 and 50"],
    ["/embed/all?theme=pink", "theme: must be one of auto, light, dark"],
  ] as const) {
    const bad = await call(`${url}${path}`, { headers: BROWSER });
    t.is(bad.status, 400, path);
    t.is(bad.header("content-type"), "text/html; charset=utf-8", path);
    t.true(bad.body.toString().includes(message), path);
  }
});

test("the embed page lists `limit` entries whose links open in the top window", async (t) => {
  const { url, store } = await startApp(t);
  await seed(store);
  const html = (await call(`${url}/embed/all?limit=2&theme=dark`)).body.toString();
  t.true(html.includes('<html lang="en" class="theme-dark">'));
  const links = [
    ...html.matchAll(
      /class="entry-title" dir="auto"><a href="([^"]+)" target="_top" rel="noopener"/g,
    ),
  ];
  t.is(links.length, 2);
  t.regex(
    html,
    /<a href="http:\/\/tributary\.test\/categories\/all" target="_top" rel="noopener">More All updates on Tributary test<\/a>/,
  );
  t.false(html.includes('class="site-header"'));
});

test("the partners page shows each source's status in words, last success and entries", async (t) => {
  const { url, store } = await startApp(t);
  await seed(store);
  await store.setSourceState("un-news", {
    status: "error",
    errorKind: "timeout",
    lastError: "timed out after 20000 ms",
    lastFetchAt: "2026-12-02T09:00:00.000Z",
    lastSuccessAt: "2026-12-01T07:30:00.000Z",
    failingSince: "2026-12-01T08:00:00.000Z",
    consecutiveFailures: 3,
  });
  const html = (await call(`${url}/sources`)).body.toString();
  t.regex(html, /<h2><a href="https:\/\/news\.un\.org\/" dir="auto">UN News<\/a><\/h2>/);
  t.regex(
    html,
    /<span class="state state-failing">failing since December 1, 2026 at 08:00 UTC<\/span><br><span dir="auto">timed out after 20000 ms<\/span>/,
  );
  t.regex(html, /<time datetime="2026-12-01T07:30:00.000Z">December 1, 2026 at 07:30 UTC<\/time>/);
  t.regex(html, /<span class="state state-waiting">waiting for its first poll<\/span>/);
  t.regex(html, /<span class="state state-disabled">disabled<\/span>/);
  t.regex(html, /<dt>Entries<\/dt>\n<dd>3<\/dd>/);
});

test("during a store outage each page is served as last rendered with a notice, else an HTML 503", async (t) => {
  const { url, store } = await startApp(t);
  await seed(store);
  const before = await call(`${url}/categories/trafficking`);
  await store.close();
  const stale = await call(`${url}/categories/trafficking`);
  t.is(stale.status, 200);
  t.is(stale.header("warning"), '110 - "Response is Stale"');
  const html = stale.body.toString();
  t.regex(html, /<p class="notice" role="status">The archive cannot be reached right now/);
  t.true(html.includes("Story 5"));
  t.not(stale.header("etag"), before.header("etag"));
  const never = await call(`${url}/categories/migration`);
  t.is(never.status, 503);
  t.is(never.header("content-type"), "text/html; charset=utf-8");
  t.is(never.header("retry-after"), "5");
});

test("Older pages reach every entry once, in order, and Newer leads back to the first page", async (t) => {
  const { url, store } = await startApp(t);
  // 45 entries, two of them sharing a date across the first page boundary.
  const updates = Array.from({ length: 45 }, (_, i) =>
    makeUpdate(i + 1, { categories: ["migration"], title: `Story ${i + 1}` }),
  );
  (updates[25] as Update).published = (updates[24] as Update).published;
  await store.upsert(updates, { fallbackDated: new Set() });
  const titlesOf = (html: string) =>
    [...html.matchAll(/class="entry-title" dir="auto"><a [^>]+>([^<]+)</g)].map(
      (m) => m[1] as string,
    );
  const link = (html: string, rel: "next" | "prev") =>
    new RegExp(`<a rel="${rel}" href="([^"]+)">`).exec(html)?.[1]?.replace(/&amp;/g, "&");

  const pages: string[][] = [];
  let path: string | undefined = "/categories/migration";
  const visited: string[] = [];
  while (path !== undefined) {
    visited.push(path);
    const html = (await call(`${url}${path}`)).body.toString();
    pages.push(titlesOf(html));
    path = link(html, "next");
  }
  t.deepEqual(
    pages.map((page) => page.length),
    [20, 20, 5],
  );
  const seen = pages.flat();
  t.is(new Set(seen).size, 45);
  const stored = await store.list({ category: "migration", limit: 45 });
  t.deepEqual(
    seen,
    stored.items.map((item) => item.title),
  );

  // Back from the last page with "Newer": the same pages in reverse, then no Newer link.
  let back: string | undefined = visited.at(-1);
  const reversed: string[][] = [];
  while (back !== undefined) {
    const html = (await call(`${url}${back}`)).body.toString();
    reversed.push(titlesOf(html));
    back = link(html, "prev");
  }
  t.deepEqual(
    reversed.map((page) => page.length),
    [5, 20, 20],
  );
  t.deepEqual([...reversed].reverse().flat(), seen);
});
