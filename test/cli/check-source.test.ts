// `tributary check-source` as an operator runs it: a real process fetching from a fixture
// partner on loopback, against good and broken feeds.
// Serial: every test spawns tributary processes, and running them one at a time keeps the
// machine responsive for the timing-sensitive tests that run beside this file.
import test from "ava";
import iconv from "iconv-lite";
import { runCli, writeConfig } from "../helpers/cli.js";
import { startFixtureServer } from "../helpers/fixture-server.js";

const config = (extra = "") => `
polling: { allowPrivateNetworks: true, timeoutMs: 5000${extra} }
categories: [{ id: news, title: News }]
sources: []
`;

const goodRss = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Good Partner</title><link>https://good.example/</link>
<description>d</description>
${[1, 2, 3, 4, 5, 6, 7]
  .map(
    (n) => `<item><title>Story ${n}</title><link>https://good.example/${n}</link><guid>g${n}</guid>
<pubDate>Mon, 02 Mar 2026 1${n}:00:00 GMT</pubDate><description>Text ${n}.</description></item>`,
  )
  .join("\n")}
</channel></rss>`;

test.serial(
  "a good feed: format, title, entries, the first five entries, caching, exit 0",
  async (t) => {
    const partner = await startFixtureServer(t, {
      "/good.rss": {
        headers: { "Content-Type": "application/rss+xml", ETag: '"abc"' },
        body: goodRss,
      },
    });
    const result = await runCli([
      "check-source",
      partner.url("/good.rss"),
      "--config",
      writeConfig(t, config()),
    ]);
    t.is(result.code, 0, result.stderr);
    const out = result.stdout;
    t.regex(out, /^\s+format\s+RSS$/m);
    t.regex(out, /^\s+title\s+Good Partner$/m);
    t.regex(out, /^\s+entries\s+7 usable$/m);
    t.regex(
      out,
      /caching\s+ETag yes, Last-Modified no; a conditional request got 304 Not Modified/,
    );
    t.regex(out, /First 5 entries:/);
    // Newest first: the feed lists them oldest first.
    t.regex(
      out,
      /First 5 entries:\n {2}2026-03-02 17:00Z {2}Story 7\n\s+https:\/\/good\.example\/7\n/,
    );
    t.regex(out, /2026-03-02 13:00Z {2}Story 3\n\s+https:\/\/good\.example\/3\n\n/);
    t.notRegex(out, /Story [12]\b/);
    t.notRegex(out, /Warnings:/);
    t.regex(out, /Usable as a source\.\n$/);
    // The second request was the conditional check, with the validator of the first.
    t.is(partner.requests.length, 2);
    t.is(partner.requests[1]?.headers["if-none-match"], '"abc"');
  },
);

test.serial(
  "a legacy feed with no dates, no GUIDs, relative links and no caching: --json lists the warnings",
  async (t) => {
    const body = iconv.encode(
      `<?xml version="1.0" encoding="windows-1252"?>
<rss version="2.0"><channel><title>Caf\u00e9 partner</title><link>/</link><description>d</description>
<item><title>&lt;i&gt;R\u00e9fugi\u00e9s&lt;/i&gt; \u2013 update</title><link>/posts/1</link></item>
</channel></rss>`,
      "windows-1252",
    );
    const partner = await startFixtureServer(t, {
      "/legacy.xml": { headers: { "Content-Type": "text/xml" }, body },
    });
    const result = await runCli([
      "check-source",
      "--json",
      partner.url("/legacy.xml"),
      "--config",
      writeConfig(t, config()),
    ]);
    t.is(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      usable: boolean;
      charset: string;
      title: string;
      warnings: { code: string }[];
      sample: { title: string; published: string | null; link: string }[];
      caching: { conditional: string };
      configuredAs: string | null;
    };
    t.true(report.usable);
    t.is(report.charset, "windows-1252");
    t.is(report.title, "Caf\u00e9 partner");
    t.deepEqual(report.warnings.map((w) => w.code).sort(), [
      "charset",
      "html-in-titles",
      "missing-dates",
      "missing-guids",
      "no-caching",
      "relative-links",
    ]);
    t.deepEqual(report.sample[0], {
      title: "R\u00e9fugi\u00e9s \u2013 update",
      published: null,
      link: partner.url("/posts/1"),
    });
    t.is(report.caching.conditional, "not-checked");
    t.is(report.configuredAs, null);
  },
);

test.serial(
  "an Atom feed with a <link/> without href and an empty <entry/>: usable, the entry counted as skipped",
  async (t) => {
    const partner = await startFixtureServer(t, {
      "/atom": {
        headers: { "Content-Type": "application/atom+xml" },
        body: `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Partner</title><link/>
