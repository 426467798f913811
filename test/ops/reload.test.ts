// Hot reload against a running `tributary serve` (a real child process): a file change and
// SIGHUP add one source and remove another, checked through /api/sources and the fixture
// partner's request log; an invalid config leaves the running one in force. Serial: each test
// runs a child process with its own parse workers.
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import test, { type ExecutionContext } from "ava";
import { call } from "../helpers/app.js";
import { writeConfig } from "../helpers/cli.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";
import { type Served, serve } from "../helpers/served.js";
import { delay, waitFor } from "../helpers/wait.js";
import { opsYaml, rss, type SourceSpec } from "./fixtures.js";

const EVERY_SECOND = "* * * * * *";
const TOKEN = "reload-test-token-7d41e";

/** `tributary serve --config <path>` as a child process (helpers/served.ts). */
const serveConfig = (t: ExecutionContext, configPath: string, env: Record<string, string> = {}) =>
  serve(t, ["--config", configPath], env);

async function partners(t: ExecutionContext): Promise<FixtureServer> {
  return startFixtureServer(t, {
    "/a.rss": { body: rss("From A", "a-1") },
    "/b.rss": { body: rss("From B", "b-1") },
    "/c.rss": { body: rss("From C", "c-1") },
  });
}

const fetches = (server: FixtureServer, path: string) =>
  server.requests.filter((r) => r.path === path).length;

const sourceIds = async (url: string) =>
  ((await call(`${url}/api/sources`)).json() as { id: string }[]).map((s) => s.id);

const before = (origin: string) =>
  opsYaml(origin, [
    { id: "a", path: "/a.rss", schedule: EVERY_SECOND },
    { id: "b", path: "/b.rss", schedule: EVERY_SECOND },
  ]);
const afterSources: SourceSpec[] = [
  { id: "a", path: "/a.rss", schedule: EVERY_SECOND },
  { id: "c", path: "/c.rss", schedule: "0 0 1 1 *" },
];

/** The reload took effect: c polled at once, b gone from the API and no longer fetched. */
async function assertReloaded(t: ExecutionContext, server: FixtureServer, served: Served) {
  await waitFor(() => fetches(server, "/c.rss") > 0 || undefined, 10_000, "c to be fetched");
  t.deepEqual(await sourceIds(served.url), ["a", "c"]);
  // A tick that fired just before the swap may still reach the partner; then nothing more.
  await delay(500);
  const bFetches = fetches(server, "/b.rss");
  const aFetches = fetches(server, "/a.rss");
  // a and b shared one every-second schedule: two more ticks for a would have fetched b too.
  await waitFor(
    () => fetches(server, "/a.rss") >= aFetches + 2 || undefined,
    20_000,
    "two more scheduled polls of a",
  );
  t.is(fetches(server, "/b.rss"), bFetches, "b is still being polled");
  // c's schedule is yearly: it was fetched because it was added, once.
  t.is(fetches(server, "/c.rss"), 1);
  // The removed source's entries stay until retention or `tributary prune` removes them.
  const page = (await call(`${served.url}/api/updates?category=news`)).json() as {
    items: { sourceId: string }[];
  };
  t.true(page.items.some((item) => item.sourceId === "b"));
}

test.serial("a config file saved while serving adds and removes sources", async (t) => {
  const server = await partners(t);
  const path = writeConfig(t, before(server.origin));
  const served = await serveConfig(t, path);
  await waitFor(
    () => (fetches(server, "/a.rss") > 0 && fetches(server, "/b.rss") > 0) || undefined,
    10_000,
    "a and b to be fetched",
  );
  t.deepEqual(await sourceIds(served.url), ["a", "b"]);

  const reloaded = served.next("config reloaded");
  // Saved the way editors do: a new file renamed over the old one.
  writeFileSync(`${path}.tmp`, opsYaml(server.origin, afterSources));
  renameSync(`${path}.tmp`, path);
  t.like(await reloaded, { trigger: "file-change", added: ["c"], removed: ["b"], changed: [] });
  await assertReloaded(t, server, served);
});

