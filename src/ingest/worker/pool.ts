// A small pool of worker threads running decode → parse → normalise (parse-worker.ts), so a
// hostile feed never blocks the event loop that serves HTTP, and a time limit on each parse:
// a worker still busy at the limit is terminated (V8 stops it even inside a tight loop or a
// catastrophic regex), the poll fails with `parse-timeout`, and a fresh worker takes its
// place. Workers are reused across polls and stopped by `close()` (service stop).
//
// Each worker also gets a heap limit: a document built to exhaust memory kills that worker
// (`parse-error`, "ran out of memory") instead of the process. The limit follows the largest
// body the fetcher accepts (`polling.maxBytes`, see heapMbFor), so every body it lets through
// can be parsed.

import { type ResourceLimits, Worker } from "node:worker_threads";
import type { FetchErrorKind, ParseErrorKind } from "../../model/poll.js";
import { primeStoryKeys } from "../../model/story-keys.js";
import type { DocumentIngestResult, IngestResult } from "../ingest.js";
import type { NormaliseSource } from "../normalise/normalise.js";
import { FeedParseError } from "../parse/errors.js";
import { type IngestReply, type IngestRequest, READY } from "./parse-worker.js";

/** The shape of `ingestBytes`, which refresh.ts calls through RefreshDeps. */
export type IngestFn = (
  body: Buffer,
  contentType: string | undefined,
  source: NormaliseSource,
  now: Date,
) => Promise<IngestResult>;

/** The shape of `ingestDocument`, which check-source calls through the pool. */
export type IngestDocumentFn = (
  body: Buffer,
  contentType: string | undefined,
  source: NormaliseSource,
  now: Date,
) => Promise<DocumentIngestResult>;

export interface IngestPoolOptions {
  /** Worker threads (parses running at once); 1–2 is plenty, polls are mostly waiting on IO. */
  size: number;
  /**
   * Time limit of one parse, start-up excluded (config `polling.parseTimeoutMs`); a function
   * when the config can be reloaded, read at the start of each parse.
   */
  timeoutMs: number | (() => number);
  /**
   * Old-generation heap limit of each worker, in MiB; a function when the config can be
   * reloaded, read before each parse: an idle worker started with another limit is replaced.
   */
  maxHeapMb?: number | (() => number);
  /** Young-generation limit of each worker, in MiB. */
  maxYoungMb?: number;
}

/**
 * One worker by default: polls spend their time waiting on partners, parsing a normal feed takes
 * milliseconds, and a second worker would double the memory a pair of hostile feeds can take.
 * 96 MiB of heap parses a 15 MiB feed of 5,000 full-text entries; a document that needs more is
 * built to exhaust memory. With these limits every hostile source polled at once stays under
 * 400 MiB of process RSS (bench/hostile.ts).
 */
export const DEFAULT_POOL = { size: 1, maxHeapMb: 96, maxYoungMb: 16 } as const;

/**
 * Heap per byte of body. Measured on RSS of 40–50 MiB: 10,000 entries of 4 KB full text need
 * under 4 times the body, 50,000–100,000 short entries up to 6 times (the objects per entry
 * cost more than their text). The 96 MiB floor covers the default 15 MiB cap (6 × 15 = 90).
 */
export const HEAP_PER_BODY_BYTE = 6;

/**
 * The worker heap for bodies up to `maxBytes`: HEAP_PER_BODY_BYTE times it, and never less
 * than DEFAULT_POOL.maxHeapMb, which the modules and a small feed need whatever the cap.
 */
export function heapMbFor(maxBytes: number): number {
  const needed = Math.ceil((maxBytes * HEAP_PER_BODY_BYTE) / (1024 * 1024));
  return Math.max(DEFAULT_POOL.maxHeapMb, needed);
}

/** A parse that exceeded the time limit; `kind` becomes the source's `errorKind`. */
export class ParseTimeoutError extends Error {
  override readonly name = "ParseTimeoutError";
  readonly kind: ParseErrorKind = "parse-timeout";

