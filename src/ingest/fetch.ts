// The only code that talks to partner servers. One call = one poll of one feed URL:
// conditional GET, redirects followed by hand (each hop checked and counted), a total
// deadline, a cap on the decoded size, and a result object instead of exceptions
// (miniflux `reader/fetcher/response_handler.go` is the model).
//
// Each call gets its own undici Agent, destroyed when the call ends: sockets never outlive
// the fetch (a timed-out or capped response really closes its connection), the address
// guard travels with the Agent's `connect.lookup`, and there is no shared mutable state.
// Polling runs every few minutes per source, so losing keep-alive across polls costs little;
// keep-alive across the redirect hops of one fetch still works.
//
// Reading a body under the cap (and content decoding) is fetch-body.ts; the total deadline and
// the classification of failures is fetch-deadline.ts.
import type { LookupFunction } from "node:net";
import { Agent, type Dispatcher, request } from "undici";
import {
  type AddressClassifier,
  createGuardedLookup,
  isBlockedAddress,
  isBlockedLiteralHost,
} from "./address-guard.js";
import { FetchError, parseRetryAfter } from "./errors.js";
import { discardBody, header, readBody } from "./fetch-body.js";
import { type Deadline, describeFailure, startDeadline } from "./fetch-deadline.js";

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export interface FetchOptions {
  /** Total deadline for the whole fetch: connect, headers, every redirect hop and the body. */
  timeoutMs: number;
  /** Cap on the decoded body (after gzip/deflate/br); the raw body is capped at the same size. */
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  /** False: refuse loopback, private, link-local, CGNAT, ULA… on every hop (see address-guard). */
  allowPrivateNetworks: boolean;
  /** External abort (shutdown): the fetch fails with kind `aborted`. */
  signal?: AbortSignal;
  /**
   * Resolver for partner host names (default `dns.lookup`). Its answer is both what the guard
   * judges and what is connected to, one lookup per connection, so a name whose DNS answer
   * changes between lookups (rebinding) is judged on the address really used.
   */
  lookup?: LookupFunction;
  /** Which resolved addresses are refused (default: address-guard's `isBlockedAddress`). */
  isBlockedAddress?: AddressClassifier;
}

export type FetchResult =
  | {
      kind: "modified";
      url: string;
      finalUrl: string;
      status: number;
      body: Buffer;
      contentType?: string;
      validators: Validators;
      /** Set to `finalUrl` when every redirect hop was permanent (301/308). */
      permanentRedirect?: string;
      /** Redirects followed (any status). */
      redirects: number;
      durationMs: number;
    }
  | {
      kind: "not-modified";
      url: string;
      finalUrl: string;
      validators: Validators;
      /** As for `modified`: a moved feed is usually noticed on a 304 poll. */
      permanentRedirect?: string;
      redirects: number;
      durationMs: number;
    }
  | { kind: "failed"; url: string; error: FetchError; durationMs: number };

/** Feed types first; plain XML is what many partners (WordPress, Drupal) actually serve. */
const ACCEPT =
  "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8";
const ACCEPT_ENCODING = "gzip, deflate, br";

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const PERMANENT_REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 308]);
/** Statuses whose Retry-After we honour: the partner is asking us to slow down. */
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** What the final response gave; followRedirects adds the hop count, fetchFeed the time. */
type Outcome =
  | Omit<Extract<FetchResult, { kind: "modified" }>, "durationMs" | "redirects">
  | Omit<Extract<FetchResult, { kind: "not-modified" }>, "durationMs" | "redirects">;

type Response = Dispatcher.ResponseData;

/**
 * Fetches one feed URL. Never throws for HTTP or network problems: every failure comes back
 * as `{ kind: "failed", error }` with `error.kind` naming it.
 */
export async function fetchFeed(
  url: string,
  validators: Validators,
  options: FetchOptions,
): Promise<FetchResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const deadline = startDeadline(options.timeoutMs, options.signal);
  const agent = createAgent(options);
  try {
    const outcome = await followRedirects(url, validators, options, { agent, deadline });
    return { ...outcome, durationMs: elapsed() };
  } catch (error) {
    return {
      kind: "failed",
      url,
      error: describeFailure(error, url, deadline),
      durationMs: elapsed(),
    };
  } finally {
    deadline.clear();
    // Closes whatever is still open: a half-read body at the cap, a dripping server at the
    // deadline. Resolves once the sockets are destroyed.
    await agent.destroy().catch(() => undefined);
  }
}

interface Session {
  agent: Dispatcher;
  deadline: Deadline;
}

async function followRedirects(
  url: string,
  validators: Validators,
  options: FetchOptions,
  session: Session,
): Promise<Outcome & { redirects: number }> {
  let current = parseFeedUrl(url, undefined, url);
  const visited = new Set<string>();
  let allPermanent = true;
  for (let redirects = 0; ; redirects++) {
    visited.add(current.href);
    const response = await sendRequest(current, validators, options, session);
    const location = redirectLocation(response);
    if (location === undefined) {
      const permanentRedirect = redirects > 0 && allPermanent ? current.href : undefined;
      const outcome = await handleFinalResponse(
        response,
        url,
        current.href,
        validators,
        options,
        session,
        permanentRedirect,
      );
      return { ...outcome, redirects };
    }
    await discardBody(response, current.href, session.deadline);
    if (redirects >= options.maxRedirects) {
      throw new FetchError(
        "too-many-redirects",
        current.href,
        `More than ${options.maxRedirects} redirects`,
      );
    }
    allPermanent &&= PERMANENT_REDIRECT_STATUSES.has(response.statusCode);
    const next = parseFeedUrl(location, current, current.href);
    if (visited.has(next.href)) {
      throw new FetchError(
        "too-many-redirects",
        current.href,
        `Redirect loop back to ${next.href}`,
      );
    }
    current = next;
  }
}

