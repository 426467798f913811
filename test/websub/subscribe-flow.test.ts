// WebSub subscribing end to end, memory store: a real service on a real socket, a fixture
// partner advertising the fixture hub, the hub's verification GETs and pushes over HTTP.
import test from "ava";
import { call } from "../helpers/app.js";
import { delay, waitFor } from "../helpers/wait.js";
import { apiSources, atomFeed, closePool, entry, feedTitles, startHarness } from "./harness.js";

// One after another: several tests measure time (a push within a second, leases of seconds).
test.after.always(closePool);

const CALLBACK = /^http:\/\/127\.0\.0\.1:\d+\/websub\/callback\/p\/[A-Za-z0-9_-]{20,}$/;

test.serial(
  "a hub advertised in Link headers is subscribed to, verified, and shown active",
  async (t) => {
    const h = await startHarness(t);
    const request = await waitFor(() => h.hub.latest(), 5_000, "a subscription request");
    t.is(request.topic, h.feedUrl);
    t.regex(request.callback, CALLBACK);
    t.regex(request.secret ?? "", /^[0-9a-f]{64}$/, "a per-subscription hub.secret");
    t.is(request.leaseSeconds, "864000", "the configured lease is asked for");
    const verification = await waitFor(() => h.hub.verifications[0], 5_000, "the verification");
    t.true(verification.echoed, "the challenge came back");
    const push = await waitFor(async () => {
      const p = (await apiSources(h.service))[0]?.push;
      return p?.startsWith("active until ") ? p : undefined;
    });
    const until = Date.parse(push.slice("active until ".length));
    t.true(Math.abs(until - (Date.now() + 3600_000)) < 10_000, "the lease the hub granted");
    const metrics = (await call(`${h.service.url}/metrics`)).body.toString();
    t.regex(metrics, /tributary_websub_requests_total\{mode="subscribe",outcome="accepted"\} 1/);
  },
);

test.serial(
  "a hub named in the feed's body (atom:link rel=hub/self) is subscribed to",
  async (t) => {
    const h = await startHarness(t, { advertise: "body" });
    const request = await waitFor(() => h.hub.latest(), 5_000, "a subscription request");
    t.is(request.topic, h.feedUrl);
    await waitFor(() => h.hub.verifications.find((v) => v.echoed), 5_000, "a verification");
    t.regex((await apiSources(h.service))[0]?.push ?? "", /^active until /);
  },
);

test.serial("a feed without a hub is not subscribed, and its push state is none", async (t) => {
  const h = await startHarness(t, { advertise: "none" });
  await h.service.initialPoll;
  await delay(200);
  t.deepEqual(h.hub.requests, []);
  t.is((await apiSources(h.service))[0]?.push, "none");
});

test.serial(
  "verification: wrong token, wrong topic, unknown source and an unasked mode get 404",
  async (t) => {
    const h = await startHarness(t);
    h.hub.autoVerify = false;
    const request = await waitFor(() => h.hub.latest(), 5_000, "a subscription request");
    const wrongToken = request.callback.replace(/[^/]+$/, "A".repeat(24));
    const otherSource = request.callback.replace("/callback/p/", "/callback/nobody/");
    t.is((await h.hub.verify(request, { callback: wrongToken })).status, 404);
    t.is((await h.hub.verify(request, { callback: otherSource })).status, 404);
    t.is((await h.hub.verify(request, { "hub.topic": `${h.feedUrl}?other` })).status, 404);
    t.is((await h.hub.verify(request, { "hub.mode": "unsubscribe" })).status, 404);
    t.is((await h.hub.verify(request, { "hub.lease_seconds": "soon" })).status, 404);
    t.is((await apiSources(h.service))[0]?.push, "pending", "still waiting for the right one");
    const right = await h.hub.verify(request);
    t.true(right.echoed);
    // Verified once: the same GET again is not one we are waiting for.
    t.is((await h.hub.verify(request)).status, 404);
  },
);

test.serial(
  "a hub that denies the subscription (hub.mode=denied) leaves it failed with its reason",
  async (t) => {
    const h = await startHarness(t);
    h.hub.autoVerify = false;
    const request = await waitFor(() => h.hub.latest(), 5_000, "a subscription request");
    const denied = new URL(request.callback);
    denied.searchParams.set("hub.mode", "denied");
    denied.searchParams.set("hub.topic", request.topic);
    denied.searchParams.set("hub.reason", "topic not allowed");
    t.is((await call(denied.href)).status, 200);
    t.is((await apiSources(h.service))[0]?.push, "failed: denied by the hub: topic not allowed");
    t.is((await h.hub.verify(request)).status, 404, "a denied subscription is not verified later");
  },
);