  constructor(timeoutMs: number) {
    super(`parsing the feed took longer than ${timeoutMs} ms and was stopped`);
  }
}

/** The pool was closed (service stop) while this parse waited or ran. */
export class ParsePoolClosedError extends Error {
  override readonly name = "ParsePoolClosedError";
  readonly kind: FetchErrorKind = "aborted";

  constructor() {
    super("parsing was stopped: the service is shutting down");
  }
}

/** A failure of the document or of this poll, reported as the source's error kind (not a bug). */
export function isIngestFailure(
  error: unknown,
): error is FeedParseError | ParseTimeoutError | ParsePoolClosedError {
  return (
    error instanceof FeedParseError ||
    error instanceof ParseTimeoutError ||
    error instanceof ParsePoolClosedError
  );
}

interface Task {
  request: Omit<IngestRequest, "id">;
  resolve(result: IngestResult | DocumentIngestResult): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  /** The heap limit the worker was started with. */
  heapMb: number;
  ready: Promise<void>;
  task?: { id: number; task: Task; timer: NodeJS.Timeout };
}

export class IngestPool {
  readonly #options: Required<IngestPoolOptions>;
  readonly #slots: (Slot | undefined)[];
  readonly #queue: Task[] = [];
  #nextId = 1;
  #started = 0;
  #closed = false;

