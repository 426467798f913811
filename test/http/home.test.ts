import test from "ava";
import { call, startApp } from "../helpers/app.js";
import { makeConfig } from "../helpers/config.js";
import { seed } from "./seed.js";

test("GET /: an HTML page listing each category with counts and feed links", async (t) => {
  const { url, store } = await startApp(t);
  await seed(store);
  const res = await call(`${url}/`);
  t.is(res.status, 200);
  t.is(res.header("content-type"), "text/html; charset=utf-8");
  t.regex(res.header("content-security-policy"), /default-src 'none'/);
  t.is(res.header("access-control-allow-origin"), "");
  const html = res.body.toString();
  t.true(html.startsWith("<!doctype html>"));
  t.true(html.includes("<title>Tributary test</title>"));
  t.true(html.includes('<h3><a href="/categories/migration">Migration</a></h3>'));
  t.true(html.includes("Trafficking in persons &amp; forced labour."));
  t.true(html.includes("<p>3 entries</p>"));
  t.true(html.includes('href="http://tributary.test/feeds/trafficking.atom"'));
  t.regex(
    html,
    /<link rel="alternate" type="application\/rss\+xml" title="[^"]*" href="http:\/\/tributary\.test\/feeds\/all\.rss">/,
  );
});

test("GET /: config text is escaped", async (t) => {
  const evil = `"><script>alert(1)</script>`;
  const config = makeConfig({
    service: { title: evil, baseUrl: `http://x.test/"onmouseover="alert(1)` },
    categories: [{ id: "c", title: evil, description: evil }],
  });
  const { url } = await startApp(t, { config });
  const html = (await call(`${url}/`)).body.toString();
  t.false(html.includes("<script>"));
  t.false(html.includes('"onmouseover="'));
  t.true(html.includes("&#34;&gt;&lt;script&gt;"));
});

test("HEAD / has no body", async (t) => {
  const { url } = await startApp(t);
  const res = await call(`${url}/`, { method: "HEAD" });
  t.is(res.status, 200);
  t.is(res.body.length, 0);
  t.not(res.header("content-length"), "0");
});
