// The pure part of a reload: which sources came, went or changed, which to poll at once, and
// which settings only a restart applies.
import test from "ava";
import { applicableConfig, diffSources, sourcesToPollNow } from "../../src/config/reload.js";
import type { SourceConfig } from "../../src/config/types.js";
import { makeConfig } from "../helpers/config.js";

const source = (id: string, overrides: Partial<SourceConfig> = {}): SourceConfig => ({
  id,
  title: id,
  url: `https://${id}.example.org/feed`,
  categories: ["migration"],
  enabled: true,
  ...overrides,
});

test("diffSources names added, removed and changed sources", (t) => {
  const before = [source("same"), source("gone"), source("retitled"), source("moved")];
  const after = [
    source("same"),
    source("retitled", { title: "New title" }),
    source("moved", { url: "https://elsewhere.example.org/feed" }),
    source("new"),
  ];
  t.deepEqual(diffSources(before, after), {
    added: ["new"],
    removed: ["gone"],
    changed: ["retitled", "moved"],
  });
});

test("schedule, categories and enabled count as changes; key order does not", (t) => {
  const before = [source("a"), source("b"), source("c"), source("d")];
  const after = [
    source("a", { schedule: "*/5 * * * *" }),
    source("b", { categories: ["migration", "trafficking"] }),
    source("c", { enabled: false }),
    {
      enabled: true,
      categories: ["migration"],
      url: "https://d.example.org/feed",
      title: "d",
      id: "d",
    },
  ];
  t.deepEqual(diffSources(before, after).changed, ["a", "b", "c"]);
});

test("polled at once: new, re-enabled and moved sources that are enabled", (t) => {
  const before = [
    source("same"),
    source("was-off", { enabled: false }),
    source("moved"),
    source("turned-off"),
  ];
  const after = [
    source("same", { title: "Only the title changed" }),
    source("was-off"),
    source("moved", { url: "https://elsewhere.example.org/feed" }),
    source("turned-off", { enabled: false }),
    source("new"),
    source("new-but-off", { enabled: false }),
  ];
  t.deepEqual(
    sourcesToPollNow(before, after).map((s) => s.id),
    ["was-off", "moved", "new"],
  );
});

test("port, host and REDIS_URL keep their running values and are named", (t) => {
  const running = makeConfig({ service: { port: 8080, host: "0.0.0.0" } });
  const next = makeConfig({
    service: { port: 9090, host: "127.0.0.1", title: "Renamed" },
    feeds: { maxLimit: 100 },
  });
  next.redisUrl = "redis://127.0.0.1:6379";
  const { config, restartRequired } = applicableConfig(running, next);
  t.deepEqual(restartRequired, ["service.port", "service.host", "REDIS_URL / redis"]);
  t.is(config.service.port, 8080);
  t.is(config.service.host, "0.0.0.0");
  t.false("redisUrl" in config);
  // Everything else takes effect.
  t.is(config.service.title, "Renamed");
  t.is(config.feeds.maxLimit, 100);
});

test("an unchanged config needs no restart", (t) => {
  t.deepEqual(applicableConfig(makeConfig(), makeConfig()).restartRequired, []);
});
