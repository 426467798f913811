// Category rules (ingest/categorise.ts): which entries a rule matches — tags, whole words and
// phrases with case and accents folded, the link's host and path — and what it does: add
// categories to the source's own, or drop the entry.
import test from "ava";
import type { CategoryRule } from "../../src/config/types.js";
import { SourceRules } from "../../src/ingest/categorise.js";
import { makeUpdate } from "../helpers/updates.js";

const entry = (title: string, more: Parameters<typeof makeUpdate>[0] = {}) =>
  makeUpdate({ title, summary: "", categories: ["news"], tags: [], ...more });

const applied = (
  rules: CategoryRule[],
  entries: ReturnType<typeof entry>[],
  own: CategoryRule[] = [],
) => new SourceRules(rules, own).apply(entries);

test("words and phrases match whole words, whatever their case and accents", (t) => {
  const rules: CategoryRule[] = [
    { when: { words: ["human trafficking", "réfugiés"] }, add: ["trafficking"] },
  ];
  const { kept } = applied(rules, [
    entry("New report on HUMAN   trafficking in the Sahel"),
    entry("Les refugies du Soudan"),
    entry("Anti-human-trafficking week", { summary: "" }),
    entry("Humane traffic calming"),
    entry("Nothing here", { summary: "A summary about human trafficking routes." }),
  ]);
  t.deepEqual(
    kept.map((e) => e.categories),
    [
      ["news", "trafficking"],
      ["news", "trafficking"],
      ["news", "trafficking"],
      ["news"],
      ["news", "trafficking"],
    ],
  );
});

test("tags, host (with its subdomains) and path; every condition given must match", (t) => {
  const rules: CategoryRule[] = [
    { when: { tags: ["Migration"] }, add: ["migration"] },
    { when: { host: ["reliefweb.int"], path: ["/report/"] }, add: ["reports"] },
  ];
  const { kept } = applied(rules, [
    entry("Tagged", { tags: ["MIGRATION"] }),
    entry("A report", { link: "https://www.reliefweb.int/report/sudan/x" }),
    entry("Not a report", { link: "https://reliefweb.int/job/123" }),
    entry("Another host", { link: "https://notreliefweb.int/report/x" }),
  ]);
  t.deepEqual(
    kept.map((e) => e.categories),
    [["news", "migration"], ["news", "reports"], ["news"], ["news"]],
  );
});

test("a matching drop rule keeps the entry out, whatever else matches; global rules come first", (t) => {
  const global: CategoryRule[] = [{ when: { words: ["vacancy", "job opening"] }, drop: true }];
  const own: CategoryRule[] = [{ when: { words: ["migration"] }, add: ["migration"] }];
  const vacancy = entry("Vacancy: migration data officer");
  const story = entry("Migration at record levels");
  const result = applied(global, [vacancy, story, entry("Vacancies are listed elsewhere")], own);
  t.deepEqual(result.dropped, [vacancy.id]);
  t.deepEqual(
    result.kept.map((e) => [e.title, e.categories]),
    [
      ["Migration at record levels", ["news", "migration"]],
      ["Vacancies are listed elsewhere", ["news"]],
    ],
  );
});

test("without rules the entries are as the source gave them", (t) => {
  const rules = new SourceRules([]);
  t.true(rules.empty);
  const e = entry("Anything");
  t.deepEqual(rules.apply([e]), { kept: [e], dropped: [] });
});
