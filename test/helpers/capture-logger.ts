// A real pino logger whose lines are kept in memory, parsed, plus the raw text, so tests can
// check what was logged (and that a secret never was).
import { pino } from "pino";
import type { Logger } from "../../src/log.js";

export interface CapturedLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface CapturedLogger {
  logger: Logger;
  lines: CapturedLine[];
  /** Every line as written. */
  raw(): string;
}

export function captureLogger(level = "debug"): CapturedLogger {
  const written: string[] = [];
  const lines: CapturedLine[] = [];
  const logger = pino(
    // No redaction here: a test that checks a secret is never logged must see every attempt.
    { level },
    {
      write: (line: string) => {
        written.push(line);
        lines.push(JSON.parse(line) as CapturedLine);
      },
    },
  );
  return { logger, lines, raw: () => written.join("") };
}
