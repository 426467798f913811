// `tributary serve --role api|worker`: real child processes on one private redis-server, and a
// fixture partner whose request log shows who polls. The api instance serves what the worker
// stored and never reaches the partner; the worker polls and serves only health, readiness,
// metrics and admin. Serial: each test runs tributary processes (one with parse workers).
import test from "ava";
import { startService } from "../../src/app/service.js";
import { parseConfig } from "../../src/config/load.js";
import { NOT_SERVED_BY_WORKER } from "../../src/http/app.js";
import { NOT_POLLING } from "../../src/http/routes/admin.js";
import { call } from "../helpers/app.js";
import { captureLogger } from "../helpers/capture-logger.js";
import { runCli, writeConfig } from "../helpers/cli.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { serve } from "../helpers/served.js";
import { delay, waitFor } from "../helpers/wait.js";
import { opsYaml, rss } from "./fixtures.js";

const EVERY_SECOND = "* * * * * *";
const TOKEN = "roles-test-token-52c1a";
const admin = { Authorization: `Bearer ${TOKEN}` };

const fetches = (partner: FixtureServer) =>
  partner.requests.filter((r) => r.path === "/a.rss").length;

const titles = async (url: string) =>
  ((await call(`${url}/api/updates?category=news`)).json() as { items: { title: string }[] }).items
    .map((item) => item.title)
    .sort();

const metricsOf = async (url: string) => (await call(`${url}/metrics`)).body.toString("utf8");