test.serial("SIGHUP reloads the config, even an edit the file watch cannot see", async (t) => {
  const server = await partners(t);
  // The config path is a symlink into another folder: edits of the target make no event in the
  // watched folder, so only the signal can cause this reload.
  const real = writeConfig(t, before(server.origin));
  const linkDir = mkdtempSync(join(tmpdir(), "tributary-link-"));
  t.teardown(() => rmSync(linkDir, { recursive: true, force: true }));
  const path = join(linkDir, "tributary.yaml");
  symlinkSync(real, path);
  const served = await serveConfig(t, path);
  await waitFor(() => fetches(server, "/b.rss") > 0 || undefined, 10_000, "b to be fetched");

  writeFileSync(real, opsYaml(server.origin, afterSources));
  await delay(800);
  t.false(served.lines.some((l) => l.msg === "config reloaded"));
  t.deepEqual(await sourceIds(served.url), ["a", "b"]);

  const reloaded = served.next("config reloaded");
  served.child.kill("SIGHUP");
  t.like(await reloaded, { trigger: "SIGHUP", added: ["c"], removed: ["b"] });
  await assertReloaded(t, server, served);
  t.is(served.child.exitCode, null); // SIGHUP did not end the process
});

test.serial(
  "an invalid config while serving leaves the running one in force and says why",
  async (t) => {
    const server = await partners(t);
    const path = writeConfig(t, before(server.origin));
    const served = await serveConfig(t, path, { ADMIN_TOKEN: TOKEN, LOG_LEVEL: "debug" });
    await waitFor(() => fetches(server, "/b.rss") > 0 || undefined, 10_000, "b to be fetched");

    const rejected = served.next("config reload rejected; the running config stays");
    writeFileSync(
      path,
      `${before(server.origin)}  - { id: bad, title: Bad, url: "ftp://example.org/feed", categories: [news], schedule: "every day" }\n`,
    );
    const expected = [
      'sources[2].url: must be an http(s) URL, got "ftp://example.org/feed"',
      'sources[2].schedule: invalid cron expression (5 or 6 fields: [second] minute hour day-of-month month day-of-week), got "every day"',
    ];
    t.like(await rejected, { trigger: "file-change", problems: expected });

    const res = await call(`${served.url}/admin/reload`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    t.is(res.status, 422);
    t.deepEqual(res.json(), { error: "invalid config", problems: expected });

    // The old sources are still listed and still polled on their schedule.
    t.deepEqual(await sourceIds(served.url), ["a", "b"]);
    const bFetches = fetches(server, "/b.rss");
    await waitFor(() => fetches(server, "/b.rss") > bFetches || undefined, 20_000, "b polled");

    // Fixed: the next save applies.
    const reloaded = served.next("config reloaded");
    writeFileSync(path, opsYaml(server.origin, afterSources));
    t.like(await reloaded, { added: ["c"], removed: ["b"] });
    t.deepEqual(await sourceIds(served.url), ["a", "c"]);

    // Debug logs name every request, including the admin one, but never the token.
    t.true(served.lines.some((l) => l.msg === "request" && l.route === "/admin/reload"));
    t.false(served.output().includes(TOKEN));
  },
);

test.serial(
  "changing service.port is reported as needing a restart; the rest applies",
  async (t) => {
    const server = await partners(t);
    const path = writeConfig(t, before(server.origin));
    const served = await serveConfig(t, path);
    const warned = served.next(
      "config changes that need a restart to apply; the running values stay",
    );
    const reloaded = served.next("config reloaded");
    writeFileSync(path, opsYaml(server.origin, afterSources).replace("port: 0", "port: 1"));
    t.like(await warned, { fields: ["service.port"] });
    t.like(await reloaded, { added: ["c"] });
    t.deepEqual(await sourceIds(served.url), ["a", "c"]); // still answering on the old port
  },
);

test.serial(
  "a broken page template rejects a reload and the running pages stay; a fixed one applies",
  async (t) => {
    const server = await partners(t);
    const path = writeConfig(t, before(server.origin));
    const served = await serveConfig(t, path, { ADMIN_TOKEN: TOKEN });
    const reload = () =>
      call(`${served.url}/admin/reload`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}` },
      });
    const home = async () => (await call(`${served.url}/`)).body.toString();
    t.true((await home()).includes('class="skip-link"'));

    const templates = join(dirname(path), "templates");
    mkdirSync(templates);
    writeFileSync(join(templates, "stale-notice.liquid"), "{% if stale %}{{ stale | nope }}");
    const rejected = await reload();
    t.is(rejected.status, 422);
    const { problems } = rejected.json() as { problems: string[] };
    t.is(problems.length, 1);
    t.regex(
      problems[0] ?? "",
      /^pages\.templates: stale-notice\.liquid: undefined filter: nope, file:.*stale-notice\.liquid, line:1/,
    );
    t.is((await call(`${served.url}/`)).status, 200);

    writeFileSync(
      join(templates, "layout.liquid"),
      "<!doctype html><title>{{ title }}</title><p>operator layout</p>",
    );
    writeFileSync(join(templates, "stale-notice.liquid"), "");
    const applied = await reload();
    t.is(applied.status, 200);
    t.regex(await home(), /<p>operator layout<\/p>/);
  },
);
