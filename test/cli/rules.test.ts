// `tributary rules --dry-run|--apply` as an operator runs it: real processes against a private
// redis-server (REDIS_URL), after a poll stored a partner's entries under the first rules.
import test from "ava";
import { connectRedisStore } from "../../src/store/redis.js";
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

const config = (origin: string, rules: string, leaseSeconds = 30) => `
polling: { allowPrivateNetworks: true, timeoutMs: 5000, leaseSeconds: ${leaseSeconds} }
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

test.serial(
  "rules --apply waits for a poll of the source in progress, and leaves a source held for a whole lease as it was (exit 1)",
  async (t) => {
    const redis = await startRedisServer(t);
    const partners = await startFixtureServer(t, { "/feed.rss": { body: rss } });
    const env = { REDIS_URL: redis.url };
    t.is(
      (await runCli(["poll", "--config", writeConfig(t, config(partners.origin, "[]"))], env)).code,
      0,
    );
    const drop = `[{ when: { words: [vacancy] }, drop: true }]`;
    const store = await connectRedisStore({ url: redis.url });
    t.teardown(() => store.close());
    const stored = async () =>
      (await store.list({ category: "news", limit: 10 })).items.map((u) => u.title).sort();

    // Another worker's poll holds the source (a long lease): --apply waits for its end.
    const claim = await store.leases.claim("partner", {
      nowMs: Date.now(),
      leaseMs: 60_000,
      force: true,
    });
    if (!("lease" in claim)) throw new Error("the test could not claim the source");
    const applying = runCli(
      ["rules", "--apply", "--config", writeConfig(t, config(partners.origin, drop))],
      env,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    t.deepEqual(
      await stored(),
      ["Trafficking report released", "Vacancy: field officer"],
      "nothing written while the poll runs",
    );
    await store.leases.release(claim.lease, undefined);
    const applied = await applying;
    t.is(applied.code, 0, applied.stderr);
    t.regex(applied.stdout, /^partner: 0 filed differently, 1 dropped, 1 unchanged$/m);
    t.deepEqual(await stored(), ["Trafficking report released"]);

    // A poll that outlasts the command's lease (1 s here): nothing written, exit 1.
    const again = await store.leases.claim("partner", {
      nowMs: Date.now(),
      leaseMs: 60_000,
      force: true,
    });
    if (!("lease" in again)) throw new Error("the test could not claim the source");
    const add = `[{ when: { words: [trafficking] }, add: [trafficking] }]`;
    const held = await runCli(
      ["rules", "--apply", "--config", writeConfig(t, config(partners.origin, add, 1))],
      env,
    );
    t.is(held.code, 1);
    t.regex(
      held.stderr,
      /partner was being polled for a whole lease \(1 s\); nothing written for it/,
    );
    t.is((await store.list({ category: "trafficking", limit: 10 })).items.length, 0);
    await store.leases.release(again.lease, undefined);
  },
);