test.serial(
  "an api and a worker on one Redis: the worker polls, the api serves what it stored and never polls",
  async (t) => {
    const redis = await startRedisServer(t);
    const partner = await startFixtureServer(t, { "/a.rss": { body: rss("From A", "a-1") } });
    const path = writeConfig(
      t,
      opsYaml(partner.origin, [{ id: "a", path: "/a.rss", schedule: EVERY_SECOND }]),
    );
    const env = { REDIS_URL: redis.url, ADMIN_TOKEN: TOKEN };

    // The api instance alone: no poll at start, no scheduled poll (one was due every second).
    const api = await serve(t, ["--role", "api", "--config", path], env);
    t.like(
      api.lines.find((l) => l.msg === "listening"),
      { role: "api" },
    );
    t.true(api.lines.some((l) => l.role === "api" && /never polling/.test(l.msg)));
    await delay(2_500);
    t.is(fetches(partner), 0, "the api instance fetched the partner");
    t.deepEqual(await titles(api.url), []);
    // It still says when the source is due, from the schedule in its config.
    const [view] = (await call(`${api.url}/api/sources`)).json() as { nextPollAt: string }[];
    t.true(Date.parse(view?.nextPollAt ?? "") - Date.now() <= 2_000, view?.nextPollAt);

    // Admin polls are refused with where to go; nothing reached the partner.
    for (const route of ["/admin/poll?wait=1", "/admin/sources/a/poll"]) {
      const refused = await call(`${api.url}${route}`, { method: "POST", headers: admin });
      t.is(refused.status, 409, route);
      t.deepEqual(refused.json(), { error: NOT_POLLING });
    }
    // Behind the token like every admin action: the role says nothing to a caller without it.
    t.is((await call(`${api.url}/admin/poll`, { method: "POST" })).status, 401);
    const reloaded = await call(`${api.url}/admin/reload`, { method: "POST", headers: admin });
    t.is(reloaded.status, 200);
    t.like(reloaded.json(), { reloaded: true });
    t.is(fetches(partner), 0);

    const worker = await serve(t, ["--role", "worker", "--config", path], env);
    t.like(
      worker.lines.find((l) => l.msg === "listening"),
      { role: "worker" },
    );
    await waitFor(() => fetches(partner) > 0 || undefined, 10_000, "the worker to poll");
    // What the worker stored, served by the api instance.
    await waitFor(
      async () => ((await titles(api.url)).includes("From A") ? true : undefined),
      10_000,
      "the api instance to serve the worker's entry",
    );
    const feed = await call(`${api.url}/feeds/all.rss`);
    t.is(feed.status, 200);
    t.regex(feed.body.toString("utf8"), /From A/);

    // The worker serves no reader path, in JSON even to a browser, and renders nothing.
    for (const route of ["/feeds/all.rss", "/api/updates", "/", "/opml"]) {
      for (const accept of ["*/*", "text/html"]) {
        const refused = await call(`${worker.url}${route}`, { headers: { Accept: accept } });
        t.is(refused.status, 404, `${route} (${accept})`);
        t.regex(refused.header("content-type"), /^application\/json/);
        t.deepEqual(refused.json(), { error: NOT_SERVED_BY_WORKER });
      }
    }
    t.is((await call(`${worker.url}/healthz`)).status, 200);
    t.is((await call(`${worker.url}/readyz`)).status, 200);
    const workerMetrics = await metricsOf(worker.url);
    t.regex(workerMetrics, /^tributary_role\{role="worker"\} 1$/m);
    t.regex(workerMetrics, /^tributary_fetch_total\{source="a",outcome="ok"\} [1-9]/m);
    // The worker's admin polls poll.
    const polled = await call(`${worker.url}/admin/sources/a/poll?wait=1`, {
      method: "POST",
      headers: admin,
    });
    t.is(polled.status, 200);
    // The fixture sends no validators: every poll is a full fetch, and the entry is not new.
    t.like((polled.json() as { outcomes: unknown[] }).outcomes[0], {
      sourceId: "a",
      status: "ok",
      added: 0,
    });

    const apiMetrics = await metricsOf(api.url);
    t.regex(apiMetrics, /^tributary_role\{role="api"\} 1$/m);
    t.notRegex(apiMetrics, /^tributary_fetch_total\{/m, "the api instance recorded a poll");
    t.regex(apiMetrics, /^tributary_category_entries\{category="all"\} 1$/m);

    // Without the worker, nothing polls any more, though the api instance keeps serving.
    worker.child.kill("SIGTERM");
    t.is(await worker.exited, 0);
    const afterWorker = fetches(partner);
    await delay(2_500);
    t.is(fetches(partner), afterWorker, "the api instance fetched the partner");
    t.deepEqual(await titles(api.url), ["From A"]);

    // A Redis that comes back empty: an instance that polls would re-poll every source at once;
    // the api instance leaves that to the worker and serves the store as it is.
    await redis.stop();
    await redis.restart();
    await waitFor(
      async () => ((await call(`${api.url}/readyz`)).status === 200 ? true : undefined),
      10_000,
      "the api instance to reach Redis again",
    );
    await waitFor(
      async () => ((await titles(api.url)).length === 0 ? true : undefined),
      10_000,
      "the api instance to serve the emptied store",
    );
    t.is((await call(`${api.url}/feeds/all.rss`)).status, 200);
    await delay(1_500);
    t.is(fetches(partner), afterWorker, "the api instance re-polled after the store loss");
  },
);

test.serial("--role api and --role worker need REDIS_URL: exit 2 with one line", async (t) => {
  const path = writeConfig(t, opsYaml("http://127.0.0.1:9", [{ id: "a", path: "/a.rss" }]));
  for (const role of ["api", "worker"]) {
    const result = await runCli(["serve", "--role", role, "--config", path]);
    t.is(result.code, 2, result.stderr);
    t.is(
      result.stderr,
      `--role ${role}: needs REDIS_URL (the embedded memory store is not shared between processes)\n`,
    );
    t.false(result.stdout.includes('"listening"'));
  }
});

test.serial("a role that is not all, api or worker is a usage error (exit 2)", async (t) => {
  const result = await runCli(["serve", "--role", "poller"]);
  t.is(result.code, 2);
  t.regex(result.stderr, /^serve: --role must be one of all, api, worker, got "poller"\n/);
  t.regex(result.stderr, /Usage:/);
});

test.serial(
  "a worker keeps the 404 of a disabled admin tree and the 405 of its own paths",
  async (t) => {
    // In process on the memory store: `serve` refuses that pairing, startService leaves it to it.
    const yaml = opsYaml("http://127.0.0.1:9", [{ id: "a", path: "/a.rss" }]);
    const service = await startService(parseConfig(yaml, {}), captureLogger("info").logger, {
      role: "worker",
      pollAtStart: false,
      drainMs: 500,
    });
    t.teardown(() => service.stop());
    const adminPoll = await call(`${service.url}/admin/poll`, { method: "POST" });
    t.is(adminPoll.status, 404);
    t.deepEqual(adminPoll.json(), { error: "not found" });
    const posted = await call(`${service.url}/healthz`, { method: "POST" });
    t.is(posted.status, 405);
    t.is(posted.header("allow"), "HEAD, GET");
    const unknown = await call(`${service.url}/nothing/here`);
    t.deepEqual(unknown.json(), { error: NOT_SERVED_BY_WORKER });
  },
);
