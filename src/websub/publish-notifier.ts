// Tells the WebSub hubs when published content changed. Anything this instance writes to the
// store (service.ts hooks the store's writes: polls, pushes, takedowns, re-filing) opens a
// window of `websub.publishDelayMs`; when it closes (and the polls then running have ended, so a
// round of polls is one batch — waited for a bounded time), the default page of every topic —
// each category and `all`, in RSS, Atom and JSON Feed — is taken from the publisher (rendered
// once per version, as for a reader) and its ETag compared with the one the hub was last told
// of (`store.pingedTopics`). Each hub then gets one ping naming exactly the topics whose ETag
// moved: a burst of polls makes one ping per feed, a write that changed nothing makes none (same
// bytes, same ETag), and of several instances that saw one change only the one whose mark won
// pings.
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import { FEED_FORMATS, type FeedFormat, type FeedPublisher } from "../publish/types.js";
import type { PingedTopics } from "../store/pinged-topics.js";
import { ALL } from "../store/store.js";
import { topicUrl } from "./hub-links.js";
import { PING_DEFAULTS, type PingPolicy, sendPing } from "./publish-pings.js";

/** What a check reads from the config in force (a reload's hubs apply from the next change). */
export interface NotifierSettings {
  hubs: readonly string[];
  delayMs: number;
  baseUrl: string;
  /** The configured category ids (`all` is added). */
  categories: readonly string[];
  /** `feeds.defaultLimit`: the page a topic URL answers. */
  defaultLimit: number;
  userAgent: string;
}

export interface NotifierDeps {
  settings(): NotifierSettings;
  publisher(): FeedPublisher;
  marks: PingedTopics;
  /** Polls of this instance running now: a window ends only when they have (bounded). */
  pollsInFlight?: () => number;
  logger: Logger;
  metrics?: Metrics;
  policy?: Partial<PingPolicy>;
}

/**
 * How long a mark is kept. Long enough that a quiet category is not pinged again for nothing;
 * when one expires, the next check pings its unchanged content once, which is harmless.
 */
const MARK_TTL_MS = 30 * 24 * 3_600_000;

/** How often a closed window looks again whether the polls it waits for have ended. */
const BUSY_RECHECK_MS = 50;
/** The longest a window waits for running polls: a poller that is never idle still pings. */
const MAX_WAIT_MS = 30_000;

interface Topic {
  url: string;
  category: string;
  format: FeedFormat;
}

export class PublishNotifier {
  readonly #deps: NotifierDeps;
  readonly #policy: PingPolicy;
  readonly #stopping = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  /** A change came in while a check ran: another window follows it. */
  #owed = false;
  readonly #pings = new Set<Promise<void>>();

  constructor(deps: NotifierDeps) {
    this.#deps = deps;
    this.#policy = { ...PING_DEFAULTS, ...deps.policy };
  }

