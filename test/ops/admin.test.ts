// /admin/*: disabled without ADMIN_TOKEN, 401 for a missing or wrong token, and with the right
// one the polls really happen (seen in the fixture partner's request log).
import test from "ava";
import { bearerToken, tokenMatches } from "../../src/http/auth.js";
import { call, startApp } from "../helpers/app.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { rawCall } from "../helpers/raw-http.js";
import { opsYaml, rss, startOpsService } from "./fixtures.js";

const TOKEN = "s3cret-admin-token-9f2c";
const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const post = (url: string, headers: Record<string, string> = {}) =>
  call(url, { method: "POST", headers });
// These tests assert what a poll did, not how fast: a fetch from the loopback partner must not
// fail on its deadline when the machine is busy (the file's tests run at once, beside others).
const LOOPBACK_FETCH_DEADLINE_MS = 60_000;

interface SourceRow {
  id: string;
  status: string;
  errorKind: string | null;
}

async function partnersAndService(t: Parameters<typeof startOpsService>[0], token?: string) {
  const partners = await startFixtureServer(t, {
    "/a.rss": { body: rss("A") },
    "/b.rss": { body: rss("B") },
  });
  const yaml = opsYaml(partners.origin, [
    { id: "a", path: "/a.rss" },
    { id: "b", path: "/b.rss" },
    { id: "off", path: "/a.rss", enabled: false },
  ]).replace("timeoutMs: 3000", `timeoutMs: ${LOOPBACK_FETCH_DEADLINE_MS}`);
  const ops = await startOpsService(t, yaml, { env: token ? { ADMIN_TOKEN: token } : {} });
  const fetched = (path: string) => partners.requests.filter((r) => r.path === path).length;
  return { partners, ops, fetched };
}

test("without ADMIN_TOKEN every /admin path is a 404, for any method", async (t) => {
  const { ops, fetched } = await partnersAndService(t);
  for (const [method, path] of [
    ["POST", "/admin/poll"],
    ["POST", "/admin/reload"],
    ["POST", "/admin/sources/a/poll"],
    ["GET", "/admin/poll"],
    ["GET", "/admin"],
  ] as const) {
    const res = await call(`${ops.url}${path}`, { method, headers: auth(TOKEN) });
    t.is(res.status, 404, `${method} ${path}`);
    t.deepEqual(res.json(), { error: "not found" });
  }
  t.is(fetched("/a.rss"), 0);
});

// Every other way of writing the three admin actions: case, percent-encoding, slashes and dot
// segments (sent over a raw socket, since clients normalise those away).
const SPELLINGS = [
  "/ADMIN/poll",
  "/Admin/reload",
  "/aDmin/sources/a/poll",
  "/admin/POLL",
  "/admin/Reload",
  "/admin/SOURCES/a/poll",
  "/%61dmin/poll",
  "/admin/%70oll",
  "/%2Fadmin/poll",
  "//admin/poll",
  "/admin//poll",
  "/admin/poll/",
  "/admin/reload/",
  "/admin/sources/a/poll/",
  "/admin/../admin/poll",
  "/admin/./poll",
  "/x/../admin/poll",
  "/admin/poll;x",
];

test("no other spelling of an admin path reaches an action, with no, a wrong or the right token", async (t) => {
  const { ops, fetched } = await partnersAndService(t, TOKEN);
  const tokens: [string, Record<string, string>][] = [
    ["no token", {}],
    ["wrong token", auth("wrong")],
    ["right token", auth(TOKEN)],
  ];
  for (const path of SPELLINGS) {
    for (const [label, headers] of tokens) {
      const res = await rawCall(ops.url, "POST", path, headers);
      // 401 inside the exact /admin/ tree without the token, else the 404 of an unknown path.
      const expected = label === "right token" || !path.startsWith("/admin/") ? 404 : 401;
      t.is(res.status, expected, `${path} (${label})`);
    }
  }
  await ops.service.poller.drain();
  t.is(fetched("/a.rss") + fetched("/b.rss"), 0, "no poll was started");
  t.false(
    ops.log.lines.some((l) => l.msg === "config reloaded"),
    "no reload was started",
  );
  // The exact paths still work.
  t.is((await rawCall(ops.url, "POST", "/admin/sources/a/poll", auth(TOKEN))).status, 202);
});

