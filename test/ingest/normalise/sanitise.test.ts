import { existsSync, readFileSync } from "node:fs";
import test from "ava";
import { normalise } from "../../../src/ingest/normalise/normalise.js";
import { sanitiseHtml } from "../../../src/ingest/normalise/sanitise.js";
import { parseFeed } from "../../../src/ingest/parse/parse.js";
import { corpusPath, skipMessage } from "../../helpers/corpus.js";
import { skipTest } from "../../helpers/skip.js";

const BASE = "https://partner.example/news/item/";

test("allowed markup survives", (t) => {
  const html =
    "<p>A <em>b</em> <strong>c</strong> <b>d</b> <i>e</i></p><ul><li>1</li></ul><ol><li>2</li></ol>" +
    "<blockquote>q</blockquote><h2>h</h2><h6>h6</h6><pre><code>x</code></pre>" +
    '<figure><img src="https://partner.example/i.png" alt="a"><figcaption>c</figcaption></figure>' +
    "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table>";
  t.is(sanitiseHtml(html, BASE), html.replace('alt="a">', 'alt="a" />'));
});

test("script, style, iframe, object, embed, form and meta are removed with their content", (t) => {
  const html =
    '<p>ok</p><script>alert(1)</script><style>p{color:red}</style><iframe src="https://evil.example">x</iframe>' +
    '<object data="x.swf">fallback</object><embed src="x.swf"><form action="/x"><input name="a"></form>' +
    '<meta http-equiv="refresh" content="0"><link rel="stylesheet" href="x.css"><base href="https://evil.example/">';
  t.is(sanitiseHtml(html, BASE), "<p>ok</p>");
});

test("event handlers and style attributes are removed", (t) => {
  t.is(
    sanitiseHtml(
      '<p onclick="x()" style="color:red" class="c" id="i">t</p><img src="https://a.example/i.png" onerror="x()">',
      BASE,
    ),
    '<p>t</p><img src="https://a.example/i.png" />',
  );
});

test("javascript:, data: and vbscript: links lose their href", (t) => {
  t.is(sanitiseHtml('<a href="javascript:alert(1)">a</a>', BASE), "<a>a</a>");
  t.is(sanitiseHtml('<a href=" jav&#x09;ascript:alert(1)">a</a>', BASE), "<a>a</a>");
  t.is(sanitiseHtml('<a href="data:text/html,x">a</a>', BASE), "<a>a</a>");
  t.is(sanitiseHtml('<a href="vbscript:x">a</a>', BASE), "<a>a</a>");
});

test("mailto links are kept", (t) => {
  t.is(
    sanitiseHtml('<a href="mailto:info@partner.example">mail</a>', BASE),
    '<a href="mailto:info@partner.example">mail</a>',
  );
});

test("images need an http(s) source: data: and relative-to-nothing images are dropped", (t) => {
  t.is(sanitiseHtml('<p>x<img src="data:image/png;base64,AAAA"></p>', BASE), "<p>x</p>");
  t.is(sanitiseHtml('<p>x<img src="mailto:a@b.c"></p>', BASE), "<p>x</p>");
});

test("relative URLs become absolute against the item's base", (t) => {
  t.is(
    sanitiseHtml(
      '<a href="../other/">o</a><img src="/img/a.png"><a href="//cdn.example/x">c</a>',
      BASE,
    ),
    '<a href="https://partner.example/news/other/">o</a><img src="https://partner.example/img/a.png" />' +
      '<a href="https://cdn.example/x">c</a>',
  );
});

test("h1 becomes h2, strike becomes s; unknown tags are unwrapped, keeping text", (t) => {
  t.is(
    sanitiseHtml(
      "<h1>Title</h1><center><font color=red>text</font></center><strike>x</strike>",
      BASE,
    ),
    "<h2>Title</h2>text<s>x</s>",
  );
});

test("structural and semantic elements are kept, without attributes", (t) => {
  t.is(
    sanitiseHtml(
      '<div class="c" style="x"><span id="i">a</span></div><section><del datetime="2024-01-01">$10</del> <ins>$8</ins></section>',
      BASE,
    ),
    '<div><span>a</span></div><section><del datetime="2024-01-01">$10</del> <ins>$8</ins></section>',
  );
});

test("content that sanitises to nothing is undefined", (t) => {
  t.is(sanitiseHtml("<script>alert(1)</script>  ", BASE), undefined);
  t.is(sanitiseHtml("", BASE), undefined);
});

test("sanitising 5 MB of hostile markup finishes", (t) => {
  const started = performance.now();
  sanitiseHtml("<a ".repeat(1.7e6), BASE);
  sanitiseHtml("<p>".repeat(1e6), BASE);
  t.true(performance.now() - started < 15_000);
});

// feedparser's sanitize-dangerous feeds: script, event handlers, iframes, objects, javascript:
// URLs, styles… in every field. Nothing executable may survive into any field of an update.
const manifest = corpusPath("feedparser", "MANIFEST.tsv");
const EXECUTABLE =
  /<script|<iframe|<object|<embed|<applet|<meta|<link|<base|<form|<style|\son[a-z]+\s*=|\sstyle\s*=|javascript:|vbscript:|data:text/i;

if (existsSync(manifest)) {
  const dangerous = readFileSync(manifest, "utf8")
    .split("\n")
    .map((line) => line.split("\t"))
    .filter((cols) => cols[1] === "sanitize-dangerous")
    .map((cols) => cols[0] ?? "");

  test(`nothing executable survives in any of feedparser's ${dangerous.length} dangerous feeds`, async (t) => {
    let updates = 0;
    for (const path of dangerous) {
      const text = readFileSync(corpusPath("feedparser", path), "utf8");
      const result = normalise(
        await parseFeed(text),
        { id: "s", categories: [], feedUrl: "http://127.0.0.1/feed" },
        new Date(),
      );
      for (const update of result.updates) {
        updates++;
        if (update.contentHtml !== undefined)
          t.false(EXECUTABLE.test(update.contentHtml), `${path}: ${update.contentHtml}`);
        if (update.link !== undefined) t.regex(update.link, /^https?:/, path);
        // Plain-text fields hold text; markup in them is inert, but tags must have been stripped.
        t.false(/<script|<iframe/i.test(update.title + update.summary), path);
      }
    }
    t.true(updates > 0);
  });
} else {
  skipTest("feedparser dangerous feeds", skipMessage);
}
