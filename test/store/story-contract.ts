// The stories contract (one entry per story across partners, stories.ts): memory.test.ts and
// redis.test.ts run it against both stores. Copies come from different sources and differ the
// way syndicated copies do: tracking parameters, http vs https, a DOI link vs the journal's
// page, a retitled copy; and one similar title that is another story.
import type { ExecutionContext, TestFn } from "ava";
import type { Update } from "../../src/model/update.js";
import { ALL, type Store } from "../../src/store/store.js";
import { makeUpdate, minutesAfterEpoch } from "../helpers/updates.js";

export type StoreFactory = (t: ExecutionContext) => Promise<Store>;

const plain = { fallbackDated: new Set<string>() };
const listed = async (store: Store, category: string, source?: string) =>
  (await store.list({ category, limit: 50, ...(source ? { source } : {}) })).items;
const ids = (items: Update[]) => items.map((u) => u.id);

const TITLE = "Thousands displaced as floods sweep through northern camps";

function copies() {
  const agency = makeUpdate({
    id: "agency-1",
    sourceId: "agency",
    title: TITLE,
    link: "https://www.agency.example/news/floods-camps/",
    published: minutesAfterEpoch(0),
    categories: ["displacement"],
  });
  const aggregator = makeUpdate({
    id: "relief-1",
    sourceId: "relief",
    title: `${TITLE} | ReliefHub`,
    link: "http://agency.example/news/floods-camps?utm_source=rss&utm_medium=feed",
    published: minutesAfterEpoch(90),
    categories: ["emergencies"],
  });
  return { agency, aggregator };
}

