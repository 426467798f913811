// Sample feed for `tributary serve --demo`: an Atom 1.0 feed of an invented open-access journal.
// Written for Tributary; the journal, its authors and its articles are fictional.
import type { DemoFeed } from "../feed.js";

export const openPassage: DemoFeed = {
  path: "/open-passage/atom.xml",
  contentType: "application/atom+xml; charset=utf-8",
  render: ({ origin, isoHoursAgo }) => `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Open Passage Review</title>
  <subtitle>Peer-reviewed research on labour migration and human trafficking (a fictional journal of the Tributary demo).</subtitle>
  <id>urn:tributary-demo:open-passage</id>
  <link rel="self" href="${origin}/open-passage/atom.xml"/>
  <link rel="alternate" type="text/html" href="${origin}/articles/open-passage/"/>
  <updated>${isoHoursAgo(6)}</updated>
  <entry>
    <title>Recruitment fees and debt bondage in seasonal agriculture</title>
    <id>urn:tributary-demo:open-passage:vol7-3</id>
    <link rel="alternate" type="text/html" href="${origin}/articles/open-passage/recruitment-fees"/>
    <published>${isoHoursAgo(6)}</published>
    <updated>${isoHoursAgo(6)}</updated>
    <author><name>Amina Sørensen</name></author>
    <author><name>Luis Okafor</name></author>
    <category term="trafficking" label="Human trafficking"/>
    <category term="labour" label="Labour migration"/>
    <summary>Interviews with 212 seasonal workers show how recruitment fees paid before departure turn into debts that tie workers to one employer. The authors compare three licensing schemes for recruiters.</summary>
  </entry>
  <entry>
    <title>Counting what is hidden: estimating trafficking from shelter records</title>
    <id>urn:tributary-demo:open-passage:vol7-2</id>
    <link rel="alternate" type="text/html" href="${origin}/articles/open-passage/shelter-records"/>
    <published>${isoHoursAgo(75)}</published>
    <updated>${isoHoursAgo(75)}</updated>
    <author><name>Jonas Whitlock</name></author>
    <category term="methods" label="Methods"/>
    <summary type="html">&lt;p&gt;A &lt;em&gt;multiple systems estimation&lt;/em&gt; that combines shelter, police and hotline records, with a discussion of what such estimates can and cannot say.&lt;/p&gt;</summary>
  </entry>
  <entry>
    <title>Remittances after return: a five-year panel</title>
    <id>urn:tributary-demo:open-passage:vol7-1</id>
    <link rel="alternate" type="text/html" href="${origin}/articles/open-passage/remittances-panel"/>
    <published>${isoHoursAgo(190)}</published>
    <updated>${isoHoursAgo(150)}</updated>
    <author><name>Priya Natarajan</name></author>
    <category term="migration" label="Migration"/>
    <summary>Households of returned migrants keep receiving money from relatives abroad for years after the return, the panel finds, but far less of it goes into small businesses than policy papers assume.</summary>
  </entry>
</feed>
`,
};
