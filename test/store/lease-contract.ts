// The poll-lease contract (src/store/leases.ts) every Store's `leases` passes, with the fencing
// of writes it implies: memory.test.ts and redis.test.ts call leaseContract with a factory.
import type { ExecutionContext, TestFn } from "ava";
import { initialSourceState } from "../../src/model/source.js";
import { LeaseLostError, type PollLease } from "../../src/store/leases.js";
import { ALL, type Store } from "../../src/store/store.js";
import { makeUpdate } from "../helpers/updates.js";
import type { StoreFactory } from "./contract.js";

const LEASE_MS = 60_000;
const NOW = Date.parse("2026-03-01T12:00:00.000Z");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function claimed(store: Store, sourceId: string, nowMs = NOW, leaseMs = LEASE_MS) {
  const claim = await store.leases.claim(sourceId, { nowMs, leaseMs });
  if (!("lease" in claim)) throw new Error(`claim of ${sourceId} refused: ${claim.refused}`);
  return claim.lease;
}

export function leaseContract(test: TestFn, name: string, open: StoreFactory): void {
  const it = (title: string, body: (t: ExecutionContext, store: Store) => Promise<void>) =>
    test(`${name}: leases: ${title}`, async (t) => body(t, await open(t)));

  it("a source is claimed by one poll at a time, then not again before its due time", async (t, store) => {
    const first = await claimed(store, "s");
    // The claim moved the due time to the lease's end (when a poll that died is taken over).
    t.deepEqual(await store.leases.claim("s", { nowMs: NOW, leaseMs: LEASE_MS }), {
      refused: "not-due",
      dueAt: NOW + LEASE_MS,
    });
    t.deepEqual(await store.leases.claim("s", { nowMs: NOW, leaseMs: LEASE_MS, force: true }), {
      refused: "leased",
    });
    await store.leases.release(first, NOW + 300_000);
    t.deepEqual(await store.leases.claim("s", { nowMs: NOW + 1_000, leaseMs: LEASE_MS }), {
      refused: "not-due",
      dueAt: NOW + 300_000,
    });
    const second = await claimed(store, "s", NOW + 300_000);
    t.true(second.token > first.token, "every claim gets a newer fencing token");
    // Another source is its own.
    t.truthy(await claimed(store, "other"));
  });

  it("an operator's claim ignores the due time but not a poll in progress", async (t, store) => {
    const first = await claimed(store, "s");
    t.deepEqual(await store.leases.claim("s", { nowMs: NOW, leaseMs: LEASE_MS, force: true }), {
      refused: "leased",
    });
    await store.leases.release(first, NOW + 300_000);
    const forced = await store.leases.claim("s", { nowMs: NOW, leaseMs: LEASE_MS, force: true });
    t.true("lease" in forced);
  });

  it("a lease that expired is taken by the next claim; the old poll's writes are refused and change nothing", async (t, store) => {
    const update = makeUpdate({ sourceId: "s", categories: ["migration"] });
    const old = await claimed(store, "s", NOW, 100);
    await store.upsert([update], { fallbackDated: new Set(), lease: old });
    await store.setSourceState("s", { ...initialSourceState(), etag: '"old"' }, old);
    await sleep(200);
    const newer = await claimed(store, "s", NOW + 200, LEASE_MS);
    const version = await store.version(ALL);

    const changed = { ...update, title: "Overwritten by a poll that lost its lease" };
    const extra = makeUpdate({ sourceId: "s", categories: ["migration"] });
    await t.throwsAsync(store.upsert([changed, extra], { fallbackDated: new Set(), lease: old }), {
      instanceOf: LeaseLostError,
    });
    await t.throwsAsync(
      store.setSourceState("s", { ...initialSourceState(), etag: '"stale"' }, old),
      { instanceOf: LeaseLostError },
    );
    const policy = { maxEntriesPerSource: 1, maxAgeDays: 1 };
    await t.throwsAsync(store.applyRetention("s", policy, new Date(NOW), new Set(), old), {
      instanceOf: LeaseLostError,
    });
    t.is((await store.get(update.id))?.title, update.title);
    t.is(await store.get(extra.id), undefined);
    t.is((await store.getSourceState("s"))?.etag, '"old"');
    t.is(await store.version(ALL), version, "no version moved");

    // The newer poll writes as usual; a write without a lease is not fenced at all.
    await store.upsert([changed], { fallbackDated: new Set(), lease: newer });
    t.is((await store.get(update.id))?.title, changed.title);
    await store.setSourceState("s", { ...initialSourceState(), etag: '"new"' }, newer);
    t.is((await store.getSourceState("s"))?.etag, '"new"');
    await store.setSourceState("s", { ...initialSourceState(), etag: '"unfenced"' });
    t.is((await store.getSourceState("s"))?.etag, '"unfenced"');
  });

  it("a release or renewal by a poll that lost its lease leaves the newer poll's claim alone", async (t, store) => {
    const old = await claimed(store, "s", NOW, 100);
    await sleep(200);
    const newer = await claimed(store, "s", NOW + 200);
    await store.leases.release(old, NOW - 1);
    t.false(await store.leases.renew(old, LEASE_MS));
    t.deepEqual(await store.leases.claim("s", { nowMs: NOW, leaseMs: LEASE_MS, force: true }), {
      refused: "leased",
    });
    t.deepEqual(await store.leases.overdue(NOW + 200), [], "the old release set no due time");
    t.true(await store.leases.renew(newer, LEASE_MS));
    await store.leases.release(newer, undefined);
    const after = await store.leases.claim("s", { nowMs: NOW + 200 + LEASE_MS, leaseMs: 100 });
    t.true("lease" in after, "released without a due time: due at the newer lease's end");
  });

  it("a renewed lease outlives its first expiry", async (t, store) => {
    const lease: PollLease = await claimed(store, "s", NOW, 300);
    await sleep(150);
    t.true(await store.leases.renew(lease, 2_000));
    await sleep(300);
    t.deepEqual(await store.leases.claim("s", { nowMs: NOW, leaseMs: LEASE_MS, force: true }), {
      refused: "leased",
    });
  });

  it("overdue lists claimed sources from their lease's end, and released ones from their due time", async (t, store) => {
    const dying = await claimed(store, "dies-mid-poll", NOW, 1_000);
    const done = await claimed(store, "done");
    await store.leases.release(done, NOW + 10_000);
    t.deepEqual(await store.leases.overdue(NOW), []);
    t.deepEqual(await store.leases.overdue(NOW + 1_000), ["dies-mid-poll"]);
    t.deepEqual((await store.leases.overdue(NOW + 10_000)).sort(), ["dies-mid-poll", "done"]);
    t.deepEqual(
      await store.leases.dueTimes(["done", "dies-mid-poll", "never-claimed"]),
      new Map([
        ["done", NOW + 10_000],
        ["dies-mid-poll", NOW + 1_000],
      ]),
    );
    t.truthy(dying);
  });

  it("removeSource forgets the source's due time", async (t, store) => {
    const lease = await claimed(store, "s");
    await store.leases.release(lease, NOW);
    t.deepEqual(await store.leases.overdue(NOW), ["s"]);
    await store.removeSource("s");
    t.deepEqual(await store.leases.overdue(NOW), []);
    const again = await claimed(store, "s");
    t.true(again.token > lease.token, "tokens keep growing after a removal");
  });

  it("host slots: at most `limit` holders at once; a freed or expired slot is taken again", async (t, store) => {
    const { leases } = store;
    t.true(await leases.acquireHost("partner.example", "a", 2, NOW, 60_000));
    t.true(await leases.acquireHost("partner.example", "b", 2, NOW, 1_000));
    t.false(await leases.acquireHost("partner.example", "c", 2, NOW, 60_000));
    t.true(await leases.acquireHost("other.example", "c", 2, NOW, 60_000), "hosts are apart");
    t.true(await leases.acquireHost("partner.example", "a", 2, NOW, 60_000), "a holder renews");
    await leases.releaseHost("partner.example", "a");
    t.true(await leases.acquireHost("partner.example", "c", 2, NOW, 60_000));
    t.false(await leases.acquireHost("partner.example", "d", 2, NOW + 500, 60_000));
    // b's slot ran out without a release (its worker died).
    t.true(await leases.acquireHost("partner.example", "d", 2, NOW + 1_000, 60_000));
  });

  it("a claim can take a host slot in the same step, and its release frees it", async (t, store) => {
    const { leases } = store;
    const slot = (holder: string) => ({ host: "partner.example", holder, limit: 1 });
    const first = await leases.claim("a", { nowMs: NOW, leaseMs: LEASE_MS, hostSlot: slot("a") });
    t.like(first, { hostSlot: true });
    // The host is full: the claim stands, without the slot.
    const second = await leases.claim("b", { nowMs: NOW, leaseMs: LEASE_MS, hostSlot: slot("b") });
    t.like(second, { hostSlot: false });
    t.false(await leases.acquireHost("partner.example", "b", 1, NOW, LEASE_MS));
    if (!("lease" in first)) throw new Error("first claim refused");
    await leases.release(first.lease, NOW + 300_000, slot("a"));
    t.true(await leases.acquireHost("partner.example", "b", 1, NOW, LEASE_MS));
    // A refused claim takes no slot.
    await leases.releaseHost("partner.example", "b");
    t.like(await leases.claim("a", { nowMs: NOW, leaseMs: LEASE_MS, hostSlot: slot("c") }), {
      refused: "not-due",
    });
    t.true(await leases.acquireHost("partner.example", "d", 1, NOW, LEASE_MS));
  });
}
