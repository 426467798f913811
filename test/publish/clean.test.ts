import test from "ava";
import {
  cdataSafeHtml,
  cleanText,
  escapeHtml,
  escapeXmlAttribute,
  httpUrl,
} from "../../src/publish/clean.js";

test("cleanText removes XML-illegal characters and keeps everything else", (t) => {
  t.is(cleanText("a\u0000b\u0001\u0008c\u000B\u000Cd\u000E\u001Fe"), "abcde");
  t.is(cleanText("x\uFFFEy\uFFFFz"), "xyz");
  t.is(cleanText("lone \uD800high \uDFFFlow"), "lone high low");
  t.is(cleanText("pair 😀 \uD83D\uDE00"), "pair 😀 😀");
  t.is(cleanText("tab\there é ü \u0085 \u007F"), "tab\there é ü \u0085 \u007F");
});

test("cleanText normalises CR LF and lone CR to LF", (t) => {
  t.is(cleanText("a\r\nb\rc\nd"), "a\nb\nc\nd");
});

test("escapeXmlAttribute escapes markup, quotes and whitespace that normalisation would eat", (t) => {
  t.is(escapeXmlAttribute(`a&b<c>d"e'f\tg\nh`), "a&amp;b&lt;c&gt;d&quot;e'f&#9;g&#10;h");
});

test("escapeHtml makes plain text safe to read as HTML", (t) => {
  t.is(escapeHtml("Fish & Chips <b> ]]>"), "Fish &amp; Chips &lt;b&gt; ]]&gt;");
});

test("cdataSafeHtml replaces every ]]>, not only the first", (t) => {
  t.is(cdataSafeHtml("<p>a]]>b]]>c]]]></p>"), "<p>a]]&gt;b]]&gt;c]]]&gt;</p>");
});

test("httpUrl accepts absolute http(s) URLs only and normalises them", (t) => {
  t.is(httpUrl("https://Example.org/a b?x=1&y=<2>"), "https://example.org/a%20b?x=1&y=%3C2%3E");
  t.is(httpUrl(" http://example.org "), "http://example.org/");
  t.is(httpUrl("javascript:alert(1)"), undefined);
  t.is(httpUrl("/relative"), undefined);
  t.is(httpUrl("mailto:a@b"), undefined);
  t.is(httpUrl(undefined), undefined);
});
