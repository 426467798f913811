// `tributary sources` and `tributary prune` as an operator runs them: real processes against a
// private redis-server (REDIS_URL), or against a running app with --url.
// Serial: every test spawns tributary processes, and running them one at a time keeps the
// machine responsive for the timing-sensitive tests that run beside this file.

import { PassThrough } from "node:stream";
import test from "ava";
import { pruneSource } from "../../src/cli/prune.js";
import { formatSources } from "../../src/cli/sources.js";
import { initialSourceState } from "../../src/model/source.js";
import type { SourceView } from "../../src/status/sources.js";
import { MemoryStore } from "../../src/store/memory.js";
import { connectRedisStore } from "../../src/store/redis.js";
import { ALL } from "../../src/store/store.js";
import { call, startApp } from "../helpers/app.js";
import { runCli, writeConfig } from "../helpers/cli.js";
import { makeConfig } from "../helpers/config.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { freePort } from "../helpers/ports.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { makeUpdate } from "../helpers/updates.js";

const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>Partner</title>
<link>https://partner.example.org/</link><description>d</description>
<item><title>One</title><link>https://partner.example.org/1</link><guid>p-1</guid>
<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>
<item><title>Two</title><link>https://partner.example.org/2</link><guid>p-2</guid>
<pubDate>Mon, 02 Mar 2026 11:00:00 GMT</pubDate></item>
</channel></rss>`;

const config = (origin: string, withGood = true) => `
polling: { allowPrivateNetworks: true, timeoutMs: 5000 }
categories: [{ id: news, title: News }]
sources:
${withGood ? `  - { id: good, title: Good, url: "${origin}/good.rss", categories: [news] }\n` : ""}  - { id: broken, title: Broken, url: "${origin}/missing.rss", categories: [news] }
`;

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape codes.
const ANSI = /\u001B\[/;

test.serial("sources reads the shared store (REDIS_URL) after a poll", async (t) => {
  const redis = await startRedisServer(t);
  const partners = await startFixtureServer(t, { "/good.rss": { body: rss } });
  const env = { REDIS_URL: redis.url };
  const path = writeConfig(t, config(partners.origin));

  const polled = await runCli(["poll", "--config", path], env);
  t.is(polled.code, 1, polled.stderr); // broken is a 404

  const table = await runCli(["sources", "--config", path], env);
  t.is(table.code, 0, table.stderr);
  const [header, ...rows] = table.stdout.trimEnd().split("\n");
  t.regex(header ?? "", /^id\s+status\s+stale\s+last success\s+entries\s+next poll\s+last error$/);
  t.regex(rows[0] ?? "", /^good\s+ok\s+just now\s+2\s+in (<1m|\d+m)$/);
  t.regex(rows[1] ?? "", /^broken\s+error\s+never\s+0\s+in (<1m|\d+m)\s+http-404: HTTP 404/);
  t.notRegex(table.stdout, ANSI); // piped: plain text

  const json = await runCli(["sources", "--json", "--config", path], env);
  const views = JSON.parse(json.stdout) as SourceView[];
  t.deepEqual(
    views.map((v) => [v.id, v.status, v.entries, v.errorKind]),
    [
      ["good", "ok", 2, null],
      ["broken", "error", 0, "http-404"],
    ],
  );
});

test.serial(
  "prune removes from the shared store a source that left the config, and refuses one still in it",
  async (t) => {
    const redis = await startRedisServer(t);
    // The key prefix the CLI uses: the default one, on this private server.
    const store = await connectRedisStore({ url: redis.url });
    t.teardown(() => store.close());
    await store.upsert(
      [
        makeUpdate({ sourceId: "good" }),
        makeUpdate({ sourceId: "good" }),
        makeUpdate({ sourceId: "broken" }),
      ],
      { fallbackDated: new Set() },
    );
    await store.setSourceState("good", { ...initialSourceState(), status: "ok" });
    const env = { REDIS_URL: redis.url };

    const refused = await runCli(
      ["prune", "--source", "good", "--config", writeConfig(t, config("http://127.0.0.1:1"))],
      env,
    );
    t.is(refused.code, 1);
    t.regex(refused.stderr, /"good" is still in the config/);
    t.is(await store.count(ALL, "good"), 2);

    const without = writeConfig(t, config("http://127.0.0.1:1", false));
    const pruned = await runCli(["prune", "--source", "good", "--config", without], env);
    t.is(pruned.code, 0, pruned.stderr);
    t.regex(pruned.stdout, /pruned source "good": 2 entries removed/);
    t.is(await store.count(ALL, "good"), 0);
    t.is(await store.count(ALL), 1);
    t.is(await store.getSourceState("good"), undefined);
  },
);

test.serial("sources --url reads a running server's /api/sources", async (t) => {
  const next = new Date(Date.now() + 10 * 60_000 + 20_000);
  const app = await startApp(t, { nextPollAt: () => next });
  await app.store.upsert([makeUpdate({ sourceId: "un-news", categories: ["migration"] })], {
    fallbackDated: new Set(),
  });
  await app.store.setSourceState("un-news", {
    ...initialSourceState(),
    status: "ok",
    lastSuccessAt: new Date(Date.now() - 5 * 60_000).toISOString(),
  });
  const result = await runCli(["sources", "--url", `${app.url}/`]);
  t.is(result.code, 0, result.stderr);
  const lines = result.stdout.trimEnd().split("\n");
  t.regex(lines[1] ?? "", /^un-news\s+ok\s+5m ago\s+1\s+in 10m$/);
  t.regex(lines[2] ?? "", /^atr\s+pending\s+never\s+0\s+in 10m$/);
  t.regex(lines[3] ?? "", /^mpi\s+disabled\s+never\s+0\s+—$/);

  const json = await runCli(["sources", "--json", "--url", app.url]);
  t.deepEqual(JSON.parse(json.stdout), (await call(`${app.url}/api/sources`)).json());
});

test.serial(
  "sources without Redis or --url explains why (exit 2); an unreachable --url fails (exit 1)",
  async (t) => {
    const path = writeConfig(t, "categories: [{ id: news, title: News }]\nsources: []\n");
    const memory = await runCli(["sources", "--config", path]);
    t.is(memory.code, 2);
    t.regex(memory.stderr, /REDIS_URL is unset.*embedded memory store/s);
    t.regex(memory.stderr, /--url http:\/\/host:port/);

    const closed = await freePort();
    const unreachable = await runCli([
      "sources",
      "--config",
      path,
      "--url",
      `http://127.0.0.1:${closed}`,
    ]);
    t.is(unreachable.code, 1);
    t.regex(
      unreachable.stderr,
      /cannot reach http:\/\/127\.0\.0\.1:\d+\/api\/sources: ECONNREFUSED/,
    );
  },
);

