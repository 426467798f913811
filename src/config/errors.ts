/**
 * Every problem found in a configuration, one `path.to.field: message` line each, so an
 * operator fixes them all in one pass (`tributary check-config` prints `problems` and exits 2).
 */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[], options?: ErrorOptions) {
    super(problems.join("\n"), options);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

const MAX_SHOWN = 80;

/** `sources[2].url` from zod's `["sources", 2, "url"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** The offending value as JSON, cut so one huge value cannot flood the output. */
export function showValue(value: unknown): string {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    // YAML aliases can build cycles that JSON cannot print.
    shown = String(value);
  }
  return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN - 1)}…` : shown;
}

/** One problem line: `path: message, got <value>` (no `got` when the value is absent). */
export function problemLine(path: string, message: string, value?: unknown): string {
  return value === undefined
    ? `${path}: ${message}`
    : `${path}: ${message}, got ${showValue(value)}`;
}
