// Where the external corpus lives: ../shared/corpus beside the checkout, or $TRIBUTARY_CORPUS.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export const corpusDir: string =
  process.env.TRIBUTARY_CORPUS ?? resolve(repoRoot, "../shared/corpus");

/** True when the corpus is present; tests that need it skip with a message otherwise. */
export const hasCorpus: boolean = existsSync(corpusDir);

export const corpusPath = (...parts: string[]): string => resolve(corpusDir, ...parts);

export const skipMessage = `external corpus not found at ${corpusDir} (set TRIBUTARY_CORPUS)`;
