// The only code that talks to partner servers. One call = one poll of one feed URL:
// conditional GET, redirects followed by hand (each hop checked and counted), a total
// deadline, a cap on the decoded size, and a result object instead of exceptions
// (miniflux `reader/fetcher/response_handler.go` is the model).
//
// The poller passes one undici Agent for all its fetches (createFetchAgent): connections to a
// host are kept alive from one poll to the next, so a cycle over many feeds of one partner (a
// round of 304s above all) does not open a TCP connection per feed. A timed-out or capped
// response still really closes its connection: undici destroys the socket of a request that is
// aborted or whose body is destroyed unread. The address guard travels with the Agent's
// `connect.lookup`, so a reused connection is one that was checked when it opened. A call
// without a shared Agent (check-source, probes) gets its own, destroyed when the call ends.
//
// Reading a body under the cap (and content decoding) is body.ts; the total deadline and
// the classification of failures is deadline.ts; reading a header is headers.ts.
//
// Private partner feeds: the URL's user:password is sent as `Authorization: Basic` (never as
// part of the request URL), and with the configured headers only to the URL's own origin — a
// redirect to another origin drops them, as browsers and curl do. Error messages name URLs in
// their public form (model/public-url.ts), since they end up in /api/sources and in the log.
import type { LookupFunction } from "node:net";
import { Agent, type Dispatcher, request } from "undici";
import { redactUrl } from "../../model/public-url.js";
import {
  type AddressClassifier,
  createGuardedLookup,
  isBlockedAddress,
  isBlockedLiteralHost,
} from "./address-guard.js";
import { discardBody, readBody } from "./body.js";
import { type Deadline, describeFailure, startDeadline } from "./deadline.js";
import { FetchError, parseRetryAfter } from "./errors.js";
import { header } from "./headers.js";

export interface Validators {
  etag?: string;
  lastModified?: string;
}

/** The response headers that say how long the partner wants its answer reused (poll-hints.ts). */
export interface CachingHeaders {
  cacheControl?: string;
  expires?: string;
  date?: string;
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
  /**
   * Extra request headers of a private feed (a source's `headers`), sent like the URL's
   * credentials to its own origin only. They win over the fetcher's own `User-Agent`/`Accept`.
   */
  headers?: Readonly<Record<string, string>>;
  /** How error messages name the requested URL (a source's `publicUrl`); default: it redacted. */
  publicUrl?: string;
  /**
   * Connections shared across fetches, made by createFetchAgent from the same timeout and
   * address rules; the caller closes it. Without it the call opens its own and closes them.
   */
  agent?: Agent;
}

export type FetchResult =
  | {
      kind: "modified";
      url: string;
      finalUrl: string;
      status: number;
      body: Buffer;
      contentType?: string;
      /** HTTP Content-Language, as sent: the entries' language when the feed declares none. */
      contentLanguage?: string;
      /** HTTP Link (RFC 8288), as sent: where WebSub hub discovery looks first. */
      link?: string;
      validators: Validators;
      /** Cache-Control, Expires and Date of the final response: a floor under the next poll. */
      caching?: CachingHeaders;
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
      /** As for `modified`: a 304 carries the caching headers too (RFC 9111 §4.3.4). */
      caching?: CachingHeaders;
      /** As for `modified`: a moved feed is usually noticed on a 304 poll. */
      permanentRedirect?: string;
      redirects: number;
      durationMs: number;
    }
  | { kind: "failed"; url: string; error: FetchError; durationMs: number };

/** The shape of `fetchFeed`, which refresh and check-source receive as a collaborator. */
export type FetchFn = (
  url: string,
  validators: Validators,
  options: FetchOptions,
) => Promise<FetchResult>;

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
  const agent = options.agent ?? createFetchAgent(options);
  try {
    const outcome = await followRedirects(url, validators, options, { agent, deadline });
    return { ...outcome, durationMs: elapsed() };
  } catch (error) {
    return {
      kind: "failed",
      url,
      error: describeFailure(error, nameOf(url, options), deadline),
      durationMs: elapsed(),
    };
  } finally {
    deadline.clear();
    // Closes whatever is still open: a half-read body at the cap, a dripping server at the
    // deadline. Resolves once the sockets are destroyed. A shared Agent stays open.
    if (options.agent === undefined) await agent.destroy().catch(() => undefined);
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
  const requested = parseFeedUrl(url, undefined, nameOf(url, options));
  // Credentials belong to the origin the operator configured, whatever Location headers say.
  const origin = requested.origin;
  const privateHeaders = credentialHeaders(requested, options.headers);
  const start = withoutUserinfo(requested);
  // The configured URL may have a public name of its own; any other hop is shown redacted.
  const name = (hop: URL) => (hop.href === start.href ? nameOf(url, options) : redactUrl(hop.href));
  let current = start;
  const visited = new Set<string>();
  let allPermanent = true;
  for (let redirects = 0; ; redirects++) {
    visited.add(current.href);
    const extra = current.origin === origin ? privateHeaders : {};
    const response = await sendRequest(current, name(current), validators, options, session, extra);
    const location = redirectLocation(response);
    if (location === undefined) {
      const permanentRedirect = redirects > 0 && allPermanent ? current.href : undefined;
      const outcome = await handleFinalResponse(
        response,
        url,
        current.href,
        name(current),
        validators,
        options,
        session,
        permanentRedirect,
      );
      return { ...outcome, redirects };
    }
    await discardBody(response, name(current), session.deadline);
    if (redirects >= options.maxRedirects) {
      throw new FetchError(
        "too-many-redirects",
        name(current),
        `More than ${options.maxRedirects} redirects`,
      );
    }
    allPermanent &&= PERMANENT_REDIRECT_STATUSES.has(response.statusCode);
    // A Location may carry a user:password of its own; it is neither sent nor published.
    const next = withoutUserinfo(parseFeedUrl(location, current, name(current)));
    if (visited.has(next.href)) {
      throw new FetchError(
        "too-many-redirects",
        name(current),
        `Redirect loop back to ${redactUrl(next.href)}`,
      );
    }
    current = next;
  }
}

