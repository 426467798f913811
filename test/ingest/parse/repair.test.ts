// The text passes that run before sax sees an XML feed, each driven with inline XML: what they
// repair (bare `&`, HTML entities, stray `<`, forbidden character references, raw markup in
// HTML-bearing elements, a missing channel, a cut end tag) and what they must leave as written
// (CDATA, comments, processing instructions, valid entities and character references).
import test from "ava";
import {
  closeRootEndTag,
  ensureChannel,
  escapeEmbeddedMarkup,
  expandInternalEntities,
  inspectProlog,
  repairEscapes,
} from "../../../src/ingest/parse/repair.js";

// repairEscapes

test("a bare & in text and in a query string is escaped", (t) => {
  t.is(
    repairEscapes("<title>Tom & Jerry</title><link>https://x.org/?a=1&b=2</link>"),
    "<title>Tom &amp; Jerry</title><link>https://x.org/?a=1&amp;b=2</link>",
  );
});

test("HTML entity names become numeric references; an unknown name becomes literal text", (t) => {
  t.is(
    repairEscapes("<t>&eacute;t&eacute;&nbsp;&hellip; &foo;</t>"),
    "<t>&#233;t&#233;&#160;&#8230; &amp;foo;</t>",
  );
});

test("XML's five entities and valid character references are left as written", (t) => {
  const text = "<t>&amp; &lt; &gt; &quot; &apos; &#233; &#xE9; &#x1F600; &#X41;</t>";
  t.is(repairEscapes(text), text);
});

test("entity names are case-sensitive: &AMP; is not XML's &amp;", (t) => {
  t.is(repairEscapes("<t>&AMP;</t>"), "<t>&amp;AMP;</t>");
});

test("references to characters XML forbids are dropped: NUL, C0 controls, surrogates", (t) => {
  t.is(repairEscapes("<t>a&#0;b&#x1;c&#xD800;d&#9;e</t>"), "<t>abcd&#9;e</t>");
});

test("a < that cannot start markup is escaped; tags, end tags and declarations are not", (t) => {
  t.is(
    repairEscapes("<t>a < b</t><br/><!DOCTYPE x><?pi?>"),
    "<t>a &lt; b</t><br/><!DOCTYPE x><?pi?>",
  );
});

test("CDATA sections, comments and processing instructions are copied untouched", (t) => {
  const text = "<t><![CDATA[a & b &nbsp; < c]]></t><!-- Tom & Jerry &eacute; --><?pi a & b?>";
  t.is(repairEscapes(text), text);
});

test("an unterminated CDATA section runs to the end of the text and is left alone", (t) => {
  const text = "<t>&nbsp;<![CDATA[a & b";
  t.is(repairEscapes(text), "<t>&#160;<![CDATA[a & b");
});

// inspectProlog

test("the prolog gives the root's qualified name and its attributes, entity-decoded", (t) => {
  const prolog = inspectProlog(
    `<?xml version="1.0"?>\n<!-- generator -->\n<a:feed xmlns:a="http://www.w3.org/2005/Atom" x='a&amp;b'>`,
  );
  t.deepEqual(prolog.root, {
    name: "a:feed",
    attrs: { "xmlns:a": "http://www.w3.org/2005/Atom", x: "a&b" },
  });
  t.false(prolog.unsafeEntities);
  t.is(prolog.doctype, undefined);
});

test("a plain-text entity of the internal subset is read, its character references expanded", (t) => {
  const text = `<!DOCTYPE rss [<!ENTITY id "tag:example.com,&#50;">]><rss>`;
  const prolog = inspectProlog(text);
  t.is(prolog.doctype, "rss");
  t.deepEqual([...prolog.entities], [["id", "tag:example.com,2"]]);
  t.deepEqual(prolog.doctypeRange, [0, text.indexOf("<rss>")]);
  t.false(prolog.unsafeEntities);
});

