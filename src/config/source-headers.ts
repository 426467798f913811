// `sources[].headers`: extra request headers for a private partner feed (an API key, a bearer
// token), whose values may reference environment variables. Values are secrets: no message
// here quotes one, and `issueLines` never shows the offending value under a `headers` path.
import { z } from "zod";
import {
  expandReferences,
  isWellFormed,
  MALFORMED_REFERENCE,
  referencedVariables,
  variableValue,
} from "./env-references.js";
import { formatPath } from "./errors.js";
import type { Env } from "./types.js";

/** RFC 9110 §5.6.2 `token`: the characters a field name may have. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Headers a source may not set: those of the connection itself (RFC 9110 §7.6.1 hop-by-hop,
 * Host, Content-Length, Expect), and those the fetcher owns — the conditional GET validators,
 * Range (a partial body is not a feed) and Accept-Encoding (only the codings it decodes).
 */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  "host",
  "content-length",
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
  "accept-encoding",
  "if-none-match",
  "if-modified-since",
  "if-match",
  "if-unmodified-since",
  "if-range",
  "range",
]);

/** HTAB is the only control character a field value may hold (RFC 9110 §5.5); CR/LF would split it. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

const headerName = z
  .string()
  .regex(HEADER_NAME, {
    error: "is not a valid header name (RFC 9110 token: letters, digits and !#$%&'*+-.^_`|~)",
  })
  .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), {
    error: "cannot be set by a source: the connection or the fetcher sets it",
  });

const headerValue = z
  .string({ error: "must be a string (quote numbers)" })
  .refine((value) => value.trim() !== "", { error: "must be a non-empty string" })
  .refine((value) => !CONTROL.test(value), {
    error: "must not contain CR, LF or other control characters",
  })
  .refine(isWellFormed, { error: MALFORMED_REFERENCE });

export const headersSchema = z.record(headerName, headerValue, {
  error: (issue) =>
    issue.input === undefined ? "is required" : "must be a mapping of header names to values",
});

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/**
 * What the schema cannot see in one source's headers, read from the raw file so it is reported
 * with every other problem: names repeated in another case, a Basic credential given twice, and
 * environment references that are unset or whose value cannot be sent. Values of the wrong type
 * or malformed references are skipped: the schema reports them.
 */
export function headerProblems(
  source: Record<string, unknown>,
  index: number,
  env: Env,
  options: { resolveReferences: boolean },
): string[] {
  const headers = asRecord(source.headers);
  if (headers === undefined) return [];
  const problems: string[] = [];
  const at = (name: string) => formatPath(["sources", index, "headers", name]);
  const firstSpelling = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    const first = firstSpelling.get(lower);
    if (first === undefined) firstSpelling.set(lower, name);
    else problems.push(`${at(name)}: duplicate header (also given as ${first})`);
    if (lower === "authorization" && hasUserinfo(source.url)) {
      problems.push(
        `${at(name)}: conflicts with the user:password in sources[${index}].url, which is sent as Authorization: Basic; give one of them`,
      );
    }
    if (!options.resolveReferences || typeof value !== "string" || !isWellFormed(value)) continue;
    for (const variable of referencedVariables(value)) {
      const resolved = variableValue(env, variable);
      if (resolved === undefined) {
        problems.push(
          `${at(name)}: references \${${variable}}, which is not set in the environment`,
        );
      } else if (CONTROL.test(resolved)) {
        problems.push(
          `${at(name)}: \${${variable}} holds CR, LF or another control character, which cannot be sent in a header`,
        );
      }
    }
  }
  return problems;
}

function hasUserinfo(url: unknown): boolean {
  if (typeof url !== "string") return false;
  try {
    const parsed = new URL(url.trim());
    return parsed.username !== "" || parsed.password !== "";
  } catch {
    return false;
  }
}

/** The headers as they are sent: every reference replaced by its variable's value. */
export function resolveHeaders(headers: Record<string, string>, env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, expandReferences(value, env)]),
  );
}
