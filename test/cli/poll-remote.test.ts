// `tributary poll` against the embedded store polls into memory that ends with the command: it
// says so, and `--url` makes a running server poll instead (its admin API) and prints outcomes.
import test, { type ExecutionContext } from "ava";
import { request } from "undici";
import { collect, runCli, spawnCli, writeConfig } from "../helpers/cli.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { freePort } from "../helpers/ports.js";
import { waitFor } from "../helpers/wait.js";

const rss = `<?xml version="1.0"?><rss version="2.0"><channel>
<title>Partner</title><link>https://partner.example.org/</link><description>d</description>
<item><title>Hello</title><link>https://partner.example.org/1</link><guid>p-1</guid>
<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate><description>Text.</description></item>
</channel></rss>`;

const config = (origin: string) => `
service: { port: 0, host: 127.0.0.1 }
polling: { allowPrivateNetworks: true, timeoutMs: 3000 }
categories: [{ id: news, title: News }]
sources:
  - { id: good, title: Good, url: "${origin}/good.rss", categories: [news] }
  - { id: broken, title: Broken, url: "${origin}/missing.rss", categories: [news] }
`;

const TOKEN = "s3cret-admin-token-for-tests";

/** A `tributary serve` child with the admin API on; resolves with its URL. */
async function serve(t: ExecutionContext, path: string) {
  const child = spawnCli(["serve", "--config", path], { ADMIN_TOKEN: TOKEN });
  const done = collect(child);
  t.teardown(() => {
    child.kill("SIGKILL");
    return done.then(() => undefined);
  });
  let log = "";
  child.stdout?.on("data", (chunk) => {
    log += chunk;
  });
  const url = await waitFor(() => /"url":"(http:[^"]+)"/.exec(log)?.[1], 30_000, "listening");
  // The start-up round is over, so the counts below come from the CLI's poll alone.
  await waitFor(() => (/first poll round/.test(log) ? true : undefined), 30_000, "first round");
  return url;
}

test("poll on the embedded store says its entries are thrown away and how to poll a server", async (t) => {
  const partners = await startFixtureServer(t, { "/good.rss": { body: rss } });
  const result = await runCli(["poll", "--config", writeConfig(t, config(partners.origin))]);
  t.regex(result.stderr, /embedded memory store that is thrown away/);
  t.regex(result.stderr, /--url http:\/\/host:port with ADMIN_TOKEN/);
  t.regex(result.stdout, /^good\s+ok/m);
});

test("poll --url makes the running server poll and prints its outcomes", async (t) => {
  const partners = await startFixtureServer(t, { "/good.rss": { body: rss } });
  const url = await serve(t, writeConfig(t, config(partners.origin)));
  const fetchesBefore = partners.requests.filter((r) => r.path === "/good.rss").length;

  const result = await runCli(["poll", "--url", url, "--json"], { ADMIN_TOKEN: TOKEN });
  t.is(result.code, 1, result.stderr); // "broken" answers 404
  const outcomes = JSON.parse(result.stdout) as {
    sourceId: string;
    status: string;
    added: number;
  }[];
  // Nothing new: the server's store already holds the entry from its start-up poll.
  t.deepEqual(outcomes.map((o) => [o.sourceId, o.status, o.added]).sort(), [
    ["broken", "error", 0],
    ["good", "ok", 0],
  ]);
  // The server fetched, not this process.
  t.is(partners.requests.filter((r) => r.path === "/good.rss").length, fetchesBefore + 1);
  t.notRegex(result.stderr, /thrown away/);

  const one = await runCli(["poll", "--url", url, "--source", "good"], { ADMIN_TOKEN: TOKEN });
  t.is(one.code, 0, one.stderr);
  t.regex(one.stdout, /^good\s+ok\s+0 new, 0 updated/m);
  t.is(one.stdout.trim().split("\n").length, 1);

  // What the server holds is what it polled: the entry is in its feed.
  const feed = (await (await request(`${url}/feeds/news.json`)).body.json()) as {
    items: { title: string }[];
  };
  t.deepEqual(
    feed.items.map((i) => i.title),
    ["Hello"],
  );
});

test("poll --url without the right token or with an unknown source says why", async (t) => {
  const partners = await startFixtureServer(t, { "/good.rss": { body: rss } });
  const url = await serve(t, writeConfig(t, config(partners.origin)));

  const noToken = await runCli(["poll", "--url", url]);
  t.is(noToken.code, 2);
  t.regex(noToken.stderr, /needs ADMIN_TOKEN/);

  const wrong = await runCli(["poll", "--url", url], { ADMIN_TOKEN: "wrong" });
  t.is(wrong.code, 1);
  t.regex(wrong.stderr, /answered HTTP 401: unauthorized \(ADMIN_TOKEN differs/);
  t.notRegex(wrong.stderr, new RegExp(TOKEN));

  const unknown = await runCli(["poll", "--url", url, "--source", "nope"], { ADMIN_TOKEN: TOKEN });
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /HTTP 404: unknown source "nope" \(known: good, broken\)/);

  const closed = `http://127.0.0.1:${await freePort()}`;
  const down = await runCli(["poll", "--url", closed], { ADMIN_TOKEN: TOKEN });
  t.is(down.code, 1);
  t.is(down.stderr, `tributary poll: cannot reach ${closed}/admin/poll?wait=1: ECONNREFUSED\n`);
});
