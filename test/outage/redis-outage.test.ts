// Redis stopped in the middle of a poll and started again, on a private redis-server this test
// starts on a free port (never the shared one): the poll in flight fails fast, the last feeds
// keep being served with a Warning, the API and /readyz answer 503, and everything recovers by
// itself, without restarting Tributary.
import test, { type ExecutionContext } from "ava";
import { STALE_WARNING } from "../../src/http/feed-response.js";
import type { PollOutcome } from "../../src/model/poll.js";
import { get, type OutageRig, PARTNERS, startOutageRig, waitUntil } from "./rig.js";

/** Generous bounds: the machine is shared. Measured figures go to t.log. */
const FAST_MS = 5_000;
const RECOVERY_MS = 15_000;

const titlesOf = (json: string): string[] =>
  (JSON.parse(json) as { items: { title: string }[] }).items.map((item) => item.title);

/** Polls the UN partner, holds its answer until Redis is stopped, then lets it through. */
async function stopRedisMidPoll(t: ExecutionContext, rig: OutageRig) {
  const held = rig.hold(PARTNERS.un);
  const un = rig.config.sources.filter((source) => source.id === "un");
  const polling = rig.service.poller.pollMany(un, { force: true });
  await held.arrived;
  await rig.redis.stop();
  const released = performance.now();
  held.release();
  const outcomes = await polling;
  const ms = performance.now() - released;
  t.log(`poll in flight ended ${ms.toFixed(0)} ms after its partner answered into the outage`);
  return { outcomes, ms };
}

const outcomeOf = (outcomes: PollOutcome[], id: string) =>
  outcomes.find((outcome) => outcome.sourceId === id);

