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
import { Transform, type TransformCallback, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from "node:zlib";
import { Agent, type Dispatcher, request } from "undici";
import { guardedLookup, isBlockedLiteralHost } from "./address-guard.js";
import { FetchError, networkFetchError, parseRetryAfter } from "./errors.js";

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
      durationMs: number;
    }
  | {
      kind: "not-modified";
      url: string;
      finalUrl: string;
      validators: Validators;
      /** As for `modified`: a moved feed is usually noticed on a 304 poll. */
      permanentRedirect?: string;
      durationMs: number;
    }
  | { kind: "failed"; url: string; error: FetchError; durationMs: number };

/** Feed types first; plain XML is what many partners (WordPress, Drupal) actually serve. */
const ACCEPT =
  "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8";
const ACCEPT_ENCODING = "gzip, deflate, br";

/** More stacked codings than this is either a misconfiguration or a decompression-bomb trick. */
const MAX_CONTENT_CODINGS = 2;

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const PERMANENT_REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 308]);
/** Statuses whose Retry-After we honour: the partner is asking us to slow down. */
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Redirect and error bodies are drained up to this much to keep the connection reusable. */
const DISCARD_LIMIT = 64 * 1024;

type Outcome =
  | Omit<Extract<FetchResult, { kind: "modified" }>, "durationMs">
  | Omit<Extract<FetchResult, { kind: "not-modified" }>, "durationMs">;

type Response = Dispatcher.ResponseData;
type ContentCoding = "gzip" | "deflate" | "br";

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
): Promise<Outcome> {
  let current = parseFeedUrl(url, undefined, url);
  const visited = new Set<string>();
  let allPermanent = true;
  for (let redirects = 0; ; redirects++) {
    visited.add(current.href);
    const response = await sendRequest(current, validators, options, session);
    const location = redirectLocation(response);
    if (location === undefined) {
      const permanentRedirect = redirects > 0 && allPermanent ? current.href : undefined;
      return await handleFinalResponse(
        response,
        url,
        current.href,
        validators,
        options,
        session,
        permanentRedirect,
      );
    }
    await discardBody(response, current.href, session);
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
  if (!options.allowPrivateNetworks && isBlockedLiteralHost(url.hostname)) {
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

/** A response header as one string (undici gives repeated headers as an array). */
function header(response: Response, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
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
    await discardBody(response, finalUrl, session);
    return {
      kind: "not-modified",
      url,
      finalUrl,
      validators: { ...definedValidators(validators), ...responseValidators(response) },
      ...moved,
    };
  }
  if (status >= 200 && status < 300) {
    const body = await readBody(response, finalUrl, options.maxBytes, session);
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
  await discardBody(response, finalUrl, session);
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

async function discardBody(response: Response, url: string, session: Session): Promise<void> {
  try {
    await response.body.dump({ limit: DISCARD_LIMIT, signal: session.deadline.signal });
  } catch (error) {
    throw describeFailure(error, url, session.deadline);
  }
}

// ---------------------------------------------------------------------------------------
// Body: raw cap → content decoding (streaming, at most two codings) → decoded cap.

async function readBody(
  response: Response,
  url: string,
  maxBytes: number,
  session: Session,
): Promise<Buffer> {
  try {
    const codings = contentCodings(header(response, "content-encoding"), url);
    const declared = Number(header(response, "content-length"));
    if (Number.isFinite(declared) && declared > maxBytes) {
      throw tooLarge(url, maxBytes, `Content-Length ${declared}`);
    }
    const chunks: Buffer[] = [];
    await pipeline([
      response.body,
      byteCap(maxBytes, url, "raw body"),
      // Codings are listed in the order they were applied, so undo them right to left.
      ...codings.toReversed().map((coding) => new ContentDecoder(coding, url)),
      byteCap(maxBytes, url, "decoded body"),
      collectInto(chunks),
    ]);
    return Buffer.concat(chunks);
  } catch (error) {
    abandonBody(response);
    throw describeFailure(error, url, session.deadline);
  }
}

/**
 * Stops a body we will not read (refused before reading, or the pipeline failed). undici
 * emits an AbortError when a body is destroyed unread; nobody is listening for it.
 */
function abandonBody(response: Response): void {
  response.body.on("error", () => undefined).destroy();
}

function tooLarge(url: string, maxBytes: number, what: string): FetchError {
  return new FetchError("too-large", url, `Response exceeds ${maxBytes} bytes (${what})`);
}

/** Parses Content-Encoding; `identity` is a no-op, `x-gzip` an old alias. */
function contentCodings(value: string | undefined, url: string): ContentCoding[] {
  if (value === undefined) return [];
  const tokens = value
    .split(",")
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== "" && token !== "identity");
  if (tokens.length > MAX_CONTENT_CODINGS) {
    throw new FetchError("bad-encoding", url, `Too many content codings: ${value}`);
  }
  return tokens.map((token) => {
    if (token === "gzip" || token === "x-gzip") return "gzip";
    if (token === "deflate" || token === "br") return token;
    throw new FetchError("bad-encoding", url, `Unsupported Content-Encoding: ${token}`);
  });
}

/** Fails the pipeline once more than `maxBytes` have passed, so reading stops there. */
function byteCap(maxBytes: number, url: string, what: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > maxBytes ? tooLarge(url, maxBytes, what) : null, chunk);
    },
  });
}

