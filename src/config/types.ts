/**
 * The environment the config is read with (overrides, header references): passed in, never
 * read from `process.env` by the config modules.
 */
export type Env = Record<string, string | undefined>;

/** The validated, defaulted configuration every other module receives as plain values. */
export interface ServiceConfig {
  title: string;
  /** BCP 47 tag of the pages' own text (`<html lang>`); entries carry their own. */
  language: string;
  /** Public base URL used for self links, without a trailing slash. */
  baseUrl: string;
  port: number;
  host: string;
}

export interface PollingConfig {
  schedule: string;
  concurrency: number;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  allowPrivateNetworks: boolean;
  /** Time limit of decode → parse → normalise of one fetched body (in a worker thread). */
  parseTimeoutMs: number;
  /** A source is stale after this many schedule intervals without a successful fetch. */
  staleAfterMultiple: number;
  /**
   * The longest a partner's hint (Cache-Control, Expires, `<ttl>`, `sy:*`, Retry-After) may
   * hold back a scheduled poll, in seconds.
   */
  maxHintSeconds: number;
  /** Simultaneous fetches to one host name, across every worker sharing the store. */
  perHostConcurrency: number;
  /**
   * How long a worker's claim of a source's poll lasts unrenewed, in seconds: the longest a
   * source waits for another worker after the one polling it died.
   */
  leaseSeconds: number;
  /**
   * The next scheduled poll also waits for half the interval at which the feed really
   * publishes (the median gap between its newest entries), bounded by `maxHintSeconds`.
   */
  adaptive: boolean;
}

export interface RetentionConfig {
  maxEntriesPerSource: number;
  maxAgeDays: number;
}

export interface FeedsConfig {
  defaultLimit: number;
  maxLimit: number;
  /** Seconds for `Cache-Control: public, max-age=N`. */
  maxAge: number;
}

export interface PagesConfig {
  perPage: number;
  maxAge: number;
  summaryLength: number;
  /**
   * Absolute path of the operator's template folder: `pages.templates` resolved against the
   * config file's folder, else `templates/` beside the config file. Undefined without a file.
   */
  templatesDir?: string;
  /** `pages.templates` was written: the folder must exist (the default one may be absent). */
  templatesRequired: boolean;
}

export interface EmbedConfig {
  /** `*` (any site), or origins `https://partner.example` allowed to frame /embed pages. */
  allowedOrigins: string[];
}

/** WebSub (W3C Recommendation): pinging hubs about our feeds, subscribing to partners' hubs. */
export interface WebSubConfig {
  /** Hub URLs our feeds advertise and notify on change; empty: publishing via WebSub is off. */
  hubs: string[];
  /** How long changes are gathered before one publish ping per changed feed URL. */
  publishDelayMs: number;
  /**
   * Subscribe to the hubs partner feeds advertise. The operator's statement that
   * `service.baseUrl` is reachable by those hubs (callbacks live under it).
   */
  subscribe: boolean;
  /** `hub.lease_seconds` asked for in subscription requests. */
  leaseSeconds: number;
  /** The longest a pushed source goes unpolled while its subscription is active. */
  safetyPollSeconds: number;
}

export interface CategoryConfig {
  id: string;
  title: string;
  description: string;
}

// Category rules are shared vocabulary (model/category-rule.ts): the config declares them,
// ingest applies them.
import type { CategoryRule } from "../model/category-rule.js";

export type { CategoryRule } from "../model/category-rule.js";

export interface SourceConfig {
  id: string;
  title: string;
  /** Fetched as written; a user:password in it is sent as Basic auth. Never published as is. */
  url: string;
  /** Published (feeds, API, OPML, logs) instead of `url`; see model/public-url.ts. */
  publicUrl?: string;
  /**
   * Extra request headers, environment references already replaced by their values (secrets:
   * never logged or published). Sent only to `url`'s origin, not after a redirect elsewhere.
   */
  headers?: Record<string, string>;
  homepage?: string;
  /** The default categories of every entry; may be empty when rules categorise the entries. */
  categories: string[];
  /** Rules for this source's entries, after the global ones. */
  rules?: CategoryRule[];
  /** Cron expression overriding `polling.schedule`. */
  schedule?: string;
  enabled: boolean;
}

// The shape of a Redis deployment is shared vocabulary (model/redis-target.ts): the config
// names one, the store connects to it.
export type { RedisAddress, RedisTarget } from "../model/redis-target.js";

export interface Config {
  service: ServiceConfig;
  polling: PollingConfig;
  retention: RetentionConfig;
  feeds: FeedsConfig;
  pages: PagesConfig;
  embed: EmbedConfig;
  websub: WebSubConfig;
  categories: CategoryConfig[];
  /** Category rules for every source's entries (see CategoryRule). */
  rules: CategoryRule[];
  sources: SourceConfig[];
  /**
   * The Redis the store uses, in one of the URL forms of RedisTarget (credentials included):
   * REDIS_URL if set, else the file's `redis` section written as a URL. Unset means the
   * embedded memory store. One string, so that every check of "is there a Redis" and of "did a
   * reload change it" covers Sentinel and Cluster too; `parseRedisUrl` reads it back.
   */
  redisUrl?: string;
  /**
   * From env only (REDIS_COMMAND_TIMEOUT_MS): how long a Redis command may go unanswered
   * before Redis counts as hung; unset means the store's default.
   */
  redisCommandTimeoutMs?: number;
  logLevel: string;
  adminToken?: string;
}
