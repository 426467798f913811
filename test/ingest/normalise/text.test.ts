import test from "ava";
import {
  cleanTitle,
  decodeEntities,
  htmlToText,
  singleLineText,
  stripBoilerplate,
  stripTags,
  summarise,
  titleFromText,
  toPlainText,
  truncateText,
} from "../../../src/ingest/normalise/text.js";

test("htmlToText strips tags, decodes entities and collapses whitespace", (t) => {
  t.is(
    htmlToText("<p>Tom &amp; Jerry&nbsp;&eacute;t&#233; &#x2014;\n\n <b>bold</b></p>"),
    "Tom & Jerry été — bold",
  );
});

test("htmlToText keeps words apart across block tags but not inline ones", (t) => {
  t.is(htmlToText("<p>one</p><p>two</p>line<br>break <b>in</b>line"), "one two line break inline");
});

test("htmlToText drops script, style and comment content", (t) => {
  t.is(htmlToText("a<script>alert('x<b>')</script>b<style>p{}</style>c<!-- hidden -->d"), "abcd");
});

test("htmlToText treats a < that starts no tag as text", (t) => {
  t.is(htmlToText("3 < 5 and 5 > 3"), "3 < 5 and 5 > 3");
});

test("htmlToText drops an unterminated tag at the end", (t) => {
  t.is(htmlToText("Hello <a href='x"), "Hello");
});

test("markup that decoding reveals is removed too: plain text never carries a tag", (t) => {
  t.is(htmlToText("&lt;script&gt;alert(1)&lt;/script&gt;"), "");
  t.is(htmlToText("x &lt;img src=x onerror=alert(1)&gt; &lt;b&gt;bold&lt;/b&gt;"), "x bold");
  t.is(htmlToText("a &lt; b, &lt;3"), "a < b, <3");
});

test("literal text loses its tags like HTML does: JSON Feed and Atom type=text are no way around", (t) => {
  const hostile = "x <img src=x onerror=alert(1)>";
  t.is(toPlainText(hostile, "text"), "x");
  t.is(toPlainText(hostile, "text"), toPlainText(hostile, "html"));
  t.is(toPlainText("&lt;iframe src=//evil&gt;&lt;/iframe&gt;ok", "text"), "ok");
  t.is(toPlainText("1 < 2 and 3 > 2", "text"), "1 < 2 and 3 > 2");
  t.is(cleanTitle("<script>alert(1)</script>Headline", "text"), "Headline");
});

test("decodeEntities survives references entities cannot decode", (t) => {
  t.is(decodeEntities(`a&#x${"9".repeat(50)};b&#0;c&#xD800;d`), "a\uFFFDb\uFFFDc\uFFFDd");
  t.is(decodeEntities("&amp;#65; &#38;amp;"), "&#65; &amp;");
});

test("singleLineText removes control characters and repairs lone surrogates", (t) => {
  t.is(singleLineText("a\u0000b\u0007c\u001Fd\u007Fe\u0081f \uD800 g\t\nh"), "abcdef \uFFFD g h");
});

test("C1 controls are read as the windows-1252 characters they stand for", (t) => {
  // feedparser's demoronize cases: a windows-1252 byte, or a reference to its code.
  t.is(singleLineText("don\u0092t \u0080 \u0085"), "don\u2019t \u20AC \u2026");
  t.is(htmlToText("don&#146;t &#x93;q&#x94;"), "don\u2019t \u201Cq\u201D");
  // Positions windows-1252 leaves undefined stay controls, and go.
  t.is(singleLineText("a\u0081\u008D\u008F\u0090\u009Db"), "ab");
});

test("a > inside a quoted attribute value does not end the tag", (t) => {
  t.is(htmlToText('<img alt="cat<br />dog" src="x.jpg" />after'), "after");
  t.is(htmlToText("a <b title='x>y'>bold</b> c"), "a bold c");
  // An unmatched quote is not a quote: the tag ends at its first `>`.
  t.is(htmlToText('a <b title="x>bold</b> c'), "a bold c");
});

