// Story keys worked out beside the parse (story-keys.ts: storyKeyHints, primeStoryKeys): the
// worker thread's hints are the values the store would compute, and once primed the main thread
// answers from them instead of computing again.
import { MessageChannel, receiveMessageOnPort } from "node:worker_threads";
import test from "ava";
import {
  exactStoryKeys,
  MAX_HINTS,
  primeStoryKeys,
  storyKeyHints,
  titlePrefix,
  wordsOfTitle,
} from "../../src/model/story-keys.js";
import { makeUpdate } from "../helpers/updates.js";

/** `value` as another thread receives it: through a structured clone. */
function cloned<T>(value: T): T {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(value);
  const received = receiveMessageOnPort(port2)?.message as T;
  port1.close();
  return received;
}

test("hints carry the exact keys, words and prefix the store computes for each entry", (t) => {
  const updates = [
    makeUpdate({
      id: "h-1",
      title: "Thousands displaced as floods sweep through northern camps | ReliefHub",
      link: "http://www.agency.example/news/floods/?utm_source=rss",
      guid: "tag:agency.example,2026:floods-1",
    }),
    makeUpdate({ id: "h-2", title: "Short", link: "https://doi.org/10.1000/xyz123" }),
  ];
  const hints = storyKeyHints(updates);
  t.is(hints.length, 2);
  for (const [i, update] of updates.entries()) {
    const hint = hints[i];
    const words = wordsOfTitle(update.title);
    t.deepEqual(hint?.keys, [...exactStoryKeys(update)]);
    t.deepEqual(hint?.words, words.words);
    t.is(hint?.numbers, words.numbers);
    t.deepEqual(hint?.prefix, [...titlePrefix(words)]);
  }
  t.is(hints[0]?.keys.length, 2, "the canonical link and the tag: guid");
});

test("primed hints are what the main thread answers from afterwards", (t) => {
  // Hints unlike anything computed, so an answer from them cannot be a fresh computation.
  const update = { link: "https://primed.example/story-1", guid: "primed-guid-1" };
  const title = "A title primed from another thread only, never computed here";
  primeStoryKeys(
    cloned([
      {
        ...update,
        keys: ["link:marker-from-hint"],
        title,
        words: new Set(["marker", "words", "from", "the", "hint", "only"]),
        numbers: "7",
        prefix: ["marker"],
      },
    ]),
  );
  const keys = exactStoryKeys(update);
  t.deepEqual([...keys], ["link:marker-from-hint"]);
  t.true(Object.isFrozen(keys), "frozen again after the clone");
  const words = wordsOfTitle(title);
  t.deepEqual([...words.words], ["marker", "words", "from", "the", "hint", "only"]);
  t.is(words.numbers, "7");
  t.deepEqual([...titlePrefix(words)], ["marker"]);
});

test("what is already remembered is kept when the same entry is primed again", (t) => {
  const update = { link: "https://kept.example/story-2", guid: undefined, title: "Kept words" };
  const before = exactStoryKeys(update);
  const words = wordsOfTitle(update.title);
  primeStoryKeys([
    { ...update, keys: ["other"], words: new Set(["other"]), numbers: "", prefix: [] },
  ]);
  t.is(exactStoryKeys(update), before);
  t.is(wordsOfTitle(update.title), words);
});

test(`hints cover a feed's first ${MAX_HINTS} entries at most`, (t) => {
  const updates = Array.from({ length: MAX_HINTS + 3 }, (_, i) =>
    makeUpdate({ id: `many-${i}`, title: `Entry number ${i} of a very long feed` }),
  );
  const hints = storyKeyHints(updates);
  t.is(hints.length, MAX_HINTS);
  t.is(hints.at(-1)?.title, updates[MAX_HINTS - 1]?.title);
});