/** How errors name `url`: the configured public URL when given, else the URL redacted. */
function nameOf(url: string, options: FetchOptions): string {
  return options.publicUrl ?? redactUrl(url);
}

/**
 * Basic credentials from the URL's userinfo (percent-decoded, UTF-8 as RFC 7617 recommends),
 * then the configured headers, names lower-cased so they replace the fetcher's own.
 */
function credentialHeaders(
  url: URL,
  headers: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const sent: Record<string, string> = {};
  if (url.username !== "" || url.password !== "") {
    const pair = `${percentDecoded(url.username)}:${percentDecoded(url.password)}`;
    sent.authorization = `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
  }
  for (const [name, value] of Object.entries(headers ?? {})) sent[name.toLowerCase()] = value;
  return sent;
}

/** A stray `%` that is not an escape is kept as typed rather than failing the fetch. */
function percentDecoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function withoutUserinfo(url: URL): URL {
  if (url.username === "" && url.password === "") return url;
  const stripped = new URL(url.href);
  stripped.username = "";
  stripped.password = "";
  return stripped;
}

/** Resolves a feed or Location URL; only http(s) with a host is fetchable. */
function parseFeedUrl(location: string, base: URL | undefined, reportAs: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(location, base);
  } catch (error) {
    const shown = JSON.stringify(redactUrl(location));
    throw new FetchError("bad-url", reportAs, `Malformed URL ${shown}`, { cause: error });
  }
  if ((parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.hostname === "") {
    throw new FetchError("bad-url", reportAs, `Not an http(s) URL: ${redactUrl(parsed.href)}`);
  }
  // The fragment is never sent and would defeat loop detection.
  parsed.hash = "";
  return parsed;
}

async function sendRequest(
  url: URL,
  reportAs: string,
  validators: Validators,
  options: FetchOptions,
  session: Session,
  privateHeaders: Readonly<Record<string, string>>,
): Promise<Response> {
  // Node connects to IP literals without calling `lookup`, so the guard on the Agent never
  // sees them; WHATWG URL parsing has already turned `2130706433` or `0x7f.1` into 127.0.0.1.
  const isBlocked = options.isBlockedAddress ?? isBlockedAddress;
  if (!options.allowPrivateNetworks && isBlockedLiteralHost(url.hostname, isBlocked)) {
    throw new FetchError(
      "blocked-address",
      reportAs,
      `Refusing to connect to ${url.hostname}: private or reserved address`,
    );
  }
  try {
    return await request(url, {
      method: "GET",
      headers: requestHeaders(validators, options.userAgent, privateHeaders),
      signal: session.deadline.signal,
      dispatcher: session.agent,
    });
  } catch (error) {
    throw describeFailure(error, reportAs, session.deadline);
  }
}

function requestHeaders(
  validators: Validators,
  userAgent: string,
  privateHeaders: Readonly<Record<string, string>>,
): Record<string, string> {
  const headers: Record<string, string> = {
    "user-agent": userAgent,
    accept: ACCEPT,
    ...privateHeaders,
    // The body decoder handles these codings only; config refuses an Accept-Encoding header.
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
  reportAs: string,
  validators: Validators,
  options: FetchOptions,
  session: Session,
  permanentRedirect: string | undefined,
): Promise<Outcome> {
  const status = response.statusCode;
  const moved = permanentRedirect === undefined ? {} : { permanentRedirect };
  if (status === 304) {
    await discardBody(response, reportAs, session.deadline);
    return {
      kind: "not-modified",
      url,
      finalUrl,
      validators: { ...definedValidators(validators), ...responseValidators(response) },
      caching: cachingHeaders(response),
      ...moved,
    };
  }
  if (status >= 200 && status < 300) {
    const body = await readBody(response, reportAs, options.maxBytes, session.deadline);
    const contentType = header(response, "content-type");
    const contentLanguage = header(response, "content-language");
    const link = header(response, "link");
    return {
      kind: "modified",
      url,
      finalUrl,
      status,
      body,
      ...(contentType === undefined ? {} : { contentType }),
      ...(contentLanguage === undefined ? {} : { contentLanguage }),
      ...(link === undefined ? {} : { link }),
      validators: responseValidators(response),
      caching: cachingHeaders(response),
      ...moved,
    };
  }
  await discardBody(response, reportAs, session.deadline);
  throw statusError(response, reportAs);
}

function responseValidators(response: Response): Validators {
  return definedValidators({
    etag: header(response, "etag"),
    lastModified: header(response, "last-modified"),
  });
}

function cachingHeaders(response: Response): CachingHeaders {
  const caching: CachingHeaders = {};
  const cacheControl = header(response, "cache-control");
  const expires = header(response, "expires");
  const date = header(response, "date");
  if (cacheControl) caching.cacheControl = cacheControl;
  if (expires) caching.expires = expires;
  if (date) caching.date = date;
  return caching;
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

/** The connections of fetches made with `options` (its timeout and its address rules). */
export function createFetchAgent(
  options: Pick<FetchOptions, "timeoutMs" | "allowPrivateNetworks" | "lookup" | "isBlockedAddress">,
): Agent {
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
