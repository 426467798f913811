// npm run bench: requests per second of a cached category page and a cached embed page against
// a cached category feed of the same category, all gzip, measured alternately in one run (the
// issue asks for pages at ≥ 0.8× the feed); the gzipped size of a 20-entry category page
// (≤ 30 KB asked); the size of /embed.js (≤ 8 KB gzipped asked).
import { gzipSync } from "node:zlib";
import { request } from "undici";
import { CONNECTIONS, measure, median, ROUNDS, SECONDS, startServers } from "./load.js";

const GZIP = { "accept-encoding": "gzip" };

const { servers, stop } = await startServers();
try {
  const origin = servers.tributary;
  const paths = {
    feed: "/feeds/migration.rss",
    page: "/categories/migration",
    embed: "/embed/migration",
  };
  const page = await request(`${origin}${paths.page}`, { headers: GZIP });
  const pageGzip = Buffer.from(await page.body.arrayBuffer());
  const plain = await request(`${origin}${paths.page}`);
  const pageText = await plain.body.text();
  const entries = pageText.match(/<article class="entry"/g)?.length ?? 0;
  const script = await request(`${origin}/embed.js`);
  const scriptBytes = Buffer.from(await script.body.arrayBuffer());

  console.log(
    `pages: ${ROUNDS} rounds x ${SECONDS}s, ${CONNECTIONS} connections, gzip, against ${paths.feed} (50 entries)`,
  );
  console.log(
    `${paths.page}: ${entries} entries, ${pageText.length} bytes, ${pageGzip.length} bytes gzip (${(pageGzip.length / 1024).toFixed(1)} KB; limit 30 KB)`,
  );
  console.log(
    `/embed.js: ${scriptBytes.length} bytes, ${gzipSync(scriptBytes, { level: 9 }).length} bytes gzip (limit 8192)`,
  );

  // Warm each, then alternate so machine noise hits all three alike.
  for (const path of Object.values(paths)) await measure(origin, path, GZIP, 200);
  const rates: Record<keyof typeof paths, number[]> = { feed: [], page: [], embed: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, path] of Object.entries(paths) as [keyof typeof paths, string][]) {
      rates[name].push(await measure(origin, path, GZIP, 200));
    }
  }
  const feed = median(rates.feed);
  for (const name of ["feed", "page", "embed"] as const) {
    const rate = median(rates[name]);
    console.log(
      `cached ${paths[name].padEnd(22)} ${rate.toFixed(0).padStart(6)} req/s (median)   ratio to the feed ${(rate / feed).toFixed(2)}`,
    );
  }
} finally {
  stop();
}
