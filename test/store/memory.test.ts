import test from "ava";
import { MemoryStore } from "../../src/store/memory.js";
import { storeContract } from "./contract.js";

storeContract(test, "memory", async (t) => {
  const store = new MemoryStore();
  t.teardown(() => store.close());
  return store;
});
