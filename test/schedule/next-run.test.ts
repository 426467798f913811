import test from "ava";
import { nextRunAt } from "../../src/schedule/next-run.js";

test("the next run is on the schedule, at or after the backoff", (t) => {
  const now = Date.now();
  const next = nextRunAt("*/30 * * * *", undefined);
  t.truthy(next);
  t.true((next?.getTime() ?? 0) > now - 1000);
  t.true((next?.getTime() ?? 0) <= now + 30 * 60_000);
  t.true([0, 30].includes(next?.getUTCMinutes() ?? -1));

  const notBefore = new Date(now + 5 * 3_600_000);
  const later = nextRunAt("0 * * * *", notBefore);
  t.true((later?.getTime() ?? 0) >= notBefore.getTime());
  t.true((later?.getTime() ?? 0) < notBefore.getTime() + 3_600_000);
  t.is(later?.getUTCMinutes(), 0);
});
