import test, { type ExecutionContext } from "ava";
import { MemoryStore } from "../../src/store/memory.js";
import { StoreUnavailableError } from "../../src/store/store.js";
import { makeUpdate } from "../helpers/updates.js";
import { storeContract } from "./contract.js";
import { leaseContract } from "./lease-contract.js";
import { pingedTopicsContract } from "./pinged-topics-contract.js";
import { storyContract } from "./story-contract.js";
import { subscriptionContract } from "./subscription-contract.js";

const open = async (t: ExecutionContext) => {
  const store = new MemoryStore();
  t.teardown(() => store.close());
  return store;
};
storeContract(test, "memory", open);
storyContract(test, "memory", open);
leaseContract(test, "memory", open);
subscriptionContract(test, "memory", open);
pingedTopicsContract(test, "memory", open);

// peekVersion: categoryVersion without a promise, one frozen object per category and version.

const plain = { fallbackDated: new Set<string>() };

test("memory: peekVersion equals categoryVersion, synchronously, before and after writes", async (t) => {
  const store = await open(t);
  const empty = store.peekVersion("x");
  t.false(empty instanceof Promise);
  t.deepEqual(empty, await store.categoryVersion("x"));
  t.deepEqual(empty, { version: 0, changedAt: undefined, generation: undefined });

  await store.upsert([makeUpdate({ categories: ["x"] })], plain);
  const first = store.peekVersion("x");
  t.deepEqual(first, await store.categoryVersion("x"));
  t.is(first?.version, 1);
  t.true(first?.changedAt instanceof Date);
  t.truthy(first?.generation);
  // A category that never changed has version 0 under the generation now set.
  t.deepEqual(store.peekVersion("y"), await store.categoryVersion("y"));
  t.is(store.peekVersion("y")?.generation, first?.generation);

  await store.upsert([makeUpdate({ categories: ["x"] })], plain);
  const second = store.peekVersion("x");
  t.deepEqual(second, await store.categoryVersion("x"));
  t.is(second?.version, 2);
  t.not(second, first, "a new version, a new object");
  t.is(first?.version, 1, "the old answer is left as it was");
});

test("memory: peekVersion reuses one frozen object per version", async (t) => {
  const store = await open(t);
  await store.upsert([makeUpdate({ categories: ["x"] })], plain);
  const peeked = store.peekVersion("x");
  t.is(store.peekVersion("x"), peeked, "nothing allocated per call");
  t.is(store.peekVersion("nope"), store.peekVersion("other"), "one answer for version 0");
  t.true(Object.isFrozen(peeked));
  t.throws(() => {
    (peeked as { version: number }).version = 99;
  });
  t.is(store.peekVersion("x")?.version, 1);
  t.is((await store.categoryVersion("x")).version, 1);
});

test("memory: peekVersion of a closed store is undefined (categoryVersion rejects)", async (t) => {
  const store = await open(t);
  await store.upsert([makeUpdate({ categories: ["x"] })], plain);
  t.is(store.peekVersion("x")?.version, 1);
  await store.close();
  t.is(store.peekVersion("x"), undefined);
  await t.throwsAsync(store.categoryVersion("x"), { instanceOf: StoreUnavailableError });
});
