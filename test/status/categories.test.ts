// The category listing the API, the home page and the OPML list share, read straight from the
// read model against a real memory store.
import test from "ava";
import { ALL_CATEGORY } from "../../src/model/category.js";
import { describeCategories, listCategories } from "../../src/status/categories.js";
import { MemoryStore } from "../../src/store/memory.js";
import { makeConfig } from "../helpers/config.js";
import { makeUpdate } from "../helpers/updates.js";

test("listCategories: all first, then the config's categories in order, with every feed URL", (t) => {
  const config = makeConfig({ service: { baseUrl: "https://feeds.example.org/" } });
  const listed = listCategories(config);
  t.deepEqual(
    listed.map(({ id }) => id),
    ["all", "migration", "trafficking"],
  );
  t.deepEqual(listed[0], {
    ...ALL_CATEGORY,
    feeds: {
      rss: "https://feeds.example.org/feeds/all.rss",
      atom: "https://feeds.example.org/feeds/all.atom",
      json: "https://feeds.example.org/feeds/all.json",
    },
  });
});

test("describeCategories: the listing with entry counts, keys in the order the API shows", async (t) => {
  const store = new MemoryStore();
  t.teardown(() => store.close());
  await store.upsert(
    [
      makeUpdate({ categories: ["migration"] }),
      makeUpdate({ categories: ["migration", "trafficking"] }),
    ],
    { fallbackDated: new Set() },
  );
  const views = await describeCategories(makeConfig(), store);
  t.deepEqual(
    views.map(({ id, entries }) => [id, entries]),
    [
      ["all", 2],
      ["migration", 2],
      ["trafficking", 1],
    ],
  );
  t.deepEqual(Object.keys(views[1] ?? {}), [
    "id",
    "title",
    "description",
    "entries",
    "languages",
    "feeds",
  ]);
  // makeUpdate writes English entries.
  t.deepEqual(views[1]?.languages, [{ language: "en", entries: 2 }]);
  t.deepEqual(views[1]?.feeds, listCategories(makeConfig())[1]?.feeds);
});
