// The one error type the fetch layer reports. Callers switch on `kind` (it becomes the
// source's `errorKind` in /api/sources), so kinds are a closed vocabulary plus `http-<status>` (model/poll.ts).
import type { FetchErrorKind } from "../../model/poll.js";
import { BlockedAddressError } from "./address-guard.js";

export type { FetchErrorKind } from "../../model/poll.js";

export interface FetchErrorDetails {
  status?: number;
  retryAfter?: Date;
  cause?: unknown;
}

export class FetchError extends Error {
  override readonly name = "FetchError";
  readonly kind: FetchErrorKind;
  readonly url: string;
  readonly status?: number;
  /** When the partner asked us to come back (Retry-After on 429/503). */
  readonly retryAfter?: Date;

  constructor(kind: FetchErrorKind, url: string, detail: string, details: FetchErrorDetails = {}) {
    super(`${detail} (${url})`, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.url = url;
    if (details.status !== undefined) this.status = details.status;
    if (details.retryAfter !== undefined) this.retryAfter = details.retryAfter;
  }
}

/** Error codes of a name that did not resolve (getaddrinfo), as opposed to a peer that misbehaved. */
const DNS_CODES: ReadonlySet<string> = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
  "EAI_NODATA",
  "EAI_FAIL",
]);

/** undici's own timers; normally our deadline fires first, but they mean the same thing. */
const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);

/** Walks `error` and its `cause` chain (undici and AggregateError nest the syscall error). */
function* causes(error: unknown): Generator<unknown> {
  let current = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    yield current;
    if (current instanceof AggregateError) yield* current.errors;
    current = (current as { cause?: unknown }).cause;
  }
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Maps a network-level failure (connect, DNS, socket reset, TLS…) to a FetchError.
 * Deadline and abort handling happen before this: the caller knows which signal fired.
 */
export function networkFetchError(error: unknown, url: string): FetchError {
  if (error instanceof FetchError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  for (const candidate of causes(error)) {
    if (candidate instanceof BlockedAddressError) {
      return new FetchError("blocked-address", url, candidate.message, { cause: error });
    }
    const code = codeOf(candidate);
    if (code === undefined) continue;
    if (DNS_CODES.has(code)) {
      return new FetchError("dns", url, `Could not resolve host: ${code}`, { cause: error });
    }
    if (TIMEOUT_CODES.has(code)) {
      return new FetchError("timeout", url, `Timed out: ${code}`, { cause: error });
    }
  }
  // Refused, reset, closed early, TLS failures, malformed HTTP: the partner's server or the
  // path to it is at fault; the cause keeps the precise reason for the log.
  const code = [...causes(error)].map(codeOf).find((c) => c !== undefined);
  return new FetchError("connection", url, `Connection failed: ${code ?? reason}`, {
    cause: error,
  });
}

/** `Retry-After` is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now: Date): Date | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return new Date(now.getTime() + Number(trimmed) * 1000);
  // All three HTTP-date formats start with a day name; Date.parse alone accepts "-5".
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  const time = Date.parse(trimmed);
  return Number.isNaN(time) ? undefined : new Date(time);
}
