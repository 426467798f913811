// The pure view models of the pages: summaries, dates, languages, links and partner statuses.
import test from "ava";
import { categoryPage, embedSnippets, sourceRow } from "../../src/pages/page-views.js";
import { cutSummary, entryView, languageOf, sitePath } from "../../src/pages/views.js";
import type { SourceView } from "../../src/status/sources.js";
import { makeConfig } from "../helpers/config.js";
import { makeUpdate } from "../helpers/updates.js";

const partners = new Map([["source-a", { title: "UN News", homepage: "https://news.un.org/" }]]);
const site = { language: "en" };

test("a short summary is kept whole; a long one is cut at a word with an ellipsis", (t) => {
  t.deepEqual(cutSummary("  Two   words\n", 280), { text: "Two words", cut: false });
  const long = `${"word ".repeat(100)}end`;
  const cut = cutSummary(long, 50);
  t.true(cut.cut);
  t.true(cut.text.endsWith("word…"), cut.text);
  t.true([...cut.text].length <= 51);
});

test("a partner's own [...] or [\u2026] ending counts as cut and becomes one ellipsis", (t) => {
  t.deepEqual(cutSummary("The report says [&#8230;]".replace("&#8230;", "…"), 280), {
    text: "The report says…",
    cut: true,
  });
  t.deepEqual(cutSummary("Read on [...]", 280), { text: "Read on…", cut: true });
  t.deepEqual(cutSummary("Ends with dots...", 280), { text: "Ends with dots…", cut: true });
});

test("one long word is cut inside it rather than losing the whole summary", (t) => {
  const cut = cutSummary("x".repeat(500), 100);
  t.is(cut.text, `${"x".repeat(100)}…`);
});

test("an entry shows only http(s) links: a javascript: link leaves the title as text", (t) => {
  const view = entryView(
    makeUpdate({ link: "javascript:alert(1)", sourceId: "source-a" }),
    partners,
    site,
    { maxLength: 280 },
  );
  t.is(view.url, undefined);
  t.is(view.partner.name, "UN News");
  t.is(view.partner.url, "https://news.un.org/");
});

test("an entry's date is a machine-readable ISO time and words in the page's language", (t) => {
  const update = makeUpdate({ published: "2026-12-02T10:30:00.000Z" });
  t.deepEqual(entryView(update, partners, site, { maxLength: 280 }).date, {
    iso: "2026-12-02T10:30:00.000Z",
    text: "December 2, 2026",
  });
  const french = entryView(update, partners, { language: "fr" }, { maxLength: 280 });
  t.is(french.date.text, "2 décembre 2026");
});

test("lang is set on entries whose language is known, as a canonical tag", (t) => {
  const view = (language: string | undefined) =>
    entryView(makeUpdate({ language }), partners, site, { maxLength: 280 }).lang;
  t.is(view("ar"), "ar");
  t.is(view("EN"), "en");
  t.is(view("pt_br"), "pt-BR");
  t.is(view(undefined), undefined);
  t.is(languageOf("en_US"), "en-US");
  t.is(languageOf("not a language!"), undefined);
});

test("page links keep the path of a baseUrl served under a prefix", (t) => {
  t.is(sitePath("https://x.example/updates")("/sources"), "/updates/sources");
  t.is(sitePath("https://x.example")("/sources"), "/sources");
});

test("snippets are built from the service's baseUrl, with markup escaped for pasting", (t) => {
  const config = makeConfig({
    service: { baseUrl: "https://updates.example.org", title: `A "B" & C` },
  });
  const embed = embedSnippets(config, "trafficking", "Human trafficking", "atr");
  t.regex(
    embed.element,
    /<script src="https:\/\/updates\.example\.org\/embed\.js\?v=[\w-]+" defer><\/script>/,
  );
  t.regex(
    embed.element,
    /<tributary-feed category="trafficking" limit="5" source="atr" theme="auto">/,
  );
  t.true(embed.element.includes("Human trafficking on A &quot;B&quot; &amp; C") === false);
  t.true(embed.element.includes('Human trafficking on A "B" &amp; C'));
  t.true(
    embed.iframe.startsWith(
      '<iframe src="https://updates.example.org/embed/trafficking?limit=5&amp;source=atr"',
    ),
  );
  t.true(embed.iframe.includes('title="Human trafficking — A &quot;B&quot; &amp; C"'));
});

test("paging links: newer by `before`, older by `cursor`, both keeping the partner filter", (t) => {
  const page = categoryPage(makeConfig(), {
    category: "trafficking",
    source: "atr",
    updates: [makeUpdate()],
    count: 40,
    previous: "prev.cur",
    next: "next.cur",
    paged: true,
  });
  t.deepEqual(page.paging, {
    newer: "/categories/trafficking?source=atr&before=prev.cur",
    older: "/categories/trafficking?source=atr&cursor=next.cur",
    newest: "/categories/trafficking?source=atr",
  });
  t.is(page.partner?.title, "Anti-Trafficking Review");
  t.deepEqual(
    page.alternates.map((feed) => feed.url),
    ["rss", "atom", "json"].map(
      (ext) => `http://tributary.test/feeds/trafficking.${ext}?source=atr`,
    ),
  );
});

const status = (overrides: Partial<SourceView>): SourceView => ({
  id: "un-news",
  title: "UN News",
  url: "https://news.un.org/feed",
  enabled: true,
  categories: ["migration"],
  status: "ok",
  errorKind: null,
  lastError: null,
  lastFetchAt: "2026-12-02T10:00:00.000Z",
  lastSuccessAt: "2026-12-02T10:00:00.000Z",
  failingSince: null,
  entries: 12,
  nextPollAt: null,
  proposedUrl: null,
  stale: false,
  ...overrides,
});

test("a partner's status in words: ok, failing since, stale, waiting, disabled", (t) => {
  const config = makeConfig();
  const row = (overrides: Partial<SourceView>) => sourceRow(config, status(overrides));
  t.is(row({}).status, "ok");
  const failing = row({
    status: "error",
    errorKind: "timeout",
    lastError: "timed out after 20000 ms",
    failingSince: "2026-12-01T08:05:00.000Z",
  });
  t.is(failing.state, "failing");
  t.is(failing.status, "failing since December 1, 2026 at 08:05 UTC");
  t.is(failing.detail, "timed out after 20000 ms");
  const stale = row({ stale: true, lastSuccessAt: "2026-11-20T00:00:00.000Z" });
  t.is(stale.status, "stale: no successful poll since November 20, 2026 at 00:00 UTC");
  t.is(row({ status: "pending", lastSuccessAt: null }).status, "waiting for its first poll");
  t.is(row({ status: "disabled" }).state, "disabled");
  t.is(row({}).homepage, "https://news.un.org/");
  t.deepEqual(row({}).categories, [{ title: "Migration", url: "/categories/migration" }]);
});