  constructor(options: IngestPoolOptions) {
    this.#options = {
      maxHeapMb: DEFAULT_POOL.maxHeapMb,
      maxYoungMb: DEFAULT_POOL.maxYoungMb,
      ...options,
    };
    this.#slots = Array.from({ length: Math.max(1, options.size) }, () => undefined);
  }

  /** Same contract as `ingestBytes`, plus `parse-timeout` (ParseTimeoutError). */
  readonly ingest: IngestFn = (body, contentType, source, now) =>
    this.#submit({ body, contentType, source, now, keepDocument: false });

  /** Same contract as `ingestDocument`, under the same limits as `ingest`. */
  readonly ingestDocument: IngestDocumentFn = (body, contentType, source, now) =>
    // The worker replies with the document when asked to keep it.
    this.#submit({
      body,
      contentType,
      source,
      now,
      keepDocument: true,
    }) as Promise<DocumentIngestResult>;

  #submit(request: Task["request"]): Promise<IngestResult | DocumentIngestResult> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(new ParsePoolClosedError());
        return;
      }
      this.#queue.push({ request, resolve, reject });
      this.#dispatch();
    });
  }

  /** Worker threads started so far (a timed-out or crashed worker is replaced by a new one). */
  get started(): number {
    return this.#started;
  }

  /** Parses running now. */
  get busy(): number {
    return this.#slots.filter((slot) => slot?.task !== undefined).length;
  }

  /** Stops every worker; queued and running parses fail. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const task of this.#queue.splice(0)) task.reject(new ParsePoolClosedError());
    await Promise.all(
      this.#slots.map((slot, index) => {
        if (slot === undefined) return undefined;
        this.#slots[index] = undefined;
        if (slot.task !== undefined) {
          clearTimeout(slot.task.timer);
          slot.task.task.reject(new ParsePoolClosedError());
        }
        return slot.worker.terminate();
      }),
    );
  }

  #dispatch(): void {
    for (let index = 0; index < this.#slots.length && this.#queue.length > 0; index++) {
      let slot = this.#slots[index];
      if (slot?.task !== undefined) continue;
      const heapMb = this.#heapMb();
      if (slot !== undefined && slot.heapMb !== heapMb) {
        // The config changed the limit: V8 fixes a worker's heap when it starts, so a new one.
        this.#slots[index] = undefined;
        void slot.worker.terminate();
        slot = undefined;
      }
      const task = this.#queue.shift() as Task;
      void this.#run(index, slot ?? this.#spawn(index, heapMb), task);
    }
  }

  #heapMb(): number {
    const { maxHeapMb } = this.#options;
    return typeof maxHeapMb === "function" ? maxHeapMb() : maxHeapMb;
  }

  async #run(index: number, slot: Slot, task: Task): Promise<void> {
    const id = this.#nextId++;
    // Claimed before start-up finishes, so #dispatch does not hand this slot a second task.
    slot.task = { id, task, timer: undefined as unknown as NodeJS.Timeout };
    try {
      await slot.ready;
    } catch (error) {
      this.#retire(index, slot, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const running = slot.task;
    // Closed or replaced during start-up: the task has already been failed.
    if (this.#slots[index] !== slot || running === undefined) return;
    const { timeoutMs } = this.#options;
    const limit = typeof timeoutMs === "function" ? timeoutMs() : timeoutMs;
    running.timer = setTimeout(() => {
      this.#retire(index, slot, new ParseTimeoutError(limit));
    }, limit);
    slot.worker.ref();
    slot.worker.postMessage({ id, ...task.request } satisfies IngestRequest);
  }

  #spawn(index: number, heapMb: number): Slot {
    const worker = startWorker({
      maxOldGenerationSizeMb: heapMb,
      maxYoungGenerationSizeMb: this.#options.maxYoungMb,
    });
    this.#started++;
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if (message !== READY) return;
        worker.off("message", onMessage);
        resolve();
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`parser worker exited with code ${code}`)));
    });
    // Handled in #run; this keeps an early failure from being an unhandled rejection.
    ready.catch(() => undefined);
    const slot: Slot = { worker, heapMb, ready };
    worker.on("message", (message: IngestReply | typeof READY) => {
      if (message !== READY) this.#settle(index, slot, message);
    });
    worker.on("error", (error) => this.#retire(index, slot, workerFailure(error)));
    worker.on("exit", (code) => {
      this.#retire(index, slot, new Error(`parser worker exited with code ${code}`));
    });
    // Spawned for a task, so referenced until that task settles; idle, it is unref'd (#settle)
    // so that it never keeps a finished `tributary poll` alive.
    this.#slots[index] = slot;
    return slot;
  }

  #settle(index: number, slot: Slot, reply: IngestReply): void {
    const current = slot.task;
    if (current === undefined || current.id !== reply.id) return;
    clearTimeout(current.timer);
    slot.task = undefined;
    slot.worker.unref();
    if (reply.ok) {
      // The store is about to plan these entries' stories on this thread: it finds their keys.
      primeStoryKeys(reply.hints);
      current.task.resolve(reply.result);
    } else if (reply.error.kind !== undefined) {
      current.task.reject(new FeedParseError(reply.error.kind, reply.error.message));
    } else current.task.reject(new Error(reply.error.message));
    if (this.#slots[index] === slot) this.#dispatch();
  }

  /** Ends a worker that timed out, crashed or exited: its task fails, a new worker follows. */
  #retire(index: number, slot: Slot, error: Error): void {
    if (this.#slots[index] !== slot) return;
    this.#slots[index] = undefined;
    if (slot.task !== undefined) {
      clearTimeout(slot.task.timer);
      slot.task.task.reject(error);
      slot.task = undefined;
    }
    void slot.worker.terminate();
    this.#dispatch();
  }
}

/** The limit was hit while parsing: the document, not the service, is at fault. */
function workerFailure(error: Error): Error {
  if ((error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY") {
    return new FeedParseError("parse-error", "the parser ran out of memory on this document", {
      cause: error,
    });
  }
  return error;
}

/**
 * Starts parse-worker beside this module. From dist/ that is plain `parse-worker.js`. Under a
 * TypeScript loader (tsx: tests, benchmarks, `npm run dev`-style runs) this module is a `.ts`
 * file, and Node 20 does not apply `--import` loaders to worker threads, so the worker first
 * registers tsx itself, resolved from here (tsx is a dev dependency, never needed in dist/).
 */
function startWorker(resourceLimits: ResourceLimits): Worker {
  const isTypeScript = import.meta.url.endsWith(".ts");
  const entry = new URL(`./parse-worker.${isTypeScript ? "ts" : "js"}`, import.meta.url);
  if (!isTypeScript) return new Worker(entry, { resourceLimits });
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, execArgv: [], resourceLimits });
}