/** Resolves a feed or Location URL; only http(s) with a host is fetchable. */
function parseFeedUrl(location: string, base: URL | undefined, reportAs: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(location, base);
  } catch (error) {
    throw new FetchError("bad-url", reportAs, `Malformed URL ${JSON.stringify(location)}`, {
      cause: error,
    });
  }
  if ((parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.hostname === "") {
    throw new FetchError("bad-url", reportAs, `Not an http(s) URL: ${parsed.href}`);
  }
  // The fragment is never sent and would defeat loop detection.
  parsed.hash = "";
  return parsed;
}

async function sendRequest(
  url: URL,
  validators: Validators,
  options: FetchOptions,
  session: Session,
): Promise<Response> {
  // Node connects to IP literals without calling `lookup`, so the guard on the Agent never
  // sees them; WHATWG URL parsing has already turned `2130706433` or `0x7f.1` into 127.0.0.1.
  const isBlocked = options.isBlockedAddress ?? isBlockedAddress;
  if (!options.allowPrivateNetworks && isBlockedLiteralHost(url.hostname, isBlocked)) {
    throw new FetchError(
      "blocked-address",
      url.href,
      `Refusing to connect to ${url.hostname}: private or reserved address`,
    );
  }
  try {
    return await request(url, {
      method: "GET",
      headers: requestHeaders(validators, options.userAgent),
      signal: session.deadline.signal,
      dispatcher: session.agent,
    });
  } catch (error) {
    throw describeFailure(error, url.href, session.deadline);
  }
}

function requestHeaders(validators: Validators, userAgent: string): Record<string, string> {
  const headers: Record<string, string> = {
    "user-agent": userAgent,
    accept: ACCEPT,
    "accept-encoding": ACCEPT_ENCODING,
  };
  const { etag, lastModified } = definedValidators(validators);
  if (etag !== undefined) headers["if-none-match"] = etag;
  if (lastModified !== undefined) headers["if-modified-since"] = lastModified;
  return headers;
}

function redirectLocation(response: Response): string | undefined {
  // A 3xx without Location cannot be followed; it falls through to `http-3xx`.
  return REDIRECT_STATUSES.has(response.statusCode) ? header(response, "location") : undefined;
}

async function handleFinalResponse(
  response: Response,
  url: string,
  finalUrl: string,
  validators: Validators,
  options: FetchOptions,
  session: Session,
  permanentRedirect: string | undefined,
): Promise<Outcome> {
  const status = response.statusCode;
  const moved = permanentRedirect === undefined ? {} : { permanentRedirect };
  if (status === 304) {
    await discardBody(response, finalUrl, session.deadline);
    return {
      kind: "not-modified",
      url,
      finalUrl,
      validators: { ...definedValidators(validators), ...responseValidators(response) },
      ...moved,
    };
  }
  if (status >= 200 && status < 300) {
    const body = await readBody(response, finalUrl, options.maxBytes, session.deadline);
    const contentType = header(response, "content-type");
    return {
      kind: "modified",
      url,
      finalUrl,
      status,
      body,
      ...(contentType === undefined ? {} : { contentType }),
      validators: responseValidators(response),
      ...moved,
    };
  }
  await discardBody(response, finalUrl, session.deadline);
  throw statusError(response, finalUrl);
}

function responseValidators(response: Response): Validators {
  return definedValidators({
    etag: header(response, "etag"),
    lastModified: header(response, "last-modified"),
  });
}

/** Drops absent and empty validators, so callers may pass `{ etag: undefined }` freely. */
function definedValidators({ etag, lastModified }: Validators): Validators {
  return {
    ...(etag ? { etag } : {}),
    ...(lastModified ? { lastModified } : {}),
  };
}

function statusError(response: Response, url: string): FetchError {
  const status = response.statusCode;
  if (status === 410) {
    return new FetchError("gone", url, "HTTP 410 Gone: the feed was removed", { status });
  }
  const retryAfter = RETRY_AFTER_STATUSES.has(status)
    ? parseRetryAfter(header(response, "retry-after"), new Date())
    : undefined;
  return new FetchError(`http-${status}`, url, `HTTP ${status}`, {
    status,
    ...(retryAfter === undefined ? {} : { retryAfter }),
  });
}

function createAgent(options: FetchOptions): Agent {
  const lookup = options.allowPrivateNetworks
    ? options.lookup
    : createGuardedLookup({ lookup: options.lookup, isBlocked: options.isBlockedAddress });
  return new Agent({
    // undici's own timers are backstops; the deadline normally fires first.
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: {
      timeout: options.timeoutMs,
      ...(lookup === undefined ? {} : { lookup }),
    },
  });
}
