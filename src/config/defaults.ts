// Every default of the configuration, in one literal (DESIGN.md "The public contract").
// Two values depend on others and are functions of them: the base URL follows the port the
// service really listens on (after env overrides), and the User-Agent names that base URL,
// because partners (UN News, ReliefWeb) refuse anonymous-looking crawlers.
export const DEFAULTS = {
  service: {
    title: "Tributary",
    /** BCP 47 tag of the pages' own words (headings, "Read More"): `<html lang>`. */
    language: "en",
    port: 8080,
    host: "0.0.0.0",
    baseUrl: (port: number): string => `http://localhost:${port}`,
  },
  polling: {
    schedule: "*/30 * * * *",
    concurrency: 8,
    timeoutMs: 20_000,
    maxBytes: 15 * 1024 * 1024,
    maxRedirects: 5,
    allowPrivateNetworks: false,
    parseTimeoutMs: 10_000,
    staleAfterMultiple: 3,
    /** The longest a partner's caching hint or Retry-After may hold back a scheduled poll. */
    maxHintSeconds: 86_400,
    /** Fetches to one host name at once, across all workers: some partners refuse more. */
    perHostConcurrency: 2,
    /**
     * How long a worker's claim of a source lasts without renewal (renewed every third of it
     * while the poll runs): a worker that dies mid-poll gives its sources back after this.
     */
    leaseSeconds: 30,
    /** Off: only the schedule and the partner's own hints decide (see polling.adaptive). */
    adaptive: false,
    userAgent: (baseUrl: string): string => `Tributary/0.1 (+${baseUrl}; feed aggregator)`,
  },
  retention: {
    maxEntriesPerSource: 500,
    maxAgeDays: 365,
  },
  feeds: {
    defaultLimit: 50,
    maxLimit: 200,
    /** Seconds in `Cache-Control: public, max-age=N`. */
    maxAge: 300,
  },
  pages: {
    /** Entries per archive page (`/categories/{id}`). */
    perPage: 20,
    /** Seconds in the pages' `Cache-Control: public, max-age=N`: people expect fresh pages. */
    maxAge: 60,
    /** Characters of a summary shown before it is cut with "…". */
    summaryLength: 280,
    /** Operator templates: this folder beside the config file, when it exists. */
    templatesFolder: "templates",
  },
  embed: {
    /** `frame-ancestors` of /embed/{category}: any site may frame it. */
    allowedOrigins: ["*"] as readonly string[],
  },
  websub: {
    /** No hub: feeds carry no hub links and nobody is pinged. */
    hubs: [] as readonly string[],
    /** A burst of partner polls within this window makes one publish ping per feed URL. */
    publishDelayMs: 2_000,
    /** Off: partners' hubs are ignored unless the operator says service.baseUrl is public. */
    subscribe: false,
    /** The lease asked of a partner's hub (the hub may grant another); 10 days. */
    leaseSeconds: 864_000,
    /** While pushes arrive, a source is still polled this often, in case a push was lost. */
    safetyPollSeconds: 6 * 3600,
  },
  category: {
    description: "",
  },
  source: {
    enabled: true,
  },
  redis: {
    /** A sentinel's usual port, for `redis.sentinels` entries and URL hosts without one. */
    sentinelPort: 26379,
    /** A data node's usual port, for `redis.cluster` entries and URL hosts without one. */
    nodePort: 6379,
  },
  logLevel: "info",
} as const;
