// Feeds with story provenance (Update.story) read by the real clients: the three of
// clients_check.sh each read every entry, and python3-feedparser sees the story's id, the
// Atom rel="via" links and the RSS tributary:alsoPublishedBy element.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { promisify } from "node:util";
import test from "ava";
import type { Update } from "../../src/model/update.js";
import { renderFeed } from "../../src/publish/render.js";
import type { FeedFormat } from "../../src/publish/types.js";
import { corpusDir } from "../helpers/corpus.js";
import { skipTest } from "../helpers/skip.js";
import { makeUpdate, minutesAfterEpoch } from "../helpers/updates.js";
import { makeContext } from "../publish/context.js";

const run = promisify(execFile);
const CHECK = resolve(corpusDir, "..", "tools", "clients_check.sh");
const PYTHON = "/usr/bin/python3";

const DUMP = `
import json, sys, feedparser
d = feedparser.parse(sys.argv[1])
print(json.dumps({"bozo": int(bool(d.bozo)), "entries": [
  {"id": e.get("id"), "via": [l.get("href") for l in e.get("links", []) if l.get("rel") == "via"],
   "also": e.get("tributary_alsopublishedby")} for e in d.entries]}))
`;

function feeds(format: FeedFormat, base: string): string {
  const ctx = makeContext(format);
  const sources = new Map(ctx.sources);
  sources.set("source-b", { title: "Partner B", url: "https://b.example/feed.xml" });
  const story: Update = makeUpdate({
    id: "a-2",
    story: {
      id: "a-1",
      copies: [
        { id: "a-2", sourceId: "source-a", published: minutesAfterEpoch(0), title: "T" },
        {
          id: "b-1",
          sourceId: "source-b",
          link: "https://b.example/n/1",
          published: minutesAfterEpoch(5),
          title: "T",
        },
      ],
    },
  });
  const links = { first: `${base}/feed.${format}` };
  return renderFeed({ ...ctx, sources, selfUrl: links.first, links }, [story, makeUpdate()]);
}

const clientsMissing = async (): Promise<string | undefined> => {
  if (!existsSync(CHECK)) return `${CHECK} not found`;
  try {
    await run(PYTHON, ["-c", "import feedparser"]);
    return undefined;
  } catch {
    return "python3-feedparser missing";
  }
};

const missing = await clientsMissing();
if (missing !== undefined) {
  skipTest("feeds with provenance are read by the real clients", missing);
} else {
  for (const format of ["rss", "atom"] as const) {
    test(`${format}: the clients read every entry; feedparser sees the story id and provenance`, async (t) => {
      const server = createServer((_request, response) => {
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        response.writeHead(200, { "content-type": `application/${format}+xml; charset=utf-8` });
        response.end(feeds(format, base));
      });
      await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
      t.teardown(() => new Promise<void>((done) => server.close(() => done())));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.${format}`;
      const check = await run("bash", [CHECK, url, "2"]).catch((error: { stdout?: string }) => ({
        stdout: error.stdout ?? String(error),
      }));
      t.log(check.stdout.trim());
      t.is(check.stdout.match(/ PASS /g)?.length, 3, check.stdout);
      const { stdout } = await run(PYTHON, ["-c", DUMP, url]);
      const seen = JSON.parse(stdout) as {
        bozo: number;
        entries: { id: string; via: string[]; also?: Record<string, string> }[];
      };
      t.is(seen.bozo, 0);
      const [first] = seen.entries;
      t.is(first?.id, "urn:tributary:a-1");
      if (format === "atom") t.deepEqual(first?.via, ["https://b.example/n/1"]);
      // feedparser keeps an unknown namespace's element under prefix_name, as its attributes.
      else t.like(first?.also, { partner: "source-b", url: "https://b.example/n/1" });
    });
  }
}
