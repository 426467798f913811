/** The validated, defaulted configuration every other module receives as plain values. */
export interface ServiceConfig {
  title: string;
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

export interface CategoryConfig {
  id: string;
  title: string;
  description: string;
}

export interface SourceConfig {
  id: string;
  title: string;
  url: string;
  homepage?: string;
  categories: string[];
  /** Cron expression overriding `polling.schedule`. */
  schedule?: string;
  enabled: boolean;
}

export interface Config {
  service: ServiceConfig;
  polling: PollingConfig;
  retention: RetentionConfig;
  feeds: FeedsConfig;
  categories: CategoryConfig[];
  sources: SourceConfig[];
  /** From env only: unset means the embedded memory store. */
  redisUrl?: string;
  logLevel: string;
  adminToken?: string;
}
