// A running Tributary whose partners are real publishers' feeds from the external corpus
// (../shared/corpus/real-world), served by a local fixture server and polled at start-up
// through the whole pipeline (fetch → decode → parse → normalise → store). The output tests
// and the real-client tests read what it publishes.

import { readFileSync } from "node:fs";
import { type RunningService, startService } from "../../src/app/service.js";
import { parseConfig } from "../../src/config/load.js";
import { createLogger } from "../../src/log.js";
import { corpusPath } from "../helpers/corpus.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { freePort } from "../helpers/ports.js";

/** Two categories of real feeds: RSS 2.0, RSS 1.0 and Atom, text and podcasts. */
export const CORPUS_CATEGORIES: Record<string, string[]> = {
  news: [
    "guardian.rss",
    "feedburner.atom",
    "heise.atom",
    "content-encoded.rss",
    "gulp-atom.atom",
    "craigslist.rss",
  ],
  podcasts: [
    "itunes-keywords-astext.rss",
    "itunes-missing-image.rss",
    "item-itunes-episodeType.rss",
    "itunes-category.rss",
    "narro.rss",
    "pagination-links.rss",
  ],
};

const sourceId = (file: string): string => file.toLowerCase().replace(/[^a-z0-9]+/g, "-");

const contentType = (file: string): string =>
  file.endsWith(".atom") ? "application/atom+xml" : "application/rss+xml";

/**
 * A port nobody listens on: the service's baseUrl must be its real address, because readers
 * follow the paging links it writes.
 */

function yaml(origin: string, port: number): string {
  const sources = Object.entries(CORPUS_CATEGORIES).flatMap(([category, files]) =>
    files.map(
      (file) =>
        `  - { id: ${sourceId(file)}, title: "${file}", url: "${origin}/${file}", categories: [${category}] }`,
    ),
  );
  return `
service: { title: "Tributary conformance", baseUrl: "http://127.0.0.1:${port}", port: ${port}, host: "127.0.0.1" }
polling: { allowPrivateNetworks: true, timeoutMs: 10000 }
# The corpus feeds are years old: keep every entry.
retention: { maxEntriesPerSource: 1000, maxAgeDays: 36500 }
categories:
  - { id: news, title: News, description: "Real publishers' news feeds" }
  - { id: podcasts, title: Podcasts, description: "Real publishers' podcast feeds" }
sources:
${sources.join("\n")}
`;
}

/** Another test file may take the probed port before the service binds it: try again. */
async function startOnFreePort(origin: string): Promise<RunningService> {
  for (let attempt = 1; ; attempt++) {
    const config = parseConfig(yaml(origin, await freePort()), {});
    try {
      return await startService(config, createLogger("silent"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 5) throw error;
    }
  }
}

export interface CorpusService {
  service: RunningService;
  url: string;
  /** Stops the service and the fixture partners. */
  stop(): Promise<void>;
}

/**
 * Starts the fixture partners and the service and polls once. One per test file (test.before,
 * stopped in test.after.always): starting it is the slow part.
 */
export async function startCorpusService(): Promise<CorpusService> {
  const routes = Object.fromEntries(
    Object.values(CORPUS_CATEGORIES)
      .flat()
      .map((file) => [
        `/${file}`,
        {
          headers: { "Content-Type": contentType(file) },
          body: readFileSync(corpusPath("real-world", "test", "input", file)),
        },
      ]),
  );
  const partners = await startFixtureServer(undefined, routes);
  const service = await startOnFreePort(partners.origin);
  await service.initialPoll;
  const stop = async () => {
    await service.stop();
    await partners.close();
  };
  return { service, url: service.url, stop };
}
