// The subscriber's callback, `/websub/callback/{source}/{token}` (WebSub §5.3, §7, §8), as
// plain functions the HTTP layer calls (http/routes/websub.ts holds the Koa routes). Any
// instance answers: the token, topic and secret are read from the shared store.
//
// GET  verification of intent: the challenge is echoed only for a subscription of that source
//      with that token and topic, that we are waiting to have verified (pending, renewing, or
//      unsubscribing for hub.mode=unsubscribe); anything else is a 404, and the hub gives up.
// POST content push: 404 while subscribing is off; 410 Gone for a source or token we have no
//      subscription for (the hub may drop it); 413 above polling.maxBytes, before reading more
//      than that; otherwise 202 at once. A bad signature is answered 202 too (§8: the hub must
//      not learn which check failed) but discarded and counted. The body is processed after
//      the answer, through the same ingest path as a poll, a few at a time.
import { timingSafeEqual } from "node:crypto";
import type { Readable } from "node:stream";
import type { Logger } from "../log.js";
import { type PushOutcome, UNCONFIGURED_SOURCE } from "../metrics.js";
import type { Subscription } from "../model/websub.js";
import type { WebSubSubscriptions } from "../store/subscriptions.js";
import { checkSignature } from "./signature.js";

export interface CallbackAnswer {
  status: number;
  /** text/plain */
  body?: string;
}

export interface PushRequest {
  contentLength?: number;
  contentType?: string;
  signature?: string;
  /** The request body, not read yet. */
  body: Readable;
}

/** The callback side's view of the config in force. */
export interface CallbackSettings {
  enabled: boolean;
  maxBytes: number;
  /** Configured enabled sources: a push for another is not ours any more. */
  sourceIds: ReadonlySet<string>;
}

export interface PushJob {
  subscription: Subscription;
  body: Buffer;
  contentType?: string;
}

export interface CallbackDeps {
  subscriptions: WebSubSubscriptions;
  settings(): CallbackSettings;
  /** Stores an accepted push (ingest/push.ts through the worker pool); may reject. */
  process(job: PushJob): Promise<unknown>;
  logger: Logger;
  onPush?(sourceId: string, outcome: PushOutcome): void;
  /** Pushes processed at once; more wait (default 2). */
  concurrency?: number;
  /** Pushes waiting beyond this are dropped (counted `failed`): the safety poll catches up. */
  maxQueued?: number;
  now?: () => number;
}

/** A hub's challenge is a short random string; a longer one is not echoed back. */
const MAX_CHALLENGE = 1_024;
/** Far beyond any hub's grant (years), and small enough to stay a safe integer of ms. */
const MAX_LEASE_SECONDS = 10 * 365 * 86_400;

export class WebSubCallback {
  readonly #deps: CallbackDeps;
  readonly #now: () => number;
  #running = 0;
  readonly #queue: PushJob[] = [];
  /** Pushes accepted and not yet stored (tests and shutdown wait for them). */
  #pending = new Set<Promise<void>>();

