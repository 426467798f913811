// The WebSub subscription contract (src/store/subscriptions.ts) every Store's `subscriptions`
// passes: memory.test.ts and redis.test.ts call subscriptionContract with a factory.
import type { ExecutionContext, TestFn } from "ava";
import type { Subscription } from "../../src/model/websub.js";
import type { Store } from "../../src/store/store.js";
import type { StoreFactory } from "./contract.js";

const NOW = Date.parse("2026-03-01T12:00:00.000Z");

const pending = (over: Partial<Subscription> = {}): Subscription => ({
  sourceId: "s",
  hub: "https://hub.example/",
  topic: "https://partner.example/feed.xml",
  token: "tok-1",
  secret: "secret-1",
  state: "pending",
  requestedAt: NOW,
  ...over,
});

export function subscriptionContract(test: TestFn, name: string, open: StoreFactory): void {
  const it = (title: string, body: (t: ExecutionContext, store: Store) => Promise<void>) =>
    test(`${name}: subscriptions: ${title}`, async (t) => body(t, await open(t)));

  it("a stored subscription reads back whole, and is listed", async (t, store) => {
    t.is(await store.subscriptions.get("s"), undefined);
    t.deepEqual(await store.subscriptions.list(), []);
    await store.subscriptions.put(pending());
    t.deepEqual(await store.subscriptions.get("s"), pending());
    await store.subscriptions.put(pending({ sourceId: "t", token: "tok-2" }));
    const listed = await store.subscriptions.list();
    t.deepEqual(listed.map((s) => s.sourceId).sort(), ["s", "t"]);
  });

  it("an update applies only to the subscription with that token", async (t, store) => {
    await store.subscriptions.put(pending({ renewing: true, failure: "x" }));
    t.is(await store.subscriptions.update("s", "other", { state: "active" }), undefined);
    t.is((await store.subscriptions.get("s"))?.state, "pending");
    const updated = await store.subscriptions.update("s", "tok-1", {
      state: "active",
      expiresAt: NOW + 3_600_000,
      leaseSeconds: 3600,
      renewing: undefined,
      failure: undefined,
    });
    const expected: Subscription = {
      ...pending(),
      state: "active",
      expiresAt: NOW + 3_600_000,
      leaseSeconds: 3600,
    };
    t.deepEqual(updated, expected);
    t.deepEqual(await store.subscriptions.get("s"), expected);
    t.is(await store.subscriptions.update("nobody", "tok-1", { state: "active" }), undefined);
    t.is(await store.subscriptions.get("nobody"), undefined, "an update creates nothing");
  });

  it("a put replaces the source's subscription; a remove needs its token", async (t, store) => {
    await store.subscriptions.put(pending());
    await store.subscriptions.put(pending({ token: "tok-2", secret: "secret-2" }));
    t.is((await store.subscriptions.get("s"))?.secret, "secret-2");
    t.false(await store.subscriptions.remove("s", "tok-1"));
    t.truthy(await store.subscriptions.get("s"));
    t.true(await store.subscriptions.remove("s", "tok-2"));
    t.is(await store.subscriptions.get("s"), undefined);
    t.false(await store.subscriptions.remove("s", "tok-2"));
  });

  it("subscriptions are shared by every handle on the same data", async (t, store) => {
    // The same store object stands for "another instance" in memory; Redis tests open two.
    await store.subscriptions.put(pending({ lastPushAt: NOW }));
    t.is((await store.subscriptions.get("s"))?.lastPushAt, NOW);
  });
}
