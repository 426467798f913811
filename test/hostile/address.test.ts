// The address guard, end to end. Only loopback is ever connected to: every other range is
// checked as a pure unit test of the classifier, so a guard with a bug cannot send a packet
// to a private, link-local or public address from here. Where a test needs one hop to pass
// the guard (a redirect *to* a blocked address), a stand-in classifier plays "127.0.0.1 is the
// partner's public address" and every redirect target is another loopback address
// (127.0.0.2, ::1, 0.0.0.0) that the hostile server does not even listen on.
import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import test from "ava";
import { isBlockedAddress } from "../../src/ingest/fetch/address-guard.js";
import { caseTitle } from "./cases.js";
import { closeSharedPool, startHarness } from "./harness.js";
import { numberedItems, redirect, rssFeed, serve, startHostileServer } from "./hostile-server.js";

test.after.always(closeSharedPool);

const GOOD = rssFeed(numberedItems("good", 2));

/** 127.0.0.1 stands for a public partner; everything else is judged as in production. */
const standIn = (address: string) => address !== "127.0.0.1" && isBlockedAddress(address);

/** A resolver that answers from `answers` (the last one repeats) and counts its calls. */
function testResolver(answers: string[]) {
  const calls: string[] = [];
  const lookup = ((hostname, options, callback) => {
    calls.push(hostname);
    const address = answers[Math.min(calls.length - 1, answers.length - 1)] as string;
    const family = address.includes(":") ? 6 : 4;
    // Asynchronously, as dns.lookup answers: sockets attach their listeners after lookup().
    setImmediate(() => {
      if (options.all) callback(null, [{ address, family }] as LookupAddress[]);
      else callback(null, address, family);
    });
  }) as LookupFunction;
  return { lookup, calls };
}

test(
  caseTitle(
    "blocked-address",
    "a source configured at loopback in any spelling is refused before connecting",
  ),
  async (t) => {
    const server = await startHostileServer(t, { "/feed": serve(GOOD) });
    const spellings = [
      "127.0.0.1",
      "2130706433",
      "0x7f.0.0.1",
      "017700000001",
      "[::1]",
      "[::ffff:127.0.0.1]",
      "localhost",
      "0.0.0.0",
    ];
    const h = await startHarness(t, {
      sources: spellings.map((host, i) => ({
        id: `s${i}`,
        url: `http://${host}:${server.port}/feed`,
      })),
      polling: { allowPrivateNetworks: false },
    });
    const outcomes = await h.poll();
    t.is(outcomes.length, spellings.length);
    for (const outcome of outcomes) t.is(outcome.errorKind, "blocked-address", outcome.sourceId);
    for (const view of await h.sources()) {
      t.is(view.errorKind, "blocked-address", view.url);
      t.regex(view.lastError ?? "", /private or reserved address/);
    }
    t.is(server.connections, 0, "not one TCP connection reached the server");
  },
);

test(
  caseTitle(
    "blocked-address",
    "a name a test resolver answers with 127.0.0.1 is refused on the resolved address",
  ),
  async (t) => {
    const server = await startHostileServer(t, { "/feed": serve(GOOD) });
    const h = await startHarness(t, {
      sources: [{ id: "p", url: `http://partner.test:${server.port}/feed` }],
      polling: { allowPrivateNetworks: false },
    });
    const resolver = testResolver(["127.0.0.1"]);
    const outcome = await h.refresh("p", { lookup: resolver.lookup });
    t.is(outcome.errorKind, "blocked-address");
    t.deepEqual(resolver.calls, ["partner.test"]);
    t.is(server.connections, 0);
    const view = await h.source("p");
    t.is(view.errorKind, "blocked-address");
    t.regex(view.lastError ?? "", /partner\.test \(127\.0\.0\.1\)/);

    // The same resolver with private networks allowed connects: it really is what fetch uses.
    const allowed = await h.refresh("p", { lookup: resolver.lookup, allowPrivateNetworks: true });
    t.is(allowed.status, "ok");
    t.is(server.connections, 1);
  },
);

test(
  caseTitle(
    "blocked-address",
    "a redirect to loopback in any spelling is refused before connecting",
  ),
  async (t) => {
    const server = await startHostileServer(t, { "/feed": serve(GOOD) });
    const h = await startHarness(t, {
      sources: [{ id: "p", url: server.url("/feed") }],
      polling: { allowPrivateNetworks: false },
    });
    const fetch = { isBlockedAddress: standIn, lookup: testResolver(["127.0.0.2"]).lookup };
    t.is((await h.refresh("p", fetch)).status, "ok", "the stand-in lets the first hop through");
    const port = server.port;
    const targets = [
      `http://2130706434:${port}/inside`,
      `http://0x7f.0.0.2:${port}/inside`,
      `http://017700000002:${port}/inside`,
      `http://[::1]:${port}/inside`,
      `http://[::ffff:127.0.0.2]:${port}/inside`,
      `http://0.0.0.0:${port}/inside`,
      `http://inside.test:${port}/inside`, // the resolver answers 127.0.0.2
    ];
    for (const target of targets) {
      server.set("/feed", redirect(301, target));
      const connectionsBefore = server.connections;
      const outcome = await h.refresh("p", fetch);
      t.is(outcome.errorKind, "blocked-address", target);
      t.is(server.connections - connectionsBefore, 1, `only the first hop connected (${target})`);
    }
    t.is(server.hits("/inside"), 0);
    t.is((await h.source("p")).errorKind, "blocked-address");
    t.deepEqual(await h.titles("p"), ["good story 1", "good story 2"], "last good entries kept");
  },
);

test(
  caseTitle(
    "blocked-address",
    "a DNS answer that changes between lookups (rebinding) is judged on the address used",
  ),
  async (t) => {
    const server = await startHostileServer(t, {
      // Connection: close makes the second hop open a new connection, hence a new lookup.
      "/feed": (_req, res) => {
        res.writeHead(302, { location: "/second", connection: "close" }).end();
      },
      "/second": serve(GOOD),
    });
    const h = await startHarness(t, {
      sources: [{ id: "p", url: `http://rebind.test:${server.port}/feed` }],
      polling: { allowPrivateNetworks: false },
    });
    // First answer: the stand-in public address; every later one: another loopback address.
    const resolver = testResolver(["127.0.0.1", "127.0.0.2"]);
    const outcome = await h.refresh("p", { lookup: resolver.lookup, isBlockedAddress: standIn });
    t.is(outcome.errorKind, "blocked-address");
    t.deepEqual(resolver.calls, ["rebind.test", "rebind.test"], "one lookup per connection");
    t.is(server.hits("/second"), 0);
    t.regex((await h.source("p")).lastError ?? "", /rebind\.test \(127\.0\.0\.2\)/);
  },
);

test(
  caseTitle(
    "blocked-address",
    "the classifier refuses private, link-local, CGNAT, ULA, mapped and unspecified ranges (no socket)",
  ),
  (t) => {
    const blocked = [
      "10.1.2.3",
      "172.16.5.4",
      "192.168.0.10",
      "169.254.169.254",
      "100.64.1.1",
      "fc00::1",
      "fd00:ec2::254",
      "fe80::1",
      "::ffff:10.0.0.1",
      "::ffff:169.254.169.254",
      "::ffff:127.0.0.1",
      "0.0.0.0",
      "::",
    ];
    for (const address of blocked) t.true(isBlockedAddress(address), address);
    for (const address of ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]) {
      t.false(isBlockedAddress(address), address);
    }
  },
);
