// ?lang= on every feed format and /api/updates, over both stores' index keys: the six UN
// languages, a regional variant, entries without a language, and a malformed tag.
import test, { type ExecutionContext } from "ava";
import type { Update } from "../../src/model/update.js";
import { UN_LANGUAGES } from "../fixtures/un-languages.js";
import { call, startApp } from "../helpers/app.js";
import { makeUpdate } from "./seed.js";

/** One entry per UN language in migration, a fr-CA one, and one with no language. */
async function seeded(t: ExecutionContext) {
  const app = await startApp(t);
  const updates: Update[] = UN_LANGUAGES.map((sample, n) =>
    makeUpdate(n + 1, { title: sample.title, summary: sample.summary, language: sample.language }),
  );
  updates.push(makeUpdate(10, { title: "Québec accueille des réfugiés", language: "fr-CA" }));
  updates.push(makeUpdate(11, { title: "No language" }));
  await app.store.upsert(updates, { fallbackDated: new Set() });
  return { ...app, updates };
}

const titles = (body: unknown) =>
  ((body as { items: { title: string }[] }).items ?? []).map((item) => item.title);

test("?lang= on /api/updates keeps one language, RFC 4647 basic filtering", async (t) => {
  const { url } = await seeded(t);
  for (const sample of UN_LANGUAGES) {
    const res = await call(`${url}/api/updates?lang=${sample.language}`);
    t.is(res.status, 200);
    const expected = sample.language === "fr" ? 2 : 1;
    t.is(titles(res.json()).length, expected, sample.language);
    t.true(titles(res.json()).includes(sample.title), sample.language);
  }
  t.deepEqual(titles((await call(`${url}/api/updates?lang=fr-CA`)).json()), [
    "Québec accueille des réfugiés",
  ]);
  // Canonical spelling: one page whatever the case.
  t.deepEqual(
    titles((await call(`${url}/api/updates?lang=FR-ca`)).json()),
    titles((await call(`${url}/api/updates?lang=fr-CA`)).json()),
  );
  t.is(titles((await call(`${url}/api/updates`)).json()).length, 8);
});

test("?lang= that is no BCP 47 tag is a 400 naming the parameter, on feeds and the API", async (t) => {
  const { url } = await seeded(t);
  for (const path of ["/api/updates", "/feeds/all.rss", "/feeds/migration.json"]) {
    const res = await call(`${url}${path}?lang=en_US!`);
    t.is(res.status, 400, path);
    t.regex(res.body.toString(), /lang: must be a BCP 47 language tag/, path);
  }
  t.is((await call(`${url}/api/updates?lang=fr&lang=ar`)).status, 400);
});

test("a feed filtered by ?lang= declares that language; entries in another carry their own", async (t) => {
  const { url } = await seeded(t);
  const json = (await call(`${url}/feeds/migration.json?lang=fr`)).json() as {
    language?: string;
    feed_url: string;
    items: { title: string; language?: string }[];
  };
  t.is(json.language, "fr");
  t.true(json.feed_url.includes("lang=fr"));
  t.deepEqual(
    json.items.map((item) => item.language),
    ["fr-CA", "fr"],
  );
  const all = (await call(`${url}/feeds/migration.json`)).json() as {
    language?: string;
    items: { language?: string }[];
  };
  t.is(all.language, undefined, "an unfiltered feed declares no language");
  t.true(all.items.some((item) => item.language === "ar"));

  const atom = (await call(`${url}/feeds/migration.atom?lang=fr`)).body.toString();
  t.regex(atom, /<feed[^>]* xml:lang="fr"/);
  t.regex(atom, /<entry xml:lang="fr-CA">/);
  t.is(atom.match(/<entry>/g)?.length, 1, "the French entry says nothing the feed does not");
  const unfiltered = (await call(`${url}/feeds/migration.atom`)).body.toString();
  t.regex(unfiltered, /<entry xml:lang="ar">/);
  t.regex(unfiltered, /<entry xml:lang="zh">/);

  const rss = (await call(`${url}/feeds/migration.rss?lang=ru`)).body.toString();
  t.regex(rss, /<language>ru<\/language>/);
  t.true(rss.includes("ООН призывает"));
  t.false(rss.includes("الأمم المتحدة"));
  t.regex(rss, /atom:link[^>]*rel="self"[^>]*lang=ru|lang=ru[^>]*rel="self"/);
  const rssAll = (await call(`${url}/feeds/migration.rss`)).body.toString();
  t.regex(rssAll, /<dc:language>es<\/dc:language>/);
});

test("ETag and paging work per language: a change in one language leaves another's ETag", async (t) => {
  const { url, store, updates } = await seeded(t);
  const first = await call(`${url}/feeds/migration.json?lang=fr&limit=1`);
  const page = first.json() as { next_url: string; items: { title: string }[] };
  t.true(page.next_url.includes("lang=fr"));
  const second = (await call(page.next_url.replace(/^https?:\/\/[^/]+/, url))).json() as {
    items: { title: string }[];
  };
  t.deepEqual(
    [...page.items, ...second.items].map((item) => item.title).sort(),
    [UN_LANGUAGES[3]?.title, "Québec accueille des réfugiés"].sort(),
  );
  const arabic = await call(`${url}/feeds/migration.rss?lang=ar`);
  const etag = arabic.header("etag");
  t.is(
    (await call(`${url}/feeds/migration.rss?lang=ar`, { headers: { "if-none-match": etag } }))
      .status,
    304,
  );
  const french = updates.find((u) => u.language === "fr") as Update;
  await store.upsert([{ ...french, title: "Titre modifié" }], { fallbackDated: new Set() });
  t.is(
    (await call(`${url}/feeds/migration.rss?lang=ar`, { headers: { "if-none-match": etag } }))
      .status,
    304,
    "Arabic listing unchanged",
  );
  const frNow = (await call(`${url}/feeds/migration.json?lang=fr`)).json() as {
    items: { title: string }[];
  };
  t.true(frNow.items.some((item) => item.title === "Titre modifié"));
});

