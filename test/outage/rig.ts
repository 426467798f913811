// A whole Tributary on a private redis-server that the caller can stop and restart: two fixture
// partners whose answers can be held (to stop Redis in the middle of a poll), the real service
// opened from config.redisUrl (so the reconnect hook and the connection log are the real ones),
// and its log lines captured. Used by the outage tests and by bench/redis-recovery.ts.
import type { ExecutionContext } from "ava";
import { pino } from "pino";
import { request } from "undici";
import { type RunningService, startService } from "../../src/app/service.js";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/types.js";
import type { LogLine } from "../helpers/app.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";
import {
  type RedisServer,
  type RedisServerOptions,
  startRedisServer,
} from "../helpers/redis-server.js";

export interface PartnerItem {
  guid: string;
  title: string;
  /** ISO date */
  date: string;
}

/** Holding a partner's next answer until release(): the poll is then "in flight". */
export interface Hold {
  /** Resolves when Tributary's request has arrived and is being held. */
  arrived: Promise<void>;
  release(): void;
}

export interface OutageRig {
  redis: RedisServer;
  partners: FixtureServer;
  service: RunningService;
  config: Config;
  logs: LogLine[];
  /** Entries each partner serves, by path; edit them to change what the next poll sees. */
  items: Map<string, PartnerItem[]>;
  /** Holds the next request for `path` (one request). */
  hold(path: string): Hold;
  close(): Promise<void>;
}

export const PARTNERS = { un: "/un.rss", journal: "/journal.rss" } as const;

const rss = (title: string, items: PartnerItem[]) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>${title}</title><link>https://partner.example.org/</link><description>d</description>
  ${items
    .map(
      (item) => `<item><title>${item.title}</title>
    <link>https://partner.example.org/${item.guid}</link><guid isPermaLink="false">${item.guid}</guid>
    <pubDate>${new Date(item.date).toUTCString()}</pubDate><description>${item.title}.</description></item>`,
    )
    .join("\n  ")}
</channel></rss>`;

// The cron schedule never fires during a test (1 January, 00:00): every poll is one we start.
const yaml = (origin: string) => `
service: { title: "Tributary outage test", baseUrl: "http://tributary.test", port: 0, host: "127.0.0.1" }
polling: { allowPrivateNetworks: true, timeoutMs: 10000, schedule: "0 0 1 1 *" }
categories:
  - { id: trafficking, title: Trafficking, description: Anti-trafficking news }
  - { id: migration, title: Migration, description: Migration research }
sources:
  - { id: un, title: UN Fixture, url: "${origin}${PARTNERS.un}", categories: [trafficking] }
  - { id: journal, title: Journal Fixture, url: "${origin}${PARTNERS.journal}", categories: [migration] }
`;

export interface OutageRigOptions extends RedisServerOptions {
  /** Environment the config is read with, besides REDIS_URL (e.g. REDIS_COMMAND_TIMEOUT_MS). */
  env?: Record<string, string>;
}

export async function startOutageRig(
  t: ExecutionContext | undefined,
  options: OutageRigOptions = {},
): Promise<OutageRig> {
  const { env, ...serverOptions } = options;
  const redis = await startRedisServer(t, serverOptions);
  const items = new Map<string, PartnerItem[]>([
    [
      PARTNERS.un,
      [
        { guid: "un-1", title: "Trafficking report", date: "2026-03-02T10:00:00Z" },
        { guid: "un-2", title: "Older story", date: "2026-02-28T08:30:00Z" },
      ],
    ],
    [PARTNERS.journal, [{ guid: "j-1", title: "Migration study", date: "2026-03-01T12:00:00Z" }]],
  ]);
  const holds = new Map<string, { arrived: () => void; released: Promise<void> }>();
  const partners = await startFixtureServer(t);
  for (const path of Object.values(PARTNERS)) {
    partners.set(path, (_req, res) => {
      const answer = () =>
        res
          .writeHead(200, { "Content-Type": "application/rss+xml" })
          .end(rss(path, items.get(path) ?? []));
      const held = holds.get(path);
      if (!held) {
        answer();
        return undefined;
      }
      holds.delete(path);
      held.arrived();
      void held.released.then(answer);
      return undefined;
    });
  }
  const logs: LogLine[] = [];
  const logger = pino(
    { level: "info" },
    { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  );
  const config = parseConfig(yaml(partners.origin), { ...env, REDIS_URL: redis.url });
  const service = await startService(config, logger);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await service.stop();
    await partners.close();
    await redis.close();
  };
  // Registered last, so it runs first: the service stops before its Redis and partners go.
  t?.teardown(close);
  return {
    redis,
    partners,
    service,
    config,
    logs,
    items,
    hold(path) {
      let arrived = () => {};
      let release = () => {};
      const arrival = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.set(path, { arrived, released });
      return { arrived: arrival, release };
    },
    close,
  };
}

export interface Answer {
  status: number;
  header(name: string): string;
  text: string;
}

/** One GET with exactly these headers (undici adds none and does not decompress). */
export async function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(url, { headers });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    header: (name) => {
      const value = res.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(", ") : (value ?? "");
    },
    text,
  };
}

/** Retries `check` every `everyMs` until it returns true; resolves with the ms it took. */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 25,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
