// Rescheduling on reload (Scheduler.update) and a reloaded concurrency (Limiter.limit).
import test from "ava";
import type { SourceConfig } from "../../src/config/types.js";
import { Limiter } from "../../src/schedule/limiter.js";
import { startScheduler } from "../../src/schedule/scheduler.js";

const source = (id: string, schedule?: string, enabled = true): SourceConfig => ({
  id,
  title: id,
  url: `https://${id}.example.org/feed`,
  categories: ["news"],
  enabled,
  ...(schedule ? { schedule } : {}),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const YEARLY = "0 0 1 1 *";

test("update: removed sources stop, added ones start, moved ones are on exactly one task", async (t) => {
  const ticks: { at: number; ids: string[] }[] = [];
  const scheduler = startScheduler({
    sources: [source("stays", "* * * * * *"), source("goes", "* * * * * *"), source("moves")],
    defaultSchedule: YEARLY,
    onDue: (sources) => ticks.push({ at: Date.now(), ids: sources.map((s) => s.id) }),
  });
  t.teardown(() => scheduler.stop());
  t.truthy(scheduler.nextPollAt("goes"));

  await scheduler.update(
    [
      source("stays", "* * * * * *"),
      source("moves", "* * * * * *"),
      source("new", "*/2 * * * * *"),
      source("off", "* * * * * *", false),
    ],
    YEARLY,
  );
  const updatedAt = Date.now();
  t.is(scheduler.nextPollAt("goes"), undefined);
  t.is(scheduler.nextPollAt("off"), undefined);
  t.truthy(scheduler.nextPollAt("new"));
  const moves = scheduler.nextPollAt("moves");
  t.true(moves !== undefined && moves.getTime() - Date.now() <= 1000, String(moves));

  await sleep(3_200);
  const after = ticks.filter((tick) => tick.at >= updatedAt);
  const seen = after.flatMap((tick) => tick.ids);
  t.false(seen.includes("goes"));
  t.false(seen.includes("off"));
  t.true(seen.includes("new"));
  t.true(seen.includes("moves"));
  // Once per second at most: a source on two tasks would be handed over twice per tick.
  const perSecond = new Map<string, number>();
  for (const tick of after) {
    for (const id of tick.ids) {
      const key = `${id}@${Math.floor(tick.at / 1000)}`;
      perSecond.set(key, (perSecond.get(key) ?? 0) + 1);
    }
  }
  t.true(
    [...perSecond.values()].every((n) => n === 1),
    JSON.stringify([...perSecond]),
  );
});

test("update after stop schedules nothing", async (t) => {
  const ticks: string[] = [];
  const scheduler = startScheduler({
    sources: [],
    defaultSchedule: YEARLY,
    onDue: (sources) => ticks.push(...sources.map((s) => s.id)),
  });
  await scheduler.stop();
  await scheduler.update([source("late", "* * * * * *")], YEARLY);
  t.is(scheduler.nextPollAt("late"), undefined);
  await sleep(1_200);
  t.deepEqual(ticks, []);
});

test("raising a limiter's limit starts waiting jobs at once; lowering lets running ones finish", async (t) => {
  const limiter = new Limiter(1);
  const releases: (() => void)[] = [];
  let running = 0;
  let peak = 0;
  const job = () =>
    limiter.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => releases.push(resolve));
      running--;
    });
  const all = [job(), job(), job(), job()];
  await sleep(5);
  t.is(running, 1);
  limiter.limit = 3;
  await sleep(5);
  t.is(running, 3);
  limiter.limit = 1;
  for (const release of releases.splice(0)) release();
  await sleep(5);
  t.is(running, 1); // the fourth job, alone under the new limit
  t.is(limiter.active, 1);
  for (const release of releases.splice(0)) release();
  await Promise.all(all);
  t.is(peak, 3);
  t.is(limiter.active, 0);
});
