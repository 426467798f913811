// Worker-thread entry of the ingest pool (pool.ts): runs `ingestBytes` (or `ingestDocument`,
// which also returns the parsed document) — decode, parse,
// normalise — away from the main event loop. A hostile feed (100,000-deep nesting, a 10 MB
// title, pathological markup) may keep this thread busy for seconds; the HTTP server on the
// main thread keeps answering, and the pool terminates this thread at its time limit.
//
// Errors cross the thread boundary as plain data (structured clone drops custom fields), and
// the pool rebuilds them: a FeedParseError keeps its kind, anything else is a bug.
import { parentPort } from "node:worker_threads";
import { type StoryKeyHint, storyKeyHints } from "../../model/story-keys.js";
import {
  type DocumentIngestResult,
  type IngestResult,
  ingestBytes,
  ingestDocument,
} from "../ingest.js";
import type { NormaliseSource } from "../normalise/normalise.js";
import { FeedParseError } from "../parse/errors.js";

export interface IngestRequest {
  id: number;
  body: Uint8Array;
  contentType: string | undefined;
  source: NormaliseSource;
  now: Date;
  /** Reply with the parsed document too (check-source), not only what a poll stores. */
  keepDocument: boolean;
}

export type IngestReply =
  | {
      id: number;
      ok: true;
      result: IngestResult | DocumentIngestResult;
      /** The entries' story keys, worked out here beside the parse (model/story-keys.ts). */
      hints: StoryKeyHint[];
    }
  | { id: number; ok: false; error: { kind?: FeedParseError["kind"]; message: string } };

/** Sent once the modules are loaded, so start-up time never counts against a parse's limit. */
export const READY = "ready";

const port = parentPort;
if (port !== null) {
  port.on("message", (request: IngestRequest) => {
    // Buffer.from on the Uint8Array's memory: no copy of a body that may be 15 MiB.
    const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.length);
    const run = request.keepDocument ? ingestDocument : ingestBytes;
    run(body, request.contentType, request.source, request.now).then(
      (result) => {
        const hints = storyKeyHints(result.updates);
        port.postMessage({ id: request.id, ok: true, result, hints } satisfies IngestReply);
      },
      (error: unknown) => port.postMessage({ id: request.id, ok: false, error: describe(error) }),
    );
  });
  port.postMessage(READY);
}

function describe(error: unknown): Extract<IngestReply, { ok: false }>["error"] {
  if (error instanceof FeedParseError) return { kind: error.kind, message: error.message };
  return { message: error instanceof Error ? error.message : String(error) };
}
