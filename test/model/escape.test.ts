import test from "ava";
import {
  cdataSafeHtml,
  escapeDoubleQuoted,
  escapeQuoted,
  escapeText,
  escapeXmlAttribute,
} from "../../src/model/escape.js";

test("escapeXmlAttribute escapes markup, quotes and whitespace that normalisation would eat", (t) => {
  t.is(escapeXmlAttribute(`a&b<c>d"e'f\tg\nh`), "a&amp;b&lt;c&gt;d&quot;e'f&#9;g&#10;h");
});

test("escapeText makes plain text safe to read as HTML", (t) => {
  t.is(escapeText("Fish & Chips <b> ]]>"), "Fish &amp; Chips &lt;b&gt; ]]&gt;");
});

test("escapeDoubleQuoted escapes double quotes and leaves single quotes", (t) => {
  t.is(
    escapeDoubleQuoted(`Fish & "Chips" <b> don't`),
    "Fish &amp; &quot;Chips&quot; &lt;b&gt; don't",
  );
});

test("escapeQuoted covers both quote styles", (t) => {
  t.is(escapeQuoted(`a"b'c`), "a&quot;b&#39;c");
  t.is(escapeQuoted("a&b<c>d"), "a&amp;b&lt;c&gt;d");
});

test("cdataSafeHtml replaces every ]]>, not only the first", (t) => {
  t.is(cdataSafeHtml("<p>a]]>b]]>c]]]></p>"), "<p>a]]&gt;b]]&gt;c]]]&gt;</p>");
});
