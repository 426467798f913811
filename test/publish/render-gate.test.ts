import test from "ava";
import { RenderBusyError, RenderGate } from "../../src/publish/render-gate.js";

test("at most maxInFlight renders run at once; the next is refused at once, without running", async (t) => {
  const gate = new RenderGate({ maxInFlight: 2 });
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const running = [gate.run(() => held), gate.run(() => held)];
  let ran = false;
  await t.throwsAsync(
    gate.run(async () => {
      ran = true;
    }),
    { instanceOf: RenderBusyError },
  );
  t.false(ran);
  t.is(gate.inFlight, 2);
  release();
  await Promise.all(running);
  t.is(gate.inFlight, 0);
  t.is(await gate.run(async () => "admitted"), "admitted");
});

test("renders beyond their share of time are refused until that share has accrued again", async (t) => {
  let now = 0;
  const gate = new RenderGate({ maxInFlight: 4, share: 0.5, burstMs: 10, now: () => now });
  const render = (ms: number) =>
    gate.run(async (timed) =>
      timed(() => {
        now += ms;
      }),
    );
  // 30 ms of CPU: the 10 ms burst and 20 ms owed, repaid at 0.5 ms per ms.
  await render(30);
  await t.throwsAsync(render(1), { instanceOf: RenderBusyError });
  now += 10;
  await t.throwsAsync(render(1), { instanceOf: RenderBusyError });
  now += 2;
  await t.notThrowsAsync(render(1));
});

test("only the timed (CPU) part is charged, not the wait for the store", async (t) => {
  let now = 0;
  const gate = new RenderGate({ maxInFlight: 4, share: 0.5, burstMs: 5, now: () => now });
  await gate.run(async (timed) => {
    now += 1_000; // waiting for a slow store read
    return timed(() => {
      now += 1;
    });
  });
  await t.notThrowsAsync(gate.run(async () => {}));
});
