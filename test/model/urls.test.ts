import { existsSync, readFileSync } from "node:fs";
import test from "ava";
import { entryId, identityKey } from "../../src/ingest/normalise/ids.js";
import { applyBase, canonicalUrlKey, resolveWebUrl } from "../../src/model/urls.js";
import { corpusPath, skipMessage } from "../helpers/corpus.js";
import { skipTest } from "../helpers/skip.js";

test("relative URLs resolve against the base", (t) => {
  t.is(resolveWebUrl("/a/b?c=1", "https://example.org/x/y"), "https://example.org/a/b?c=1");
  t.is(resolveWebUrl("b.html", "https://example.org/x/"), "https://example.org/x/b.html");
  t.is(
    resolveWebUrl("//cdn.example.org/i.png", "https://example.org/"),
    "https://cdn.example.org/i.png",
  );
});

test("absolute http(s) URLs are kept, with surrounding whitespace trimmed", (t) => {
  t.is(resolveWebUrl("  \n https://example.org/a \n"), "https://example.org/a");
});

test("non-web schemes give undefined, however they are disguised", (t) => {
  for (const ref of [
    "javascript:alert(1)",
    " JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "mailto:someone@example.org",
    "ftp://example.org/file",
  ]) {
    t.is(resolveWebUrl(ref, "https://example.org/"), undefined, ref);
  }
});

test("unparseable URLs give undefined", (t) => {
  t.is(resolveWebUrl("http://bad]test/"), undefined);
  t.is(resolveWebUrl(""), undefined);
  t.is(resolveWebUrl(undefined), undefined);
  t.is(resolveWebUrl("relative/only"), undefined);
});

test("xml:base applies relative to the outer base", (t) => {
  t.is(applyBase("https://example.org/feed/", "../blog/"), "https://example.org/blog/");
  t.is(applyBase("https://example.org/feed/", "https://other.example/"), "https://other.example/");
  t.is(applyBase("https://example.org/feed/", undefined), "https://example.org/feed/");
});

test("an xml:base that is not http(s) leaves the outer base in force", (t) => {
  t.is(applyBase("https://a.example/feed", "javascript:alert('unsafe')"), "https://a.example/feed");
  t.is(applyBase("https://a.example/feed", "data:text/html,x"), "https://a.example/feed");
});

test("canonical keys ignore the scheme and a trailing slash", (t) => {
  t.is(canonicalUrlKey("http://Example.org/a/"), canonicalUrlKey("https://example.org/a"));
  t.is(canonicalUrlKey("https://example.org:443/a"), canonicalUrlKey("http://example.org/a"));
  t.not(canonicalUrlKey("https://example.org/a?x=1"), canonicalUrlKey("https://example.org/a?x=2"));
  t.is(canonicalUrlKey("urn:uuid:1234"), undefined);
});

test("identity keys canonicalise URL guids and keep other guids as written", (t) => {
  t.is(identityKey("https://example.org/post/1/"), identityKey("http://example.org/post/1"));
  t.is(identityKey("  tag:example.org,2024:1 "), "tag:example.org,2024:1");
});

test("entry ids are 32 hex chars, stable, and scoped to the source", (t) => {
  const a = entryId("unodc", { guid: "https://example.org/1" });
  t.regex(a ?? "", /^[0-9a-f]{32}$/);
  t.is(entryId("unodc", { guid: "http://example.org/1/" }), a);
  t.not(entryId("iom", { guid: "https://example.org/1" }), a);
});

test("entry ids prefer guid, then link, then title and date", (t) => {
  const byLink = entryId("s", { link: "https://example.org/1" });
  t.is(entryId("s", { guid: "https://example.org/1", link: "https://example.org/other" }), byLink);
  t.is(entryId("s", { link: "http://example.org/1/" }), byLink);
  const byTitle = entryId("s", { title: "Hello", date: "2024-01-01T00:00:00.000Z" });
  t.not(byTitle, entryId("s", { title: "Hello", date: "2024-01-02T00:00:00.000Z" }));
  t.is(entryId("s", {}), undefined);
});

// feedparser's "safe absolute URI" vectors: base, uri, expected ("" = rejected).
const uriVectors = corpusPath("feedparser", "vectors", "safe_absolute_uri_vectors.tsv");

/** feedparser lets magnet: through; Tributary's links are http(s) only (DESIGN.md). */
const URI_DELIBERATE: Record<string, string | undefined> = { "magnet:?xt=a": undefined };

if (existsSync(uriVectors)) {
  const rows = readFileSync(uriVectors, "utf8")
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "")
    .map((line) => line.split("\t"));
  for (const [base = "", uri = "", expected = "", description = ""] of rows) {
    test(`safe absolute URI vector: ${description} (${uri})`, (t) => {
      const want = uri in URI_DELIBERATE ? URI_DELIBERATE[uri] : expected || undefined;
      t.is(resolveWebUrl(uri, base), want);
    });
  }
} else {
  skipTest("safe absolute URI vectors", skipMessage);
}
