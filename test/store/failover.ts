// What sentinel.test.ts and cluster.test.ts check around a failover: a partner feed whose
// entries a poll writes before the master is killed, and, once a replica has taken over, that
// every entry is still there, that the next poll writes again and that the version
// subscription comes back (cached requests need no round trip again).
import type { ExecutionContext } from "ava";
import type { SourceConfig } from "../../src/config/types.js";
import type { Poller } from "../../src/schedule/poller.js";
import { ALL, type Store } from "../../src/store/store.js";
import type { WatchedStore } from "../../src/store/version-watch.js";
import type { FixtureServer } from "../helpers/fixture-server.js";
import { eventually } from "../helpers/redis-topology.js";
import { waitFor } from "../helpers/wait.js";

export const rss = (guids: string[]) => `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Partner</title><link>https://partner.example/</link>
${guids
  .map(
    (guid, i) =>
      `<item><title>Item ${guid}</title><link>https://partner.example/${guid}</link><guid>${guid}</guid><pubDate>${new Date(Date.UTC(2026, 0, 1 + i)).toUTCString()}</pubDate></item>`,
  )
  .join("\n")}
</channel></rss>`;

export const partnerSource = (partner: FixtureServer): SourceConfig => ({
  id: "partner",
  title: "Partner",
  url: partner.url("/feed.rss"),
  categories: ["migration"],
  enabled: true,
});

/** After the takeover: the 3 entries written before, a 4th written now, the watch back. */
export async function assertSurvived(
  t: ExecutionContext,
  failover: {
    store: Store;
    poller: Poller;
    partner: FixtureServer;
    source: SourceConfig;
    versionBefore: number;
    killedAt: number;
  },
): Promise<void> {
  const { store, poller, partner, source } = failover;
  const listed = await eventually(() =>
    store.list({ category: ALL, source: source.id, limit: 50 }),
  );
  t.is(listed.items.length, 3);

  // The partner publishes; the next poll writes to the promoted master.
  partner.set("/feed.rss", { body: rss(["a", "b", "c", "d"]) });
  const next = await eventually(async () => {
    const outcome = await poller.poll(source, { force: true });
    if (outcome?.status !== "ok") throw new Error(`poll: ${outcome?.status} ${outcome?.error}`);
    return outcome;
  });
  t.is(next.added, 1);
  t.log(`a poll wrote again ${Date.now() - failover.killedAt} ms after the master was killed`);
  t.is((await store.list({ category: ALL, source: source.id, limit: 50 })).items.length, 4);
  t.true((await store.version("migration")) > failover.versionBefore);
  await waitFor(() => (store as WatchedStore).watching || undefined, 15_000, "the resubscription");
}
