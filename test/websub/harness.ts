// What the subscribe tests share: a partner feed (fixture server) that advertises the fixture
// hub, a config whose baseUrl is the service's own address (so the hub's verification GETs
// and pushes reach it), and a started service torn down after the test.
import type { ExecutionContext } from "ava";
import { type RunningService, type ServiceOptions, startService } from "../../src/app/service.js";
import { createIngestPool } from "../../src/app/wiring.js";
import type { Config, SourceConfig } from "../../src/config/types.js";
import type { IngestPool } from "../../src/ingest/worker/pool.js";
import type { Store } from "../../src/store/store.js";
import { type SubscribeHub, startSubscribeHub } from "../fixtures/subscribe-hub.js";
import { call } from "../helpers/app.js";
import { captureLogger } from "../helpers/capture-logger.js";
import { makeConfig } from "../helpers/config.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";
import { freePort } from "../helpers/ports.js";

export const entry = (id: string, title: string, published = "2026-03-01T12:00:00Z") => `
  <entry><title>${title}</title><id>urn:partner:${id}</id>
    <link href="https://partner.example/posts/${id}"/>
    <published>${published}</published><updated>${published}</updated>
    <summary>${title}, in brief.</summary></entry>`;

/** An Atom feed; `links` go into the feed element (hub and self links). */
export const atomFeed = (links: string, entries: string) => `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Partner</title><id>urn:partner</id><updated>2026-03-01T12:00:00Z</updated>
  <link href="https://partner.example/"/>${links}${entries}
</feed>`;

/**
 * One parse worker pool for every service of a test file: starting a worker thread per service
 * costs more than the tests themselves. The file closes it (`test.after.always(closePool)`).
 */
let pool: IngestPool | undefined;
export const closePool = async () => {
  await pool?.close();
  pool = undefined;
};

export interface Harness {
  partner: FixtureServer;
  hub: SubscribeHub;
  service: RunningService;
  config: Config;
  /** The feed URL of source `p` (the topic unless the feed names another self). */
  feedUrl: string;
  logs: ReturnType<typeof captureLogger>;
  /** Applies this config at the next reload (service.reload). */
  setNextConfig(config: Config): void;
  polls(): number;
}

export interface HarnessOptions {
  /** How the partner's feed advertises the hub (default: Link headers). */
  advertise?: "headers" | "body" | "none";
  subscribe?: boolean;
  polling?: Partial<Config["polling"]>;
  websub?: Partial<Config["websub"]>;
  source?: Partial<SourceConfig>;
  store?: Store;
  role?: ServiceOptions["role"];
  /** Reuse another harness's partner and hub (several instances on one Redis). */
  share?: Pick<Harness, "partner" | "hub">;
  pollAtStart?: boolean;
  /** Where hubs call back (default: this instance), e.g. the api instance of a deployment. */
  baseUrl?: string;
  /** No shared parse pool: the service makes its own (an api instance, on its first push). */
  ownPool?: boolean;
}

export async function startHarness(
  t: ExecutionContext,
  options: HarnessOptions = {},
): Promise<Harness> {
  const partner = options.share?.partner ?? (await startFixtureServer(t));
  const hub = options.share?.hub ?? (await startSubscribeHub(t));
  const feedUrl = partner.url("/feed.atom");
  const advertise = options.advertise ?? "headers";
  if (options.share === undefined) {
    const bodyLinks =
      advertise === "body"
        ? `<link rel="hub" href="${hub.url}"/><link rel="self" href="${feedUrl}"/>`
        : "";
    partner.set("/feed.atom", {
      headers: {
        "content-type": "application/atom+xml",
        ...(advertise === "headers"
          ? { link: `<${hub.url}>; rel="hub", <${feedUrl}>; rel="self"` }
          : {}),
      },
      body: atomFeed(bodyLinks, entry("1", "First story")),
    });
  }
  const port = await freePort();
  const base = makeConfig();
  const config = makeConfig({
    service: { ...base.service, port, baseUrl: options.baseUrl ?? `http://127.0.0.1:${port}` },
    polling: { ...base.polling, timeoutMs: 3_000, ...options.polling },
    websub: { ...base.websub, subscribe: options.subscribe ?? true, ...options.websub },
    sources: [
      {
        id: "p",
        title: "Partner",
        url: feedUrl,
        categories: ["migration"],
        enabled: true,
        ...options.source,
      },
    ],
  });
  let next = config;
  const logs = captureLogger("info");
  pool ??= createIngestPool(config);
  const service = await startService(config, logs.logger, {
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.role === undefined ? {} : { role: options.role }),
    ...(options.pollAtStart === undefined ? {} : { pollAtStart: options.pollAtStart }),
    ...(options.ownPool ? {} : { ingestPool: pool }),
    reloadConfig: async () => next,
    drainMs: 1_000,
  });
  t.teardown(() => service.stop());
  return {
    partner,
    hub,
    service,
    config,
    feedUrl,
    logs,
    setNextConfig: (c) => {
      next = c;
    },
    polls: () => partner.requests.filter((r) => r.path === "/feed.atom").length,
  };
}

export async function apiSources(service: RunningService): Promise<{ id: string; push: string }[]> {
  const res = await call(`${service.url}/api/sources`);
  return res.json() as { id: string; push: string }[];
}

export async function feedTitles(service: RunningService): Promise<string[]> {
  const res = await call(`${service.url}/feeds/all.json`);
  if (res.status !== 200) return [];
  const feed = res.json() as { items: { title: string }[] };
  return feed.items.map((item) => item.title);
}
