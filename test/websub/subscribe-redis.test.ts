// WebSub subscribing on one Redis shared by several instances: a worker subscribes after its
// poll, the hub calls back the api instance (the deployment's public address), which answers
// the verification and stores pushes from the shared subscription records, parsing them with a
// pool of its own. The records survive a worker's restart: no second subscription is made.
import test from "ava";
import { redisStoreForTest, uniquePrefix } from "../helpers/redis.js";
import { delay, waitFor } from "../helpers/wait.js";
import { apiSources, atomFeed, closePool, entry, feedTitles, startHarness } from "./harness.js";

test.after.always(closePool);

test.serial(
  "redis: the api instance verifies and stores pushes for a worker's subscription",
  async (t) => {
    const prefix = uniquePrefix();
    const api = await startHarness(t, {
      role: "api",
      store: await redisStoreForTest(t, prefix),
      ownPool: true,
    });
    const worker = await startHarness(t, {
      role: "worker",
      store: await redisStoreForTest(t, prefix),
      baseUrl: api.service.url,
      share: api,
    });
    const request = await waitFor(() => api.hub.latest(), 5_000, "a subscription request");
    t.true(request.callback.startsWith(`${api.service.url}/websub/callback/p/`));
    const verification = await waitFor(() => api.hub.verifications[0], 5_000, "a verification");
    t.true(verification.echoed, "answered by the api instance from the shared record");
    t.regex((await apiSources(api.service))[0]?.push ?? "", /^active until /);

    const pushed = atomFeed(
      "",
      entry("2", "Pushed through the api instance", "2026-03-02T12:00:00Z"),
    );
    t.is(await api.hub.push(request.callback, pushed, { secret: request.secret ?? "" }), 202);
    await waitFor(
      async () =>
        (await feedTitles(api.service)).includes("Pushed through the api instance")
          ? true
          : undefined,
      3_000,
      "the push in the api instance's feeds",
    );

    // A restarted worker finds the subscription in Redis and does not subscribe again.
    await worker.service.stop();
    const again = await startHarness(t, {
      role: "worker",
      store: await redisStoreForTest(t, prefix),
      baseUrl: api.service.url,
      share: api,
    });
    await again.service.initialPoll;
    const [outcome] = await again.service.poller.pollMany(again.config.sources, { force: true });
    t.truthy(outcome?.advertised, "the poll saw the hub again");
    await delay(300);
    t.is(api.hub.requests.filter((r) => r.mode === "subscribe").length, 1);
  },
);
