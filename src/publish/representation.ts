// The bytes of one rendered feed in each content-coding, with strong ETags derived from the
// content hash of the identity bytes. Every instance that renders the same text therefore
// announces the same ETags, so a client's If-None-Match works behind a load balancer even if
// zlib versions were to compress differently.
//
// Only the identity bytes are made with the page; gzip and br are compressed the first time a
// client asks for them, then kept with the page. A page nobody fetches compressed costs no
// compression at all, and a miss pays for one coding, not two.
import { createHash } from "node:crypto";
import {
  type BrotliOptions,
  brotliCompressSync,
  constants,
  gzipSync,
  type ZlibOptions,
} from "node:zlib";
import type { Coding, Representation, Variant } from "./types.js";

// Fixed parameters so the same text always compresses to the same bytes. Node's gzip header
// carries mtime 0 and no file name, so level is the only knob. Levels are chosen for the cost
// of a miss: on a 50-entry feed gzip 6 is 1 % larger than 9 at a quarter of the time, brotli 5
// is within 1 % of 9 at a tenth of the time (bench/feeds.ts prints the figures).
export const GZIP_LEVEL = 6;
export const BROTLI_QUALITY = 5;
const GZIP_OPTIONS: ZlibOptions = { level: GZIP_LEVEL };
const brotliOptions = (size: number): BrotliOptions => ({
  params: {
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
    [constants.BROTLI_PARAM_SIZE_HINT]: size,
  },
});

/** Characters of the base64url SHA-256 kept in the ETag (22 ≈ 132 bits). */
const HASH_CHARS = 22;

export function contentHash(body: Buffer): string {
  return createHash("sha256").update(body).digest("base64url").slice(0, HASH_CHARS);
}

/**
 * The identity bytes and ETags of `text`; `variant("gzip" | "br")` compresses on first use
 * (synchronously: a fraction of a millisecond per 50 entries at these levels) and keeps it.
 * `lastModified` undefined: the page's content never changed, so no Last-Modified is sent.
 */
export function buildRepresentation(
  text: string,
  contentType: string,
  lastModified: Date | undefined,
  /** Runs each compression; the publisher charges it to its render budget. */
  run: <T>(cpu: () => T) => T = (cpu) => cpu(),
): Representation {
  const identity = Buffer.from(text, "utf8");
  const hash = contentHash(identity);
  const etags: Record<Coding, string> = {
    identity: `"${hash}"`,
    gzip: `"${hash}-gzip"`,
    br: `"${hash}-br"`,
  };
  const variants: Partial<Record<Coding, Variant>> = {
    identity: { body: identity, etag: etags.identity },
  };
  return {
    contentType,
    lastModified,
    identity: variants.identity as Variant,
    etag: (coding) => etags[coding],
    variant(coding) {
      let variant = variants[coding];
      if (variant === undefined) {
        variant = { body: run(() => compress(identity, coding)), etag: etags[coding] };
        variants[coding] = variant;
      }
      return variant;
    },
  };
}

function compress(identity: Buffer, coding: Coding): Buffer {
  switch (coding) {
    case "identity":
      return identity;
    case "gzip":
      return gzipSync(identity, GZIP_OPTIONS);
    case "br":
      return brotliCompressSync(identity, brotliOptions(identity.length));
  }
}
