// Publish pings against a local hub (test/fixtures/publish-hub.ts), from a real service polling
// real fixture partners over loopback: one ping per real change naming exactly the changed feeds,
// none for a poll that changed nothing, retries on 5xx, a bounded give-up that is logged and
// counted, and a reload that changes the hubs.
import test from "ava";
import { parseConfig } from "../../src/config/load.js";
import { startPublishHub } from "../fixtures/publish-hub.js";
import { scrape } from "../helpers/prometheus.js";
import { CATEGORIES, type rigConfig, startRig, urlsOf } from "./publish-rig.js";

const sorted = (urls: string[]) => [...urls].sort();

test("the first poll announces every feed once; a real change pings once, an unchanged poll not at all", async (t) => {
  const hub = await startPublishHub(t);
  const { publish, poll, topics, log } = await startRig(t, { hubs: [hub.url] });
  // What went wrong, if something did (a render refused under load is checked again later).
  for (const line of log.lines.filter((l) => l.level >= 40)) t.log(line);
  // Before the first poll no hub had been told anything: every topic is news.
  t.is(hub.pings.length, 1);
  t.deepEqual(urlsOf(hub.pings), sorted(topics("all", ...CATEGORIES)));

  // Every partner answers 200 with the same bytes: stored again, nothing published changes.
  await poll("a", "b", "c", "r");
  await poll("a", "b", "c", "r");
  t.is(hub.pings.length, 1, "no ping for polls that changed nothing");

  publish("a", ["Alpha one", "Alpha two"]);
  await poll("a", "b", "c", "r");
  t.is(hub.pings.length, 2, "one ping for the change");
  t.deepEqual(urlsOf(hub.pings.slice(1)), sorted(topics("all", "migration")));

  await poll("a");
  t.is(hub.pings.length, 2, "polling the changed partner again changes nothing more");
});

test("a ping is a form POST of hub.mode=publish with every URL, and the hub can fetch each topic", async (t) => {
  const hub = await startPublishHub(t);
  const { publish, poll, topics } = await startRig(t, { hubs: [hub.url] });
  publish("b", ["Bravo one", "Bravo two"]);
  await poll("b");
  const ping = hub.pings[1];
  t.is(ping?.method, "POST");
  t.is(ping?.contentType, "application/x-www-form-urlencoded");
  t.is(ping?.mode, "publish");
  t.deepEqual(sorted(ping?.urls ?? []), sorted(topics("all", "trafficking")));
  // As a real hub does: it fetched what it was told of, and found the new entry there.
  await hub.close();
  const fetched = hub.fetches.filter((f) => f.ping === 1);
  t.deepEqual(sorted(fetched.map((f) => f.url)), sorted(ping?.urls ?? []));
  for (const fetch of fetched) {
    t.is(fetch.status, 200, fetch.url);
    t.true(fetch.body.includes("Bravo two"), fetch.url);
    t.true(fetch.link.includes(`<${hub.url}>; rel="hub"`), fetch.url);
    t.true(fetch.link.includes(`<${fetch.url}>; rel="self"`), fetch.url);
  }
});

test("a burst of polls of several partners in one window makes one ping with exactly the changed URLs", async (t) => {
  const hub = await startPublishHub(t);
  const { publish, poll, service, topics } = await startRig(t, { hubs: [hub.url], delayMs: 800 });
  publish("a", ["Alpha one", "Alpha two"]);
  publish("c", ["Charlie one", "Charlie two"]);
  publish("b", ["Bravo one", "Bravo two"]);
  // One poll after another, as partners' due times fall, all inside the window.
  const sources = service.getConfig().sources;
  for (const id of ["a", "r", "c", "b"]) {
    await service.poller.pollMany(
      sources.filter((s) => s.id === id),
      { force: true },
    );
  }
  await poll();
  t.is(hub.pings.length, 2, "the start-up ping, then one for the burst");
  t.deepEqual(
    sorted(hub.pings[1]?.urls ?? []),
    sorted(topics("all", "migration", "trafficking")),
    "research did not change",
  );
});

