import test from "ava";
import { OpmlError, readOpml } from "../../src/config/opml-read.js";

const opml = (body: string, head = "<head><title>My feeds</title></head>") =>
  `<?xml version="1.0" encoding="UTF-8"?><opml version="2.0">${head}<body>${body}</body></opml>`;

test("feeds are outlines with an xmlUrl, with the titles of the folders around them", (t) => {
  const document = readOpml(
    opml(`
<outline text="Migration">
  <outline text="Policy">
    <outline text="MPI" type="rss" xmlUrl="https://mpi.example/rss.xml" htmlUrl="https://mpi.example/"/>
  </outline>
  <outline title="Only a title" xmlUrl="https://t.example/feed"/>
</outline>
<outline text="Loose" xmlUrl="https://loose.example/atom" category="/trafficking,research/methods"/>`),
  );
  t.is(document.title, "My feeds");
  t.deepEqual(document.feeds, [
    {
      title: "MPI",
      xmlUrl: "https://mpi.example/rss.xml",
      htmlUrl: "https://mpi.example/",
      folders: ["Migration", "Policy"],
      categories: [],
    },
    {
      title: "Only a title",
      xmlUrl: "https://t.example/feed",
      folders: ["Migration"],
      categories: [],
    },
    {
      title: "Loose",
      xmlUrl: "https://loose.example/atom",
      folders: [],
      categories: ["/trafficking", "research/methods"],
    },
  ]);
});

test("attribute names are read case-insensitively and entities are decoded", (t) => {
  const document = readOpml(
    opml('<outline TEXT="A &amp; B" XMLURL="https://ab.example/?a=1&amp;b=2"/>'),
  );
  t.deepEqual(document.feeds[0], {
    title: "A & B",
    xmlUrl: "https://ab.example/?a=1&b=2",
    folders: [],
    categories: [],
  });
});

test("a document that is not OPML, or not well-formed, is an OpmlError", (t) => {
  t.throws(() => readOpml('<?xml version="1.0"?><rss version="2.0"/>'), {
    instanceOf: OpmlError,
    message: /root element is <rss>/,
  });
  t.throws(() => readOpml(opml('<outline text="x" xmlUrl="https://x.example/">')), {
    instanceOf: OpmlError,
    message: /not well-formed XML/,
  });
  t.throws(() => readOpml(""), { instanceOf: OpmlError, message: /empty/ });
});

test("custom entities are refused rather than expanded", (t) => {
  const text = `<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY e "boom">]><opml version="2.0"><body>
<outline text="&e;" xmlUrl="https://x.example/"/></body></opml>`;
  t.throws(() => readOpml(text), { instanceOf: OpmlError });
});

test("absurdly deep nesting is refused with a clear error", (t) => {
  const deep = `${'<outline text="f">'.repeat(200)}${"</outline>".repeat(200)}`;
  t.throws(() => readOpml(opml(deep)), { instanceOf: OpmlError, message: /nested more than 64/ });
});
