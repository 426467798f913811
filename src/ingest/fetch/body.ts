// Reading a response body under the size cap: raw cap → content decoding (streaming, at most
// two codings) → decoded cap. Every stage has backpressure, so a gzip or brotli bomb only ever
// expands as far as the decoded cap lets it and an endless body stops at the raw cap; memory
// stays bounded by `maxBytes` plus one chunk per stage whatever the partner sends.
import { Transform, type TransformCallback, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from "node:zlib";
import type { Dispatcher } from "undici";
import { type Deadline, describeFailure } from "./deadline.js";
import { FetchError } from "./errors.js";
import { header } from "./headers.js";

type Response = Dispatcher.ResponseData;
type ContentCoding = "gzip" | "deflate" | "br";

/** More stacked codings than this is either a misconfiguration or a decompression-bomb trick. */
const MAX_CONTENT_CODINGS = 2;

/** Redirect and error bodies are drained up to this much to keep the connection reusable. */
const DISCARD_LIMIT = 64 * 1024;

/** Drains a body we do not want (redirect, 304, error page), at most DISCARD_LIMIT bytes. */
export async function discardBody(
  response: Response,
  url: string,
  deadline: Deadline,
): Promise<void> {
  try {
    await response.body.dump({ limit: DISCARD_LIMIT, signal: deadline.signal });
  } catch (error) {
    throw describeFailure(error, url, deadline);
  }
}

export async function readBody(
  response: Response,
  url: string,
  maxBytes: number,
  deadline: Deadline,
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
    throw describeFailure(error, url, deadline);
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

/**
 * Output chunk of the decoders: zlib's default 16 KiB turns a 15 MiB body into ~1000 Buffers,
 * garbage the event loop's GC has to sweep while other feeds are being served.
 */
const DECODED_CHUNK = 64 * 1024;

function createDecoder(coding: ContentCoding, head: Buffer): Transform {
  const options = { chunkSize: DECODED_CHUNK };
  if (coding === "gzip") return createGunzip(options);
  if (coding === "br") return createBrotliDecompress(options);
  // RFC 9110 "deflate" is zlib-wrapped, but old IIS and PHP send raw deflate, which
  // browsers accept; the header tells them apart.
  return isZlibHeader(head) ? createInflate(options) : createInflateRaw(options);
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
