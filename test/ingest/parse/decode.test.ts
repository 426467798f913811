import test from "ava";
import iconv from "iconv-lite";
import { decodeFeedBytes } from "../../../src/ingest/parse/decode.js";

const xml = (encoding: string, body: string) =>
  `<?xml version="1.0" encoding="${encoding}"?><rss version="2.0"><channel><title>${body}</title></channel></rss>`;

const bytes = (...values: number[]) => Buffer.from(values);

test("no label at all is UTF-8", (t) => {
  const result = decodeFeedBytes(Buffer.from("<rss><title>café – “quoted”</title></rss>"));
  t.is(result.charset, "utf-8");
  t.is(result.text, "<rss><title>café – “quoted”</title></rss>");
});

test("windows-1252 from Content-Type decodes 0x93 0x94 0x80 as “ ” € (TextDecoder gets these wrong)", (t) => {
  const body = Buffer.concat([
    Buffer.from("<t>"),
    bytes(0x93, 0x61, 0x94, 0x20, 0x80),
    Buffer.from("</t>"),
  ]);
  const result = decodeFeedBytes(body, "application/rss+xml; charset=windows-1252");
  t.is(result.charset, "windows-1252");
  t.is(result.text, "<t>“a” €</t>");
});

test("iso-8859-1 is read as windows-1252, as browsers do", (t) => {
  const body = Buffer.concat([
    Buffer.from("<t>caf"),
    bytes(0xe9, 0x20, 0x93, 0x78, 0x94),
    Buffer.from("</t>"),
  ]);
  const result = decodeFeedBytes(body, "text/xml; charset=ISO-8859-1");
  t.is(result.charset, "windows-1252");
  t.is(result.text, "<t>café “x”</t>");
});

test("a quoted charset parameter is understood", (t) => {
  const result = decodeFeedBytes(bytes(0xe9), 'text/xml; charset="iso-8859-1"');
  t.is(result.text, "é");
});

test("the XML declaration names the charset when the header does not", (t) => {
  const body = iconv.encode(xml("windows-1252", "Ré “sumé” €"), "windows-1252");
  const result = decodeFeedBytes(body, "application/rss+xml");
  t.is(result.charset, "windows-1252");
  t.is(result.text, xml("windows-1252", "Ré “sumé” €"));
});

test("the XML declaration with single quotes works too", (t) => {
  const body = iconv.encode(`<?xml version='1.0' encoding='ISO-8859-1'?><t>é</t>`, "latin1");
  t.is(decodeFeedBytes(body).text, `<?xml version='1.0' encoding='ISO-8859-1'?><t>é</t>`);
});

test("the Content-Type charset overrides the XML declaration", (t) => {
  // The server transcoded to UTF-8 but left the declaration alone: a common CMS quirk.
  const text = xml("ISO-8859-1", "café");
  const result = decodeFeedBytes(Buffer.from(text, "utf8"), "application/xml; charset=utf-8");
  t.is(result.charset, "utf-8");
  t.is(result.text, text);
});

test("a UTF-8 BOM is detected and stripped", (t) => {
  const body = Buffer.concat([bytes(0xef, 0xbb, 0xbf), Buffer.from("<rss>é</rss>")]);
  const result = decodeFeedBytes(body);
  t.is(result.charset, "utf-8");
  t.is(result.text, "<rss>é</rss>");
});

test("a BOM wins over a server default charset in the header", (t) => {
  const body = Buffer.concat([bytes(0xef, 0xbb, 0xbf), Buffer.from("<rss>é</rss>")]);
  const result = decodeFeedBytes(body, "text/xml; charset=iso-8859-1");
  t.is(result.charset, "utf-8");
  t.is(result.text, "<rss>é</rss>");
});

test("UTF-16LE and UTF-16BE with a BOM are decoded and the BOM stripped", (t) => {
  const text = xml("UTF-16", "Привет “мир”");
  const le = Buffer.concat([bytes(0xff, 0xfe), Buffer.from(text, "utf16le")]);
  const be = Buffer.from(le);
  be.swap16();
  const leResult = decodeFeedBytes(le);
  t.is(leResult.charset, "utf-16le");
  t.is(leResult.text, text);
  const beResult = decodeFeedBytes(be);
  t.is(beResult.charset, "utf-16be");
  t.is(beResult.text, text);
});