test("without ADMIN_TOKEN every spelling of an admin path, the exact ones too, is the 404 of an unknown path", async (t) => {
  const { ops, fetched } = await partnersAndService(t);
  const unknown = await rawCall(ops.url, "POST", "/no-such-path");
  for (const path of [...SPELLINGS, "/admin/poll", "/admin/reload", "/admin/sources/a/poll"]) {
    for (const headers of [{}, auth(TOKEN), auth("")]) {
      const res = await rawCall(ops.url, "POST", path, headers);
      t.is(res.status, 404, path);
      t.is(res.body, unknown.body, path);
      t.is(res.headers["www-authenticate"], undefined, path);
    }
  }
  await ops.service.poller.drain();
  t.is(fetched("/a.rss") + fetched("/b.rss"), 0);
});

test("paths match exactly as written outside /admin too", async (t) => {
  const { ops } = await partnersAndService(t);
  t.is((await call(`${ops.url}/feeds/all.rss`)).status, 200);
  for (const path of [
    "/FEEDS/all.rss",
    "/Feeds/all.rss",
    "/feeds/all.rss/",
    "/API/sources",
    "/api/sources/",
    "/HEALTHZ",
  ]) {
    t.is((await call(`${ops.url}${path}`)).status, 404, path);
  }
});

