import test from "ava";
import { createPoller } from "../../src/app/wiring.js";
import type { SourceConfig } from "../../src/config/types.js";
import type { PollOutcome } from "../../src/model/poll.js";
import type { SourceState } from "../../src/model/source.js";
import { Poller } from "../../src/schedule/poller.js";
import { startScheduler } from "../../src/schedule/scheduler.js";
import { MemoryStore } from "../../src/store/memory.js";
import { captureLogger } from "../helpers/capture-logger.js";
import { makeConfig } from "../helpers/config.js";
import { startFixtureServer } from "../helpers/fixture-server.js";

const source = (id: string, schedule?: string): SourceConfig => ({
  id,
  title: id,
  url: `https://${id}.example.org/feed`,
  categories: ["news"],
  enabled: true,
  ...(schedule ? { schedule } : {}),
});

const ok = (sourceId: string): PollOutcome => ({
  sourceId,
  status: "ok",
  added: 0,
  updated: 0,
  unchanged: 0,
  dropped: 0,
  expired: 0,
  durationMs: 1,
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

test("at most `concurrency` sources are polled at once", async (t) => {
  let active = 0;
  let peak = 0;
  const poller = new Poller({
    store: new MemoryStore(),
    concurrency: 3,
    refresh: async (s) => {
      active++;
      peak = Math.max(peak, active);
      await tick();
      active--;
      return ok(s.id);
    },
  });
  const outcomes = await poller.pollMany(Array.from({ length: 10 }, (_, i) => source(`s${i}`)));
  t.is(outcomes.length, 10);
  t.is(peak, 3);
});

test("a source already being polled is not polled a second time", async (t) => {
  let calls = 0;
  const poller = new Poller({
    store: new MemoryStore(),
    concurrency: 4,
    refresh: async (s) => {
      calls++;
      await tick();
      return ok(s.id);
    },
  });
  const a = source("a");
  const [first, second] = await Promise.all([poller.poll(a), poller.poll(a)]);
  t.is(calls, 1);
  t.is(first, second);
  await poller.poll(a);
  t.is(calls, 2);
});

test("a refresh that throws becomes an error outcome, never a rejection", async (t) => {
  const seen: PollOutcome[] = [];
  const poller = new Poller({
    store: new MemoryStore(),
    concurrency: 1,
    refresh: async () => {
      throw new Error("boom");
    },
    onOutcome: (o) => seen.push(o),
  });
  const outcome = await poller.poll(source("x"));
  t.is(outcome?.status, "error");
  t.is(outcome?.errorKind, "internal-error");
  t.is(seen.length, 1);
});

test("scheduled polls respect backoff; forced polls do not", async (t) => {
  const store = new MemoryStore();
  const s = source("slow");
  await store.setSourceState(s.id, {
    status: "error",
    url: s.url,
    consecutiveFailures: 3,
    notBefore: new Date(Date.now() + 3_600_000).toISOString(),
  });
  let calls = 0;
  const poller = new Poller({
    store,
    concurrency: 1,
    refresh: async (src) => {
      calls++;
      return ok(src.id);
    },
  });
  t.is(await poller.poll(s), undefined);
  t.is(calls, 0);
  t.is((await poller.poll(s, { force: true }))?.status, "ok");
  t.is(calls, 1);
});

/** The real memory store, counting how often a source's state is read. */
class CountingStore extends MemoryStore {
  stateReads = 0;
  override getSourceState(sourceId: string): Promise<SourceState | undefined> {
    this.stateReads++;
    return super.getSourceState(sourceId);
  }
}

test("a poll reads the source's state from the store once, scheduled (backoff check) or forced", async (t) => {
  const partner = await startFixtureServer(t, {
    "/feed": {
      headers: { "Content-Type": "application/rss+xml", ETag: '"v1"' },
      body: `<?xml version="1.0"?><rss version="2.0"><channel><title>Partner</title>
<item><guid>1</guid><title>First</title><link>https://partner.example/1</link></item>
</channel></rss>`,
    },
  });
  const store = new CountingStore();
  t.teardown(() => store.close());
  const s: SourceConfig = { ...source("partner"), url: partner.url("/feed") };
  const poller = createPoller(makeConfig({ sources: [s] }), store, captureLogger().logger);

  t.like(await poller.poll(s), { status: "ok", added: 1 });
  t.is(store.stateReads, 1, "the state read for the backoff check is the one refresh starts from");
  // The state that read carried is used: its validators make the second poll conditional.
  // (Not due until the next cron tick: as after a reload, the due time is set aside.)
  t.like(await poller.poll(s, { ignoreDue: true }), { status: "not-modified" });
  t.is(store.stateReads, 2);
  t.is(partner.requests.at(-1)?.headers["if-none-match"], '"v1"');

  t.like(await poller.poll(s, { force: true }), { status: "not-modified" });
  t.is(store.stateReads, 3, "a forced poll skips the backoff check; refresh reads the state");
});

test("the scheduler fires each schedule and reports the next poll per source", async (t) => {
  const due: string[][] = [];
  const scheduler = startScheduler({
    sources: [source("fast", "* * * * * *"), source("slow"), { ...source("off"), enabled: false }],
    defaultSchedule: "0 0 1 1 *",
    onDue: (sources) => due.push(sources.map((s) => s.id)),
  });
  t.teardown(() => scheduler.stop());
  const next = scheduler.nextPollAt("slow");
  t.truthy(next);
  t.is(next?.getUTCMonth(), 0);
  t.is(next?.getUTCDate(), 1);
  t.is(scheduler.nextPollAt("off"), undefined);
  await new Promise((resolve) => setTimeout(resolve, 2_300));
  t.true(due.length >= 1);
  t.true(due.every((ids) => ids.length === 1 && ids[0] === "fast"));
  await scheduler.stop();
  const count = due.length;
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  t.is(due.length, count);
});
