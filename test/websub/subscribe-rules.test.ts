// The pure rules of subscribing: hub discovery (Link headers, Atom/RSS/JSON Feed bodies), the
// X-Hub-Signature check, the polling stretch, the push state shown to operators, and the address
// guard in front of hub requests.
import test from "ava";
import { postToHub } from "../../src/ingest/fetch/hub-request.js";
import { ingestBytes } from "../../src/ingest/ingest.js";
import {
  heldBackByPushes,
  type PushHoldInput,
  pushesHoldPollsUntil,
  pushStateOf,
  type Subscription,
} from "../../src/model/websub.js";
import { discover, linksOfHeader } from "../../src/websub/discovery.js";
import { checkSignature, signBody } from "../../src/websub/signature.js";
import { callbackUrl } from "../../src/websub/subscriptions.js";

const FEED = "https://partner.example/feed.xml";

test("Link headers: hub and self, several rels, quoted commas, relative hubs", (t) => {
  t.deepEqual(
    linksOfHeader(
      '<https://hub.example/>; rel="hub", <https://partner.example/self>; rel="self alternate"',
    ),
    { hubs: ["https://hub.example/"], self: "https://partner.example/self" },
  );
  t.deepEqual(
    discover({
      linkHeader: '</hub?a=1,2>; title="x, y"; rel=hub, <https://other.example/hub>; rel="hub"',
      feedUrl: FEED,
    }),
    { hubs: ["https://partner.example/hub?a=1,2", "https://other.example/hub"], topic: FEED },
  );
});

test("Link headers win over the body; the body is read when they name no hub", (t) => {
  const body = { hubs: ["https://body-hub.example/"], self: "https://partner.example/body-self" };
  t.deepEqual(
    discover({ linkHeader: '<https://header-hub.example/>; rel="hub"', body, feedUrl: FEED }),
    { hubs: ["https://header-hub.example/"], topic: "https://partner.example/body-self" },
  );
  t.deepEqual(discover({ linkHeader: '<https://x.example/>; rel="next"', body, feedUrl: FEED }), {
    hubs: ["https://body-hub.example/"],
    topic: "https://partner.example/body-self",
  });
});

test("hubs that are not http(s), and a feed with no hub, give no subscription", (t) => {
  t.is(
    discover({ body: { hubs: ["javascript:alert(1)", "ftp://hub.example/"] }, feedUrl: FEED }),
    undefined,
  );
  t.is(discover({ feedUrl: FEED }), undefined);
  t.is(discover({ linkHeader: "<<<>>>;;;,,,", feedUrl: FEED }), undefined);
  const many = Array.from({ length: 50 }, (_, i) => `<https://hub${i}.example/>; rel="hub"`);
  t.is(discover({ linkHeader: many.join(", "), feedUrl: FEED })?.hubs.length, 4, "bounded");
});

const source = { id: "p", categories: ["migration"], feedUrl: FEED };
const now = new Date("2026-03-01T12:00:00Z");

