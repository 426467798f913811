import test from "ava";
import { request } from "undici";
import { fetchOptionsOf } from "../../src/app/wiring.js";
import { demoConfig } from "../../src/demo/config.js";
import { DEMO_PARTNERS, startDemoPartners } from "../../src/demo/server.js";
import { fetchFeed } from "../../src/ingest/fetch/fetch.js";
import { normalise } from "../../src/ingest/normalise/normalise.js";
import { parseFeed } from "../../src/ingest/parse/parse.js";
import { describeSource } from "../../src/ingest/probe/source-report.js";
import { collect, spawnCli } from "../helpers/cli.js";
import { freePort } from "../helpers/ports.js";
import { waitFor } from "../helpers/wait.js";

async function getJson(url: string): Promise<unknown> {
  const res = await request(url);
  return res.body.json();
}

test("every sample feed is a clean source: usable entries, no warnings, 304 on revalidation", async (t) => {
  const partners = await startDemoPartners();
  t.teardown(() => partners.close());
  const config = demoConfig(partners.origin, {});
  const options = fetchOptionsOf(config);
  for (const partner of DEMO_PARTNERS) {
    const url = `${partners.origin}${partner.path}`;
    const fetched = await fetchFeed(url, {}, options);
    if (fetched.kind !== "modified") {
      t.fail(`${url}: ${fetched.kind}`);
      continue;
    }
    const again = await fetchFeed(url, fetched.validators, options);
    t.is(again.kind, "not-modified", url);
    const parsed = await parseFeed(fetched.body.toString("utf8"));
    const report = describeSource({
      fetched: { ...fetched, bytes: fetched.body.length },
      charset: "utf-8",
      parsed,
      normalised: normalise(parsed, { id: partner.id, categories: [], feedUrl: url }, new Date()),
      conditional: "not-modified",
    });
    t.true(report.usable, url);
    t.true(report.entries >= 3, url);
    t.deepEqual(report.warnings, [], url);
    // Article links lead to the demo server's stand-in pages.
    const link = report.sample[0]?.link ?? "";
    t.true(link.startsWith(`${partners.origin}/articles/`), link);
    t.is((await request(link)).statusCode, 200);
  }
});

test("the demo config is valid, polls every minute, and ignores REDIS_URL", (t) => {
  const config = demoConfig("http://127.0.0.1:40000", {
    REDIS_URL: "redis://production.invalid:6379",
    PORT: "9999",
  });
  t.is(config.redisUrl, undefined);
  t.is(config.service.port, 9999);
  t.is(config.polling.schedule, "* * * * *");
  t.true(config.polling.allowPrivateNetworks);
  t.deepEqual(
    config.sources.map((s) => s.id),
    DEMO_PARTNERS.map((p) => p.id),
  );
});

test("serve --demo fills every category within seconds and stops cleanly", async (t) => {
  const port = await freePort();
  const child = spawnCli(["serve", "--demo"], { PORT: String(port) });
  const result = collect(child);
  t.teardown(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  const base = `http://127.0.0.1:${port}`;
  const categories = await waitFor(
    async () => {
      try {
        const list = (await getJson(`${base}/api/categories`)) as { id: string; entries: number }[];
        return list.every((c) => c.entries > 0) ? list : undefined;
      } catch {
        return undefined; // not listening yet
      }
    },
    40_000,
    "every demo category to have entries",
  );
  t.deepEqual(
    categories.map((c) => c.id),
    ["all", "trafficking", "migration", "refugees", "research"],
  );
  // Categories can fill before the last source's first poll lands: wait for that too.
  const sources = await waitFor(
    async () => {
      const list = (await getJson(`${base}/api/sources`)) as { id: string; status: string }[];
      return list.every((s) => s.status !== "pending") ? list : undefined;
    },
    40_000,
    "every demo source to have been polled",
  );
  t.deepEqual(
    sources.filter((s) => s.status !== "ok" && s.status !== "not-modified"),
    [],
  );
  child.kill("SIGTERM");
  const { code, stdout } = await result;
  t.is(code, 0);
  t.regex(stdout, /demo: serving bundled sample feeds/);
});
