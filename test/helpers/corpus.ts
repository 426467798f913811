// Where the external corpus lives: ../shared/corpus beside the checkout, or $TRIBUTARY_CORPUS.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import test from "ava";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export const corpusDir: string =
  process.env.TRIBUTARY_CORPUS ?? resolve(repoRoot, "../shared/corpus");

/** True when the corpus is present; tests that need it skip with a message otherwise. */
export const hasCorpus: boolean = existsSync(corpusDir);

export const corpusPath = (...parts: string[]): string => resolve(corpusDir, ...parts);

export const skipMessage = `external corpus not found at ${corpusDir} (set TRIBUTARY_CORPUS)`;

/**
 * Registers `title` as a skipped test, with the reason in its title: the runner's closing line
 * counts it as skipped (a passing placeholder would count as passed), and a run that must skip
 * nothing (TRIBUTARY_REQUIRE_NO_SKIPS=1, which CI sets when the corpus is present) fails on it.
 */
export function skipTest(title: string, reason: string): void {
  test.skip(`${title} (skipped: ${reason})`, () => {});
}
