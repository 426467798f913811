// `tributary rules --dry-run|--apply` as an operator runs it: real processes against a private
// redis-server (REDIS_URL), after a poll stored a partner's entries under the first rules.
import test from "ava";
import { runCli, writeConfig } from "../helpers/cli.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { startRedisServer } from "../helpers/redis-server.js";

const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>Partner</title>
<link>https://partner.example.org/</link><description>d</description>
<item><title>Trafficking report released</title><link>https://partner.example.org/1</link><guid>p-1</guid>
<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>
<item><title>Vacancy: field officer</title><link>https://partner.example.org/2</link><guid>p-2</guid>
<pubDate>Mon, 02 Mar 2026 11:00:00 GMT</pubDate></item>
</channel></rss>`;

const config = (origin: string, rules: string) => `
polling: { allowPrivateNetworks: true, timeoutMs: 5000 }
categories: [{ id: news, title: News }, { id: trafficking, title: Trafficking }]
rules: ${rules}
sources:
  - { id: partner, title: Partner, url: "${origin}/feed.rss", categories: [news] }
`;

test.serial(
  "rules --dry-run shows what new rules change and writes nothing; --apply writes it once",
  async (t) => {
    const redis = await startRedisServer(t);
    const partners = await startFixtureServer(t, { "/feed.rss": { body: rss } });
    const env = { REDIS_URL: redis.url };
    const path = writeConfig(t, config(partners.origin, "[]"));
    t.is((await runCli(["poll", "--config", path], env)).code, 0);
    const fetched = partners.requests.length;

    const next = writeConfig(
      t,
      config(
        partners.origin,
        `[{ when: { words: [trafficking] }, add: [trafficking] }, { when: { words: [vacancy] }, drop: true }]`,
      ),
    );
    const dry = await runCli(["rules", "--dry-run", "--config", next], env);
    t.is(dry.code, 0, dry.stderr);
    t.regex(
      dry.stdout,
      /^partner: 1 would be filed differently, 1 would be dropped, 0 unchanged$/m,
    );
    t.regex(dry.stdout, /Trafficking report released\n {4}\[news\] → \[news, trafficking\]/);
    t.regex(dry.stdout, /Vacancy: field officer\n {4}\[news\] → dropped/);
    t.regex(dry.stdout, /nothing written \(dry run\)/);
    // Nothing was written: the same dry run says the same.
    t.is((await runCli(["rules", "--dry-run", "--config", next], env)).stdout, dry.stdout);

    const applied = await runCli(["rules", "--apply", "--json", "--config", next], env);
    t.is(applied.code, 0, applied.stderr);
    const report = JSON.parse(applied.stdout) as {
      applied: boolean;
      sources: { sourceId: string; recategorised: number; dropped: number }[];
    };
    t.like(report, {
      applied: true,
      sources: [{ sourceId: "partner", recategorised: 1, dropped: 1 }],
    });
    const after = await runCli(["rules", "--dry-run", "--config", next], env);
    t.regex(
      after.stdout,
      /^partner: 0 would be filed differently, 0 would be dropped, 1 unchanged$/m,
    );
    t.is(partners.requests.length, fetched, "no fetch");

    const usage = await runCli(["rules", "--config", next], env);
    t.is(usage.code, 2);
    t.regex(usage.stderr, /give exactly one of --dry-run and --apply/);
    const unknown = await runCli(["rules", "--dry-run", "--source", "nope", "--config", next], env);
    t.is(unknown.code, 2);
    t.regex(unknown.stderr, /no source "nope" in the config/);
  },
);
