// Starts the Koa app on 127.0.0.1:0 with a real MemoryStore and the real publisher, and
// returns its base URL; the server is closed in t.teardown. Log lines are captured so tests
// can check what was logged without printing anything.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExecutionContext } from "ava";
import { pino } from "pino";
import { type Dispatcher, request } from "undici";
import { createFeedPublisher, createPagePublisher } from "../../src/app/wiring.js";
import type { Config } from "../../src/config/types.js";
import { createApp } from "../../src/http/app.js";
import type { AppDeps } from "../../src/http/deps.js";
import type { PagePublisher } from "../../src/pages/pages.js";
import type { FeedPublisher } from "../../src/publish/types.js";
import { describeSources } from "../../src/status/sources.js";
import { MemoryStore } from "../../src/store/memory.js";
import type { Store } from "../../src/store/store.js";
import { makeConfig } from "./config.js";

export interface TestAppOptions {
  /** A function gets the server's own URL, for a config whose baseUrl must be reachable. */
  config?: Config | ((url: string) => Config);
  store?: Store;
  /** Defaults to the real publisher over `store`. */
  publisher?: FeedPublisher;
  nextPollAt?: (sourceId: string) => Date | undefined;
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface TestApp {
  url: string;
  config: Config;
  store: Store;
  deps: AppDeps;
  /** Parsed pino lines, level info and above. */
  logs: LogLine[];
}

export async function startApp(
  t: ExecutionContext,
  options: TestAppOptions = {},
): Promise<TestApp> {
  // Listening first, so a config can name the server's own URL as its baseUrl.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const config =
    typeof options.config === "function" ? options.config(url) : (options.config ?? makeConfig());
  const store = options.store ?? new MemoryStore();
  const publisher = options.publisher ?? publisherFor(config, store);
  const logs: LogLine[] = [];
  const logger = pino(
    { level: "info" },
    { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  );
  const nextPollAt = options.nextPollAt ?? (() => undefined);
  const pages = pagesFor(config, store, nextPollAt);
  const deps: AppDeps = {
    getConfig: () => config,
    store,
    getPublisher: () => publisher,
    getPages: () => pages,
    nextPollAt,
    logger,
  };
  server.on("request", createApp(deps).callback());
  t.teardown(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Clients keep sockets alive; close them so teardown does not wait for their timeout.
      server.closeAllConnections();
    });
    await store.close();
  });
  return { url, config, store, deps, logs };
}

/** The pages exactly as the service builds them, over the same store. */
export const pagesFor = (
  config: Config,
  store: Store,
  nextPollAt: (sourceId: string) => Date | undefined = () => undefined,
): PagePublisher =>
  createPagePublisher(config, store, () => describeSources(config, store, nextPollAt));

/** The publisher exactly as the service builds it from a config. */
export const publisherFor = (config: Config, store: Store): FeedPublisher =>
  createFeedPublisher(config, store);

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The header as one string ("" when absent), for terse assertions. */
  header(name: string): string;
  json(): unknown;
}

/**
 * One request with exactly the headers given: undici.request adds no Cache-Control and does
 * not decompress, unlike the global fetch, so conditional and encoding tests see the wire.
 */
export async function call(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const res = await request(url, {
    method: (options.method ?? "GET") as Dispatcher.HttpMethod,
    headers: options.headers ?? {},
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  const header = (name: string): string => {
    const value = res.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(", ") : (value ?? "");
  };
  return {
    status: res.statusCode,
    headers: res.headers,
    body,
    header,
    json: () => JSON.parse(body.toString("utf8")) as unknown,
  };
}
