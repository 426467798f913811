// Appending sources keeps every byte of the file that was there: comments, blank lines, quoting
// and flow lists, whatever the file's own layout.
import test from "ava";
import { parseConfig } from "../../src/config/load.js";
import type { NewSource } from "../../src/config/opml-import.js";
import { appendSources, renderSourcesYaml, YamlEditError } from "../../src/config/yaml-append.js";

const added: NewSource[] = [
  {
    id: "new-one",
    title: "New: one",
    url: "https://x.example/feed?a=1&b=2",
    homepage: "https://x.example/",
    categories: ["news", "other"],
  },
  { id: "two", title: "Two", url: "https://y.example/rss", categories: ["news"] },
];

const categories = `# The categories.
categories:
  - { id: news, title: News }   # the main one
  - id: other
    title: Other
`;

/** The original text must survive as a subsequence of the result's lines, in order. */
function assertKept(t: import("ava").ExecutionContext, before: string, after: string): void {
  const lines = after.split("\n");
  let at = 0;
  for (const line of before.split("\n")) {
    const found = lines.indexOf(line, at);
    t.not(found, -1, `line lost: ${JSON.stringify(line)}`);
    at = found + 1;
  }
}

const sourcesOf = (text: string) =>
  parseConfig(text).sources.map(({ id, url, categories, homepage }) => ({
    id,
    url,
    categories,
    homepage,
  }));

test("block lists: entries go after the last one, in its indentation, before trailing comments", (t) => {
  const before = `${categories}
# sources: the partners.
sources:
  # A comment on the first one.
  - id: first
    title: "First"   # quoted on purpose
    url: https://first.example/feed
    categories: [news]

  - id: second
    title: Second
    url: https://second.example/feed
    categories: [other]

  # Left out on purpose: a partner without a feed.
`;
  const after = appendSources(before, added, "Imported from list.opml.");
  assertKept(t, before, after);
  t.true(
    after.includes(`    categories: [other]

  # Imported from list.opml.
  - id: new-one
    title: "New: one"
    url: https://x.example/feed?a=1&b=2
    homepage: https://x.example/
    categories: [news, other]

  - id: two
    title: Two
    url: https://y.example/rss
    categories: [news]

  # Left out on purpose`),
    after,
  );
  t.deepEqual(
    sourcesOf(after).map((s) => s.id),
    ["first", "second", "new-one", "two"],
  );
  t.deepEqual(sourcesOf(after)[2], {
    id: "new-one",
    url: "https://x.example/feed?a=1&b=2",
    categories: ["news", "other"],
    homepage: "https://x.example/",
  });
});

test("a list of flow mappings gets flow mappings", (t) => {
  const before = `${categories}sources:
  - { id: a, title: A, url: "https://a.example/", categories: [news] }  # note
# end
`;
  const after = appendSources(before, added);
  assertKept(t, before, after);
  t.true(
    after.includes(
      "  - { id: two, title: Two, url: https://y.example/rss, categories: [news] }\n# end\n",
    ),
    after,
  );
  t.deepEqual(
    sourcesOf(after).map((s) => s.id),
    ["a", "new-one", "two"],
  );
});

test("unindented block lists stay unindented", (t) => {
  const before = `sources:
- id: a
  title: A
  url: https://a.example/
  categories: [news]
${categories}`;
  const after = appendSources(before, added);
  assertKept(t, before, after);
  t.true(after.includes("\n- id: two\n  title: Two\n"), after);
  t.deepEqual(
    sourcesOf(after).map((s) => s.id),
    ["a", "new-one", "two"],
  );
});

test("an empty list or an empty key becomes a block list under the key", (t) => {
  for (const before of [
    `${categories}sources: []\n`,
    `${categories}sources: # none yet\n# tail\n`,
  ]) {
    const after = appendSources(before, added);
    t.deepEqual(
      sourcesOf(after).map((s) => s.id),
      ["new-one", "two"],
      after,
    );
    t.true(after.startsWith(categories), after);
  }
  const withComment = appendSources(`${categories}sources: # none yet\n`, added);
  t.true(withComment.includes("sources: # none yet\n  - id: new-one\n"), withComment);
});

test("a non-empty flow list is continued inside its brackets", (t) => {
  const before = `${categories}sources: [{ id: a, title: A, url: "https://a.example/", categories: [news] }]\n`;
  const after = appendSources(before, added);
  t.deepEqual(
    sourcesOf(after).map((s) => s.id),
    ["a", "new-one", "two"],
  );
});

test("a file without a sources list is refused", (t) => {
  t.throws(() => appendSources("categories: []\n", added), {
    instanceOf: YamlEditError,
    message: /no "sources" key/,
  });
  t.throws(() => appendSources("categories: []\nsources: nope\n", added), {
    instanceOf: YamlEditError,
    message: /not a list/,
  });
});

test("renderSourcesYaml prints entries a reader can paste under sources:", (t) => {
  t.is(
    renderSourcesYaml([added[1] as NewSource]),
    "- id: two\n  title: Two\n  url: https://y.example/rss\n  categories: [news]\n",
  );
});