<id>urn:atom-partner</id><updated>2026-03-02T12:00:00Z</updated>
<entry><id>urn:1</id><title>Older</title><link href="https://atom.example/1"/><link/>
<updated>2026-03-01T10:00:00Z</updated></entry>
<entry/>
<entry><id>urn:2</id><title>Newer</title><link href="https://atom.example/2"/>
<updated>2026-03-02T10:00:00Z</updated></entry></feed>`,
      },
    });
    const result = await runCli([
      "check-source",
      partner.url("/atom"),
      "--config",
      writeConfig(t, config()),
    ]);
    t.is(result.code, 0, result.stdout + result.stderr);
    const out = result.stdout;
    t.regex(out, /^\s+format\s+Atom$/m);
    t.regex(out, /^\s+entries\s+2 usable, 1 skipped$/m);
    t.regex(
      out,
      /First 2 entries:\n {2}2026-03-02 10:00Z {2}Newer\n.*\n {2}2026-03-01 10:00Z {2}Older/,
    );
    t.regex(
      out,
      /- 1 of 3 entries would be skipped: entry has neither a title nor any text \(×1\) \[dropped-entries\]/,
    );
    t.notRegex(out + result.stderr, /Cannot read|reading '|TypeError/);
  },
);

test.serial("a 404 is not usable: exit 1 naming the status", async (t) => {
  const partner = await startFixtureServer(t);
  const result = await runCli([
    "check-source",
    partner.url("/missing.rss"),
    "--config",
    writeConfig(t, config()),
  ]);
  t.is(result.code, 1);
  t.regex(result.stdout, /Not usable as a source: http-404: HTTP 404/);
});

test.serial("an HTML page is not a feed: exit 1", async (t) => {
  const partner = await startFixtureServer(t, {
    "/page": {
      headers: { "Content-Type": "text/html" },
      body: "<!doctype html><html><head><title>Home</title></head><body>Hi</body></html>",
    },
  });
  const result = await runCli([
    "check-source",
    partner.url("/page"),
    "--config",
    writeConfig(t, config()),
  ]);
  t.is(result.code, 1);
  t.regex(result.stdout, /Not usable as a source: not-a-feed: /);
});

test.serial(
  "a broken feed is a parse error, and a feed without entries is not usable",
  async (t) => {
    const partner = await startFixtureServer(t, {
      "/broken.xml": { body: '<?xml version="1.0"?><rss version="2.0"><channel><title>x</ti' },
      "/empty.xml": {
        body: '<?xml version="1.0"?><rss version="2.0"><channel><title>Empty</title></channel></rss>',
      },
    });
    const path = writeConfig(t, config());
    const broken = await runCli([
      "check-source",
      "--json",
      partner.url("/broken.xml"),
      "--config",
      path,
    ]);
    t.is(broken.code, 1);
    t.is((JSON.parse(broken.stdout) as { problem: { kind: string } }).problem.kind, "parse-error");
    const empty = await runCli(["check-source", partner.url("/empty.xml"), "--config", path]);
    t.is(empty.code, 1);
    t.regex(empty.stdout, /no-entries: the feed has no entries/);
  },
);

test.serial("the config's limits apply: a private address is refused unless allowed", async (t) => {
  const partner = await startFixtureServer(t, { "/good.rss": { body: goodRss } });
  const strict = writeConfig(t, "categories: [{ id: news, title: News }]\nsources: []\n");
  const result = await runCli(["check-source", partner.url("/good.rss"), "--config", strict]);
  t.is(result.code, 1);
  t.regex(result.stdout, /blocked-address/);
  t.is(partner.requests.length, 0);
});

test.serial("an invalid config is a configuration error: exit 2", async (t) => {
  const path = writeConfig(t, "polling: { timeoutMs: -1 }\ncategories: []\nsources: []\n");
  const result = await runCli(["check-source", "https://partner.example/feed", "--config", path]);
  t.is(result.code, 2);
  t.regex(result.stderr, /^polling\.timeoutMs: /m);
});

test.serial(
  "--rules shows what the category rules do to each entry, before anything is stored",
  async (t) => {
    const partner = await startFixtureServer(t, {
      "/good.rss": { headers: { "Content-Type": "application/rss+xml" }, body: goodRss },
    });
    const url = partner.url("/good.rss");
    const yaml = `
polling: { allowPrivateNetworks: true, timeoutMs: 5000 }
categories: [{ id: news, title: News }, { id: late, title: Late }]
rules: [{ when: { words: ["story 7"] }, drop: true }]
sources:
  - { id: good, title: Good, url: "${url}", categories: [news], rules: [{ when: { words: ["story 6", "story 5"] }, add: [late] }] }
`;
    const result = await runCli(["check-source", url, "--rules", "--config", writeConfig(t, yaml)]);
    t.is(result.code, 0, result.stderr);
    t.regex(result.stdout, /Category rules: 6 entries kept, 1 dropped:/);
    t.regex(result.stdout, /dropped\s+Story 7/);
    t.regex(result.stdout, /news, late\s+Story 6/);
    t.regex(result.stdout, /news\s+Story 1/);

    const json = await runCli([
      "check-source",
      url,
      "--rules",
      "--json",
      "--config",
      writeConfig(t, yaml),
    ]);
    const report = JSON.parse(json.stdout) as {
      rules: { entries: { title: string; categories: string[] | null }[] };
    };
    t.deepEqual(report.rules.entries[0], { title: "Story 7", categories: null });
    t.deepEqual(report.rules.entries[1], { title: "Story 6", categories: ["news", "late"] });
    // Without --rules the report has no rules part.
    const plain = await runCli(["check-source", url, "--json", "--config", writeConfig(t, yaml)]);
    t.false("rules" in (JSON.parse(plain.stdout) as object));
  },
);
