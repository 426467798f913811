// Measures the title rule of model/story-title.ts (one entry per story across partners) on the
// real-world corpus (../shared/corpus/real-world): feeds from unrelated publishers, so any two
// distinct entries whose titles match are a false merge (printed, with and without the 72 h
// window the matcher applies); and on pairs built from the corpus's own titles — copies the way
// republishers retitle them (a "| Site" tail, an "UPDATE:" head, upper case, no accents or
// apostrophes: every one should match, a miss is a missed merge) and near misses (the same title
// with one of its numbers changed: none should match, a match is a false merge).
import { readFileSync } from "node:fs";
import { ingestBytes } from "../src/ingest/ingest.js";
import { storyLinkKey } from "../src/model/story-link.js";
import { MIN_WORDS, sameStoryTitle, titleWords } from "../src/model/story-title.js";
import { corpusPath, hasCorpus, skipMessage } from "../test/helpers/corpus.js";

const WINDOW_MS = 72 * 3_600_000;

interface Entry {
  feed: string;
  id: string;
  title: string;
  link?: string;
  published: number;
}

async function corpusEntries(): Promise<Entry[]> {
  const manifest = readFileSync(corpusPath("real-world", "MANIFEST.tsv"), "utf8");
  const entries: Entry[] = [];
  for (const line of manifest.split("\n").slice(1)) {
    const [input = ""] = line.split("\t");
    if (input === "") continue;
    try {
      const body = readFileSync(corpusPath("real-world", input));
      const source = { id: input, categories: ["c"], feedUrl: "https://feed.example/" };
      const { updates } = await ingestBytes(body, undefined, source, new Date("2026-01-01"));
      for (const u of updates) {
        entries.push({
          feed: input,
          id: u.id,
          title: u.title,
          link: u.link,
          published: Date.parse(u.published),
        });
      }
    } catch {
      // Not a feed (the corpus holds one HTML page on purpose).
    }
  }
  return entries;
}

function copiesOf(title: string): string[] {
  const noMarks = title
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .replace(/['’]/g, "");
  return [
    `${title} | UN News`,
    `UPDATE: ${title}`,
    title.toUpperCase(),
    noMarks,
    `${title} - ReliefWeb`,
  ];
}

function nearMissOf(title: string): string | undefined {
  const number = /\d+/.exec(title);
  if (!number) return undefined;
  return `${title.slice(0, number.index)}${Number(number[0]) + 1}${title.slice(number.index + number[0].length)}`;
}

async function main() {
  if (!hasCorpus) {
    console.log(`story titles: skipped, ${skipMessage}`);
    return;
  }
  const entries = await corpusEntries();
  const words = entries.map((e) => titleWords(e.title));
  let pairs = 0;
  let falseAny = 0;
  let falseWindow = 0;
  const examples: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const a = entries[i] as Entry;
      const b = entries[j] as Entry;
      // Only entries of different sources are ever merged.
      if (a.feed === b.feed) continue;
      pairs++;
      if (!sameStoryTitle(words[i] as never, words[j] as never)) continue;
      // The same link is the same story, not a title match.
      if (storyLinkKey(a.link) !== undefined && storyLinkKey(a.link) === storyLinkKey(b.link))
        continue;
      falseAny++;
      if (Math.abs(a.published - b.published) <= WINDOW_MS) falseWindow++;
      if (examples.length < 8)
        examples.push(`  ${a.feed}: "${a.title}"  ~  ${b.feed}: "${b.title}"`);
    }
  }
  const eligible = entries.filter((_, i) => (words[i]?.words.size ?? 0) >= MIN_WORDS);
  let copies = 0;
  let missed = 0;
  let nearMisses = 0;
  let nearMerged = 0;
  const missedExamples: string[] = [];
  const nearExamples: string[] = [];
  for (const entry of eligible) {
    const original = titleWords(entry.title);
    for (const copy of copiesOf(entry.title)) {
      copies++;
      if (sameStoryTitle(original, titleWords(copy))) continue;
      missed++;
      if (missedExamples.length < 4) missedExamples.push(`  missed: "${entry.title}" ~ "${copy}"`);
    }
    const near = nearMissOf(entry.title);
    if (near !== undefined) {
      nearMisses++;
      if (!sameStoryTitle(original, titleWords(near))) continue;
      nearMerged++;
      if (nearExamples.length < 4) nearExamples.push(`  merged: "${entry.title}" ~ "${near}"`);
    }
  }
  console.log(
    `story titles (${MIN_WORDS}+ words, Jaccard ≥ 0.8, equal numbers) on the real-world corpus: ${entries.length} entries, ${eligible.length} with titles long enough to match`,
  );
  console.log(
    `  false merges among ${pairs} pairs of entries of different feeds: ${falseAny} at any distance, ${falseWindow} within 72 h`,
  );
  for (const example of examples) console.log(example);
  console.log(
    `  built copies (site tail, UPDATE: head, upper case, no accents/apostrophes): ${missed} missed of ${copies}`,
  );
  for (const example of missedExamples) console.log(example);
  console.log(`  built near misses (one number changed): ${nearMerged} merged of ${nearMisses}`);
  for (const example of nearExamples) console.log(example);
}

await main();