test("redis outage without persistence: fail fast, serve stale, 503s, recover and repopulate", async (t) => {
  const rig = await startOutageRig(t);
  const { service } = rig;
  const initial = (await service.initialPoll) as PollOutcome[];
  t.deepEqual(
    initial.map((o) => o.status),
    ["ok", "ok"],
  );

  // Feed readers fetch before the outage, so these pages are rendered and cached.
  const allJson = await get(`${service.url}/feeds/all.json`);
  const trafficking = await get(`${service.url}/feeds/trafficking.rss`, {
    "accept-encoding": "gzip",
  });
  t.is(allJson.status, 200);
  t.is(allJson.header("warning"), "");
  t.deepEqual(titlesOf(allJson.text), ["Trafficking report", "Migration study", "Older story"]);
  const cachedAt = Date.now();

  // A new story the held poll brings in while Redis is down: it cannot be stored yet.
  rig.items.get(PARTNERS.un)?.unshift({
    guid: "un-3",
    title: "Arrived during the outage",
    date: "2026-03-04T09:00:00Z",
  });
  const { outcomes, ms } = await stopRedisMidPoll(t, rig);
  t.true(ms < FAST_MS, `the poll in flight took ${ms} ms to fail`);
  t.like(outcomeOf(outcomes, "un"), { status: "error", errorKind: "store-unavailable" });
  t.true(
    rig.logs.some(
      (line) =>
        line.msg === "poll failed" &&
        line.source === "un" &&
        line.errorKind === "store-unavailable",
    ),
    "the failed poll is logged",
  );

  // During the outage every answer comes at once.
  const outageStarted = performance.now();
  const stale = await get(`${service.url}/feeds/all.json`);
  t.is(stale.status, 200);
  t.is(stale.text, allJson.text, "the last published bytes");
  t.is(stale.header("etag"), allJson.header("etag"));
  t.is(stale.header("warning"), STALE_WARNING);
  t.regex(stale.header("age"), /^\d+$/);
  const since = Date.parse(stale.header("x-tributary-stale"));
  t.true(since <= cachedAt && since > cachedAt - 60_000, stale.header("x-tributary-stale"));

  // A feed reader's conditional request still gets its 304, from the cached representation.
  const revalidated = await get(`${service.url}/feeds/trafficking.rss`, {
    "accept-encoding": "gzip",
    "if-none-match": trafficking.header("etag"),
  });
  t.is(revalidated.status, 304);
  t.is(revalidated.header("etag"), trafficking.header("etag"));
  t.is(revalidated.header("warning"), STALE_WARNING);

  // A page never rendered before cannot be made up: 503 with Retry-After, never an empty feed.
  const unpublished = await get(`${service.url}/feeds/migration.atom`);
  t.is(unpublished.status, 503);
  t.is(unpublished.header("retry-after"), "5");
  t.deepEqual(JSON.parse(unpublished.text), { error: "store unavailable, retry later" });

  for (const path of ["/api/updates", "/api/categories", "/api/sources"]) {
    const api = await get(`${service.url}${path}`);
    t.is(api.status, 503, path);
    t.is(api.header("retry-after"), "5", path);
    t.deepEqual(JSON.parse(api.text), { error: "store unavailable, retry later" }, path);
  }
  const notReady = await get(`${service.url}/readyz`);
  t.is(notReady.status, 503);
  t.like(JSON.parse(notReady.text), { status: "unavailable" });
  t.regex((JSON.parse(notReady.text) as { reason: string }).reason, /^store: /);
  t.is((await get(`${service.url}/healthz`)).status, 200);
  const outageMs = performance.now() - outageStarted;
  t.true(outageMs < FAST_MS, `answers during the outage took ${outageMs} ms in all`);

  // Redis comes back empty (no persistence). Nobody restarts Tributary.
  await rig.redis.restart();
  const readyMs = await waitUntil(
    async () => (await get(`${service.url}/readyz`)).status === 200,
    RECOVERY_MS,
  );
  // Until the reconnect's poll has written again, readers keep the last feed (marked stale),
  // never an empty one; then they get the fresh feed, without a Warning.
  const seen: string[][] = [];
  const freshMs = await waitUntil(async () => {
    const answer = await get(`${service.url}/feeds/all.json`);
    if (answer.status !== 200) return false;
    seen.push(titlesOf(answer.text));
    return answer.header("warning") === "";
  }, RECOVERY_MS);
  t.log(`after Redis answered again: /readyz 200 in ${readyMs.toFixed(0)} ms`);
  t.log(`after Redis answered again: a fresh feed in ${freshMs.toFixed(0)} ms`);
  t.true(readyMs < RECOVERY_MS);
  t.true(
    seen.every((titles) => titles.length > 0),
    `never an empty feed: ${JSON.stringify(seen)}`,
  );
  // The reconnect's poll refills each source as it answers: soon every entry is back.
  const everything = [
    "Arrived during the outage",
    "Trafficking report",
    "Migration study",
    "Older story",
  ];
  const refilledMs = await waitUntil(async () => {
    const answer = await get(`${service.url}/feeds/all.json`);
    return answer.status === 200 && titlesOf(answer.text).join() === everything.join();
  }, RECOVERY_MS);
  t.log(`after Redis answered again: every entry back ${refilledMs.toFixed(0)} ms after that`);
  t.true(rig.logs.some((line) => line.msg === "redis reconnected"));
  t.true(rig.logs.some((line) => line.msg === "polled after the store returned"));
  // At most one warning for the outage, however many reconnect attempts failed (none when a
  // slow machine lets Redis come back before the first reconnect attempt fails).
  t.true(rig.logs.filter((line) => line.msg === "redis connection problem").length <= 1);

  const sources = await get(`${service.url}/api/sources`);
  t.is(sources.status, 200);
  t.deepEqual(
    (JSON.parse(sources.text) as { id: string; status: string }[]).map((s) => [s.id, s.status]),
    [
      ["un", "ok"],
      ["journal", "ok"],
    ],
  );
  // The poller keeps working: the next poll succeeds.
  const next = await service.poller.pollMany(rig.config.sources, { force: true });
  t.deepEqual(
    next.map((o) => o.errorKind),
    [undefined, undefined],
  );
});

