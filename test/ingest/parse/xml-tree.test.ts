// The fast XML reader against the parser it stands in for: on every document it reads, the tree
// must be exactly xml2js's (same text, attributes, arrays, whitespace and CDATA rules), and a
// document it does not fully understand must be left to xml2js (UNREAD), never guessed at.
import test from "ava";
import { Parser } from "xml2js";
import { readXmlDocument, UNREAD } from "../../../src/ingest/parse/xml-tree.js";

const same = (name: string): string => name;

async function xml2js(text: string, rename = same): Promise<unknown> {
  return new Parser({ tagNameProcessors: [rename] }).parseStringPromise(text);
}

/** Reads `text` both ways: the fast reader must read it, and agree with xml2js. */
async function agrees(t: import("ava").ExecutionContext, text: string, rename = same) {
  const fast = readXmlDocument(text, rename);
  t.not(fast, UNREAD, `the fast reader should read ${JSON.stringify(text)}`);
  t.deepEqual(fast, await xml2js(text, rename), JSON.stringify(text));
}

const READ = [
  ["text and attributes", `<rss version="2.0"><channel><title a="1">T</title></channel></rss>`],
  ["CDATA with markup", `<r><d><![CDATA[<p>a &amp; b</p>]]></d></r>`],
  ["CDATA keeps whitespace-only text", `<r><d><![CDATA[  ]]></d></r>`],
  ["an empty CDATA does not", `<r><d><![CDATA[]]>  </d></r>`],
  ["mixed CDATA and text, in order", `<r><d>a<![CDATA[<b>]]>c&lt;d</d></r>`],
  ["XML's five entities", `<r><t>&amp;&lt;&gt;&quot;&apos;</t></r>`],
  ["numeric references", `<r><t>&#233;&#x00E9;&#X1F600;&#065;</t></r>`],
  ["entities in attributes", `<r><l href="?a=1&amp;b=&#50;" t='"q"'/></r>`],
  ["whitespace-only element is its whitespace", `<r><t>  \n </t><u></u><v/></r>`],
  ["whitespace between children is dropped", `<r>\n  <a>1</a>\n  <a>2</a>\n  <b x="y"/>\n</r>`],
  ["text beside children", `<r><e>before<b>x</b>after</e></r>`],
  ["attributes only", `<r><e k="v"></e><e k="w">  </e></r>`],
  ["a repeated attribute: the first wins", `<r><e k="1" k="2"/></r>`],
  [
    "namespaced names as written",
    `<a:feed xmlns:a="x"><a:entry><dc:creator>Me</dc:creator></a:entry></a:feed>`,
  ],
  [
    "prolog, comments, processing instructions",
    `<?xml version="1.0"?>\n<!-- c -->\n<?pi x?><r><!-- in --><t>a<!-- x -->b</t><?p q?></r>`,
  ],
  [
    "a DOCTYPE without subset",
    `<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "http://x/y.dtd">\n<rss><c/></rss>`,
  ],
  ["anything after the root is ignored", `<r><t>1</t></r><garbage>&bad;</r>`],
  ["a self-closing root", `<r a="1"/>`],
  ["unicode text, \\r\\n kept", `<r><t>Ünïcødé — 日本語 😀\r\nline</t></r>`],
  ["spaces inside tags", `<r ><t  a = "1"  b='2' >x</t ></r >`],
] as const;

for (const [title, text] of READ) {
  test(`reads like xml2js: ${title}`, async (t) => {
    await agrees(t, text);
  });
}

test("element names go through rename, as with xml2js tagNameProcessors", async (t) => {
  const rename = (name: string) => (name.startsWith("a:") ? name.slice(2) : name);
  await agrees(t, `<a:feed><a:entry><a:title>T</a:title><dc:x>y</dc:x></a:entry></a:feed>`, rename);
});

const LEFT_TO_XML2JS = [
  ["an HTML entity name", `<r><t>&eacute;</t></r>`],
  ["a bare ampersand", `<r><t>a & b</t></r>`],
  ["a reference to a forbidden character", `<r><t>&#1;</t></r>`],
  ["a mismatched end tag", `<r><a></b></r>`],
  ["an unclosed root", `<r><a>x</a>`],
  ["text before the root", `x<r/>`],
  ["an unquoted attribute", `<r a=1/>`],
  ["an attribute without value", `<r a/>`],
  ["no space between attributes", `<r a="1"b="2"/>`],
  ["a malformed comment", `<r><!-- a -- b --></r>`],
  ["an internal DTD subset", `<!DOCTYPE r [<!ENTITY e "v">]><r>&e;</r>`],
  ["a non-ASCII element name", `<r><café>x</café></r>`],
  ["a name xml2js keeps its own data under", `<r><_>x</_><cdata/></r>`],
  ["a name Object.prototype has", `<r><constructor>x</constructor></r>`],
  ["an attribute Object.prototype has", `<r hasOwnProperty="x"/>`],
  ["CDATA outside the root", `<![CDATA[x]]><r/>`],
  ["an unterminated CDATA", `<r><![CDATA[x</r>`],
] as const;

for (const [title, text] of LEFT_TO_XML2JS) {
  test(`leaves to xml2js: ${title}`, (t) => {
    t.is(readXmlDocument(text, same), UNREAD);
  });
}

// Documents assembled at random from feed-like pieces, valid and broken: whatever the fast reader
// accepts, xml2js must accept too and build the same tree. Seeded, so a failure reproduces.
test("random feed-like documents: whatever the fast reader reads, xml2js reads the same", async (t) => {
  let seed = 11;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const pieces = [
    "text",
    " ",
    "\n  ",
    "&amp;",
    "&lt;",
    "&#38;",
    "&#xE9;",
    "&nbsp;",
    "&",
    "<![CDATA[<b>x</b>]]>",
    "<![CDATA[ ]]>",
    "<![CDATA[]]>",
    "<!-- c -->",
    "<?pi?>",
    "<br/>",
    "<img src=\"a&amp;b\" alt='x'/>",
    "<",
    ">",
    "]]>",
    '"',
    "<a:b/>",
    "<x></x>",
    "<x> </x>",
    "<x>y</x>",
    '<x k="v">y</x>',
  ];
  let read = 0;
  for (let n = 0; n < 400; n++) {
    let body = "";
    const open: string[] = [];
    for (let k = 0; k < 12; k++) {
      const r = random();
      if (r < 0.2) {
        const name = pick(["item", "title", "p", "dc:creator", "item"]);
        open.push(name);
        body += random() < 0.3 ? `<${name} id="${n}">` : `<${name}>`;
      } else if (r < 0.35 && open.length > 0) {
        body += `</${open.pop()}>`;
      } else {
        body += pick(pieces);
      }
    }
    while (open.length > 0 && random() < 0.95) body += `</${open.pop()}>`;
    const text = `<rss><channel>${body}</channel></rss>`;
    const fast = readXmlDocument(text, same);
    if (fast === UNREAD) continue;
    read++;
    t.deepEqual(fast, await xml2js(text), text);
  }
  // The generator must exercise the fast reader, not only its refusals.
  t.true(read > 50, `only ${read} of 400 documents were read`);
});
