// When two partners' titles name one story (issue: one entry per story): a retitled copy keeps
// most of its words — the republisher adds "| UN News" or "- ReliefWeb", an "UPDATE:" in front,
// changes case, punctuation, accents or quotes — while two different stories of one series
// differ in few words but those are the ones that matter ("Situation Report No. 12" and
// "No. 13"). The rule, used only inside a time window the caller applies:
//   • titles are compared as sets of words (Unicode word boundaries) after folding (NFKD,
//     accents, case and apostrophes dropped) and dropping a republisher's "| Site" / " - Site" tail and an
//     "UPDATE:"/"BREAKING:" head;
//   • both have at least MIN_WORDS words (short titles — "Press release", "Statement by the
//     spokesperson" — say too little to match on);
//   • the numbers in them are the same (years, report numbers, counts, "Day Four");
//   • the Jaccard similarity of the word sets is at least MIN_SIMILARITY.
// Pure and cheap: a title's words are computed once (titleWords) and compared as sets.

/** Fewer words than this never match on title alone. */
export const MIN_WORDS = 5;
/** Shared words over all words, at least. */
export const MIN_SIMILARITY = 0.8;

/** A leading tag a republisher or an update adds. */
const HEAD = /^\s*(?:update[ds]?|breaking|new|press release|news release)\s*[:\-–—|]\s*/i;
/** A trailing " | Site name" or " - Site name" of up to five words, as sites append theirs. */
const TAIL = /\s+[|\-–—]\s+[^|\-–—]{1,60}$/;

const WORDS = new Intl.Segmenter("und", { granularity: "word" });

/** Scripts written without spaces between words: only these need the segmenter's dictionary. */
const UNSPACED =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const SPACED_WORD =
  /[\p{L}\p{N}\p{M}]+(?:(?:\.(?=[\p{L}\p{N}])|(?<=\p{L}):(?=\p{L})|,(?=\p{N}))[\p{L}\p{N}\p{M}]+)*/gu;

/** Whether `text` is all ASCII (a loop: a regex of that range reads as control characters). */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** SPACED_WORD for lower-case ASCII text: letters and digits are all its \p{L} and \p{N}. */
const ASCII_WORD = /[a-z0-9]+(?:(?:\.(?=[a-z0-9])|(?<=[a-z]):(?=[a-z])|,(?=[0-9]))[a-z0-9]+)*/g;

/** Numbers written out, which tell the parts of a series apart as digits do. */
const NUMBER_WORDS = new Set(
  (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen " +
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty hundred thousand " +
    "million billion first second third fourth fifth sixth seventh eighth ninth tenth"
  ).split(" "),
);

export interface TitleWords {
  words: ReadonlySet<string>;
  /** The numbers among the words, sorted, joined: they must be equal to match. */
  numbers: string;
}

/** The comparable form of a title. */
export function titleWords(title: string | undefined): TitleWords {
  let text = (title ?? "").replace(HEAD, "");
  // Only a short tail is a site name (a long one is part of the title). Two at most: a
  // republisher's "| UN News" after the author's own "| Jane Doe".
  for (let round = 0; round < 2; round++) {
    const tail = TAIL.exec(text);
    if (!tail || tail.index === 0 || tail[0].trim().split(/\s+/).length > 6) break;
    // A number makes it part of the title ("- Chapter 3", "– Day 4"), not a site's name.
    if (/\p{N}/u.test(tail[0])) break;
    text = text.slice(0, tail.index);
  }
  // Most titles are ASCII: nothing to fold, and the same words found by ASCII classes, which
  // run several times faster than Unicode property classes (a poll folds every new title).
  const ascii = isAscii(text);
  const folded = ascii
    ? text.toLowerCase().replace(/'/g, "")
    : text
        .normalize("NFKD")
        .replace(/\p{M}+/gu, "")
        .toLowerCase()
        .replace(/['’ʼ]/g, "");
  const words = new Set<string>();
  if (ascii) {
    for (const word of folded.match(ASCII_WORD) ?? []) words.add(word);
  } else if (UNSPACED.test(folded)) {
    // Word boundaries by Unicode's rules (Intl.Segmenter): Chinese, Japanese and Thai titles have
    // no spaces between their words, and splitting on spaces would see one word per phrase.
    for (const { segment, isWordLike } of WORDS.segment(folded)) if (isWordLike) words.add(segment);
  } else {
    // The same words as the segmenter finds for scripts that space their words, several times
    // faster: runs of letters and digits, kept whole across a "." between letters or digits
    // ("u.s", "3.5"), a ":" between letters and a "," between digits ("1,000"), as UAX #29
    // keeps them.
    for (const word of folded.match(SPACED_WORD) ?? []) words.add(word);
  }
  // Every run of digits, wherever it is ("COVID-19", "1940s", "v1.2.3"), and the English number
  // words: "Day Four" and "Day Five" of a series are two stories.
  const digits = folded.match(ascii ? /[0-9]+/g : /\p{N}+/gu) ?? [];
  const spelled = [...words].filter((word) => NUMBER_WORDS.has(word));
  const numbers = [...digits, ...spelled].sort().join(" ");
  return { words, numbers };
}

/** Whether two titles name the same story by the rule above. */
export function sameStoryTitle(a: TitleWords, b: TitleWords): boolean {
  if (a.words.size < MIN_WORDS || b.words.size < MIN_WORDS) return false;
  if (a.numbers !== b.numbers) return false;
  let shared = 0;
  for (const word of a.words) if (b.words.has(word)) shared++;
  const union = a.words.size + b.words.size - shared;
  return shared / union >= MIN_SIMILARITY;
}