test("an external entity, or one whose value references another, is unsafe and not kept", (t) => {
  const external = inspectProlog(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x/>`);
  t.true(external.unsafeEntities);
  t.is(external.entities.size, 0);
  const laughs = inspectProlog(`<!DOCTYPE x [<!ENTITY a "&b;&b;">]><x/>`);
  t.true(laughs.unsafeEntities);
  t.is(laughs.entities.size, 0);
});

test("text that does not start like XML has no root", (t) => {
  t.is(inspectProlog("Maintenance, back soon").root, undefined);
});

// expandInternalEntities

test("internal entities are expanded outside CDATA, escaped, and the DOCTYPE is dropped", (t) => {
  const text = `<!DOCTYPE rss [<!ENTITY id "a&#38;b">]><rss><guid>&id;1</guid><![CDATA[&id;]]>&other;</rss>`;
  t.is(
    expandInternalEntities(text, inspectProlog(text)),
    "<rss><guid>a&amp;b1</guid><![CDATA[&id;]]>&other;</rss>",
  );
});

test("a document without internal entities comes back as it is", (t) => {
  const text = "<!DOCTYPE rss><rss><guid>&id;</guid></rss>";
  t.is(expandInternalEntities(text, inspectProlog(text)), text);
});

test("an expansion beyond the cap is refused", (t) => {
  const value = "x".repeat(1000);
  const text = `<!DOCTYPE rss [<!ENTITY big "${value}">]><rss>${"&big;".repeat(2000)}</rss>`;
  t.is(expandInternalEntities(text, inspectProlog(text)), undefined);
});

// escapeEmbeddedMarkup

test("raw markup in an RSS description becomes escaped HTML source; empty elements get end tags", (t) => {
  t.is(
    escapeEmbeddedMarkup(
      `<item><description>Hi <b>there</b> &amp; <br/><iframe src="x"/></description><title>plain</title></item>`,
    ),
    `<item><description>Hi &lt;b&gt;there&lt;/b&gt; &amp;amp; &lt;br/&gt;&lt;iframe src="x"&gt;&lt;/iframe&gt;</description><title>plain</title></item>`,
  );
});

test("markup inside CDATA, and elements already holding text only, are left alone", (t) => {
  const text =
    "<item><title>plain &amp; text</title><![CDATA[<description><b>x</b></description>]]></item>";
  t.is(escapeEmbeddedMarkup(text), text);
});

test("a CDATA section inside mixed content is kept as text, escaped once more", (t) => {
  t.is(
    escapeEmbeddedMarkup("<content>a <![CDATA[<b>c</b>]]> <i>d</i></content>"),
    "<content>a &amp;lt;b&amp;gt;c&amp;lt;/b&amp;gt; &lt;i&gt;d&lt;/i&gt;</content>",
  );
});

test("prefixed Atom: content under a prefix bound to Atom is escaped, its xhtml: prefixes dropped", (t) => {
  const text = `<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:entry><a:content type="xhtml"><xhtml:div><xhtml:p>One</xhtml:p></xhtml:div></a:content></a:entry></a:feed>`;
  t.is(
    escapeEmbeddedMarkup(text, new Set(["a"])),
    `<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:entry><a:content type="xhtml">&lt;div&gt;&lt;p&gt;One&lt;/p&gt;&lt;/div&gt;</a:content></a:entry></a:feed>`,
  );
});

test("a prefixed element is left alone unless its prefix is one the parser drops", (t) => {
  const text = `<a:content type="xhtml"><div>x</div></a:content>`;
  t.is(escapeEmbeddedMarkup(text), text);
});

test("an element that is never closed is left as written", (t) => {
  const text = "<item><description>Hi <b>there</b></item>";
  t.is(escapeEmbeddedMarkup(text), text);
});

// ensureChannel and closeRootEndTag

test("RSS items placed directly under <rss> are wrapped in a channel", (t) => {
  t.is(
    ensureChannel(`<rss version="2.0"><item><title>x</title></item></rss>`, "rss", "rss"),
    `<rss version="2.0"><channel><item><title>x</title></item></channel></rss>`,
  );
});

test("RDF without a channel gets an empty one; a feed with a channel or an empty root is unchanged", (t) => {
  t.is(
    ensureChannel("<rdf:RDF><item/></rdf:RDF>", "rdf:RDF", "rdf"),
    "<rdf:RDF><channel/><item/></rdf:RDF>",
  );
  t.is(
    ensureChannel("<rss><channel></channel></rss>", "rss", "rss"),
    "<rss><channel></channel></rss>",
  );
  t.is(ensureChannel(`<rss version="2.0"/>`, "rss", "rss"), `<rss version="2.0"/>`);
});

test("a root end tag missing only its > is closed; a document cut anywhere else is not", (t) => {
  t.is(closeRootEndTag("<rss><channel/></rss\n", "rss"), "<rss><channel/></rss>");
  t.is(closeRootEndTag("<rss><channel><item>", "rss"), "<rss><channel><item>");
});