test("UTF-16 without a BOM is recognised from the `<?` byte pattern", (t) => {
  const text = xml("UTF-16", "é");
  t.is(decodeFeedBytes(Buffer.from(text, "utf16le")).text, text);
  const be = Buffer.from(text, "utf16le");
  be.swap16();
  const result = decodeFeedBytes(be);
  t.is(result.charset, "utf-16be");
  t.is(result.text, text);
});

test("UTF-32 with and without a BOM is decoded (not mistaken for UTF-16)", (t) => {
  const text = '<?xml version="1.0"?><rss/>';
  const le = Buffer.alloc(text.length * 4);
  const be = Buffer.alloc(text.length * 4);
  for (let i = 0; i < text.length; i++) {
    le.writeUInt32LE(text.charCodeAt(i), i * 4);
    be.writeUInt32BE(text.charCodeAt(i), i * 4);
  }
  t.deepEqual(decodeFeedBytes(le), { text, charset: "utf-32le" });
  t.deepEqual(decodeFeedBytes(be), { text, charset: "utf-32be" });
  const bomLe = Buffer.concat([bytes(0xff, 0xfe, 0, 0), le]);
  const bomBe = Buffer.concat([bytes(0, 0, 0xfe, 0xff), be]);
  t.deepEqual(decodeFeedBytes(bomLe), { text, charset: "utf-32le" });
  t.deepEqual(decodeFeedBytes(bomBe), { text, charset: "utf-32be" });
});

test("a single-byte document claiming utf-16 in its declaration is read as UTF-8", (t) => {
  const text = xml("utf-16", "café");
  const result = decodeFeedBytes(Buffer.from(text, "utf8"));
  t.is(result.charset, "utf-8");
  t.is(result.text, text);
});

test("an unknown charset label falls back to UTF-8 without throwing", (t) => {
  const body = Buffer.from("<t>café</t>");
  const fromHeader = decodeFeedBytes(body, "text/xml; charset=x-no-such-charset");
  t.is(fromHeader.charset, "utf-8");
  t.is(fromHeader.text, "<t>café</t>");
  const fromDeclaration = decodeFeedBytes(Buffer.from(xml("klingon", "café")));
  t.is(fromDeclaration.charset, "utf-8");
  t.is(fromDeclaration.text, xml("klingon", "café"));
});

test("JSON Feed is UTF-8", (t) => {
  const json = JSON.stringify({
    version: "https://jsonfeed.org/version/1.1",
    title: "Café “news”",
  });
  const result = decodeFeedBytes(Buffer.from(json), "application/feed+json");
  t.is(result.charset, "utf-8");
  t.is(result.text, json);
});

test("invalid UTF-8 becomes U+FFFD rather than an exception", (t) => {
  t.is(decodeFeedBytes(bytes(0x61, 0xff, 0x62)).text, "a\uFFFDb");
});

const legacy: [string, string, string][] = [
  ["koi8-r", "koi8-r", "Новости о миграции"],
  ["iso-8859-2", "iso-8859-2", "Zażółć gęślą jaźń"],
  ["iso-8859-15", "iso-8859-15", "Prix : 5 €"],
  ["shift_jis", "shift_jis", "移民に関するニュース"],
  ["euc-jp", "euc-jp", "移民に関するニュース"],
  ["big5", "big5", "移民新聞"],
  ["gb2312 (read as gbk)", "gb2312", "移民新闻"],
  ["gbk", "gbk", "移民新闻"],
];

for (const [name, label, text] of legacy) {
  test(`decodes ${name} from the header and from the declaration`, (t) => {
    const body = iconv.encode(text, label);
    t.is(decodeFeedBytes(body, `text/xml; charset=${label.toUpperCase()}`).text, text);
    const document = xml(label, text);
    t.is(decodeFeedBytes(iconv.encode(document, label)).text, document);
  });
}
