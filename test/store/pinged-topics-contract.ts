// The pinged-topics contract (src/store/pinged-topics.ts) every Store's `pingedTopics` passes:
// memory.test.ts and redis.test.ts call pingedTopicsContract with a factory.
import type { ExecutionContext, TestFn } from "ava";
import type { Store } from "../../src/store/store.js";
import type { StoreFactory } from "./contract.js";

const TTL_MS = 60_000;
const TOPIC = "http://tributary.test/feeds/migration.rss";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function pingedTopicsContract(test: TestFn, name: string, open: StoreFactory): void {
  const it = (title: string, body: (t: ExecutionContext, store: Store) => Promise<void>) =>
    test(`${name}: pinged topics: ${title}`, async (t) => body(t, await open(t)));

  it("a topic's first ETag is new, the same one again is not, another one is", async (t, store) => {
    t.true(await store.pingedTopics.mark(TOPIC, '"a"', TTL_MS));
    t.false(await store.pingedTopics.mark(TOPIC, '"a"', TTL_MS));
    t.true(await store.pingedTopics.mark(TOPIC, '"b"', TTL_MS));
    t.false(await store.pingedTopics.mark(TOPIC, '"b"', TTL_MS));
    // Back to an earlier content is a change too: the hub was last told of "b".
    t.true(await store.pingedTopics.mark(TOPIC, '"a"', TTL_MS));
  });

  it("topics are marked independently", async (t, store) => {
    const atom = "http://tributary.test/feeds/migration.atom";
    t.true(await store.pingedTopics.mark(TOPIC, '"a"', TTL_MS));
    t.true(await store.pingedTopics.mark(atom, '"a"', TTL_MS));
    t.false(await store.pingedTopics.mark(atom, '"a"', TTL_MS));
  });

  it("of many marks of one change at once, exactly one wins", async (t, store) => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => store.pingedTopics.mark(TOPIC, '"c"', TTL_MS)),
    );
    t.is(answers.filter(Boolean).length, 1);
  });

  it("a mark expires after its ttl: the same ETag is new again", async (t, store) => {
    t.true(await store.pingedTopics.mark(TOPIC, '"a"', 50));
    await sleep(120);
    t.true(await store.pingedTopics.mark(TOPIC, '"a"', TTL_MS));
  });
}