test("the body's hub links: Atom, RSS atom:link and JSON Feed hubs", async (t) => {
  const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id>
    <link rel="hub" href="https://hub.example/"/><link rel="self" href="${FEED}"/></feed>`;
  t.deepEqual((await ingestBytes(Buffer.from(atom), "application/atom+xml", source, now)).websub, {
    hubs: ["https://hub.example/"],
    self: FEED,
  });
  const rss = `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>R</title>
    <link>https://partner.example/</link><description>d</description>
    <atom:link rel="hub" href="https://hub.example/rss"/>
    <atom:link rel="self" type="application/rss+xml" href="${FEED}"/></channel></rss>`;
  t.deepEqual((await ingestBytes(Buffer.from(rss), "application/rss+xml", source, now)).websub, {
    hubs: ["https://hub.example/rss"],
    self: FEED,
  });
  const json = JSON.stringify({
    version: "https://jsonfeed.org/version/1.1",
    title: "J",
    feed_url: FEED,
    hubs: [
      { type: "rssCloud", url: "https://cloud.example/" },
      { type: "WebSub", url: "https://hub.example/json" },
    ],
    items: [],
  });
  t.deepEqual((await ingestBytes(Buffer.from(json), "application/feed+json", source, now)).websub, {
    hubs: ["https://hub.example/json"],
    self: FEED,
  });
  const none = `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id></feed>`;
  t.is((await ingestBytes(Buffer.from(none), undefined, source, now)).websub, undefined);
});

test("X-Hub-Signature: sha256 and stronger are accepted, sha1 and mismatches are not", (t) => {
  const body = Buffer.from("<feed/>");
  for (const method of ["sha256", "sha384", "sha512"] as const) {
    t.deepEqual(checkSignature(signBody(method, "s3cret", body), "s3cret", body), {
      ok: true,
      method,
    });
  }
  t.deepEqual(checkSignature(signBody("sha1", "s3cret", body), "s3cret", body), {
    ok: false,
    reason: "weak-method",
  });
  t.deepEqual(checkSignature(signBody("sha256", "other", body), "s3cret", body), {
    ok: false,
    reason: "mismatch",
  });
  t.deepEqual(checkSignature("sha256=abc", "s3cret", body), { ok: false, reason: "malformed" });
  t.deepEqual(checkSignature("sha256=abcd", "s3cret", body), { ok: false, reason: "mismatch" });
  t.deepEqual(checkSignature("md5=abcd", "s3cret", body), { ok: false, reason: "malformed" });
  t.deepEqual(checkSignature(undefined, "s3cret", body), { ok: false, reason: "missing" });
});

const NOW = Date.parse("2026-03-01T12:00:00Z");
const active: Subscription = {
  sourceId: "p",
  hub: "https://hub.example/",
  topic: FEED,
  token: "t",
  secret: "s",
  state: "active",
  requestedAt: NOW - 3_600_000,
  expiresAt: NOW + 86_400_000,
  leaseSeconds: 86_400,
  lastPushAt: NOW - 60_000,
};
/** Pushed a minute ago, fetched ten minutes ago, polled every 30 minutes, safety poll 6 h. */
const hold = (over: Partial<PushHoldInput> = {}): PushHoldInput => ({
  subscription: active,
  nowMs: NOW,
  lastFetchMs: NOW - 600_000,
  scheduleIntervalMs: 1_800_000,
  publishedEverySeconds: undefined,
  safetyPollMs: 21_600_000,
  ...over,
});
const stretch = (over: Partial<PushHoldInput> = {}) => heldBackByPushes(hold(over));

test("polling stretch: held back while pushes arrive, back on schedule once they stop", (t) => {
  t.true(stretch(), "a push a minute ago, fetched 10 minutes ago");
  t.false(stretch({ subscription: undefined }));
  t.false(stretch({ subscription: { ...active, lastPushAt: undefined } }), "no push yet");
  t.false(stretch({ subscription: { ...active, state: "pending" } }));
  t.false(stretch({ subscription: { ...active, expiresAt: NOW } }), "the lease ended");
  t.false(
    stretch({ subscription: { ...active, lastPushAt: NOW - 2 * 1_800_000 - 1 } }),
    "silent for over twice the schedule interval",
  );
  t.true(
    stretch({
      subscription: { ...active, lastPushAt: NOW - 3 * 3_600_000 },
      publishedEverySeconds: 2 * 3_600,
    }),
    "a feed that publishes every 2 h may be quiet for 4 h",
  );
  t.false(stretch({ lastFetchMs: NOW - 21_600_000 }), "the safety poll is due");
  t.false(stretch({ lastFetchMs: undefined }), "never fetched");
});

test("polling stretch: the hold ends at the first of the lease's end, the silence window and the safety poll", (t) => {
  const until = (over: Partial<PushHoldInput> = {}) => pushesHoldPollsUntil(hold(over));
  // Silent for twice the 30-minute schedule after the push a minute ago.
  t.is(until(), NOW - 60_000 + 3_600_000);
  t.is(until({ subscription: { ...active, expiresAt: NOW + 60_000 } }), NOW + 60_000, "lease");
  t.is(
    until({ lastFetchMs: NOW - 21_600_000 + 30_000, scheduleIntervalMs: 6 * 3_600_000 }),
    NOW + 30_000,
    "the safety poll",
  );
  t.is(until({ subscription: undefined }), undefined, "not held");
});

test("push state: none, pending, active until, failed: why", (t) => {
  t.is(pushStateOf(undefined, NOW), "none");
  t.is(pushStateOf({ ...active, state: "unsubscribing" }, NOW), "none");
  t.is(pushStateOf({ ...active, state: "pending" }, NOW), "pending");
  t.is(pushStateOf(active, NOW), "active until 2026-03-02T12:00:00.000Z");
  t.is(
    pushStateOf({ ...active, state: "failed", failure: "hub answered HTTP 400" }, NOW),
    "failed: hub answered HTTP 400",
  );
  t.is(
    pushStateOf({ ...active, expiresAt: NOW - 1_000 }, NOW),
    "failed: lease ended 2026-03-01T11:59:59.000Z without renewal",
  );
});

test("the callback URL lives under baseUrl, with the source id escaped", (t) => {
  t.is(
    callbackUrl("https://tributary.example/base/", "un news", "tok"),
    "https://tributary.example/base/websub/callback/un%20news/tok",
  );
});

test("hub requests go through the address guard: loopback hubs are refused by default", async (t) => {
  const options = { timeoutMs: 2_000, userAgent: "t", allowPrivateNetworks: false };
  const literal = await postToHub("http://127.0.0.1:9/hub", { "hub.mode": "subscribe" }, options);
  t.false(literal.ok);
  t.regex(literal.ok ? "" : literal.message, /private or reserved/);
  const named = await postToHub("http://localhost:9/hub", { "hub.mode": "subscribe" }, options);
  t.false(named.ok);
  t.regex(named.ok ? "" : named.message, /private|reserved|blocked|refus/i);
  const bad = await postToHub("gopher://hub.example/", {}, options);
  t.false(bad.ok);
});