test("a hub answering 5xx is asked again with backoff until it accepts", async (t) => {
  const hub = await startPublishHub(t);
  const { publish, poll, service, log } = await startRig(t, {
    hubs: [hub.url],
    pings: { attempts: 4, firstRetryMs: 100 },
  });
  hub.failNext(2, 503);
  publish("r", ["Romeo one", "Romeo two"]);
  await poll("r");
  const retried = hub.pings.slice(1);
  t.deepEqual(
    retried.map((p) => p.status),
    [503, 503, 204],
  );
  // The same batch every time, after waits of about 100 then 200 ms.
  t.deepEqual(retried[1]?.urls, retried[0]?.urls);
  t.deepEqual(retried[2]?.urls, retried[0]?.urls);
  t.true((retried[1]?.at ?? 0) - (retried[0]?.at ?? 0) >= 90);
  t.true((retried[2]?.at ?? 0) - (retried[1]?.at ?? 0) >= 190);
  const metrics = await scrape(service.url);
  t.is(metrics.value("tributary_websub_pings_total", { hub: hub.url, outcome: "retried" }), 2);
  t.is(metrics.value("tributary_websub_pings_total", { hub: hub.url, outcome: "ok" }), 2);
  t.is(
    metrics.value("tributary_websub_pings_total", { hub: hub.url, outcome: "failed" }),
    undefined,
  );
  const warnings = log.lines.filter((l) => l.msg === "websub: hub ping failed; retrying");
  t.deepEqual(
    warnings.map((l) => [l.attempt, l.problem]),
    [
      [1, "HTTP 503: hub overloaded"],
      [2, "HTTP 503: hub overloaded"],
    ],
  );
});

test("after the last attempt the ping is given up, logged and counted; the next change is pinged", async (t) => {
  const hub = await startPublishHub(t);
  const { publish, poll, service, log, topics } = await startRig(t, {
    hubs: [hub.url],
    pings: { attempts: 3, firstRetryMs: 50 },
  });
  hub.failNext(10, 500);
  publish("r", ["Romeo one", "Romeo two"]);
  await poll("r");
  t.is(hub.pings.length, 1 + 3, "three attempts, no more");
  const failed = log.lines.filter((l) => l.msg.startsWith("websub: hub ping failed; giving up"));
  t.is(failed.length, 1);
  t.is(failed[0]?.level, 50, "an error line");
  t.is(failed[0]?.attempts, 3);
  t.is(failed[0]?.problem, "HTTP 500: hub overloaded");
  t.deepEqual(sorted(failed[0]?.urls as string[]), sorted(topics("all", "research")));
  const metrics = await scrape(service.url);
  t.is(metrics.value("tributary_websub_pings_total", { hub: hub.url, outcome: "failed" }), 1);
  t.is(metrics.value("tributary_websub_pings_total", { hub: hub.url, outcome: "retried" }), 2);
  t.is(metrics.value("tributary_websub_pings_total", { hub: hub.url, outcome: "ok" }), 1);

  hub.failNext(0);
  publish("r", ["Romeo one", "Romeo two", "Romeo three"]);
  await poll("r");
  t.is(hub.pings.length, 5);
  t.is(hub.pings[4]?.status, 204);
});

test("a 4xx is final: no retry", async (t) => {
  const hub = await startPublishHub(t);
  const { publish, poll, service } = await startRig(t, { hubs: [hub.url] });
  hub.failNext(5, 400);
  publish("r", ["Romeo one", "Romeo two"]);
  await poll("r");
  t.is(hub.pings.length, 2);
  const metrics = await scrape(service.url);
  t.is(metrics.value("tributary_websub_pings_total", { hub: hub.url, outcome: "failed" }), 1);
  t.is(
    metrics.value("tributary_websub_pings_total", { hub: hub.url, outcome: "retried" }),
    undefined,
  );
});