test("category pages: ?lang= filters, entries carry lang (and dir=rtl for Arabic), paging keeps lang", async (t) => {
  const { url } = await seeded(t);
  const page = (await call(`${url}/categories/migration`)).body.toString();
  t.regex(page, /<article class="entry" lang="ar" dir="rtl">/);
  t.regex(page, /<article class="entry" lang="zh">/);
  t.regex(page, /<article class="entry" lang="ru">/);
  const arabic = await call(`${url}/categories/migration?lang=ar`);
  t.is(arabic.status, 200);
  const html = arabic.body.toString();
  t.true(html.includes(UN_LANGUAGES[0]?.title ?? "?"));
  t.false(html.includes(UN_LANGUAGES[1]?.title ?? "?"), "no Chinese entry on the Arabic page");
  t.regex(html, /href="[^"]*\/feeds\/migration\.rss\?lang=ar"/);
  const bad = await call(`${url}/categories/migration?lang=en_US!`);
  t.is(bad.status, 400);
  t.regex(bad.body.toString(), /lang: must be a BCP 47 language tag/);
});

test("/api/categories lists the languages of each category; its page links the variants with hreflang", async (t) => {
  const { url } = await seeded(t);
  const categories = (await call(`${url}/api/categories`)).json() as {
    id: string;
    languages: { language: string; entries: number }[];
  }[];
  const migration = categories.find((c) => c.id === "migration");
  // Six UN languages, French twice (fr and fr-CA); the entry with no language is in none.
  t.deepEqual(migration?.languages[0], { language: "fr", entries: 2 });
  t.deepEqual(migration?.languages.map((l) => l.language).sort(), [
    "ar",
    "en",
    "es",
    "fr",
    "ru",
    "zh",
  ]);
  t.deepEqual(categories.find((c) => c.id === "all")?.languages.length, 6);
  const page = (await call(`${url}/categories/migration`)).body.toString();
  t.regex(
    page,
    /<link rel="alternate" hreflang="ar" href="[^"]*\/categories\/migration\?lang=ar">/,
  );
  t.regex(
    page,
    /<link rel="alternate" hreflang="zh" href="[^"]*\/categories\/migration\?lang=zh">/,
  );
  t.regex(page, /<link rel="alternate" hreflang="x-default" href="[^"]*\/categories\/migration">/);
  // The switcher names each language in itself.
  t.regex(page, /<a href="[^"]*\?lang=ar" hreflang="ar" lang="ar" dir="auto">العربية<\/a>/);
  t.regex(
    page,
    /<a href="[^"]*\?lang=fr" hreflang="fr" lang="fr" dir="auto">Français<\/a> <span class="count">\(2\)<\/span>/,
  );
  const french = (await call(`${url}/categories/migration?lang=fr`)).body.toString();
  t.regex(french, /<strong lang="fr" dir="auto">Français<\/strong>/);
  // Filtered to one source, the switcher still offers the languages, without the category's counts.
  const oneSource = (await call(`${url}/categories/migration?source=un-news`)).body.toString();
  t.regex(
    oneSource,
    /<a href="[^"]*\?source=un-news&amp;lang=ar" hreflang="ar" lang="ar" dir="auto">العربية<\/a>/,
  );
  t.notRegex(oneSource, /<nav class="languages"[\s\S]*class="count"[\s\S]*<\/nav>/);
});

test("the home page takes ?lang= too: the newest entries in that language, the archive link keeping it", async (t) => {
  const { url } = await seeded(t);
  const arabic = (await call(`${url}/?lang=ar`)).body.toString();
  t.true(arabic.includes(UN_LANGUAGES[0]?.title ?? "?"));
  t.false(
    arabic.includes(UN_LANGUAGES[2]?.title ?? "?"),
    "no English entry on the Arabic home page",
  );
  t.regex(arabic, /href="[^"]*\/categories\/all\?lang=ar"/);
  // Its categories are counted and linked in that language: French is fr and fr-CA.
  const french = (await call(`${url}/?lang=fr`)).body.toString();
  t.regex(
    french,
    /<a href="[^"]*\/categories\/migration\?lang=fr">[^<]*<\/a><\/h3>\s*(?:<p>[^<]*<\/p>\s*)?<p>2 entries<\/p>/,
  );
  const english = (await call(`${url}/`)).body.toString();
  t.regex(
    english,
    /<a href="[^"]*\/categories\/migration">[^<]*<\/a><\/h3>\s*(?:<p>[^<]*<\/p>\s*)?<p>8 entries<\/p>/,
  );
  const every = (await call(`${url}/`)).body.toString();
  t.true(every.includes(UN_LANGUAGES[2]?.title ?? "?"));
  t.is((await call(`${url}/?lang=en_US!`)).status, 400);
});
