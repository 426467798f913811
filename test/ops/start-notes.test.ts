// What a newcomer is told at start: whether any partner answered the first poll round (and what
// to try when none did), and that self links would name localhost to readers on other machines.
import test from "ava";
import { startService } from "../../src/app/service.js";
import { baseUrlWarning, NO_PARTNER_HINT, summariseRound } from "../../src/app/start-notes.js";
import type { PollOutcome } from "../../src/model/poll.js";
import { captureLogger } from "../helpers/capture-logger.js";
import { makeConfig } from "../helpers/config.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { freePort } from "../helpers/ports.js";

const outcome = (sourceId: string, status: PollOutcome["status"], errorKind?: string) =>
  ({
    sourceId,
    status,
    ...(errorKind ? { errorKind, error: errorKind } : {}),
    added: 0,
    updated: 0,
    unchanged: 0,
    dropped: 0,
    expired: 0,
    durationMs: 1,
  }) as PollOutcome;

test("a round counts the sources that answered and the failures by kind", (t) => {
  const summary = summariseRound([
    outcome("a", "ok"),
    outcome("b", "not-modified"),
    outcome("c", "error", "dns"),
    outcome("d", "error", "dns"),
    outcome("e", "error", "timeout"),
  ]);
  t.deepEqual(summary, { answered: 2, failed: 3, failedByKind: { dns: 2, timeout: 1 } });
});

test("a round where nothing answered points at the demo", (t) => {
  const summary = summariseRound([outcome("a", "error", "connection")]);
  t.is(summary?.answered, 0);
  t.is(summary?.hint, NO_PARTNER_HINT);
  t.regex(NO_PARTNER_HINT, /npm run demo/);
  t.is(summariseRound([]), undefined);
});

test("a loopback base URL is worth a warning only when others can reach the server", (t) => {
  t.regex(baseUrlWarning("http://localhost:8080", "0.0.0.0") ?? "", /service\.baseUrl/);
  t.truthy(baseUrlWarning("http://127.0.0.1:8080", "::"));
  t.truthy(baseUrlWarning("http://[::1]:8080", "192.0.2.10"));
  t.is(baseUrlWarning("http://localhost:8080", "127.0.0.1"), undefined);
  t.is(baseUrlWarning("http://localhost:8080", "localhost"), undefined);
  t.is(baseUrlWarning("https://feeds.example.org", "0.0.0.0"), undefined);
});

test("a service whose partners are all unreachable says so once, after its first round", async (t) => {
  const closed = await freePort();
  const base = makeConfig();
  const config = makeConfig({
    sources: base.sources.map((s) => ({ ...s, url: `http://127.0.0.1:${closed}/${s.id}.xml` })),
  });
  const log = captureLogger("info");
  const service = await startService(config, log.logger);
  t.teardown(() => service.stop());
  await service.initialPoll;
  const lines = log.lines.filter((l) => l.msg.startsWith("first poll round"));
  t.is(lines.length, 1);
  t.like(lines[0], {
    msg: "first poll round: no partner answered",
    answered: 0,
    failed: 2,
    failedByKind: { connection: 2 },
  });
  t.regex(String(lines[0]?.hint), /npm run demo/);
});

test("a service that reached its partners logs the round as info, without the hint", async (t) => {
  const partners = await startFixtureServer(t);
  const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><link>https://p.example/</link><description>d</description><item><title>a</title><link>https://p.example/a</link></item></channel></rss>`;
  const base = makeConfig();
  for (const s of base.sources) partners.set(`/${s.id}.xml`, { body: feed });
  const config = makeConfig({
    sources: base.sources.map((s) => ({ ...s, url: partners.url(`/${s.id}.xml`) })),
  });
  const log = captureLogger("info");
  const service = await startService(config, log.logger);
  t.teardown(() => service.stop());
  await service.initialPoll;
  const line = log.lines.find((l) => l.msg.startsWith("first poll round"));
  t.like(line, { msg: "first poll round finished", answered: 2, failed: 0 });
  t.is(line?.hint, undefined);
});

test("listening on every interface with the default base URL logs a warning", async (t) => {
  const log = captureLogger("info");
  const config = makeConfig({
    service: { host: "0.0.0.0", baseUrl: "http://localhost:8080" },
    sources: [],
  });
  const service = await startService(config, log.logger, { pollAtStart: false });
  t.teardown(() => service.stop());
  const warning = log.lines.find((l) => l.level === 40 && /service\.baseUrl/.test(l.msg));
  t.truthy(warning, JSON.stringify(log.lines.map((l) => l.msg)));
});
