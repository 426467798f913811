// The demo's partners: a node:http server on 127.0.0.1 (a free port) inside the Tributary
// process, serving the bundled sample feeds with ETags and 304s like a well-behaved partner,
// and a short page for every article link so "Read more" leads somewhere.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { escapeDoubleQuoted } from "../model/escape.js";
import { type DemoFeed, demoClock } from "./feed.js";
import { harbourLine } from "./feeds/harbour-line.js";
import { openPassage } from "./feeds/open-passage.js";
import { safeRoutes } from "./feeds/safe-routes.js";

export interface DemoPartner {
  id: string;
  title: string;
  path: string;
  homepagePath: string;
  categories: string[];
}

/** Which sample feed goes into which demo category (see config.ts). */
export const DEMO_PARTNERS: readonly (DemoPartner & { feed: DemoFeed })[] = [
  {
    id: "harbour-line",
    title: "Harbour Line Migration Observatory",
    path: harbourLine.path,
    homepagePath: "/articles/harbour-line/",
    categories: ["migration", "refugees"],
    feed: harbourLine,
  },
  {
    id: "open-passage",
    title: "Open Passage Review",
    path: openPassage.path,
    homepagePath: "/articles/open-passage/",
    categories: ["research", "trafficking"],
    feed: openPassage,
  },
  {
    id: "safe-routes",
    title: "Safe Routes Helpline Network",
    path: safeRoutes.path,
    homepagePath: "/articles/safe-routes/",
    categories: ["trafficking"],
    feed: safeRoutes,
  },
];

export interface DemoPartnerServer {
  origin: string;
  close(): Promise<void>;
}

interface Rendered {
  body: string;
  contentType: string;
  etag: string;
}

export async function startDemoPartners(startedAt: Date = new Date()): Promise<DemoPartnerServer> {
  const rendered = new Map<string, Rendered>();
  const server = createServer((req, res) => answer(req, res, rendered));
  // Loopback only: the demo must not offer anything to the network it runs on.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const clock = demoClock(origin, startedAt);
  for (const { feed } of DEMO_PARTNERS) {
    const body = feed.render(clock);
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    rendered.set(feed.path, { body, contentType: feed.contentType, etag });
  }
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(req: IncomingMessage, res: ServerResponse, feeds: Map<string, Rendered>): void {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const feed = feeds.get(path);
  if (feed) {
    if (req.headers["if-none-match"] === feed.etag) {
      res.writeHead(304, { ETag: feed.etag }).end();
      return;
    }
    res.writeHead(200, { "Content-Type": feed.contentType, ETag: feed.etag }).end(feed.body);
    return;
  }
  if (path.startsWith("/articles/")) {
    res
      .writeHead(200, { "Content-Type": "text/html; charset=utf-8" })
      .end(articlePage(path.slice("/articles/".length)));
    return;
  }
  res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found\n");
}

/** "harbour-line/night-shelter" → a page saying this is a sample with no real article behind it. */
function articlePage(slug: string): string {
  const words = decodeURIComponent(slug.replace(/%(?![0-9a-f]{2})/gi, "%25"))
    .split("/")
    .filter((part) => part !== "")
    .map((part) => part.replace(/-/g, " "));
  const title = words.at(-1) ?? "sample partner";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeDoubleQuoted(title)}</title></head>
<body><h1>${escapeDoubleQuoted(title)}</h1>
<p>This page stands in for a partner's article in the Tributary demo. The partner and its
stories are invented; in production, this link leads to the partner's own website.</p>
</body></html>
`;
}
