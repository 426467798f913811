// A complete, valid Config literal for tests: two categories, three sources (one disabled).
// Built fresh per call so no test can mutate another's fixture.
import type { Config } from "../../src/config/types.js";

/** Shallow per-section overrides: `makeConfig({ feeds: { maxLimit: 10 } })`. */
export type ConfigOverrides = {
  [K in keyof Config]?: Config[K] extends unknown[] ? Config[K] : Partial<Config[K]>;
};

export function makeConfig(overrides: ConfigOverrides = {}): Config {
  const base: Config = {
    service: {
      title: "Tributary test",
      language: "en",
      baseUrl: "http://tributary.test",
      port: 0,
      host: "127.0.0.1",
    },
    polling: {
      schedule: "*/30 * * * *",
      concurrency: 8,
      timeoutMs: 20_000,
      maxBytes: 15 * 1024 * 1024,
      maxRedirects: 5,
      userAgent: "Tributary/test (+http://tributary.test)",
      allowPrivateNetworks: true,
      parseTimeoutMs: 10_000,
      staleAfterMultiple: 3,
      maxHintSeconds: 86_400,
      perHostConcurrency: 2,
      leaseSeconds: 30,
      adaptive: false,
    },
    retention: { maxEntriesPerSource: 500, maxAgeDays: 365 },
    feeds: { defaultLimit: 50, maxLimit: 200, maxAge: 300 },
    pages: { perPage: 20, maxAge: 60, summaryLength: 280, templatesRequired: false },
    embed: { allowedOrigins: ["*"] },
    websub: {
      hubs: [],
      publishDelayMs: 2_000,
      subscribe: false,
      leaseSeconds: 864_000,
      safetyPollSeconds: 21_600,
    },
    rules: [],
    categories: [
      {
        id: "migration",
        title: "Migration",
        description: "Migrants, refugees and displacement.",
      },
      {
        id: "trafficking",
        title: "Human trafficking",
        description: "Trafficking in persons & forced labour.",
      },
    ],
    sources: [
      {
        id: "un-news",
        title: "UN News",
        url: "https://news.un.org/feed/subscribe/en/news/all/rss.xml",
        homepage: "https://news.un.org/",
        categories: ["migration", "trafficking"],
        enabled: true,
      },
      {
        id: "atr",
        title: "Anti-Trafficking Review",
        url: "https://antitraffickingreview.org/index.php/atrjournal/gateway/plugin/WebFeedGatewayPlugin/atom",
        categories: ["trafficking"],
        enabled: true,
      },
      {
        id: "mpi",
        title: "Migration Policy Institute",
        url: "https://www.migrationpolicy.org/rss.xml",
        categories: ["migration"],
        enabled: false,
      },
    ],
    logLevel: "silent",
  };
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] =
      Array.isArray(value) || typeof value !== "object" || value === null
        ? value
        : { ...(current as object), ...value };
  }
  return merged as unknown as Config;
}
