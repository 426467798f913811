import test, { type ExecutionContext } from "ava";
import { MemoryStore } from "../../src/store/memory.js";
import { storeContract } from "./contract.js";
import { leaseContract } from "./lease-contract.js";

const open = async (t: ExecutionContext) => {
  const store = new MemoryStore();
  t.teardown(() => store.close());
  return store;
};
storeContract(test, "memory", open);
leaseContract(test, "memory", open);