test.serial(
  "a signed push lands in the feeds within a second; a forged one is discarded and counted",
  async (t) => {
    const h = await startHarness(t);
    await waitFor(() => h.hub.verifications.find((v) => v.echoed), 5_000, "a verification");
    const { callback, secret = "" } = h.hub.latest() ?? { callback: "" };
    const forged = atomFeed("", entry("forged", "Forged story", "2026-03-03T12:00:00Z"));
    t.is(await h.hub.push(callback, forged, { secret, forge: true }), 202, "2xx, as §8 says");
    const weak = atomFeed("", entry("weak", "Weakly signed story", "2026-03-03T12:00:00Z"));
    t.is(await h.hub.push(callback, weak, { secret, method: "sha1" }), 202);
    const pushed = atomFeed("", entry("2", "Pushed story", "2026-03-02T12:00:00Z"));
    const started = Date.now();
    t.is(await h.hub.push(callback, pushed, { secret }), 202);
    await waitFor(
      async () => ((await feedTitles(h.service)).includes("Pushed story") ? true : undefined),
      1_000,
      "the pushed entry in /feeds/all.json",
    );
    const landedMs = Date.now() - started;
    t.log(`pushed entry in /feeds/all.json after ${landedMs} ms`);
    t.true(landedMs < 1_000);
    const titles = await feedTitles(h.service);
    t.false(titles.includes("Forged story"));
    t.false(titles.includes("Weakly signed story"));
    const metrics = (await call(`${h.service.url}/metrics`)).body.toString();
    t.regex(metrics, /tributary_websub_pushes_total\{source="p",outcome="accepted"\} 1/);
    t.regex(metrics, /tributary_websub_pushes_total\{source="p",outcome="rejected_signature"\} 2/);
  },
);

test.serial("a push over polling.maxBytes is refused with 413, declared or not", async (t) => {
  const h = await startHarness(t, { polling: { maxBytes: 4_096 } });
  await waitFor(() => h.hub.verifications.find((v) => v.echoed), 5_000, "a verification");
  const { callback, secret = "" } = h.hub.latest() ?? { callback: "" };
  const big = atomFeed("", entry("big", "x".repeat(5_000)));
  t.is(await h.hub.push(callback, big, { secret }), 413);
  t.is(await h.hub.push(callback, big, { secret, chunked: true }), 413, "read up to the cap only");
  const metrics = (await call(`${h.service.url}/metrics`)).body.toString();
  t.regex(metrics, /tributary_websub_pushes_total\{source="p",outcome="rejected_size"\} 2/);
  t.false((await feedTitles(h.service)).some((title) => title.startsWith("xxx")));
});

test.serial("the lease the hub grants is renewed before it ends", async (t) => {
  const h = await startHarness(t);
  h.hub.grantSeconds = 8;
  await waitFor(() => h.hub.verifications.find((v) => v.echoed), 5_000, "a verification");
  const first = (await apiSources(h.service))[0]?.push ?? "";
  // 85 % of 8 s: a renewal (a second subscribe, same callback and secret) after ~6.8 s.
  const renewal = await waitFor(
    () => h.hub.requests.filter((r) => r.mode === "subscribe")[1],
    10_000,
    "a renewal",
  );
  t.is(renewal.callback, h.hub.requests[0]?.callback ?? "");
  t.is(renewal.secret, h.hub.requests[0]?.secret);
  await waitFor(() => h.hub.verifications.filter((v) => v.echoed)[1], 3_000, "its verification");
  const renewed: string = await waitFor(async () => {
    const p = (await apiSources(h.service))[0]?.push;
    return p !== undefined && p !== first && p.startsWith("active until ") ? p : undefined;
  });
  t.true(Date.parse(renewed.slice(13)) > Date.parse(first.slice(13)), "the lease moved on");
  const metrics = (await call(`${h.service.url}/metrics`)).body.toString();
  t.regex(metrics, /tributary_websub_requests_total\{mode="renew",outcome="accepted"\} [1-9]/);
});

test.serial("a lease that ends unrenewed shows as failed", async (t) => {
  const h = await startHarness(t);
  h.hub.grantSeconds = 2;
  await waitFor(() => h.hub.verifications.find((v) => v.echoed), 5_000, "a verification");
  // The hub takes the renewal and never verifies it.
  h.hub.autoVerify = false;
  const push = await waitFor(
    async () => {
      const p = (await apiSources(h.service))[0]?.push;
      return p?.startsWith("failed") ? p : undefined;
    },
    6_000,
    "the lease to lapse",
  );
  t.regex(push, /^failed: lease ended/);
});

