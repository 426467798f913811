// Category rules end to end: a broad partner feed with no default category, routed by a source
// rule, a global rule dropping job ads, and the uncategorised view of /api/updates — through the
// real fetcher, parser, rules, store and HTTP routes.
import test from "ava";
import { call } from "../helpers/app.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { waitFor } from "../helpers/wait.js";
import { startOpsService } from "./fixtures.js";

const item = (guid: string, title: string, tag = "") => `<item><title>${title}</title>
<link>https://reliefweb.example/report/${guid}</link><guid>${guid}</guid>${tag ? `<category>${tag}</category>` : ""}
<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate><description>Text.</description></item>`;

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>All updates</title>
<link>https://reliefweb.example/</link><description>d</description>
${item("t1", "Human-trafficking networks on the central route")}
${item("m1", "Displacement figures for the quarter", "Migration")}
${item("j1", "Vacancy: protection officer")}
${item("u1", "Quarterly financial statement")}
</channel></rss>`;

test("rules route a broad feed by topic, drop job ads, and leave the rest in the uncategorised view", async (t) => {
  const partner = await startFixtureServer(t, { "/all.rss": { body: FEED } });
  const yaml = `service: { port: 0, host: 127.0.0.1, baseUrl: "http://tributary.test" }
polling: { allowPrivateNetworks: true, timeoutMs: 3000, schedule: "0 0 1 1 *" }
categories: [{ id: trafficking, title: Trafficking }, { id: migration, title: Migration }]
rules:
  - { when: { words: ["vacancy", "job opening"] }, drop: true }
sources:
  - id: rw
    title: ReliefWeb
    url: "${partner.url("/all.rss")}"
    categories: []
    rules:
      - { when: { words: ["human trafficking"] }, add: [trafficking] }
      - { when: { tags: [migration] }, add: [migration] }
`;
  const ops = await startOpsService(t, yaml);
  const [outcome] = await ops.service.poller.pollMany(ops.service.getConfig().sources, {
    force: true,
  });
  t.like(outcome, { status: "ok", added: 3, dropped: 1 });

  const titles = async (query: string) =>
    (
      (await call(`${ops.url}/api/updates?${query}`)).json() as { items: { title: string }[] }
    ).items.map((i) => i.title);
  t.deepEqual(await titles("category=trafficking"), [
    "Human-trafficking networks on the central route",
  ]);
  t.deepEqual(await titles("category=migration"), ["Displacement figures for the quarter"]);
  t.deepEqual(await titles("category=uncategorised"), ["Quarterly financial statement"]);
  t.deepEqual(await titles("category=trafficking&source=rw"), [
    "Human-trafficking networks on the central route",
  ]);
  t.is((await titles("category=all")).length, 3);
  for (const route of ["/feeds/all.rss", "/feeds/trafficking.atom", "/api/updates"]) {
    t.false((await call(`${ops.url}${route}`)).body.toString("utf8").includes("Vacancy"), route);
  }
  // The uncategorised view is an API filter, not a feed.
  t.is((await call(`${ops.url}/feeds/uncategorised.rss`)).status, 404);
});

const rulesYaml = (
  url: string,
  sourceRules: string,
  globalRules = "[]",
) => `service: { port: 0, host: 127.0.0.1, baseUrl: "http://tributary.test" }
polling: { allowPrivateNetworks: true, timeoutMs: 3000, schedule: "0 0 1 1 *" }
categories: [{ id: trafficking, title: Trafficking }, { id: migration, title: Migration }, { id: finance, title: Finance }]
rules: ${globalRules}
sources:
  - id: rw
    title: ReliefWeb
    url: "${url}"
    categories: []
    rules: ${sourceRules}