  /** Something this instance wrote may have changed what is published. */
  changed(): void {
    if (this.#stopping.signal.aborted) return;
    if (this.#deps.settings().hubs.length === 0) return;
    if (this.#checking !== undefined) {
      this.#owed = true;
      return;
    }
    if (this.#timer !== undefined) return;
    const delayMs = this.#deps.settings().delayMs;
    this.#timer = setTimeout(() => this.#afterWindow(Date.now() + MAX_WAIT_MS), delayMs);
  }

  /** The window closed: check now, or once the polls still running have ended (or at `latest`). */
  #afterWindow(latest: number): void {
    if ((this.#deps.pollsInFlight?.() ?? 0) > 0 && Date.now() < latest) {
      this.#timer = setTimeout(() => this.#afterWindow(latest), BUSY_RECHECK_MS);
      return;
    }
    this.#run();
  }

  /** Resolves when the current check and the pings it started have ended (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#timer !== undefined || this.#checking !== undefined || this.#pings.size > 0) {
      await Promise.allSettled([this.#checking, ...this.#pings]);
      if (this.#timer !== undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** No new window; waits and pings in flight end now (a retry owed is dropped and logged). */
  async stop(): Promise<void> {
    this.#stopping.abort();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([this.#checking, ...this.#pings]);
  }

  #run(): void {
    this.#timer = undefined;
    this.#checking = this.#check()
      .catch((error: unknown) => {
        // A bug: logged, and the next change checks again.
        this.#deps.logger.error({ err: error }, "websub: publish check failed");
      })
      .finally(() => {
        this.#checking = undefined;
        if (this.#owed) {
          this.#owed = false;
          this.changed();
        }
      });
  }

  async #check(): Promise<void> {
    const settings = this.#deps.settings();
    if (settings.hubs.length === 0 || this.#stopping.signal.aborted) return;
    const etags = await this.#etags(settings);
    for (const hub of settings.hubs) {
      const changed: string[] = [];
      for (const [url, etag] of etags) {
        // Per hub, so a hub added by a reload is told of everything once.
        if (await this.#mark(`${hubLabel(hub)} ${url}`, etag)) changed.push(url);
      }
      if (changed.length > 0) this.#track(this.#ping(hub, changed, settings.userAgent));
    }
  }

  /** The ETag of each topic's default page; a topic that cannot be read now is checked later. */
  async #etags(settings: NotifierSettings): Promise<Map<string, string>> {
    const etags = new Map<string, string>();
    const publisher = this.#deps.publisher();
    let unread = 0;
    for (const topic of topicsOf(settings)) {
      try {
        const page = await publisher.get({
          category: topic.category,
          format: topic.format,
          limit: settings.defaultLimit,
        });
        // Bytes the store could not confirm are not news to announce.
        if (page.stale === undefined) etags.set(topic.url, page.identity.etag);
        else unread++;
      } catch (error) {
        unread++;
        this.#deps.logger.warn(
          { topic: topic.url, err: String(error) },
          "websub: cannot render a topic to compare; checking again later",
        );
      }
    }
    if (unread > 0) this.#owed = true;
    return etags;
  }

  async #mark(key: string, etag: string): Promise<boolean> {
    try {
      return await this.#deps.marks.mark(key, etag, MARK_TTL_MS);
    } catch (error) {
      this.#owed = true;
      this.#deps.logger.warn(
        { err: String(error) },
        "websub: cannot record what the hub was told; checking again later",
      );
      return false;
    }
  }

  #track(ping: Promise<void>): void {
    this.#pings.add(ping);
    void ping.finally(() => this.#pings.delete(ping));
  }

  async #ping(hub: string, urls: string[], userAgent: string): Promise<void> {
    const { logger, metrics } = this.#deps;
    const label = hubLabel(hub);
    const result = await sendPing(hub, urls, this.#policy, {
      signal: this.#stopping.signal,
      userAgent,
      retrying: (problem, attempt, waitMs) => {
        metrics?.recordWebSubPing(label, "retried");
        logger.warn(
          { hub: label, attempt, problem, retryInMs: waitMs },
          "websub: hub ping failed; retrying",
        );
      },
    });
    metrics?.recordWebSubPing(label, result.outcome);
    if (result.outcome === "failed" && this.#stopping.signal.aborted) {
      // Shutdown cut it short: said as what it is, not as a hub that gave up.
      logger.warn(
        { hub: label, urls, attempts: result.attempts },
        "websub: hub ping dropped at shutdown",
      );
    } else if (result.outcome === "ok") {
      logger.info(
        { hub: label, urls, attempts: result.attempts, status: result.status },
        "websub: hub notified",
      );
    } else {
      logger.error(
        { hub: label, urls, attempts: result.attempts, problem: result.problem },
        "websub: hub ping failed; giving up (the hub hears of these feeds with their next change)",
      );
    }
  }
}

/** Every topic: each category and `all`, in every format. */
function topicsOf(settings: NotifierSettings): Topic[] {
  return [ALL, ...settings.categories].flatMap((category) =>
    FEED_FORMATS.map((format) => ({
      url: topicUrl(settings.baseUrl, category, format),
      category,
      format,
    })),
  );
}

/**
 * A hub as logs, metrics and store keys name it: without userinfo, query or fragment, which may
 * carry a token the operator put in the configured URL.
 */
export function hubLabel(hub: string): string {
  try {
    const url = new URL(hub);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return "invalid-hub-url";
  }
}