test.serial(
  "while pushes arrive polls are held back; when the hub goes silent polling resumes",
  async (t) => {
    // Polled every second; the silence window is twice that.
    const h = await startHarness(t, { source: { schedule: "* * * * * *" } });
    await waitFor(() => h.hub.verifications.find((v) => v.echoed), 5_000, "a verification");
    const { callback, secret = "" } = h.hub.latest() ?? { callback: "" };
    const pushEvery = setInterval(() => {
      void h.hub.push(callback, atomFeed("", entry("2", "Pushed story")), { secret });
    }, 500);
    t.teardown(() => clearInterval(pushEvery));
    await delay(1_200);
    const whilePushing = h.polls();
    await delay(3_000);
    t.is(h.polls(), whilePushing, "no poll while the hub pushes (safety poll is 6 h away)");
    // /api/sources says so: the next poll waits for the silence window after the last push.
    type View = { id: string; nextPollAt: string | null; nextPollReason: string };
    const view = async () =>
      ((await call(`${h.service.url}/api/sources`)).json() as View[]).find((s) => s.id === "p");
    const held = await view();
    t.is(held?.nextPollReason, "websub");
    t.true(Date.parse(held?.nextPollAt ?? "") - Date.now() > 1_000, "beyond the next tick");
    clearInterval(pushEvery);
    await waitFor(
      () => (h.polls() > whilePushing + 1 ? true : undefined),
      6_000,
      "polling to resume on its own",
    );
    t.is((await view())?.nextPollReason, "schedule", "back on its schedule");
  },
);

test.serial(
  "a source that leaves the config is unsubscribed; its pushes then get 410",
  async (t) => {
    const h = await startHarness(t);
    await waitFor(() => h.hub.verifications.find((v) => v.echoed), 5_000, "a verification");
    const { callback, secret = "" } = h.hub.latest() ?? { callback: "" };
    h.setNextConfig({ ...h.config, sources: [] });
    t.true((await h.service.reload("test")).reloaded);
    const unsubscribe = await waitFor(
      () => h.hub.requests.find((r) => r.mode === "unsubscribe"),
      5_000,
      "an unsubscription request",
    );
    t.is(unsubscribe.callback, callback);
    t.is(unsubscribe.topic, h.feedUrl);
    const verified = await waitFor(
      () => h.hub.verifications.find((v) => v.mode === "unsubscribe"),
      5_000,
      "its verification",
    );
    t.true(verified.echoed, "the unsubscription is confirmed");
    t.is(await h.service.store.subscriptions.get("p"), undefined);
    t.is(await h.hub.push(callback, atomFeed("", entry("3", "Late story")), { secret }), 410);
    // Paths nobody configured, posted to by anyone: counted, but under one label, not per path.
    for (const stranger of ["x1", "x2", "x3"]) {
      const res = await call(`${h.service.url}/websub/callback/${stranger}/t`, { method: "POST" });
      t.is(res.status, 410);
    }
    const metrics = (await call(`${h.service.url}/metrics`)).body.toString();
    t.regex(metrics, /tributary_websub_requests_total\{mode="unsubscribe",outcome="accepted"\} 1/);
    t.regex(
      metrics,
      /tributary_websub_pushes_total\{source="\(unconfigured\)",outcome="unknown_subscription"\} 4/,
    );
    t.notRegex(metrics, /tributary_websub_pushes_total\{source="(?:p|x1)"/, "no series per path");
  },
);

test.serial("turning websub.subscribe off unsubscribes every source", async (t) => {
  const h = await startHarness(t);
  await waitFor(() => h.hub.verifications.find((v) => v.echoed), 5_000, "a verification");
  h.setNextConfig({ ...h.config, websub: { ...h.config.websub, subscribe: false } });
  t.true((await h.service.reload("test")).reloaded);
  const verified = await waitFor(
    () => h.hub.verifications.find((v) => v.mode === "unsubscribe"),
    5_000,
    "the unsubscription's verification",
  );
  t.true(verified.echoed);
  t.is((await apiSources(h.service))[0]?.push, "none");
});

test.serial(
  "with websub.subscribe off nothing is subscribed and the callback routes answer 404",
  async (t) => {
    const h = await startHarness(t, { subscribe: false });
    await h.service.initialPoll;
    await delay(300);
    t.deepEqual(h.hub.requests, []);
    const callback = `${h.service.url}/websub/callback/p/${"A".repeat(24)}`;
    const get = await call(`${callback}?hub.mode=subscribe&hub.topic=x&hub.challenge=c`);
    t.is(get.status, 404);
    t.is(await h.hub.push(callback, "<feed/>", { secret: "s" }), 404);
    t.is((await apiSources(h.service))[0]?.push, "none");
  },
);

for (const behaviour of ["hang", "garbage", "refuse"] as const) {
  test.serial(
    `a hub that answers with ${behaviour} breaks nothing: the source is still polled`,
    async (t) => {
      const h = await startHarness(t, {
        polling: { timeoutMs: 1_000 },
        source: { schedule: "* * * * * *" },
      });
      h.hub.behaviour = behaviour;
      const first = await h.service.initialPoll;
      t.is((first as { status: string }[])[0]?.status, "ok");
      const push = await waitFor(
        async () => {
          const p = (await apiSources(h.service))[0]?.push;
          return p?.startsWith("failed") ? p : undefined;
        },
        5_000,
        "the subscription to fail",
      );
      t.regex(push, /^failed: /);
      const polled = h.polls();
      await waitFor(() => (h.polls() > polled ? true : undefined), 5_000, "the next poll");
      t.is((await call(`${h.service.url}/healthz`)).status, 200);
    },
  );
}
