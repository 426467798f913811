// An entry's language from its text, when the partner declared none (issue: "detection from its
// text with a well-kept library, only when the text is long enough to be reliable; otherwise
// none"). tinyld (its light model: the normal one alone outgrows a small parse worker heap):
// pure JS, no dependencies, ISO 639-1 codes, about 0.5 ms per entry of a few hundred
// characters (a partner that declares its language saves that). The thresholds: at least
// MIN_LETTERS letters of text (MIN_IDEOGRAPHS for Chinese and Japanese, whose characters carry
// more), and a clear winner — the only candidate, or one at least MARGIN times as likely as
// the next. "Press release" or "Communiqué de presse" get none.
import { detectAll } from "tinyld/light";
import { canonicalLanguage } from "../../model/language.js";

export const MIN_LETTERS = 40;
export const MIN_IDEOGRAPHS = 12;
export const MARGIN = 1.5;

const IDEOGRAPHS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu;
const LETTERS = /\p{L}/gu;

/** The language of `text` as a canonical BCP 47 primary tag, or undefined when unsure. */
export function detectLanguage(text: string): string | undefined {
  const ideographs = text.match(IDEOGRAPHS)?.length ?? 0;
  const letters = text.match(LETTERS)?.length ?? 0;
  if (ideographs < MIN_IDEOGRAPHS && letters < MIN_LETTERS) return undefined;
  const [best, next] = detectAll(text);
  if (best === undefined || best.lang === "") return undefined;
  if (next !== undefined && best.accuracy < next.accuracy * MARGIN) return undefined;
  return canonicalLanguage(best.lang);
}
