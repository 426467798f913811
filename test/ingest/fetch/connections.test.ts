// The poller's shared connections (fetch/connections.ts): polls of one host reuse a kept-alive
// connection, while a response cut off at the size cap or the deadline still closes its own.
// A real partner server counts the TCP connections it accepted.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import test, { type ExecutionContext } from "ava";
import { SharedConnections } from "../../../src/ingest/fetch/connections.js";
import { type FetchOptions, fetchFeed } from "../../../src/ingest/fetch/fetch.js";

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>P</title></channel></rss>`;

async function partner(t: ExecutionContext) {
  const seen = { connections: 0, closed: new Set<number>(), portOf: new Map<string, number>() };
  const server: Server = createServer((req, res) => {
    seen.portOf.set(req.url ?? "", req.socket.remotePort ?? 0);
    if (req.url === "/big") {
      res.writeHead(200, { "content-type": "application/rss+xml" });
      res.end(Buffer.alloc(64 * 1024, "a"));
      return;
    }
    if (req.url === "/slow") return; // never answers: the deadline ends it
    if (req.headers["if-none-match"] === '"v1"') res.writeHead(304, { etag: '"v1"' }).end();
    else res.writeHead(200, { "content-type": "application/rss+xml", etag: '"v1"' }).end(RSS);
  });
  server.on("connection", (socket) => {
    seen.connections++;
    const port = socket.remotePort ?? 0;
    socket.on("close", () => seen.closed.add(port));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return { seen, url: (path: string) => `http://127.0.0.1:${port}${path}` };
}

const OPTIONS: FetchOptions = {
  timeoutMs: 2_000,
  maxBytes: 1024,
  maxRedirects: 2,
  userAgent: "Tributary/test",
  allowPrivateNetworks: true,
};

test("fetches through shared connections reuse kept-alive connections to the host", async (t) => {
  const { seen, url } = await partner(t);
  const connections = new SharedConnections();
  t.teardown(() => connections.close());
  const options = { ...OPTIONS, agent: connections.agentFor(OPTIONS) };
  t.is((await fetchFeed(url("/a"), {}, options)).kind, "modified");
  for (let i = 0; i < 9; i++) {
    t.is((await fetchFeed(url(`/${i}`), { etag: '"v1"' }, options)).kind, "not-modified");
  }
  // undici hands a socket back to its pool a tick after the body ends, so a fetch right
  // after another may open a second one; never one per fetch.
  t.true(seen.connections <= 2, `${seen.connections} connections for 10 fetches`);
  t.is(seen.closed.size, 0, "the connections stay open for the next poll");
});

test("without shared connections every fetch opens and closes its own", async (t) => {
  const { seen, url } = await partner(t);
  for (let i = 0; i < 3; i++) t.is((await fetchFeed(url(`/${i}`), {}, OPTIONS)).kind, "modified");
  t.is(seen.connections, 3);
});

test("a body cut at the size cap or a fetch ended by the deadline does not leave its connection for reuse", async (t) => {
  const { seen, url } = await partner(t);
  const connections = new SharedConnections();
  t.teardown(() => connections.close());
  const options = { ...OPTIONS, agent: connections.agentFor(OPTIONS) };
  const big = await fetchFeed(url("/big"), {}, options);
  t.like(big, { kind: "failed", error: { kind: "too-large" } });
  // The deadline of this one fetch only: the shared Agent's own timers are backstops.
  const slow = await fetchFeed(url("/slow"), {}, { ...options, timeoutMs: 300 });
  t.like(slow, { kind: "failed", error: { kind: "timeout" } });
  const closed = async (path: string) => {
    for (let i = 0; i < 100 && !seen.closed.has(seen.portOf.get(path) ?? -1); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return seen.closed.has(seen.portOf.get(path) ?? -1);
  };
  t.true(await closed("/big"), "the connection of the capped body was closed");
  t.true(await closed("/slow"), "the connection of the timed-out fetch was closed");
});

test("new settings get a new pool, and after close each fetch opens its own again", async (t) => {
  const connections = new SharedConnections();
  const first = connections.agentFor(OPTIONS);
  t.is(connections.agentFor({ ...OPTIONS }), first);
  t.not(connections.agentFor({ ...OPTIONS, timeoutMs: 5_000 }), first);
  await connections.close();
  t.is(connections.agentFor(OPTIONS), undefined);
});
