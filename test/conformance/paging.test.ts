// RFC 5005 paged feeds over HTTP: a reader starts at the subscribed URL and follows `next`
// (RSS and Atom link rel="next", JSON Feed next_url) to the end, while new entries arrive and
// old ones are edited between its requests. It must reach every entry that was there when it
// started exactly once: pages are keyset cursors, so entries added above a page boundary never
// shift the pages after it, as page numbers would.
import test, { type ExecutionContext } from "ava";
import { MemoryStore } from "../../src/store/memory.js";
import { call, startApp } from "../helpers/app.js";
import { makeUpdate, minutesAfterEpoch } from "../helpers/updates.js";
import { all, one, parseXml } from "../publish/context.js";

const ENTRIES = 23;
const LIMIT = 5;
const NO_FALLBACK = { fallbackDated: new Set<string>() };

interface Page {
  ids: string[];
  links: { self?: string; first?: string; next?: string; previous?: string };
}

function readPage(format: "rss" | "atom" | "json", body: string): Page {
  if (format === "json") {
    const feed = JSON.parse(body) as {
      feed_url: string;
      next_url?: string;
      items: { id: string }[];
    };
    return {
      ids: feed.items.map((i) => i.id),
      links: { first: feed.feed_url, next: feed.next_url },
    };
  }
  const root = parseXml(body);
  const holder = format === "rss" ? one(root, "channel") : root;
  const linkName = format === "rss" ? "atom:link" : "link";
  const links: Page["links"] = {};
  for (const link of all(holder, linkName)) {
    const rel = link.attributes.rel as keyof Page["links"];
    if (["self", "first", "next", "previous"].includes(rel)) links[rel] = link.attributes.href;
  }
  const ids =
    format === "rss"
      ? all(holder, "item").map((item) => one(item, "guid")?.text ?? "")
      : all(root, "entry").map((entry) => one(entry, "id")?.text ?? "");
  return { ids, links };
}

async function readAll(t: ExecutionContext, format: "rss" | "atom" | "json") {
  const store = new MemoryStore();
  const initial = Array.from({ length: ENTRIES }, (_, i) =>
    makeUpdate({
      id: `entry-${i}`,
      published: minutesAfterEpoch(i),
      updated: minutesAfterEpoch(i),
    }),
  );
  await store.upsert(initial, NO_FALLBACK);
  const app = await startApp(t, { store });
  // Links are absolute under the configured baseUrl; the reader maps them onto the test server.
  const baseUrl = app.config.service.baseUrl;
  const subscribed = `${baseUrl}/feeds/trafficking.${format}?limit=${LIMIT}`;

  const seen: string[] = [];
  const pages: Page[] = [];
  let url: string | undefined = subscribed;
  while (url !== undefined && pages.length < 20) {
    const res = await call(url.replace(baseUrl, app.url));
    t.is(res.status, 200, url);
    const page = readPage(format, res.body.toString("utf8"));
    pages.push(page);
    seen.push(...page.ids);
    // Between two requests: a newer entry arrives, an older one is edited (a new version of the
    // category, so every page is rendered again), and a back-dated one lands far below.
    const n = pages.length;
    await store.upsert(
      [
        makeUpdate({ id: `new-${n}`, published: minutesAfterEpoch(1000 + n) }),
        makeUpdate({ ...initial[n], title: `Edited ${n}`, updated: minutesAfterEpoch(2000 + n) }),
        ...(n === 2 ? [makeUpdate({ id: "backdated", published: minutesAfterEpoch(-100) })] : []),
      ],
      NO_FALLBACK,
    );
    url = page.links.next;
  }
  return { seen, pages, subscribed, initial };
}

for (const format of ["rss", "atom", "json"] as const) {
  test(`${format}: following next from the first page reaches every entry exactly once while entries arrive`, async (t) => {
    const { seen, pages, subscribed, initial } = await readAll(t, format);
    const ids = seen.map((id) => id.replace(/^urn:tributary:/, ""));
    t.deepEqual(
      ids.filter((id, i) => ids.indexOf(id) !== i),
      [],
      "no entry twice",
    );
    for (const update of initial) t.true(ids.includes(update.id), `${update.id} reached`);
    // Entries added above the page the reader is on are for its next poll of the first page;
    // the back-dated one lands below it and is reached once.
    t.true(ids.includes("backdated"));
    t.false(ids.some((id) => id.startsWith("new-")));
    t.is(pages.length, Math.ceil((ENTRIES + 1) / LIMIT));
    t.is(pages.at(-1)?.links.next, undefined, "the last page has no next");
    if (format === "json") return;
    pages.forEach((page, i) => {
      t.is(page.links.first, subscribed, `page ${i + 1} first`);
      t.truthy(page.links.self, `page ${i + 1} self`);
    });
    t.is(pages[0]?.links.previous, undefined, "the first page has no previous");
  });
}

test("RFC 5005 previous: page 2 names the first page when nothing has moved, later pages none", async (t) => {
  const store = new MemoryStore();
  await store.upsert(
    Array.from({ length: 12 }, (_, i) =>
      makeUpdate({ id: `e${i}`, published: minutesAfterEpoch(i) }),
    ),
    NO_FALLBACK,
  );
  const app = await startApp(t, { store });
  const baseUrl = app.config.service.baseUrl;
  const first = `${baseUrl}/feeds/trafficking.atom?limit=${LIMIT}`;
  const get = async (url: string) =>
    readPage("atom", (await call(url.replace(baseUrl, app.url))).body.toString());
  const page1 = await get(first);
  const page2 = await get(page1.links.next ?? "");
  const page3 = await get(page2.links.next ?? "");
  t.is(page1.links.previous, undefined);
  t.is(page2.links.previous, first);
  t.is(page3.links.previous, undefined);
  t.is(page3.links.next, undefined);
});
