// "Also published by …" under an entry whose story other partners carried (Update.story, set
// by the store on merged listings), rendered by the built-in templates.
import test from "ava";
import type { Update } from "../../src/model/update.js";
import { embedPage, homePage } from "../../src/pages/page-views.js";
import { loadTemplates } from "../../src/pages/templates.js";
import { entryView } from "../../src/pages/views.js";
import { makeConfig } from "../helpers/config.js";
import { makeUpdate, minutesAfterEpoch } from "../helpers/updates.js";

const storyEntry = (): Update =>
  makeUpdate({
    id: "un-1",
    sourceId: "un-news",
    categories: ["trafficking"],
    story: {
      id: "first",
      copies: [
        { id: "un-1", sourceId: "un-news", published: minutesAfterEpoch(0), title: "R" },
        {
          id: "atr-1",
          sourceId: "atr",
          link: "https://atr.example/a?x=1&y=<2>",
          published: minutesAfterEpoch(5),
          title: "R",
        },
        {
          id: "gone-1",
          sourceId: "left-us",
          link: "https://gone.example/",
          published: minutesAfterEpoch(6),
          title: "R",
        },
        {
          id: "mpi-1",
          sourceId: "mpi",
          link: "javascript:alert(1)",
          published: minutesAfterEpoch(7),
          title: "R",
        },
      ],
    },
  });

test("the view lists the other configured partners, http(s) links only, and the story id", (t) => {
  const config = makeConfig();
  const partners = new Map(config.sources.map((source) => [source.id, { title: source.title }]));
  const view = entryView(storyEntry(), partners, { language: "en" }, { maxLength: 280 });
  t.is(view.id, "first");
  t.deepEqual(view.alsoPublishedBy, [
    { name: "Anti-Trafficking Review", url: "https://atr.example/a?x=1&y=%3C2%3E" },
    { name: "Migration Policy Institute" },
  ]);
  const plain = entryView(makeUpdate(), partners, { language: "en" }, { maxLength: 280 });
  t.deepEqual(plain.alsoPublishedBy, []);
});

test('the page shows "Also published by" with escaped links; a lone entry shows none', (t) => {
  const config = makeConfig();
  const templates = loadTemplates(config.pages);
  const html = templates.render(
    "home",
    homePage(config, [storyEntry(), makeUpdate({ sourceId: "atr" })], new Map()),
  );
  const lines = html.match(/<p class="entry-also">.*<\/p>/g) ?? [];
  t.deepEqual(lines, [
    '<p class="entry-also">Also published by <a href="https://atr.example/a?x=1&amp;y=%3C2%3E">Anti-Trafficking Review</a>, Migration Policy Institute</p>',
  ]);
  t.false(html.includes("javascript:"));
  t.false(html.includes("gone.example"));
});

test("the embed list shows the same line, links opening in the top window", (t) => {
  const config = makeConfig();
  const templates = loadTemplates(config.pages);
  const html = templates.render("embed", embedPage(config, "trafficking", [storyEntry()], "auto"));
  t.regex(
    html,
    /Also published by <a href="https:\/\/atr\.example\/a\?x=1&amp;y=%3C2%3E" target="_top" rel="noopener">Anti-Trafficking Review<\/a>/,
  );
});