test("a hub that does not answer at all is retried, then given up", async (t) => {
  const hub = await startPublishHub(t);
  const closedHub = `${hub.url.replace(/:\d+\//, ":1/")}`;
  const { publish, poll, service } = await startRig(t, {
    hubs: [closedHub],
    pings: { attempts: 2, firstRetryMs: 20 },
  });
  publish("r", ["Romeo one", "Romeo two"]);
  await poll("r");
  const metrics = await scrape(service.url);
  // The start-up ping and this one: each two refused connections.
  t.is(metrics.value("tributary_websub_pings_total", { hub: closedHub, outcome: "failed" }), 2);
  t.is(metrics.value("tributary_websub_pings_total", { hub: closedHub, outcome: "retried" }), 2);
});

test("a reload that changes websub.hubs applies without restart: links and pings go to the new hub", async (t) => {
  const first = await startPublishHub(t);
  const second = await startPublishHub(t);
  let hubs = [first.url];
  let rig: Awaited<ReturnType<typeof startRig>> | undefined;
  rig = await startRig(t, {
    hubs,
    reloadConfig: async () => {
      const running = rig?.service.getConfig();
      if (running === undefined) throw new Error("not started");
      return parseConfig(
        JSON.stringify({ ...toYaml(running), websub: { hubs, publishDelayMs: 300 } }),
        {},
      );
    },
  });
  t.is(first.pings.length, 1);
  hubs = [second.url];
  const reloaded = await rig.service.reload("test");
  t.true(reloaded.reloaded, JSON.stringify(reloaded));
  const feed = await fetch(`${rig.service.url}/feeds/all.rss`);
  t.true((feed.headers.get("link") ?? "").includes(`<${second.url}>; rel="hub"`));
  t.false((await feed.text()).includes(first.url));
  rig.publish("a", ["Alpha one", "Alpha two"]);
  await rig.poll("a");
  t.is(first.pings.length, 1, "the old hub hears nothing more");
  t.true(second.pings.length >= 1);
  t.true(urlsOf(second.pings).includes(rig.topics("migration")[0] ?? ""));

  hubs = [];
  t.true((await rig.service.reload("test")).reloaded);
  const pingsBefore = second.pings.length;
  rig.publish("a", ["Alpha one", "Alpha two", "Alpha three"]);
  await rig.poll("a");
  t.is(second.pings.length, pingsBefore, "no hub: no ping");
  t.is((await fetch(`${rig.service.url}/feeds/all.rss`)).headers.get("link"), null);
});

/** The config sections a YAML file would hold (parseConfig takes JSON, YAML's subset). */
function toYaml(config: ReturnType<typeof rigConfig>): Record<string, unknown> {
  const { service, polling, categories, sources } = config;
  return {
    service: {
      title: service.title,
      baseUrl: service.baseUrl,
      port: service.port,
      host: service.host,
    },
    polling: { allowPrivateNetworks: polling.allowPrivateNetworks, timeoutMs: polling.timeoutMs },
    categories,
    sources: sources.map(({ id, title, url, categories }) => ({ id, title, url, categories })),
  };
}

test("stop() does not wait out a ping's retries: it is dropped and said so", async (t) => {
  const hub = await startPublishHub(t);
  const { publish, service, log } = await startRig(t, {
    hubs: [hub.url],
    pings: { attempts: 10, firstRetryMs: 10_000 },
  });
  hub.failNext(100, 503);
  publish("r", ["Romeo one", "Romeo two"]);
  const sources = service.getConfig().sources.filter((s) => s.id === "r");
  await service.poller.pollMany(sources, { force: true });
  // The first attempt has been refused: the ping now waits 10 s before its retry.
  const deadline = Date.now() + 10_000;
  while (hub.pings.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.is(hub.pings.length, 2);
  const started = Date.now();
  await service.stop();
  t.true(Date.now() - started < 5_000, "stopped without waiting for the retry");
  t.is(hub.pings.length, 2);
  const dropped = log.lines.filter((l) => l.msg === "websub: hub ping dropped at shutdown");
  t.is(dropped.length, 1);
  t.is(log.lines.filter((l) => String(l.msg).includes("giving up")).length, 0);
});
