// WebSub both ways at once: what a partner's hub pushes to us, and what an operator takes down,
// reach our own hub's subscribers as fast as a poll's changes do — whatever wrote the change is
// what announces it, not the next poll.
import test from "ava";
import { startService } from "../../src/app/service.js";
import { startPublishHub } from "../fixtures/publish-hub.js";
import { call } from "../helpers/app.js";
import { captureLogger } from "../helpers/capture-logger.js";
import { freePort } from "../helpers/ports.js";
import { waitFor } from "../helpers/wait.js";
import { atomFeed, closePool, entry, feedTitles, startHarness } from "./harness.js";
import { rigConfig, startRig } from "./publish-rig.js";

test.after.always(closePool);

test.serial(
  "a partner's push is announced to our hub within the window, no poll needed",
  async (t) => {
    const ours = await startPublishHub(t);
    const h = await startHarness(t, { websub: { hubs: [ours.url], publishDelayMs: 100 } });
    await waitFor(() => h.hub.verifications.find((v) => v.echoed), 5_000, "a verification");
    await h.service.hubNotifier.idle();
    const before = ours.accepted().length;
    const polls = h.polls();
    const { callback, secret = "" } = h.hub.latest() ?? { callback: "" };
    const pushed = atomFeed("", entry("2", "Pushed story", "2026-03-02T12:00:00Z"));
    const pushedAt = Date.now();
    t.is(await h.hub.push(callback, pushed, { secret }), 202);
    const ping = await waitFor(
      () => ours.accepted().slice(before)[0],
      3_000,
      "a publish ping after the push",
    );
    t.log(`our hub pinged ${ping.at - pushedAt} ms after the push (window 100 ms)`);
    const base = h.config.service.baseUrl;
    for (const format of ["rss", "atom", "json"]) {
      t.true(ping.urls.includes(`${base}/feeds/all.${format}`), `all.${format} pinged`);
      t.true(ping.urls.includes(`${base}/feeds/migration.${format}`), `migration.${format} pinged`);
    }
    t.false(
      ping.urls.some((url) => url.includes("/feeds/trafficking.")),
      "nothing else changed",
    );
    t.true((await feedTitles(h.service)).includes("Pushed story"));
    t.is(h.polls(), polls, "the partner was not polled for it");
    // The hub's own fetch of a topic, as a real hub does, sees the pushed entry.
    const fetched = await waitFor(
      () =>
        ours.fetches.find((f) => f.url === `${base}/feeds/all.json` && ours.pings[f.ping] === ping),
      3_000,
      "the hub's fetch of all.json",
    );
    t.true(fetched.body.includes("Pushed story"));
  },
);

test.serial("a takedown is announced to our hub at once, and an unhide again", async (t) => {
  const ours = await startPublishHub(t);
  const partners = await startRig(t, { hubs: [] }).then((rig) => rig.partners);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = {
    ...rigConfig(partners, port, baseUrl, { hubs: [ours.url], delayMs: 100 }),
    adminToken: "takedown-token",
  };
  const service = await startService(config, captureLogger("info").logger, {
    websubPings: { firstRetryMs: 50 },
  });
  t.teardown(() => service.stop());
  await service.initialPoll;
  await service.hubNotifier.idle();
  const items = (
    (await call(`${baseUrl}/api/updates?category=trafficking`)).json() as {
      items: { id: string }[];
    }
  ).items;
  const id = items[0]?.id ?? "";
  const admin = { authorization: "Bearer takedown-token" };
  for (const action of ["hide", "unhide"]) {
    const before = ours.accepted().length;
    const res = await call(`${baseUrl}/admin/updates/${encodeURIComponent(id)}/${action}`, {
      method: "POST",
      headers: admin,
    });
    t.is(res.status, 200, action);
    const ping = await waitFor(
      () => ours.accepted().slice(before)[0],
      3_000,
      `a publish ping after the ${action}`,
    );
    t.true(ping.urls.includes(`${baseUrl}/feeds/trafficking.rss`), `${action}: trafficking`);
    t.true(ping.urls.includes(`${baseUrl}/feeds/all.atom`), `${action}: all`);
    t.false(
      ping.urls.some((url) => url.includes("/feeds/migration.")),
      `${action}: only those`,
    );
  }
});
