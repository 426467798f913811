// /api/sources and /opml/sources show a private source by its public URL: the configured
// `publicUrl`, else its `url` without userinfo and secret parameters; a proposed new URL too.
import test from "ava";
import type { SourceConfig } from "../../src/config/types.js";
import { call, startApp } from "../helpers/app.js";
import { makeConfig } from "../helpers/config.js";

const privateSources = (): SourceConfig[] => [
  {
    id: "private",
    title: "Private partner",
    url: "https://reader:s3cret-pw@partner.example/feed.xml?apikey=s3cret-key&lang=en",
    headers: { "X-Api-Key": "s3cret-token" },
    categories: ["migration"],
    enabled: true,
  },
  {
    id: "published",
    title: "Partner with a public URL",
    url: "https://partner.example/feeds/s3cret-path/rss.xml",
    publicUrl: "https://partner.example/rss.xml",
    categories: ["migration"],
    enabled: true,
  },
];

interface SourceRow {
  id: string;
  url: string;
  proposedUrl: string | null;
}

test("GET /api/sources shows each source's public URL, and a proposed URL redacted", async (t) => {
  const { url, store } = await startApp(t, { config: makeConfig({ sources: privateSources() }) });
  await store.setSourceState("private", {
    status: "ok",
    consecutiveFailures: 0,
    movedTo: "https://reader:s3cret-pw@moved.example/feed.xml?token=s3cret-moved&lang=en",
    movedToCount: 3,
  });
  const res = await call(`${url}/api/sources`);
  t.is(res.status, 200);
  const rows = res.json() as SourceRow[];
  t.deepEqual(
    rows.map(({ id, url, proposedUrl }) => ({ id, url, proposedUrl })),
    [
      {
        id: "private",
        url: "https://partner.example/feed.xml?lang=en",
        proposedUrl: "https://moved.example/feed.xml?lang=en",
      },
      { id: "published", url: "https://partner.example/rss.xml", proposedUrl: null },
    ],
  );
  t.false(res.body.toString("utf8").includes("s3cret"));
});

test("GET /opml/sources lists each source by its public URL", async (t) => {
  const { url } = await startApp(t, { config: makeConfig({ sources: privateSources() }) });
  const res = await call(`${url}/opml/sources`);
  t.is(res.status, 200);
  const body = res.body.toString("utf8");
  t.regex(body, /xmlUrl="https:\/\/partner\.example\/feed\.xml\?lang=en"/);
  t.regex(body, /xmlUrl="https:\/\/partner\.example\/rss\.xml"/);
  t.false(body.includes("s3cret"));
});