test("redis outage with AOF: data survives, feeds are current at once, the lost poll is redone", async (t) => {
  const rig = await startOutageRig(t, { persistence: "aof" });
  const { service } = rig;
  await service.initialPoll;
  const before = await get(`${service.url}/feeds/all.rss`);
  t.is(before.status, 200);

  rig.items.get(PARTNERS.un)?.unshift({
    guid: "un-3",
    title: "Arrived during the outage",
    date: "2026-03-04T09:00:00Z",
  });
  const { outcomes, ms } = await stopRedisMidPoll(t, rig);
  t.true(ms < FAST_MS, `the poll in flight took ${ms} ms to fail`);
  t.like(outcomeOf(outcomes, "un"), { status: "error", errorKind: "store-unavailable" });
  const stale = await get(`${service.url}/feeds/all.rss`);
  t.is(stale.status, 200);
  t.is(stale.header("warning"), STALE_WARNING);
  t.is((await get(`${service.url}/readyz`)).status, 503);

  const requestsBefore = rig.partners.requests.length;
  await rig.redis.restart();
  const readyMs = await waitUntil(
    async () => (await get(`${service.url}/readyz`)).status === 200,
    RECOVERY_MS,
  );
  // The entries and states were replayed from the AOF: the API answers with them at once.
  const updates = await get(`${service.url}/api/updates?limit=10`);
  t.is(updates.status, 200);
  t.true(titlesOf(updates.text).includes("Migration study"));
  t.log(`after Redis answered again: /readyz 200 in ${readyMs.toFixed(0)} ms`);

  // Only the poll lost to the outage is redone; the other partner is not polled again.
  await waitUntil(async () => {
    const answer = await get(`${service.url}/feeds/all.rss`);
    return answer.status === 200 && answer.text.includes("Arrived during the outage");
  }, RECOVERY_MS);
  const fresh = await get(`${service.url}/feeds/all.rss`);
  t.is(fresh.header("warning"), "");
  t.not(fresh.header("etag"), before.header("etag"));
  t.deepEqual(
    rig.partners.requests.slice(requestsBefore).map((r) => r.path),
    [PARTNERS.un],
  );
  // And a reader revalidating the current page gets a plain 304.
  const revalidated = await get(`${service.url}/feeds/all.rss`, {
    "if-none-match": fresh.header("etag"),
  });
  t.is(revalidated.status, 304);
  t.is(revalidated.header("warning"), "");
});

/** A command timeout short enough for a test; the circuit makes it a one-off cost anyway. */
const HUNG_TIMEOUT_MS = 500;
/** "At once": an answer that waits for no Redis command. Generous: the machine is shared. */
const AT_ONCE_MS = 250;

/** Starts a GET and resolves with the answer and how long it took. */
async function timed(url: string, headers: Record<string, string> = {}) {
  const started = performance.now();
  const answer = await get(url, headers);
  return { answer, ms: performance.now() - started };
}

