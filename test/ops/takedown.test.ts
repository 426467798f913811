// Takedown (POST /admin/updates/{id}/hide, …/unhide, GET /admin/hidden): two real services on one
// private redis-server, one that polls and one api instance with pushed versions. An entry hidden
// through one leaves every output of the other at once, stays hidden through a re-poll, is
// listed with when it was hidden, counted in /metrics, and comes back with unhide.
import test from "ava";
import { startService } from "../../src/app/service.js";
import { loadConfig } from "../../src/config/load.js";
import { call } from "../helpers/app.js";
import { captureLogger } from "../helpers/capture-logger.js";
import { writeConfig } from "../helpers/cli.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { waitFor } from "../helpers/wait.js";
import { opsYaml } from "./fixtures.js";

const TOKEN = "takedown-test-token-31aa";
const admin = { authorization: `Bearer ${TOKEN}` };

const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>Partner</title>
<link>https://partner.example.org/</link><description>d</description>
<item><title>Kept story</title><link>https://partner.example.org/kept</link><guid>kept</guid>
<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>
<item><title>Vacancy: programme assistant</title><link>https://partner.example.org/job</link>
<guid>job</guid><pubDate>Mon, 02 Mar 2026 11:00:00 GMT</pubDate></item>
</channel></rss>`;

const OUTPUTS = [
  "/feeds/all.rss",
  "/feeds/news.atom",
  "/feeds/all.json",
  "/api/updates",
  "/",
  "/categories/news",
];

test("an entry hidden through one instance leaves every output of the other at once, through re-polls, until unhidden", async (t) => {
  const redis = await startRedisServer(t);
  const partner = await startFixtureServer(t, { "/a.rss": { body: feed } });
  const path = writeConfig(t, opsYaml(partner.origin, [{ id: "a", path: "/a.rss" }]));
  const env = { REDIS_URL: redis.url, ADMIN_TOKEN: TOKEN };
  const start = async (role: "all" | "api") => {
    const service = await startService(await loadConfig(path, env), captureLogger().logger, {
      role,
      pollAtStart: role === "all",
      drainMs: 500,
    });
    t.teardown(() => service.stop());
    return service;
  };
  const worker = await start("all");
  await worker.initialPoll;
  const api = await start("api");
  const shows = async (title: string) => {
    const found: string[] = [];
    for (const route of OUTPUTS) {
      const body = (await call(`${api.url}${route}`)).body.toString("utf8");
      if (body.includes(title)) found.push(route);
    }
    return found;
  };
  t.deepEqual(await shows("Vacancy: programme assistant"), OUTPUTS, "every output lists it first");

  const [job] = (
    (await call(`${api.url}/api/updates`)).json() as { items: { id: string; title: string }[] }
  ).items.filter((i) => i.title.startsWith("Vacancy"));
  const id = job?.id ?? "";
  t.is((await call(`${worker.url}/admin/updates/${id}/hide`, { method: "POST" })).status, 401);
  const hidden = await call(`${worker.url}/admin/updates/${encodeURIComponent(id)}/hide`, {
    method: "POST",
    headers: admin,
  });
  t.is(hidden.status, 200);
  t.like(hidden.json(), { hidden: true, id, title: "Vacancy: programme assistant", sourceId: "a" });
  // At once on the other instance: the hide bumped the versions it pushes.
  await waitFor(
    async () => ((await shows("Vacancy")).length === 0 ? true : undefined),
    3_000,
    "the takedown to reach the api instance",
  );
  t.deepEqual(await shows("Kept story"), OUTPUTS, "the rest of the feed stays");

  // The partner still lists it: a re-poll stores it, hidden.
  const polled = await call(`${worker.url}/admin/poll?wait=1`, { method: "POST", headers: admin });
  t.is(polled.status, 200);
  t.deepEqual(await shows("Vacancy"), []);

  const list = (await call(`${api.url}/admin/hidden`, { headers: admin })).json() as {
    id: string;
    hiddenAt: string;
  }[];
  t.is(list.length, 1);
  t.is(list[0]?.id, id);
  t.true(Date.parse(list[0]?.hiddenAt ?? "") <= Date.now());
  const metrics = (await call(`${api.url}/metrics`)).body.toString("utf8");
  t.regex(metrics, /^tributary_hidden_entries 1$/m);

  t.is(
    (await call(`${api.url}/admin/updates/no-such-entry/hide`, { method: "POST", headers: admin }))
      .status,
    404,
  );
  const unhidden = await call(`${api.url}/admin/updates/${encodeURIComponent(id)}/unhide`, {
    method: "POST",
    headers: admin,
  });
  t.is(unhidden.status, 200);
  await waitFor(
    async () => ((await shows("Vacancy")).length === OUTPUTS.length ? true : undefined),
    3_000,
    "the entry to come back",
  );
  t.is(
    (
      await call(`${api.url}/admin/updates/${encodeURIComponent(id)}/unhide`, {
        method: "POST",
        headers: admin,
      })
    ).status,
    404,
  );
});
