// Stale sources: no successful fetch for polling.staleAfterMultiple schedule intervals, flagged
// in /api/sources and /metrics.
import test from "ava";
import type { SourceState } from "../../src/model/source.js";
import { isStale, type StalenessInput } from "../../src/model/staleness.js";
import { scheduleIntervalMs } from "../../src/schedule/interval.js";
import { call } from "../helpers/app.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { scrape } from "../helpers/prometheus.js";
import { waitFor } from "../helpers/wait.js";
import { opsYaml, rss, startOpsService } from "./fixtures.js";

const HOUR = 3_600_000;
const now = new Date("2026-03-02T12:00:00Z");
const hoursAgo = (h: number) => new Date(now.getTime() - h * HOUR).toISOString();
const input = (overrides: Partial<StalenessInput>): StalenessInput => ({
  enabled: true,
  state: undefined,
  intervalMs: HOUR,
  multiple: 3,
  since: new Date(hoursAgo(1)),
  now,
  ...overrides,
});
const state = (overrides: Partial<SourceState>): SourceState => ({
  status: "ok",
  consecutiveFailures: 0,
  ...overrides,
});

test("stale once the last success is older than multiple × interval", (t) => {
  t.false(isStale(input({ state: state({ lastSuccessAt: hoursAgo(2.9) }) })));
  t.true(isStale(input({ state: state({ status: "error", lastSuccessAt: hoursAgo(3.1) }) })));
  t.false(isStale(input({ state: state({ lastSuccessAt: hoursAgo(3.1) }), multiple: 4 })));
});

test("a source that never succeeded counts from when it became due (start or reload)", (t) => {
  const failing = state({ status: "error", consecutiveFailures: 5 });
  t.false(isStale(input({ state: failing, since: new Date(hoursAgo(2)) })));
  t.true(isStale(input({ state: failing, since: new Date(hoursAgo(4)) })));
  t.true(isStale(input({ state: undefined, since: new Date(hoursAgo(4)) })));
});

test("disabled and gone sources, and schedules without an interval, are never stale", (t) => {
  const old = hoursAgo(100);
  t.false(isStale(input({ enabled: false, state: state({ lastSuccessAt: old }) })));
  t.false(isStale(input({ state: state({ status: "gone", lastSuccessAt: old }) })));
  t.false(isStale(input({ state: state({ lastSuccessAt: old }), intervalMs: undefined })));
});

test("a schedule's interval is its longest gap between runs", (t) => {
  t.is(scheduleIntervalMs("*/30 * * * *"), 30 * 60_000);
  t.is(scheduleIntervalMs("* * * * * *"), 1000);
  // Weekdays at 9: the weekend gap, so Monday morning is not "late".
  t.is(scheduleIntervalMs("0 9 * * 1-5"), 3 * 24 * HOUR);
  t.is(scheduleIntervalMs("0 0 1 * *"), 31 * 24 * HOUR);
});

test("a failing source on a fast schedule is flagged stale in /api/sources and /metrics", async (t) => {
  const partners = await startFixtureServer(t, { "/good.rss": { body: rss("Fresh") } });
  const yaml = opsYaml(
    partners.origin,
    [
      // Each source against its own schedule: yearly (the default here) is far from stale.
      { id: "good", path: "/good.rss" },
      { id: "failing", path: "/missing.rss", schedule: "* * * * * *" },
      { id: "off", path: "/missing.rss", enabled: false },
    ],
    "staleAfterMultiple: 2",
  );
  const ops = await startOpsService(t, yaml, { pollAtStart: true });
  type View = { id: string; stale: boolean; status: string };
  // "failing" stays in backoff after its first 404, so nothing succeeds for it for > 2 s.
  const sources = await waitFor(
    async () => {
      const views = (await call(`${ops.url}/api/sources`)).json() as View[];
      return views.find((v) => v.id === "failing")?.stale ? views : undefined;
    },
    15_000,
    "failing to turn stale",
  );
  t.deepEqual(
    sources.map((s) => [s.id, s.stale]),
    [
      ["good", false],
      ["failing", true],
      ["off", false],
    ],
  );
  const m = await scrape(ops.url);
  t.is(m.value("tributary_source_stale", { source: "failing" }), 1);
  t.is(m.value("tributary_source_stale", { source: "good" }), 0);
  t.is(m.value("tributary_source_stale", { source: "off" }), 0);
});
