// Child process of bench/cycle.ts: 1,000 distinct partner feeds (20–50 items each, ~35k items)
// on HOSTS loopback host names, built once in memory and answered at once, with an ETag so the
// second cycle is all 304s. Counts requests per path; GET /_log (any host) returns the counts
// as JSON and, with ?reset=1, starts them over. Prints {"origins": [...]} when listening.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const SOURCES = Number(process.argv[2] ?? 1000);
const HOSTS = Number(process.argv[3] ?? 25);

function feed(n: number): string {
  const items = 20 + ((n * 7) % 31); // 20–50
  const parts: string[] = [];
  for (let i = 0; i < items; i++) {
    const minutes = (n * 53 + i * 17) % 1440;
    const date = new Date(Date.UTC(2026, 1, 1 + (i % 28), 0, minutes)).toUTCString();
    parts.push(`<item><title>Report ${n}.${i}: displacement and protection update</title>
<link>https://partner${n}.example/reports/${i}</link><guid>p${n}-r${i}</guid><pubDate>${date}</pubDate>
<description>Summary of report ${i} from partner ${n}: figures on migration routes, reception
capacity and protection needs, with links to the full text.</description></item>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Partner ${n}</title><link>https://partner${n}.example/</link>
<description>Feed ${n}</description>
${parts.join("\n")}
</channel></rss>`;
}

const bodies = Array.from({ length: SOURCES }, (_, n) => Buffer.from(feed(n)));
let counts = new Map<string, number>();

const handler = (
  req: import("node:http").IncomingMessage,
  res: import("node:http").ServerResponse,
) => {
  const url = req.url ?? "/";
  if (url.startsWith("/_log")) {
    const body = JSON.stringify(Object.fromEntries(counts));
    if (url.includes("reset=1")) counts = new Map();
    res.writeHead(200, { "content-type": "application/json" }).end(body);
    return;
  }
  counts.set(url, (counts.get(url) ?? 0) + 1);
  const n = Number(/^\/feed\/(\d+)\.rss$/.exec(url)?.[1] ?? -1);
  const body = bodies[n];
  if (!body) {
    res.writeHead(404).end();
    return;
  }
  const etag = `"f${n}"`;
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, { etag }).end();
    return;
  }
  res.writeHead(200, { "content-type": "application/rss+xml", etag }).end(body);
};

const origins: string[] = [];
for (let h = 0; h < HOSTS; h++) {
  const host = `127.0.0.${h + 1}`;
  const server = createServer(handler);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  origins.push(`http://${host}:${(server.address() as AddressInfo).port}`);
}
process.stdout.write(`${JSON.stringify({ origins })}\n`);
