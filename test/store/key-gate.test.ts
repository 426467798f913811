// The gate RedisStore passes its story writes through (key-gate.ts): tasks sharing a key run
// one after another in the order they asked, all others at once.
import test from "ava";
import { KeyGate } from "../../src/store/key-gate.js";

/** A promise and the function that resolves it. */
function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A task that records when it starts and ends, and ends when `finish` is called. */
function task(log: string[], name: string) {
  const finished = deferred();
  const started = deferred();
  const run = async () => {
    log.push(`${name} start`);
    started.resolve();
    await finished.promise;
    log.push(`${name} end`);
    return name;
  };
  return { run, finish: finished.resolve, running: started.promise };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("tasks naming a common key run one after another, in the order they asked", async (t) => {
  const gate = new KeyGate();
  const log: string[] = [];
  const a = task(log, "a");
  const b = task(log, "b");
  const c = task(log, "c");
  const results = [
    gate.run(["story-1", "x"], a.run),
    gate.run(["story-1"], b.run),
    gate.run(["x", "story-1"], c.run),
  ];
  await a.running;
  await tick();
  t.deepEqual(log, ["a start"], "b and c wait for a");
  a.finish();
  await b.running;
  await tick();
  t.deepEqual(log, ["a start", "a end", "b start"], "c waits for b too");
  b.finish();
  await c.running;
  c.finish();
  t.deepEqual(await Promise.all(results), ["a", "b", "c"]);
  t.deepEqual(log, ["a start", "a end", "b start", "b end", "c start", "c end"]);
  t.is(gate.size, 0, "nothing is held once every task ended");
});

test("tasks with no key in common run at once", async (t) => {
  const gate = new KeyGate();
  const log: string[] = [];
  const a = task(log, "a");
  const b = task(log, "b");
  const both = [gate.run(["one"], a.run), gate.run(["two"], b.run), gate.run([], async () => "c")];
  await Promise.all([a.running, b.running]);
  t.deepEqual(log, ["a start", "b start"]);
  b.finish();
  a.finish();
  t.deepEqual(await Promise.all(both), ["a", "b", "c"]);
});

test("tasks asking for crossing keys never wait for each other", async (t) => {
  // c holds x and waits on y; d asks for y then x. Each waits only for tasks that asked earlier.
  const gate = new KeyGate();
  const log: string[] = [];
  const a = task(log, "a");
  const b = task(log, "b");
  const c = task(log, "c");
  const d = task(log, "d");
  const all = [
    gate.run(["x"], a.run),
    gate.run(["y"], b.run),
    gate.run(["x", "y"], c.run),
    gate.run(["y", "x"], d.run),
  ];
  await Promise.all([a.running, b.running]);
  a.finish();
  b.finish();
  await c.running;
  c.finish();
  await d.running;
  d.finish();
  t.deepEqual(await Promise.all(all), ["a", "b", "c", "d"]);
  t.deepEqual(log.slice(-4), ["c start", "c end", "d start", "d end"]);
});

test("a task that fails lets the next one run and leaves nothing held", async (t) => {
  const gate = new KeyGate();
  const failed = gate.run(["k"], async () => {
    throw new Error("refused");
  });
  const next = gate.run(["k"], async () => "ran");
  await t.throwsAsync(failed, { message: "refused" });
  t.is(await next, "ran");
  t.is(gate.size, 0);
});
