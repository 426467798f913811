// REDIS_COMMAND_TIMEOUT_MS: how long a Redis command may go unanswered before Redis counts as
// hung (the store's circuit then opens). From the environment only, like REDIS_URL.
import test from "ava";
import { ConfigError } from "../../src/config/errors.js";
import { parseConfig } from "../../src/config/load.js";
import { applicableConfig } from "../../src/config/reload.js";

const yaml = `
categories:
  - { id: migration, title: Migration, description: Migration news }
sources:
  - { id: mpi, title: MPI, url: "https://www.migrationpolicy.org/rss.xml", categories: [migration] }
`;

test("REDIS_COMMAND_TIMEOUT_MS sets the Redis command timeout; unset leaves the store's default", (t) => {
  const set = parseConfig(yaml, { REDIS_URL: "redis://r:6379", REDIS_COMMAND_TIMEOUT_MS: "500" });
  t.is(set.redisCommandTimeoutMs, 500);
  t.false("redisCommandTimeoutMs" in parseConfig(yaml, { REDIS_COMMAND_TIMEOUT_MS: "" }));
});

test("a REDIS_COMMAND_TIMEOUT_MS that is not a whole number of ms in range is named", (t) => {
  for (const value of ["0", "1.5", "5s", "60001"]) {
    const error = t.throws(() => parseConfig(yaml, { REDIS_COMMAND_TIMEOUT_MS: value }), {
      instanceOf: ConfigError,
    });
    t.deepEqual(
      error?.problems,
      [
        `REDIS_COMMAND_TIMEOUT_MS: must be a whole number of milliseconds between 1 and 60000, got "${value}"`,
      ],
      value,
    );
  }
});

test("a reload keeps the running REDIS_COMMAND_TIMEOUT_MS and says a restart is needed", (t) => {
  const running = parseConfig(yaml, { REDIS_COMMAND_TIMEOUT_MS: "500" });
  const next = parseConfig(yaml, { REDIS_COMMAND_TIMEOUT_MS: "2000" });
  const { config, restartRequired } = applicableConfig(running, next);
  t.is(config.redisCommandTimeoutMs, 500);
  t.deepEqual(restartRequired, ["REDIS_COMMAND_TIMEOUT_MS"]);
});
