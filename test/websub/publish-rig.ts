// A running Tributary (startService, real HTTP on loopback) polling real fixture partners, with
// the WebSub publish settings a test asks for. Partners: `a` and `c` in migration, `b` in
// trafficking, `r` in research; each answers 200 with the same bytes until a test changes them
// (no validators, so an unchanged poll is a full 200, not a 304: only the ETags can tell).
import type { ExecutionContext } from "ava";
import { type RunningService, type ServiceOptions, startService } from "../../src/app/service.js";
import type { Config } from "../../src/config/types.js";
import type { Store } from "../../src/store/store.js";
import type { PingPolicy } from "../../src/websub/publish-pings.js";
import { type CapturedLogger, captureLogger } from "../helpers/capture-logger.js";
import { makeConfig } from "../helpers/config.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";
import { freePort } from "../helpers/ports.js";

export const CATEGORIES = ["migration", "trafficking", "research"] as const;
export const FORMATS = ["rss", "atom", "json"] as const;

export const rss = (name: string, titles: string[]) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${name}</title><link>https://${name}.example.org/</link>
<description>d</description>${titles
  .map(
    (title, i) => `<item><title>${title}</title><link>https://${name}.example.org/${i}</link>
<guid isPermaLink="false">${name}-${title}</guid><pubDate>Mon, 02 Mar 2026 0${i}:00:00 GMT</pubDate>
<description>${title}.</description></item>`,
  )
  .join("")}</channel></rss>`;

export interface Rig {
  service: RunningService;
  config: Config;
  partners: FixtureServer;
  log: CapturedLogger;
  /** Serves partner `id` with these item titles from now on. */
  publish(id: string, titles: string[]): void;
  /** Polls these partners now (as an operator poll) and waits until every ping they caused ended. */
  poll(...ids: string[]): Promise<void>;
  /** The topic URLs of these categories, in every format. */
  topics(...categories: string[]): string[];
}

export interface RigOptions {
  hubs: string[];
  delayMs?: number;
  pings?: Partial<PingPolicy>;
  store?: Store;
  /** The partners, when another rig already serves them (several instances). */
  partners?: FixtureServer;
  /** The service's base URL, when it is another instance's (behind one public name). */
  baseUrl?: string;
  reloadConfig?: ServiceOptions["reloadConfig"];
  pollAtStart?: boolean;
}

export async function startRig(t: ExecutionContext, options: RigOptions): Promise<Rig> {
  const partners = options.partners ?? (await startFixtureServer(t));
  const publish = (id: string, titles: string[]) =>
    partners.set(`/${id}.rss`, {
      headers: { "Content-Type": "application/rss+xml" },
      body: rss(id, titles),
    });
  if (options.partners === undefined) {
    publish("a", ["Alpha one"]);
    publish("b", ["Bravo one"]);
    publish("c", ["Charlie one"]);
    publish("r", ["Romeo one"]);
  }
  const port = await freePort();
  const baseUrl = options.baseUrl ?? `http://127.0.0.1:${port}`;
  const config = rigConfig(partners, port, baseUrl, options);
  const log = captureLogger("info");
  const service = await startService(config, log.logger, {
    store: options.store,
    websubPings: { firstRetryMs: 50, timeoutMs: 2_000, ...options.pings },
    reloadConfig: options.reloadConfig,
    pollAtStart: options.pollAtStart,
  });
  t.teardown(() => service.stop());
  await service.initialPoll;
  await service.hubNotifier.idle();
  const sourcesOf = (ids: string[]) => config.sources.filter((s) => ids.includes(s.id));
  return {
    service,
    config,
    partners,
    log,
    publish,
    async poll(...ids) {
      await service.poller.pollMany(sourcesOf(ids), { force: true });
      await service.hubNotifier.idle();
    },
    topics: (...categories) =>
      categories.flatMap((category) => FORMATS.map((f) => `${baseUrl}/feeds/${category}.${f}`)),
  };
}

export function rigConfig(
  partners: FixtureServer,
  port: number,
  baseUrl: string,
  options: Pick<RigOptions, "hubs" | "delayMs">,
): Config {
  const source = (id: string, category: string) => ({
    id,
    title: `Partner ${id}`,
    url: partners.url(`/${id}.rss`),
    categories: [category],
    enabled: true,
  });
  return makeConfig({
    service: { baseUrl, port, host: "127.0.0.1" },
    websub: { hubs: options.hubs, publishDelayMs: options.delayMs ?? 300 },
    categories: CATEGORIES.map((id) => ({ id, title: id, description: `About ${id}.` })),
    sources: [
      source("a", "migration"),
      source("b", "trafficking"),
      source("c", "migration"),
      source("r", "research"),
    ],
  });
}

/** Every `hub.url` of these pings, sorted. */
export const urlsOf = (pings: { urls: string[] }[]): string[] =>
  pings.flatMap((p) => p.urls).sort();