  constructor(deps: CallbackDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  async verify(
    sourceId: string,
    token: string,
    query: Readonly<Record<string, string | undefined>>,
  ): Promise<CallbackAnswer> {
    const mode = query["hub.mode"];
    const topic = query["hub.topic"];
    const challenge = query["hub.challenge"];
    const found = await this.#find(sourceId, token);
    if (found === undefined || topic !== found.topic) return NOT_FOUND;
    const settings = this.#deps.settings();
    // While subscribing is off, only the unsubscriptions it started are still confirmed.
    if (!settings.enabled && mode !== "unsubscribe") return NOT_FOUND;
    const { subscriptions, logger } = this.#deps;
    if (mode === "denied") {
      if (found.state !== "pending" && !found.renewing) return NOT_FOUND;
      const reason = printable(query["hub.reason"] ?? "no reason given");
      logger.warn(
        { source: sourceId, hub: found.hub, reason },
        "websub: hub denied the subscription",
      );
      await subscriptions.update(sourceId, token, {
        state: "failed",
        failure: `denied by the hub: ${reason}`,
        renewing: undefined,
      });
      return { status: 200, body: "" };
    }
    if (challenge === undefined || challenge === "" || challenge.length > MAX_CHALLENGE) {
      return NOT_FOUND;
    }
    if (mode === "subscribe") {
      if (found.state !== "pending" && !(found.state === "active" && found.renewing)) {
        return NOT_FOUND;
      }
      const lease = leaseOf(query["hub.lease_seconds"]);
      if (lease === undefined) return NOT_FOUND;
      const updated = await subscriptions.update(sourceId, token, {
        state: "active",
        leaseSeconds: lease,
        expiresAt: this.#now() + lease * 1000,
        renewing: undefined,
        failure: undefined,
      });
      if (updated === undefined) return NOT_FOUND;
      logger.info(
        { source: sourceId, hub: found.hub, leaseSeconds: lease },
        "websub: subscription verified",
      );
      return { status: 200, body: challenge };
    }
    if (mode === "unsubscribe") {
      if (found.state !== "unsubscribing") return NOT_FOUND;
      if (!(await subscriptions.remove(sourceId, token))) return NOT_FOUND;
      logger.info({ source: sourceId, hub: found.hub }, "websub: unsubscription verified");
      return { status: 200, body: challenge };
    }
    return NOT_FOUND;
  }

  async push(sourceId: string, token: string, request: PushRequest): Promise<CallbackAnswer> {
    const settings = this.#deps.settings();
    if (!settings.enabled) return NOT_FOUND;
    const configured = settings.sourceIds.has(sourceId);
    // Counted under the source only when it is one of ours: the path is the caller's to choose.
    const label = configured ? sourceId : UNCONFIGURED_SOURCE;
    const count = (outcome: PushOutcome) => this.#deps.onPush?.(label, outcome);
    const found = configured ? await this.#find(sourceId, token) : undefined;
    if (found === undefined || found.state === "unsubscribing") {
      count("unknown_subscription");
      return { status: 410, body: "no such subscription" };
    }
    const tooLarge = { status: 413, body: `push larger than ${settings.maxBytes} bytes` };
    if (request.contentLength !== undefined && request.contentLength > settings.maxBytes) {
      count("rejected_size");
      return tooLarge;
    }
    const body = await readCapped(request.body, settings.maxBytes);
    if (body === undefined) {
      count("rejected_size");
      return tooLarge;
    }
    const signature = checkSignature(request.signature, found.secret, body);
    if (!signature.ok) {
      count("rejected_signature");
      this.#deps.logger.warn(
        { source: sourceId, hub: found.hub, reason: signature.reason },
        "websub: push discarded: bad signature",
      );
      return ACCEPTED;
    }
    count("accepted");
    this.#enqueue(
      {
        subscription: found,
        body,
        ...(request.contentType === undefined ? {} : { contentType: request.contentType }),
      },
      count,
    );
    return ACCEPTED;
  }

  /** Resolves once every push accepted so far has been stored (or failed). */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #enqueue(job: PushJob, count: (outcome: PushOutcome) => void): void {
    if (this.#queue.length >= (this.#deps.maxQueued ?? 100)) {
      count("failed");
      this.#deps.logger.warn(
        { source: job.subscription.sourceId },
        "websub: push dropped: too many waiting; the next poll catches up",
      );
      return;
    }
    this.#queue.push(job);
    this.#pump(count);
  }

  #pump(count: (outcome: PushOutcome) => void): void {
    while (this.#running < (this.#deps.concurrency ?? 2) && this.#queue.length > 0) {
      const job = this.#queue.shift() as PushJob;
      this.#running++;
      const done = this.#run(job, count).finally(() => {
        this.#running--;
        this.#pending.delete(done);
        this.#pump(count);
      });
      this.#pending.add(done);
    }
  }

  async #run(job: PushJob, count: (outcome: PushOutcome) => void): Promise<void> {
    const { sourceId, token } = job.subscription;
    try {
      await this.#deps.subscriptions.update(sourceId, token, { lastPushAt: this.#now() });
      const result = await this.#deps.process(job);
      this.#deps.logger.info({ source: sourceId, ...(result as object) }, "websub: push stored");
    } catch (error) {
      count("failed");
      this.#deps.logger.warn(
        { source: sourceId, error: error instanceof Error ? error.message : String(error) },
        "websub: push could not be stored",
      );
    }
  }

  /** The source's subscription when `token` is its token (compared in constant time). */
  async #find(sourceId: string, token: string): Promise<Subscription | undefined> {
    const found = await this.#deps.subscriptions.get(sourceId);
    if (found === undefined) return undefined;
    const a = Buffer.from(found.token);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b) ? found : undefined;
  }
}

const NOT_FOUND: CallbackAnswer = { status: 404, body: "not found" };
const ACCEPTED: CallbackAnswer = { status: 202, body: "" };

/** `hub.lease_seconds` as granted: a positive integer, else the verification is refused. */
function leaseOf(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,12}$/.test(value)) return undefined;
  const seconds = Number(value);
  return seconds >= 1 && seconds <= MAX_LEASE_SECONDS ? seconds : undefined;
}

/** A hub's free text, for a log line and /api/sources: one short printable line. */
function printable(text: string): string {
  return (
    text
      .replace(/[^\x20-\x7e]+/g, " ")
      .trim()
      .slice(0, 200) || "no reason given"
  );
}

/**
 * The body, or undefined once it grows past `maxBytes`. Past the cap the rest is not kept; the
 * stream is paused rather than destroyed, so the 413 still reaches the hub before the HTTP layer
 * closes the connection.
 */
function readCapped(body: Readable, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (value: Buffer | undefined, error?: unknown) => {
      body.off("data", onData);
      body.off("end", onEnd);
      body.off("error", onError);
      if (error === undefined) resolve(value);
      else reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        body.pause();
        done(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(Buffer.concat(chunks));
    const onError = (error: unknown) => done(undefined, error);
    body.on("data", onData);
    body.on("end", onEnd);
    body.on("error", onError);
  });
}
