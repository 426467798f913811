// The source status read model that /api/sources and `tributary sources` share, read straight
// from it against a real memory store (the HTTP and CLI tests check what each one prints).
import test from "ava";
import { describeSources } from "../../src/status/sources.js";
import { MemoryStore } from "../../src/store/memory.js";
import { makeConfig } from "../helpers/config.js";
import { makeUpdate } from "../helpers/updates.js";

const NEXT = new Date("2026-03-10T12:30:00.000Z");

test("describeSources: config order; never polled is pending, disabled is disabled whatever it did", async (t) => {
  const store = new MemoryStore();
  t.teardown(() => store.close());
  await store.setSourceState("mpi", {
    status: "error",
    errorKind: "timeout",
    lastError: "timed out",
    consecutiveFailures: 1,
  });
  const views = await describeSources(makeConfig(), store, () => NEXT);
  t.deepEqual(
    views.map(({ id, status, nextPollAt, stale }) => [id, status, nextPollAt, stale]),
    [
      ["un-news", "pending", NEXT.toISOString(), false],
      ["atr", "pending", NEXT.toISOString(), false],
      ["mpi", "disabled", null, false],
    ],
  );
  t.like(views[2], { errorKind: "timeout", lastError: "timed out", entries: 0 });
});

test("describeSources: entries counted per source; a moved feed's proposed URL is redacted", async (t) => {
  const store = new MemoryStore();
  t.teardown(() => store.close());
  await store.upsert([makeUpdate({ sourceId: "atr" }), makeUpdate({ sourceId: "atr" })], {
    fallbackDated: new Set(),
  });
  const moved = "https://user:secret@new.example.org/feed?apikey=KEY";
  await store.setSourceState("atr", {
    status: "ok",
    consecutiveFailures: 0,
    lastSuccessAt: "2026-03-10T12:00:00.000Z",
    movedTo: moved,
    movedToCount: 3,
  });
  const [, atr] = await describeSources(
    makeConfig(),
    store,
    () => undefined,
    (source) => source.id === "atr",
  );
  t.like(atr, {
    id: "atr",
    status: "ok",
    entries: 2,
    nextPollAt: null,
    stale: true,
    lastSuccessAt: "2026-03-10T12:00:00.000Z",
  });
  t.is(atr?.proposedUrl, "https://new.example.org/feed");
});
