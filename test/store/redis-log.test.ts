// The Redis connection log: one warning when the connection fails, at most one reminder per
// interval while ioredis keeps retrying, one info line when it is back.
import test from "ava";
import { pino } from "pino";
import { redisConnectionLog } from "../../src/store/redis-log.js";
import type { LogLine } from "../helpers/app.js";

function capture() {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: "info" },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
  return { lines, logger };
}

const refused = () => new Error("connect ECONNREFUSED 127.0.0.1:6390");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("reconnect attempts inside the interval log once; later ones once per interval, with a count", async (t) => {
  const { lines, logger } = capture();
  const log = redisConnectionLog(logger, "redis://127.0.0.1:6390", 200);
  for (let i = 0; i < 20; i++) log.onError(refused());
  t.deepEqual(
    lines.map((line) => line.msg),
    ["redis connection problem"],
  );
  t.like(lines[0], { level: 40, redis: "redis://127.0.0.1:6390", err: refused().message });
  await sleep(250);
  log.onError(refused());
  log.onError(refused());
  t.is(lines.length, 2);
  t.like(lines[1], { msg: "redis still unreachable", level: 40, suppressed: 19 });
  t.true(Number(lines[1]?.downForMs) >= 200);
});

test("reconnecting logs the downtime, and the next failure is a new outage", (t) => {
  const { lines, logger } = capture();
  const log = redisConnectionLog(logger, "redis://h:6379");
  log.onError(refused());
  log.onReconnect();
  log.onError(refused());
  t.deepEqual(
    lines.map((line) => [line.msg, line.level]),
    [
      ["redis connection problem", 40],
      ["redis reconnected", 30],
      ["redis connection problem", 40],
    ],
  );
  t.is(typeof lines[1]?.downForMs, "number");
});
