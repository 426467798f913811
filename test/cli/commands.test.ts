// The command line as an operator uses it: real processes, real config files, fixture partners.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import test from "ava";
import { request } from "undici";
import { collect, repoRoot, runCli, spawnCli, writeConfig } from "../helpers/cli.js";
import { startFixtureServer } from "../helpers/fixture-server.js";

const rss = (title: string) => `<?xml version="1.0"?><rss version="2.0"><channel>
<title>Partner</title><link>https://partner.example.org/</link><description>d</description>
<item><title>${title}</title><link>https://partner.example.org/1</link><guid>p-1</guid>
<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate><description>Text.</description></item>
</channel></rss>`;

const config = (origin: string, port = 0) => `
service: { port: ${port}, host: 127.0.0.1 }
polling: { allowPrivateNetworks: true, timeoutMs: 3000 }
categories: [{ id: news, title: News }]
sources:
  - { id: good, title: Good, url: "${origin}/good.rss", categories: [news] }
  - { id: broken, title: Broken, url: "${origin}/missing.rss", categories: [news] }
  - { id: off, title: Off, url: "${origin}/good.rss", categories: [news], enabled: false }
`;

test("check-config accepts the shipped config", async (t) => {
  const result = await runCli(["check-config", "config/tributary.yaml"]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /ok \(\d+ categories, \d+ sources/);
});

test("check-config counts in words: 1 category, 1 source", async (t) => {
  const path = writeConfig(
    t,
    `categories: [{ id: news, title: News }]
sources:
  - { id: a, title: A, url: "https://a.example/feed", categories: [news] }
`,
  );
  const result = await runCli(["check-config", path]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /: ok \(1 category, 1 source, 1 enabled\)\n$/);
});

test("check-config parses the page templates beside the config and names a broken one's file and line", async (t) => {
  const path = writeConfig(
    t,
    `categories: [{ id: news, title: News }]
sources:
  - { id: a, title: A, url: "https://a.example/feed", categories: [news] }
`,
  );
  const templates = join(dirname(path), "templates");
  mkdirSync(templates);
  writeFileSync(join(templates, "entry.liquid"), "<li>{{ entry.title }}</li>\n");
  const ok = await runCli(["check-config", path]);
  t.is(ok.code, 0, ok.stderr);
  t.true(ok.stdout.includes(`; page templates from ${templates})`), ok.stdout);

  writeFileSync(join(templates, "sources.liquid"), "{% layout 'layout' %}\n{% for x in %}");
  const broken = await runCli(["check-config", path]);
  t.is(broken.code, 2);
  t.regex(broken.stderr, /^pages\.templates: sources\.liquid: .*sources\.liquid, line:2/m);
});

test("check-config prints one path: message line per problem and exits 2", async (t) => {
  const path = writeConfig(
    t,
    `categories: [{ id: news, title: News }]
sources:
  - { id: a, title: A, url: "ftp://x", categories: [news] }
  - { id: a, title: B, url: "https://b.example/feed", categories: [nope] }
surprise: 1
`,
  );
  const result = await runCli(["check-config", path]);
  t.is(result.code, 2);
  const lines = result.stderr.trim().split("\n");
  t.true(lines.includes('sources[0].url: must be an http(s) URL, got "ftp://x"'), result.stderr);
  t.true(lines.some((l) => l.startsWith("sources[1].id: duplicate id")));
  t.true(lines.some((l) => l.startsWith("sources[1].categories[0]: unknown category")));
  t.true(lines.some((l) => l.startsWith("surprise: unknown key")));
  t.notRegex(result.stderr, /\n\s+at /); // no stack trace
});

test("serve refuses an invalid config with exit 2 before starting anything", async (t) => {
  const path = writeConfig(t, "polling: { timeoutMs: -1 }\ncategories: []\nsources: []\n");
  const result = await runCli(["serve", "--config", path]);
  t.is(result.code, 2);
  t.regex(result.stderr, /^polling\.timeoutMs: /m);
});

test("unknown commands are usage errors", async (t) => {
  const result = await runCli(["frobnicate"]);
  t.is(result.code, 2);
  t.regex(result.stderr, /unknown command "frobnicate"/);
});

test("poll prints one line per source and exits 1 when one failed", async (t) => {
  const partners = await startFixtureServer(t, { "/good.rss": { body: rss("Hello") } });
  const path = writeConfig(t, config(partners.origin));
  const result = await runCli(["poll", "--config", path]);
  t.is(result.code, 1, result.stderr);
  const lines = result.stdout.trim().split("\n");
  t.is(lines.length, 2); // the disabled source is not polled
  t.regex(lines.find((l) => l.startsWith("good")) ?? "", /\bok\b.*1 new, 0 updated/);
  t.regex(lines.find((l) => l.startsWith("broken")) ?? "", /\berror\b.*http-404/);
});

test("poll --json --source polls just the named sources, disabled ones included", async (t) => {
  const partners = await startFixtureServer(t, { "/good.rss": { body: rss("Hello") } });
  const path = writeConfig(t, config(partners.origin));
  const result = await runCli([
    "poll",
    "--config",
    path,
    "--json",
    "--source",
    "good",
    "--source",
    "off",
  ]);
  t.is(result.code, 0, result.stderr);
  const outcomes = JSON.parse(result.stdout) as {
    sourceId: string;
    status: string;
    added: number;
  }[];
  t.deepEqual(
    outcomes.map((o) => [o.sourceId, o.status, o.added]),
    [
      ["good", "ok", 1],
      ["off", "ok", 1],
    ],
  );
});

test("poll with an unknown --source names the known ones", async (t) => {
  const path = writeConfig(t, config("http://127.0.0.1:9"));
  const result = await runCli(["poll", "--config", path, "--source", "nope"]);
  t.is(result.code, 2);
  t.regex(result.stderr, /unknown source "nope" \(known: good, broken, off\)/);
});

test("serve logs the store in use, serves polled entries and stops cleanly on SIGTERM", async (t) => {
  const partners = await startFixtureServer(t, { "/good.rss": { body: rss("Served") } });
  const path = writeConfig(t, config(partners.origin));
  const child = spawnCli(["serve", "--config", path]);
  const done = collect(child);
  t.teardown(() => child.kill("SIGKILL"));
  let log = "";
  child.stdout?.on("data", (chunk) => {
    log += chunk;
  });
  const url = await waitFor(() => /"url":"(http:[^"]+)"/.exec(log)?.[1]);
  t.regex(log, /"store":"memory"/);
  await waitFor(() => (/"source":"good","status":"ok"/.test(log) ? true : undefined));
  const response = await request(`${url}/feeds/news.json`);
  const feed = (await response.body.json()) as { items: { title: string }[] };
  t.deepEqual(
    feed.items.map((i) => i.title),
    ["Served"],
  );

  const started = Date.now();
  child.kill("SIGTERM");
  const result = await done;
  t.is(result.code, 0, result.stderr);
  t.true(Date.now() - started < 5_000);
  t.regex(result.stdout, /"msg":"stopped"/);
});

test("the built bin runs with plain node", async (t) => {
  const bin = join(repoRoot, "dist", "main.js");
  t.true(existsSync(bin), "dist/main.js is missing: npm install (or npm run build) builds it");
  const child = await collect(
    (await import("node:child_process")).spawn(process.execPath, [bin, "--version"], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  t.is(child.code, 0, child.stderr);
  t.regex(child.stdout, /^\d+\.\d+\.\d+\n$/);
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("timed out waiting");
}
