// The bytes of one rendered feed in each content-coding, with strong ETags derived from the
// content hash of the identity bytes. Every instance that renders the same text therefore
// announces the same ETags, so a client's If-None-Match works behind a load balancer even if
// zlib versions were to compress differently.
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import {
  type BrotliOptions,
  brotliCompress,
  brotliCompressSync,
  constants,
  gzip,
  gzipSync,
  type ZlibOptions,
} from "node:zlib";
import type { Representation } from "./types.js";

// Fixed parameters so the same text always compresses to the same bytes. Node's gzip header
// carries mtime 0 and no file name, so level is the only knob. Brotli 11 costs seconds on a
// megabyte-sized feed; 9 is close in size and an order of magnitude faster.
const GZIP_OPTIONS: ZlibOptions = { level: 9 };
const brotliOptions = (size: number): BrotliOptions => ({
  params: {
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    [constants.BROTLI_PARAM_QUALITY]: 9,
    [constants.BROTLI_PARAM_SIZE_HINT]: size,
  },
});

/** Characters of the base64url SHA-256 kept in the ETag (22 ≈ 132 bits). */
const HASH_CHARS = 22;

export function contentHash(body: Buffer): string {
  return createHash("sha256").update(body).digest("base64url").slice(0, HASH_CHARS);
}

/** Computes the identity, gzip and brotli bytes synchronously (blocks for large feeds). */
export function buildRepresentation(
  text: string,
  contentType: string,
  lastModified: Date,
): Representation {
  const identity = Buffer.from(text, "utf8");
  return assemble(
    identity,
    gzipSync(identity, GZIP_OPTIONS),
    brotliCompressSync(identity, brotliOptions(identity.length)),
    contentType,
    lastModified,
  );
}

/** The same bytes as buildRepresentation, compressed on the libuv thread pool. */
export async function buildRepresentationAsync(
  text: string,
  contentType: string,
  lastModified: Date,
): Promise<Representation> {
  const identity = Buffer.from(text, "utf8");
  const [gzipped, brotli] = await Promise.all([
    promisify(gzip)(identity, GZIP_OPTIONS),
    promisify(brotliCompress)(identity, brotliOptions(identity.length)),
  ]);
  return assemble(identity, gzipped, brotli, contentType, lastModified);
}

function assemble(
  identity: Buffer,
  gzipped: Buffer,
  brotli: Buffer,
  contentType: string,
  lastModified: Date,
): Representation {
  const hash = contentHash(identity);
  return {
    contentType,
    lastModified,
    identity: { body: identity, etag: `"${hash}"` },
    gzip: { body: gzipped, etag: `"${hash}-gzip"` },
    br: { body: brotli, etag: `"${hash}-br"` },
  };
}