test("a hung redis (SIGSTOP): one command timeout, then stale feeds and 503s at once; SIGCONT closes the circuit", async (t) => {
  const rig = await startOutageRig(t, {
    env: { REDIS_COMMAND_TIMEOUT_MS: String(HUNG_TIMEOUT_MS) },
  });
  const { service } = rig;
  await service.initialPoll;
  const before = await get(`${service.url}/feeds/all.json`);
  const trafficking = await get(`${service.url}/feeds/trafficking.rss`);
  t.is(before.status, 200);
  await get(`${service.url}/`);

  // The first command after the hang waits its timeout: a poll in flight, here.
  const held = rig.hold(PARTNERS.un);
  const un = rig.config.sources.filter((source) => source.id === "un");
  const polling = service.poller.pollMany(un, { force: true });
  await held.arrived;
  rig.redis.pause();
  t.teardown(() => rig.redis.resume());
  const released = performance.now();
  held.release();
  const [outcome] = await polling;
  const pollMs = performance.now() - released;
  t.log(`poll in flight against a hung redis ended after ${pollMs.toFixed(0)} ms`);
  t.like(outcome, { status: "error", errorKind: "store-unavailable" });
  t.true(pollMs < HUNG_TIMEOUT_MS + 2_000, `${pollMs} ms`);

  // From then on nothing waits for Redis.
  const answers = {
    stale: await timed(`${service.url}/feeds/all.json`),
    revalidated: await timed(`${service.url}/feeds/trafficking.rss`, {
      "if-none-match": trafficking.header("etag"),
    }),
    unpublished: await timed(`${service.url}/feeds/migration.atom`),
    updates: await timed(`${service.url}/api/updates`),
    categories: await timed(`${service.url}/api/categories`),
    sources: await timed(`${service.url}/api/sources`),
    home: await timed(`${service.url}/`),
    readyz: await timed(`${service.url}/readyz`),
  };
  for (const [name, { ms }] of Object.entries(answers)) {
    t.log(`against a hung redis, after the first timeout: ${name} in ${ms.toFixed(1)} ms`);
    t.true(ms < AT_ONCE_MS, `${name} took ${ms} ms`);
  }
  t.is(answers.stale.answer.status, 200);
  t.is(answers.stale.answer.text, before.text);
  t.is(answers.stale.answer.header("warning"), STALE_WARNING);
  t.is(answers.revalidated.answer.status, 304);
  t.is(answers.revalidated.answer.header("warning"), STALE_WARNING);
  for (const name of ["unpublished", "updates", "categories", "sources"] as const) {
    t.is(answers[name].answer.status, 503, name);
    t.is(answers[name].answer.header("retry-after"), "5", name);
  }
  t.true([200, 503].includes(answers.home.answer.status), "the last home page, or a 503");
  t.is(answers.readyz.answer.status, 503);
  const [again] = await service.poller.pollMany(un, { force: true });
  t.like(again, { status: "error", errorKind: "store-unavailable" });
  t.is(rig.logs.filter((line) => line.msg.startsWith("redis not answering")).length, 1);

  // SIGCONT: a background PING gets through and closes the circuit; nobody restarts anything.
  rig.redis.resume();
  const resumed = performance.now();
  await waitUntil(async () => (await get(`${service.url}/readyz`)).status === 200, RECOVERY_MS);
  t.log(`after SIGCONT: /readyz 200 in ${(performance.now() - resumed).toFixed(0)} ms`);
  await waitUntil(async () => {
    const answer = await get(`${service.url}/feeds/all.json`);
    return answer.status === 200 && answer.header("warning") === "";
  }, RECOVERY_MS);
  t.true(performance.now() - resumed < RECOVERY_MS);
  const closed = rig.logs.filter((line) => line.msg === "redis answering again");
  t.is(closed.length, 1);
  t.is(typeof closed[0]?.hungForMs, "number");
  t.is(rig.logs.filter((line) => line.msg.startsWith("redis not answering")).length, 1);
  // The poll lost to the hang is redone by itself, as after a lost connection.
  await waitUntil(
    async () => rig.logs.some((line) => line.msg === "polled after the store returned"),
    RECOVERY_MS,
  );
  const [next] = await service.poller.pollMany(un, { force: true });
  t.is(next?.status, "ok");
  t.is((await get(`${service.url}/api/sources`)).status, 200);
});

test("shutdown with a hung redis does not wait for it", async (t) => {
  const rig = await startOutageRig(t, {
    env: { REDIS_COMMAND_TIMEOUT_MS: String(HUNG_TIMEOUT_MS) },
  });
  await rig.service.initialPoll;
  rig.redis.pause();
  t.teardown(() => rig.redis.resume());
  // One command times out, so the store knows Redis hangs.
  t.is((await get(`${rig.service.url}/api/sources`)).status, 503);
  const started = performance.now();
  await rig.service.stop();
  const ms = performance.now() - started;
  t.log(`stop() with a hung redis took ${ms.toFixed(0)} ms`);
  t.true(ms < 1_000, `${ms} ms`);
});