function collectInto(chunks: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
}

/** A zlib stream has a 2-byte header with method 8 and a checksum divisible by 31 (RFC 1950). */
function isZlibHeader(head: Buffer): boolean {
  const [cmf = 0, flg = 0] = head;
  return (cmf & 0x0f) === 8 && ((cmf << 8) | flg) % 31 === 0;
}

function createDecoder(coding: ContentCoding, head: Buffer): Transform {
  if (coding === "gzip") return createGunzip();
  if (coding === "br") return createBrotliDecompress();
  // RFC 9110 "deflate" is zlib-wrapped, but old IIS and PHP send raw deflate, which
  // browsers accept; the header tells them apart.
  return isZlibHeader(head) ? createInflate() : createInflateRaw();
}

/**
 * Decodes one content coding with backpressure, so a decompression bomb only ever expands
 * as far as the downstream cap lets it. The zlib stream is created on the first bytes:
 * an empty body labelled `gzip` (common on some servers) stays empty instead of failing,
 * and raw deflate can be told from zlib-wrapped deflate.
 */
class ContentDecoder extends Transform {
  readonly #coding: ContentCoding;
  readonly #url: string;
  #inner: Transform | undefined;
  #head = Buffer.alloc(0);

  constructor(coding: ContentCoding, url: string) {
    super();
    this.#coding = coding;
    this.#url = url;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.#inner !== undefined) {
      this.#inner.write(chunk, () => done());
      return;
    }
    this.#head = Buffer.concat([this.#head, chunk]);
    if (this.#head.length < 2) {
      done();
      return;
    }
    this.#start(() => done());
  }

  override _flush(done: TransformCallback): void {
    if (this.#inner === undefined && this.#head.length === 0) {
      done();
      return;
    }
    // A one-byte body never got past _transform's peek; let the decoder judge it.
    const inner = this.#inner ?? this.#start(() => undefined);
    inner.once("end", () => done());
    inner.end();
  }

  // Resume the inner decoder only when our reader wants more: this is the backpressure.
  override _read(size: number): void {
    this.#inner?.resume();
    super._read(size);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#inner?.destroy();
    done(error);
  }

  /** Creates the decoder from the first bytes and writes them to it. */
  #start(onWritten: () => void): Transform {
    const inner = createDecoder(this.#coding, this.#head);
    inner.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) inner.pause();
    });
    inner.on("error", (error) => {
      this.destroy(
        new FetchError(
          "bad-encoding",
          this.#url,
          `Corrupt ${this.#coding} body: ${error.message}`,
          { cause: error },
        ),
      );
    });
    this.#inner = inner;
    inner.write(this.#head, () => onWritten());
    return inner;
  }
}

// ---------------------------------------------------------------------------------------
// Deadline and failure classification.

interface Deadline {
  /** Aborts on the deadline or on the caller's signal, whichever comes first. */
  signal: AbortSignal;
  /** Which of the two fired, if any. */
  fired(): "timeout" | "aborted" | undefined;
  timeoutMs: number;
  clear(): void;
}

function startDeadline(timeoutMs: number, external: AbortSignal | undefined): Deadline {
  const timer = new AbortController();
  const handle = setTimeout(
    () => timer.abort(new DOMException(`Deadline of ${timeoutMs} ms exceeded`, "TimeoutError")),
    timeoutMs,
  );
  const signal = external === undefined ? timer.signal : AbortSignal.any([timer.signal, external]);
  return {
    signal,
    timeoutMs,
    // AbortSignal.any keeps the reason of whichever source aborted first.
    fired: () => {
      if (!signal.aborted) return undefined;
      return timer.signal.aborted && signal.reason === timer.signal.reason ? "timeout" : "aborted";
    },
    clear: () => clearTimeout(handle),
  };
}

/** Turns anything thrown during a hop into a FetchError, the deadline taking precedence. */
function describeFailure(error: unknown, url: string, deadline: Deadline): FetchError {
  if (error instanceof FetchError) return error;
  switch (deadline.fired()) {
    case "timeout":
      return new FetchError(
        "timeout",
        url,
        `No complete response within ${deadline.timeoutMs} ms`,
        { cause: error },
      );
    case "aborted":
      return new FetchError("aborted", url, "Fetch aborted", { cause: error });
    default:
      return networkFetchError(error, url);
  }
}

function createAgent(options: FetchOptions): Agent {
  return new Agent({
    // undici's own timers are backstops; the deadline normally fires first.
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: {
      timeout: options.timeoutMs,
      ...(options.allowPrivateNetworks ? {} : { lookup: guardedLookup }),
    },
  });
}