`;

test("a reload with changed rules files the stored entries again, without a fetch, moving only the versions that changed", async (t) => {
  const partner = await startFixtureServer(t, { "/all.rss": { body: FEED } });
  const url = partner.url("/all.rss");
  const first = `[{ when: { words: ["human trafficking"] }, add: [trafficking] }, { when: { tags: [migration] }, add: [migration] }]`;
  const ops = await startOpsService(t, rulesYaml(url, first));
  await ops.service.poller.pollMany(ops.service.getConfig().sources, { force: true });
  const store = ops.service.store;
  const fetches = partner.requests.length;
  const trafficking = await store.version("trafficking");
  const titles = async (query: string) =>
    (
      (await call(`${ops.url}/api/updates?${query}`)).json() as { items: { title: string }[] }
    ).items.map((i) => i.title);
  t.deepEqual((await titles("category=uncategorised")).sort(), [
    "Quarterly financial statement",
    "Vacancy: protection officer",
  ]);

  // A new rule files the statement under finance; a new global rule drops job ads.
  ops.rewrite(
    rulesYaml(
      url,
      `[{ when: { words: ["human trafficking"] }, add: [trafficking] }, { when: { tags: [migration] }, add: [migration] }, { when: { words: [financial] }, add: [finance] }]`,
      `[{ when: { words: [vacancy] }, drop: true }]`,
    ),
  );
  const result = await ops.service.reload("test");
  t.like(result, { reloaded: true });
  t.deepEqual(result.reloaded && result.rules, [
    { source: "rw", recategorised: 1, dropped: 1, unchanged: 2 },
  ]);
  t.is(partner.requests.length, fetches, "nothing fetched");
  t.deepEqual(await titles("category=finance"), ["Quarterly financial statement"]);
  t.deepEqual(await titles("category=uncategorised"), []);
  t.false((await titles("category=all")).includes("Vacancy: protection officer"));
  // Trafficking's entries are filed as before: its feeds keep their version and ETag.
  t.is(await store.version("trafficking"), trafficking);

  // The same rules again: nothing to change, nothing written.
  const finance = await store.version("finance");
  ops.rewrite(
    rulesYaml(
      url,
      `[{ when: { words: ["human trafficking"] }, add: [trafficking] }, { when: { tags: [migration] }, add: [migration] }, { when: { words: [financial] }, add: [finance] }]`,
      `[{ when: { words: [vacancy] }, drop: true }]`,
    ),
  );
  const again = await ops.service.reload("test");
  t.true(again.reloaded && (again.rules ?? []).length === 0);
  t.is(await store.version("finance"), finance);
});

test("re-filing holds the source's claim: a poll in progress elsewhere is waited for, and the copies it stored are kept", async (t) => {
  const partner = await startFixtureServer(t, { "/all.rss": { body: FEED } });
  const url = partner.url("/all.rss");
  const routing = `[{ when: { words: ["human trafficking"] }, add: [trafficking] }]`;
  const ops = await startOpsService(t, rulesYaml(url, routing));
  await ops.service.poller.pollMany(ops.service.getConfig().sources, { force: true });
  const store = ops.service.store;
  const [statement] = (await store.list({ category: "all", source: "rw", limit: 10 })).items.filter(
    (u) => u.title === "Quarterly financial statement",
  );
  if (statement === undefined) throw new Error("the statement was not stored");

  // Another worker's poll of the source is in progress: it holds the source's lease.
  const claim = await store.leases.claim("rw", { nowMs: Date.now(), leaseMs: 30_000, force: true });
  if (!("lease" in claim)) throw new Error("the source could not be claimed");
  ops.rewrite(rulesYaml(url, `[{ when: { words: [financial] }, add: [finance] }]`));
  let reloaded = false;
  const reload = ops.service.reload("test").then((result) => {
    reloaded = true;
    return result;
  });
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.false(reloaded, "the re-filing waits for the poll holding the source");
  // That poll stores a newer copy of the statement, then ends.
  const newer = { ...statement, title: "Quarterly financial statement (revised)" };
  await store.upsert([newer], { fallbackDated: new Set(), lease: claim.lease });
  await store.leases.release(claim.lease, undefined);

  const result = await reload;
  t.deepEqual(result.reloaded && result.rules, [
    { source: "rw", recategorised: 2, dropped: 0, unchanged: 2 },
  ]);
  // Filed by the new rules, and still the poll's copy: nothing read before it was written back.
  const finance = (await store.list({ category: "finance", limit: 10 })).items;
  t.deepEqual(
    finance.map((u) => u.title),
    ["Quarterly financial statement (revised)"],
  );
});

test("removing a drop rule brings the dropped entries back: the feed is fetched whole again, past its ETag", async (t) => {
  const partner = await startFixtureServer(t, {
    "/all.rss": { body: FEED, headers: { ETag: '"v1"' } },
  });
  const url = partner.url("/all.rss");
  const routing = `[{ when: { words: ["human trafficking"] }, add: [trafficking] }]`;
  const ops = await startOpsService(
    t,
    rulesYaml(url, routing, `[{ when: { words: [vacancy] }, drop: true }]`),
  );
  const sources = ops.service.getConfig().sources;
  await ops.service.poller.pollMany(sources, { force: true });
  // The partner answers the next conditional poll with 304: nothing new would come from it.
  const [unchanged] = await ops.service.poller.pollMany(sources, { force: true });
  t.like(unchanged, { status: "not-modified" });
  const titles = async () =>
    (
      (await call(`${ops.url}/api/updates?category=all`)).json() as { items: { title: string }[] }
    ).items.map((i) => i.title);
  t.false((await titles()).includes("Vacancy: protection officer"));

  const fetches = partner.requests.length;
  ops.rewrite(rulesYaml(url, routing));
  t.like(await ops.service.reload("test"), { reloaded: true });
  await waitFor(
    async () => ((await titles()).includes("Vacancy: protection officer") ? true : undefined),
    5_000,
    "the vacancy to be stored",
  );
  const refetch = partner.requests.slice(fetches);
  t.is(refetch.length, 1, "one fetch");
  t.is(refetch[0]?.headers["if-none-match"], undefined, "sent without the ETag");

  // A reload that keeps the drop rules as they are fetches nothing.
  ops.rewrite(rulesYaml(url, `[{ when: { words: ["financial"] }, add: [finance] }]`));
  await ops.service.reload("test");
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.is(partner.requests.length, fetches + 1);
});