test("a missing, wrong or non-Bearer token gets 401 with no detail and polls nothing", async (t) => {
  const { ops, fetched } = await partnersAndService(t, TOKEN);
  const attempts: Record<string, string>[] = [
    {},
    auth("wrong"),
    auth(`${TOKEN}x`),
    auth(TOKEN.slice(0, -1)),
    { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString("base64")}` },
    { authorization: TOKEN },
  ];
  for (const headers of attempts) {
    for (const path of ["/admin/poll", "/admin/sources/a/poll", "/admin/reload", "/admin/nope"]) {
      const res = await post(`${ops.url}${path}`, headers);
      t.is(res.status, 401, `${path} ${JSON.stringify(headers)}`);
      t.deepEqual(res.json(), { error: "unauthorized" });
      t.is(res.header("www-authenticate"), "Bearer");
    }
  }
  t.is(fetched("/a.rss") + fetched("/b.rss"), 0);
});

test("POST /admin/poll answers 202 and polls every enabled source now, backoff ignored", async (t) => {
  const { ops, partners, fetched } = await partnersAndService(t, TOKEN);
  // A failure puts b into backoff: a scheduled poll would skip it, an operator's does not.
  partners.set("/b.rss", { status: 503, body: "down" });
  await ops.service.poller.pollMany(ops.service.getConfig().sources.slice(0, 2), { force: true });
  t.is(fetched("/b.rss"), 1);
  partners.set("/b.rss", { body: rss("B") });

  const res = await post(`${ops.url}/admin/poll`, auth(TOKEN));
  t.is(res.status, 202);
  t.deepEqual(res.json(), { accepted: true, sources: ["a", "b"] });
  t.is(res.header("cache-control"), "no-store");
  // The polls are registered before the 202 is sent: waiting for them is waiting for exactly
  // what this request started, with no clock (a count of partner requests seen within a time
  // limit said nothing about the polls having finished, and gave up under load).
  await ops.service.poller.drain();
  t.is(fetched("/a.rss"), 2);
  t.is(fetched("/b.rss"), 2, "b polled although in backoff");
  const sources = (await call(`${ops.url}/api/sources`)).json() as SourceRow[];
  t.deepEqual(
    sources.map((s) => [s.id, s.status, s.errorKind]),
    [
      ["a", "ok", null],
      ["b", "ok", null],
      ["off", "disabled", null],
    ],
  );
});

test("POST /admin/sources/{id}/poll polls just that source; unknown ids are a 404 naming the known", async (t) => {
  const { ops, fetched } = await partnersAndService(t, TOKEN);
  const res = await post(`${ops.url}/admin/sources/b/poll`, auth(TOKEN));
  t.is(res.status, 202);
  t.deepEqual(res.json(), { accepted: true, sources: ["b"] });
  await ops.service.poller.drain();
  t.is(fetched("/b.rss"), 1);
  t.is(fetched("/a.rss"), 0);

  const unknown = await post(`${ops.url}/admin/sources/nope/poll`, auth(TOKEN));
  t.is(unknown.status, 404);
  t.deepEqual(unknown.json(), { error: 'unknown source "nope" (known: a, b, off)' });
});

test("admin routes answer only POST: GET with the right token is a 405", async (t) => {
  const { ops } = await partnersAndService(t, TOKEN);
  const res = await call(`${ops.url}/admin/poll`, { headers: auth(TOKEN) });
  t.is(res.status, 405);
  t.is(res.header("allow"), "POST");
});

test("POST /admin/reload applies a changed file: 200 with the changes, the new source polled", async (t) => {
  const { ops, partners, fetched } = await partnersAndService(t, TOKEN);
  ops.rewrite(
    opsYaml(partners.origin, [
      { id: "a", path: "/a.rss", categories: ["other"] },
      { id: "c", path: "/b.rss" },
    ]).replace("timeoutMs: 3000", `timeoutMs: ${LOOPBACK_FETCH_DEADLINE_MS}`),
  );
  const res = await post(`${ops.url}/admin/reload`, auth(TOKEN));
  t.is(res.status, 200);
  t.deepEqual(res.json(), {
    reloaded: true,
    added: ["c"],
    removed: ["b", "off"],
    changed: ["a"],
    restartRequired: [],
    // a's default categories changed: its stored entries (none yet) are filed again.
    rules: [{ source: "a", recategorised: 0, dropped: 0, unchanged: 0 }],
  });
  // The reload starts its polls before it answers.
  await ops.service.poller.drain();
  t.is(fetched("/b.rss"), 1); // c, polled because it is new
  t.is(fetched("/a.rss"), 0); // a only changed category: no poll of its own
  const ids = ((await call(`${ops.url}/api/sources`)).json() as { id: string }[]).map((s) => s.id);
  t.deepEqual(ids, ["a", "c"]);
  t.true(ops.log.lines.some((l) => l.msg === "config reloaded" && l.trigger === "admin"));
});

test("POST /admin/reload is a 409 when the service runs without a config file", async (t) => {
  const partners = await startFixtureServer(t, {});
  const ops = await startOpsService(t, opsYaml(partners.origin, [{ id: "a", path: "/a.rss" }]), {
    env: { ADMIN_TOKEN: TOKEN },
    reloadable: false,
  });
  const res = await post(`${ops.url}/admin/reload`, auth(TOKEN));
  t.is(res.status, 409);
  t.deepEqual(res.json(), {
    error: "no config file to reload: the service was started without one",
  });
});

test("the admin token never reaches a log line, even at debug level", async (t) => {
  const { ops } = await partnersAndService(t, TOKEN);
  await post(`${ops.url}/admin/poll`, auth(TOKEN));
  await post(`${ops.url}/admin/poll`, auth(`${TOKEN}-wrong`));
  await post(`${ops.url}/admin/reload`, auth(TOKEN));
  await ops.service.poller.drain();
  const raw = ops.log.raw();
  t.true(ops.log.lines.some((l) => l.msg === "request" && l.route === "/admin/poll"));
  t.false(raw.includes(TOKEN));
  t.false(raw.toLowerCase().includes("authorization"));
});

test("bearerToken reads the RFC 6750 header; tokenMatches compares whole tokens", (t) => {
  t.is(bearerToken("Bearer abc"), "abc");
  t.is(bearerToken("bearer abc"), "abc");
  t.is(bearerToken("Basic abc"), undefined);
  t.is(bearerToken("Bearer"), undefined);
  t.is(bearerToken("Bearer a b"), undefined);
  t.is(bearerToken(undefined), undefined);
  t.true(tokenMatches("abc", "abc"));
  t.false(tokenMatches("abcd", "abc"));
  t.false(tokenMatches("ab", "abc"));
  t.false(tokenMatches(undefined, "abc"));
  t.false(tokenMatches("", ""));
});

test("GET /readyz is a 503 naming the config when none is loaded", async (t) => {
  const app = await startApp(t);
  app.deps.getConfig = () => {
    throw new Error("no config");
  };
  const res = await call(`${app.url}/readyz`);
  t.is(res.status, 503);
  t.deepEqual(res.json(), { status: "unavailable", reason: "config: not loaded" });
  t.is((await call(`${app.url}/healthz`)).status, 200);
});