test("truncateText cuts at a word boundary and ends with an ellipsis", (t) => {
  const text = "word ".repeat(100).trim();
  const cut = truncateText(text, 300);
  t.true(cut.length <= 300);
  t.true(cut.endsWith("word…"));
  t.is(truncateText("short text", 300), "short text");
});

test("truncateText cuts a single overlong word rather than dropping it", (t) => {
  const cut = truncateText("x".repeat(1000), 300);
  t.is(cut.length, 300);
  t.true(cut.endsWith("…"));
});

test("summary removes a trailing Read More link", (t) => {
  t.is(
    summarise("Victims were identified in three countries. Read More"),
    "Victims were identified in three countries.",
  );
  t.is(summarise("Victims were identified. Read more »"), "Victims were identified.");
  t.is(summarise("Victims were identified. [Read more…]"), "Victims were identified.");
});

test("summary removes Continue reading and its arrow", (t) => {
  t.is(summarise("The report finds gaps. Continue reading →"), "The report finds gaps.");
  t.is(
    summarise("The report finds gaps. Continue reading The report on trafficking →"),
    "The report finds gaps.",
  );
});

test("summary removes the WordPress 'The post … appeared first on …' footer", (t) => {
  t.is(
    summarise(
      "New guidance is out. The post New guidance appeared first on Anti-Trafficking Review.",
    ),
    "New guidance is out.",
  );
});

test("summary turns the WordPress excerpt marker into an ellipsis", (t) => {
  t.is(
    summarise("The excerpt stops here [&hellip;]".replace("&hellip;", "…")),
    "The excerpt stops here…",
  );
  t.is(
    summarise("The excerpt stops here […] The post Title appeared first on Site."),
    "The excerpt stops here…",
  );
});

test("summary keeps a sentence that merely ends with the words read more", (t) => {
  t.is(summarise("Experts say we all need to read more"), "Experts say we all need to read more");
});

test("summary of a long text is at most 300 characters", (t) => {
  const summary = summarise("Lorem ipsum dolor sit amet. ".repeat(50));
  t.true(summary.length <= 300);
  t.true(summary.endsWith("…"));
});

test("titleFromText takes the first ten words with an ellipsis", (t) => {
  t.is(
    titleFromText("one two three four five six seven eight nine ten eleven twelve"),
    "one two three four five six seven eight nine ten…",
  );
  t.is(titleFromText("just three words"), "just three words");
});

const pathological: Record<string, string> = {
  "5 MB of <": "<".repeat(5e6),
  "unclosed tags": "<a ".repeat(1.7e6),
  "open tags without >": "<p".repeat(2.5e6),
  "bare ampersands": "&".repeat(5e6),
  "entity run": "&amp;".repeat(1e6),
  "numeric reference starts": "&#".repeat(2.5e6),
  "one overlong numeric reference": `&#x${"9".repeat(5e6)}`,
  "unterminated comments": "<!--".repeat(1.25e6),
  "unclosed scripts": "<script>".repeat(6e5),
  "closing-tag starts": "</".repeat(2.5e6),
  "tags and entities": "<b>x</b>&nbsp;".repeat(4e5),
  "unmatched quotes in tags": '<a "'.repeat(5e5),
  "quoted > in every tag": "<a t=\"x>y\" u='>'>".repeat(1e5),
  "mixed quotes, one never closed": "<a '\"".repeat(5e5),
};

for (const [name, input] of Object.entries(pathological)) {
  test(`summary is linear on hostile input: ${name}`, (t) => {
    const started = performance.now();
    const summary = summarise(htmlToText(input, 6000));
    const elapsed = performance.now() - started;
    t.true(summary.length <= 300);
    t.true(elapsed < 2000, `took ${Math.round(elapsed)} ms`);
  });
}

test("stripTags is linear on the whole of a hostile input", (t) => {
  const started = performance.now();
  stripTags("<a ".repeat(1e6) + "<".repeat(2e6) + "<!--".repeat(5e5));
  t.true(performance.now() - started < 2000);
});

test("stripBoilerplate only looks at the tail of long texts", (t) => {
  const long = `${"word ".repeat(2e5)}Read More`;
  t.false(stripBoilerplate(long).endsWith("Read More"));
});
