import test from "ava";
import { ImportError, planImport, slugify } from "../../src/config/opml-import.js";
import type { OpmlFeed } from "../../src/config/opml-read.js";

const context = () => ({
  categories: [
    { id: "migration", title: "Migration", description: "" },
    { id: "trafficking", title: "Human trafficking", description: "" },
  ],
  sources: [{ id: "un-news", url: "https://news.un.org/feed/subscribe/en/news/all/rss.xml" }],
});

const feed = (overrides: Partial<OpmlFeed>): OpmlFeed => ({
  title: "Feed",
  xmlUrl: "https://feed.example/rss",
  folders: [],
  categories: [],
  ...overrides,
});

test("ids are slugs of the titles, unique against the config and each other", (t) => {
  const plan = planImport(
    [
      feed({ title: "UN News", xmlUrl: "https://other.example/un" }),
      feed({ title: "Médecins Sans Frontières — News", xmlUrl: "https://msf.example/rss" }),
      feed({ title: "UN News", xmlUrl: "https://third.example/un" }),
      feed({ title: "", xmlUrl: "https://www.nameless.example/feed" }),
    ],
    context(),
    ["migration"],
  );
  t.deepEqual(
    plan.added.map((s) => [s.id, s.title]),
    [
      ["un-news-2", "UN News"],
      ["medecins-sans-frontieres-news", "Médecins Sans Frontières — News"],
      ["un-news-3", "UN News"],
      ["nameless-example", "nameless.example"],
    ],
  );
});

test("slugify keeps ids valid and short", (t) => {
  t.is(slugify("  Trafficking & Forced Labour!  "), "trafficking-and-forced-labour");
  t.is(slugify("¿Qué?"), "que");
  t.is(slugify("日本語"), "");
  const long = slugify("The Very Long Name Of A Research Institute On Migration And Displacement");
  t.true(long.length <= 48);
  t.regex(long, /^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
});

test("categories come from --category, else the category attribute, else the nearest matching folder", (t) => {
  const feeds = [
    feed({ xmlUrl: "https://a.example/", folders: ["Migration", "Unsorted"] }),
    feed({ xmlUrl: "https://b.example/", folders: ["Human Trafficking"] }),
    feed({ xmlUrl: "https://c.example/", categories: ["/trafficking", "/Tributary/migration"] }),
    feed({ xmlUrl: "https://d.example/", folders: ["Migration"], categories: ["/unknown"] }),
  ];
  const plan = planImport(feeds, context());
  t.deepEqual(
    plan.added.map((s) => s.categories),
    [["migration"], ["trafficking"], ["trafficking", "migration"], ["migration"]],
  );
  const forced = planImport(feeds, context(), ["trafficking"]);
  t.true(forced.added.every((s) => s.categories.join() === "trafficking"));
});

test("feeds without a category fail the whole import, naming them and the known categories", (t) => {
  const error = t.throws(
    () =>
      planImport(
        [
          feed({ title: "Good", xmlUrl: "https://a.example/", folders: ["Migration"] }),
          feed({ title: "Lost", xmlUrl: "https://lost.example/", folders: ["Cooking"] }),
        ],
        context(),
      ),
    { instanceOf: ImportError },
  );
  t.deepEqual(error?.problems, [
    'Lost <https://lost.example/> in folder "Cooking": no category',
    "known categories: migration (Migration), trafficking (Human trafficking); pass --category ID, or file the feeds in folders named after a category",
  ]);
});

test("an unknown --category is an ImportError listing the known ones", (t) => {
  t.throws(() => planImport([feed({})], context(), ["sport"]), {
    instanceOf: ImportError,
    message: /unknown category "sport" \(known: migration \(Migration\)/,
  });
});

test("feeds already configured are skipped and reported, even written slightly differently", (t) => {
  const plan = planImport(
    [
      feed({ title: "UN", xmlUrl: "http://news.un.org/feed/subscribe/en/news/all/rss.xml/" }),
      feed({ title: "New", xmlUrl: "https://new.example/feed" }),
    ],
    context(),
    ["migration"],
  );
  t.deepEqual(
    plan.added.map((s) => s.url),
    ["https://new.example/feed"],
  );
  t.deepEqual(plan.skipped, [
    {
      title: "UN",
      url: "http://news.un.org/feed/subscribe/en/news/all/rss.xml/",
      reason: 'already configured as source "un-news"',
    },
  ]);
});

test("the same feed in two folders becomes one source in both categories", (t) => {
  const plan = planImport(
    [
      feed({ title: "Both", xmlUrl: "https://both.example/", folders: ["Migration"] }),
      feed({ title: "Both", xmlUrl: "https://both.example/", folders: ["Human trafficking"] }),
    ],
    context(),
  );
  t.is(plan.added.length, 1);
  t.deepEqual(plan.added[0]?.categories, ["migration", "trafficking"]);
});

test("non-http URLs are skipped; an http(s) htmlUrl becomes the homepage", (t) => {
  const plan = planImport(
    [
      feed({ title: "Gopher", xmlUrl: "gopher://old.example/feed" }),
      feed({ title: "Site", xmlUrl: "https://site.example/rss", htmlUrl: "https://site.example/" }),
      feed({
        title: "Bad home",
        xmlUrl: "https://bad.example/rss",
        htmlUrl: "javascript:alert(1)",
      }),
    ],
    context(),
    ["migration"],
  );
  t.deepEqual(
    plan.skipped.map((s) => s.reason),
    ["not an http(s) URL"],
  );
  t.is(plan.added[0]?.homepage, "https://site.example/");
  t.false("homepage" in (plan.added[1] ?? {}));
});
