// The partner feed's own id and updated travel with each entry (Update.sourceFeed) as a
// snapshot of when that version of the entry was read: a feed that restamps its <updated> on
// every response must not rewrite its entries, or bump a version, on every poll.
import test from "ava";
import type { SourceConfig } from "../../src/config/types.js";
import { type RefreshDeps, refreshSource } from "../../src/ingest/refresh.js";
import { MemoryStore } from "../../src/store/memory.js";
import { ALL } from "../../src/store/store.js";
import { makeConfig } from "../helpers/config.js";
import { startFixtureServer } from "../helpers/fixture-server.js";

const NOW = new Date("2026-03-10T12:00:00.000Z");

const atom = (updated: string, secondTitle = "Second") => `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Partner</title><id>tag:partner.example,2020:news</id>
<updated>${updated}</updated>
<entry><id>tag:partner.example,2020:1</id><title>First</title><link href="https://partner.example/1"/>
<updated>2026-03-01T10:00:00Z</updated></entry>
<entry><id>tag:partner.example,2020:2</id><title>${secondTitle}</title><link href="https://partner.example/2"/>
<updated>2026-03-02T10:00:00Z</updated></entry></feed>`;

test("a feed restamping its <updated> rewrites no entry; a changed entry takes the new snapshot", async (t) => {
  const partner = await startFixtureServer(t);
  const serve = (body: string) =>
    partner.set("/atom", { headers: { "Content-Type": "application/atom+xml" }, body });
  const store = new MemoryStore();
  t.teardown(() => store.close());
  const source: SourceConfig = {
    id: "partner",
    title: "Partner",
    url: partner.url("/atom"),
    categories: ["news"],
    enabled: true,
  };
  const { polling, retention } = makeConfig();
  const deps: RefreshDeps = { store, fetchOptions: polling, retention, now: () => NOW };
  const stored = async () =>
    (await store.list({ category: ALL, limit: 10 })).items.map((u) => [u.title, u.sourceFeed]);

  serve(atom("2026-03-09T08:00:00Z"));
  t.like(await refreshSource(source, deps), { status: "ok", added: 2 });
  const first = { id: "tag:partner.example,2020:news", updated: "2026-03-09T08:00:00.000Z" };
  t.deepEqual(await stored(), [
    ["Second", first],
    ["First", first],
  ]);
  const version = await store.version(ALL);

  serve(atom("2026-03-09T09:00:00Z"));
  t.like(await refreshSource(source, deps), { added: 0, updated: 0, unchanged: 2 });
  t.is(await store.version(ALL), version, "no page is re-rendered for a restamped feed");
  t.deepEqual(
    (await stored()).map(([, feed]) => feed),
    [first, first],
  );

  serve(atom("2026-03-09T10:00:00Z", "Second, corrected"));
  t.like(await refreshSource(source, deps), { added: 0, updated: 1, unchanged: 1 });
  t.deepEqual(await stored(), [
    ["Second, corrected", { ...first, updated: "2026-03-09T10:00:00.000Z" }],
    ["First", first],
  ]);
});