const view = (overrides: Partial<SourceView>): SourceView => ({
  id: "a",
  title: "A",
  url: "https://a.example/",
  enabled: true,
  categories: ["news"],
  status: "ok",
  errorKind: null,
  lastError: null,
  failingSince: null,
  lastFetchAt: null,
  lastSuccessAt: null,
  entries: 0,
  nextPollAt: null,
  proposedUrl: null,
  stale: false,
  ...overrides,
});

test("the table is coloured only when asked, and long errors are cut short", (t) => {
  const now = new Date("2026-03-02T12:00:00Z");
  const views = [
    view({ id: "fine", lastSuccessAt: "2026-03-02T11:00:00Z", entries: 12 }),
    view({
      id: "failing",
      status: "error",
      errorKind: "timeout",
      lastError: `No complete response within 20000 ms ${"x".repeat(200)}`,
      stale: true,
    }),
  ];
  const plain = formatSources(views, now, { colour: false });
  t.notRegex(plain, ANSI);
  t.regex(plain, /^fine\s+ok\s+1h ago\s+12\s+—$/m);
  const failing = plain.split("\n").find((line) => line.startsWith("failing")) ?? "";
  t.regex(failing, /^failing\s+error\s+stale\s+never\s+0\s+—\s+timeout: No complete response.*…$/);
  t.true(failing.length < 120);

  const coloured = formatSources(views, now, { colour: true });
  t.true(coloured.includes("\u001B[32mok"));
  t.true(coloured.includes("\u001B[31merror"));
  t.true(coloured.includes("\u001B[33mstale"));
  // Same text once the escape codes are gone: colour never shifts the columns.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping escape codes.
  t.is(coloured.replace(/\u001B\[\d+m/g, ""), plain);
});

test("the table gains a push column once a source has a WebSub subscription", (t) => {
  const now = new Date("2026-03-02T12:00:00Z");
  t.false(formatSources([view({ push: "none" })], now, { colour: false }).includes("push"));
  const plain = formatSources(
    [
      view({ id: "pushed", push: "active until 2026-03-12T12:00:00.000Z" }),
      view({ id: "refused", push: "failed: hub answered HTTP 400" }),
      view({ id: "plain", push: "none" }),
    ],
    now,
    { colour: false },
  );
  t.regex(plain, /^id\s+status\s+stale\s+last success\s+entries\s+next poll\s+push/m);
  t.regex(plain, /^pushed\s+.*active until 2026-03-12T12:00:00\.000Z/m);
  t.regex(plain, /^refused\s+.*failed: hub answered HTTP 400/m);
  t.regex(plain, /^plain\s+.*none/m);
});

test("pruneSource refuses a configured source unless forced, and reports unknown data", async (t) => {
  const store = new MemoryStore();
  const out = { stdout: new PassThrough(), stderr: new PassThrough() };
  const text = (stream: PassThrough) => String(stream.read() ?? "");
  const config = makeConfig();
  await store.upsert([makeUpdate({ sourceId: "un-news" }), makeUpdate({ sourceId: "un-news" })], {
    fallbackDated: new Set(),
  });

  t.is(await pruneSource(store, config, { source: "un-news", force: false }, out), 1);
  t.regex(text(out.stderr), /still in the config/);
  t.is(await store.count(ALL, "un-news"), 2);

  t.is(await pruneSource(store, config, { source: "un-news", force: true }, out), 0);
  t.regex(text(out.stdout), /2 entries removed/);
  t.is(await store.count(ALL), 0);

  t.is(await pruneSource(store, config, { source: "never-seen", force: false }, out), 1);
  t.regex(text(out.stderr), /holds nothing for source "never-seen"/);
});