export function storyContract(test: TestFn, name: string, open: StoreFactory): void {
  test(`${name}: stories: copies under one canonical link list once, under the earliest, with both partners`, async (t) => {
    const store = await open(t);
    const { agency, aggregator } = copies();
    await store.upsert([agency], plain);
    await store.upsert([aggregator], plain);
    const all = await listed(store, ALL);
    t.deepEqual(ids(all), ["agency-1"]);
    t.is(all[0]?.story?.id, "agency-1");
    t.deepEqual(
      all[0]?.story?.copies.map((c) => [c.id, c.sourceId, c.link]),
      [
        ["agency-1", "agency", agency.link],
        ["relief-1", "relief", aggregator.link],
      ],
    );
    // In every category a copy is in, once.
    t.deepEqual(ids(await listed(store, "displacement")), ["agency-1"]);
    t.deepEqual(ids(await listed(store, "emergencies")), ["agency-1"]);
    t.is(await store.count(ALL), 1);
    // A partner's own feed keeps its own entry, with its own id and no provenance.
    const own = await listed(store, ALL, "relief");
    t.deepEqual(ids(own), ["relief-1"]);
    t.is(own[0]?.story, undefined);
    t.is(await store.count(ALL, "relief"), 1);
    t.is(await store.count("emergencies", "relief"), 1);
    // Stored entries are never changed by it.
    t.deepEqual(await store.get("relief-1"), aggregator);
  });

  test(`${name}: stories: a partner joining with an earlier copy keeps the published id`, async (t) => {
    const store = await open(t);
    const first = makeUpdate({
      id: "late-copy",
      sourceId: "relief",
      title: TITLE,
      link: "https://agency.example/news/floods-camps",
      published: minutesAfterEpoch(120),
    });
    await store.upsert([first], plain);
    const before = await store.version(ALL);
    const earlier = makeUpdate({
      id: "original",
      sourceId: "agency",
      title: TITLE,
      link: "https://agency.example/news/floods-camps",
      published: minutesAfterEpoch(0),
    });
    await store.upsert([earlier], plain);
    const [shown, ...rest] = await listed(store, ALL);
    t.is(rest.length, 0);
    // Listed under the earliest publication, published under the id readers already have.
    t.is(shown?.id, "original");
    t.is(shown?.published, earlier.published);
    t.is(shown?.story?.id, "late-copy");
    t.true((await store.version(ALL)) > before);
  });

  test(`${name}: stories: a retitled copy within 72 hours is the same story; an edit never splits it`, async (t) => {
    const store = await open(t);
    const a = makeUpdate({
      id: "a1",
      sourceId: "agency",
      title: "UPDATE: Aid convoy reaches besieged city after weeks of talks",
      link: "https://agency.example/a",
      published: minutesAfterEpoch(0),
    });
    const b = makeUpdate({
      id: "b1",
      sourceId: "news",
      title: "Aid convoy reaches besieged city after weeks of talks - World News",
      link: "https://news.example/b",
      published: minutesAfterEpoch(60 * 30),
    });
    await store.upsert([a], plain);
    await store.upsert([b], plain);
    t.deepEqual(ids(await listed(store, ALL)), ["a1"]);
    // The aggregator rewrites its headline: the story stays one.
    await store.upsert([{ ...b, title: "Convoy finally gets aid into the city" }], plain);
    const all = await listed(store, ALL);
    t.deepEqual(ids(all), ["a1"]);
    t.is(all[0]?.story?.copies[1]?.title, "Convoy finally gets aid into the city");
  });

  test(`${name}: stories: similar titles are not merged across numbers, outside the window or within one source`, async (t) => {
    const store = await open(t);
    const report = (id: string, sourceId: string, n: number, minutes: number) =>
      makeUpdate({
        id,
        sourceId,
        title: `Regional migration situation report number ${n} for the coastal provinces`,
        link: `https://${sourceId}.example/${id}`,
        published: minutesAfterEpoch(minutes),
      });
    await store.upsert([report("r12", "agency", 12, 0)], plain);
    await store.upsert([report("r13", "relief", 13, 10)], plain); // another number
    await store.upsert([report("r12-late", "news", 12, 60 * 80)], plain); // 80 h later
    // Same source, same link twice: the partner's own two entries.
    const same = makeUpdate({ id: "s1", sourceId: "agency", link: "https://x.example/p" });
    const again = makeUpdate({ id: "s2", sourceId: "agency", link: "https://x.example/p" });
    await store.upsert([same, again], plain);
    t.deepEqual(ids(await listed(store, ALL)).sort(), ["r12", "r12-late", "r13", "s1", "s2"]);
  });

  test(`${name}: stories: a copy whose link names a story it cannot join is matched by its title`, async (t) => {
    const store = await open(t);
    const title = "Cholera outbreak spreads through coastal displacement camps this week";
    const agency = makeUpdate({
      id: "c1",
      sourceId: "agency",
      title,
      link: "https://agency.example/cholera",
      published: minutesAfterEpoch(0),
    });
    // The aggregator links two of its entries to the same landing page: the second's link
    // names a story that already holds the aggregator's copy, so its title decides.
    const first = makeUpdate({
      id: "b1",
      sourceId: "relief",
      title: "Budget talks resume between donors and the regional authority",
      link: "https://relief.example/latest",
      published: minutesAfterEpoch(10),
    });
    const second = makeUpdate({
      id: "b2",
      sourceId: "relief",
      title,
      link: "https://relief.example/latest",
      published: minutesAfterEpoch(30),
    });
    await store.upsert([agency], plain);
    await store.upsert([first], plain);
    await store.upsert([second], plain);
    const all = await listed(store, ALL);
    t.deepEqual(ids(all), ["b1", "c1"]);
    t.deepEqual(
      all.find((u) => u.id === "c1")?.story?.copies.map((c) => c.id),
      ["c1", "b2"],
    );
    t.is(all.find((u) => u.id === "b1")?.story, undefined);
  });

  test(`${name}: stories: a DOI link and the journal's own page are one story`, async (t) => {
    const store = await open(t);
    const journal = makeUpdate({
      id: "j1",
      sourceId: "journal",
      title: "Labour exploitation in seasonal agriculture",
      link: "https://journals.example.org/doi/full/10.1080/12345678.2026.1234567",
      published: minutesAfterEpoch(0),
    });
    const digest = makeUpdate({
      id: "d1",
      sourceId: "digest",
      title: "New paper on seasonal work",
      link: "https://doi.org/10.1080/12345678.2026.1234567",
      published: minutesAfterEpoch(5),
    });
    await store.upsert([journal], plain);
    await store.upsert([digest], plain);
    t.deepEqual(ids(await listed(store, ALL)), ["j1"]);
  });

  test(`${name}: stories: removing a source or hiding a copy takes it out of the provenance`, async (t) => {
    const store = await open(t);
    const { agency, aggregator } = copies();
    await store.upsert([agency, aggregator].slice(0, 1), plain);
    await store.upsert([aggregator], plain);
    // Hiding the listed copy shows the other partner's.
    t.true(await store.hide("agency-1", new Date()));
    const shown = await listed(store, ALL);
    t.deepEqual(ids(shown), ["relief-1"]);
    t.is(shown[0]?.story?.id, "agency-1");
    t.deepEqual(ids(await listed(store, "emergencies")), ["relief-1"]);
    t.deepEqual(ids(await listed(store, "displacement")), []);
    t.true(await store.unhide("agency-1"));
    t.deepEqual(ids(await listed(store, ALL)), ["agency-1"]);
    t.is((await listed(store, ALL))[0]?.story?.copies.length, 2);
    // The aggregator leaves the config and is pruned: the story is the agency's alone again.
    const before = await store.version("emergencies");
    t.is(await store.removeSource("relief"), 1);
    const alone = await listed(store, ALL);
    t.deepEqual(ids(alone), ["agency-1"]);
    t.is(alone[0]?.story, undefined);
    t.deepEqual(ids(await listed(store, "emergencies")), []);
    t.true((await store.version("emergencies")) > before);
  });

  test(`${name}: stories: retention removing the listed copy lists the remaining one`, async (t) => {
    const store = await open(t);
    const { agency, aggregator } = copies();
    await store.upsert([agency], plain);
    await store.upsert([aggregator], plain);
    const removed = await store.applyRetention(
      "agency",
      { maxEntriesPerSource: 0, maxAgeDays: 3650 },
      new Date(),
      new Set(),
    );
    t.is(removed, 1);
    const shown = await listed(store, ALL);
    t.deepEqual(ids(shown), ["relief-1"]);
    // Still published under the story's first id: readers do not see it as new.
    t.is(shown[0]?.story?.id, "agency-1");
    t.deepEqual(
      shown[0]?.story?.copies.map((c) => c.id),
      ["relief-1"],
    );
  });

  test(`${name}: stories: copies written at the same moment by two partners still form one story`, async (t) => {
    const store = await open(t);
    const link = "https://agency.example/joint-statement";
    const batch = (sourceId: string) =>
      makeUpdate({ id: `${sourceId}-joint`, sourceId, title: "Joint statement", link });
    await Promise.all(["a", "b", "c", "d"].map((source) => store.upsert([batch(source)], plain)));
    const all = await listed(store, ALL);
    t.is(all.length, 1);
    t.is(all[0]?.story?.copies.length, 4);
    t.is(await store.count(ALL), 1);
  });

  test(`${name}: stories: a partner's guid naming another's link joins the story; a plain guid does not`, async (t) => {
    const store = await open(t);
    const a = makeUpdate({
      id: "ga",
      sourceId: "agency",
      link: "https://agency.example/story-7",
      guid: "42",
    });
    const b = makeUpdate({
      id: "gb",
      sourceId: "mirror",
      link: "https://mirror.example/copy-of-7",
      guid: "https://agency.example/story-7",
    });
    const c = makeUpdate({
      id: "gc",
      sourceId: "other",
      link: "https://other.example/x",
      guid: "42",
    });
    await store.upsert([a], plain);
    await store.upsert([b], plain);
    await store.upsert([c], plain);
    t.deepEqual(ids(await listed(store, ALL)).sort(), ["ga", "gc"]);
  });

  test(`${name}: removeEntries removes entries from every listing and story, bumping what changed`, async (t) => {
    const store = await open(t);
    const { agency, aggregator } = copies();
    const other = makeUpdate({ id: "other", sourceId: "agency", categories: ["displacement"] });
    await store.upsert([agency, other], plain);
    await store.upsert([aggregator], plain);
    const version = await store.version("emergencies");
    t.is(await store.removeEntries(["relief-1", "never-stored"]), 1);
    t.is(await store.get("relief-1"), undefined);
    t.deepEqual(ids(await listed(store, "emergencies")), []);
    t.deepEqual(ids(await listed(store, ALL, "relief")), []);
    const all = await listed(store, ALL);
    t.deepEqual(ids(all).sort(), ["agency-1", "other"]);
    t.true(all.every((u) => u.story === undefined));
    t.true((await store.version("emergencies")) > version);
    t.is(await store.removeEntries([]), 0);
  });

  test(`${name}: languages lists a category's languages with their counts, most first`, async (t) => {
    const store = await open(t);
    const entry = (id: string, language: string | undefined, categories = ["x"]) =>
      makeUpdate({ id, sourceId: `s-${id}`, language, categories });
    await store.upsert(
      [
        entry("a", "fr"),
        entry("b", "fr-CA"),
        entry("c", "ar"),
        entry("d", undefined),
        entry("e", "zh", ["y"]),
      ],
      plain,
    );
    t.deepEqual(await store.languages("x"), [
      { language: "fr", entries: 2 },
      { language: "ar", entries: 1 },
    ]);
    t.deepEqual(
      (await store.languages(ALL)).map((l) => l.language),
      ["fr", "ar", "zh"],
    );
    await store.removeEntries(["c"]);
    t.deepEqual(await store.languages("x"), [{ language: "fr", entries: 2 }]);
    t.deepEqual(await store.languages("nothing"), []);
  });
}
