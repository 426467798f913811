// Private partner feeds at the fetcher: the URL's user:password goes out as Basic auth, the
// configured headers go out with it, and neither follows a redirect to another origin. Error
// messages name the URL in its public form. Real sockets on loopback fixture servers.
import test, { type ExecutionContext } from "ava";
import { type FetchOptions, type FetchResult, fetchFeed } from "../../../src/ingest/fetch/fetch.js";
import { startFixtureServer } from "../../helpers/fixture-server.js";

const RSS = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Partner</title></channel></rss>`;
const FEED = { headers: { "Content-Type": "application/rss+xml" }, body: RSS };

const options = (overrides: Partial<FetchOptions> = {}): FetchOptions => ({
  timeoutMs: 15_000,
  maxBytes: 1024 * 1024,
  maxRedirects: 5,
  userAgent: "Tributary-test/1.0 (+https://tributary.example)",
  allowPrivateNetworks: true,
  ...overrides,
});

/** `http://user:pass@127.0.0.1:port/path` for a fixture server's `origin`. */
const withUserinfo = (origin: string, userinfo: string, path: string) =>
  origin.replace("http://", `http://${userinfo}@`) + path;

const basic = (pair: string) => `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;

function failedWith(t: ExecutionContext, result: FetchResult) {
  if (result.kind !== "failed") {
    t.fail(`expected a failure, got ${result.kind}`);
    throw new Error("unreachable");
  }
  return result.error;
}

test("the URL's user:password is sent as Authorization: Basic, percent-decoded, never in the request URL", async (t) => {
  const partner = await startFixtureServer(t, { "/private.xml": FEED });
  const url = withUserinfo(
    partner.origin,
    "feed%40reader:p%C3%A4ss%3Aword",
    "/private.xml?lang=en",
  );
  const result = await fetchFeed(url, {}, options());
  t.is(result.kind, "modified");
  const [seen] = partner.requests;
  t.is(seen?.headers.authorization, basic("feed@reader:päss:word"));
  t.is(seen?.path, "/private.xml?lang=en");
  t.is(seen?.headers.host, new URL(partner.origin).host);
  // The result's URLs carry no userinfo either: they are stored and compared across polls.
  if (result.kind === "modified") t.is(result.finalUrl, `${partner.origin}/private.xml?lang=en`);
});

test("configured headers are sent, and win over the fetcher's own User-Agent and Accept", async (t) => {
  const partner = await startFixtureServer(t, { "/private.xml": FEED });
  await fetchFeed(
    partner.url("/private.xml"),
    {},
    options({
      headers: { "X-Api-Key": "tok-123", "User-Agent": "Partner-Agreement/7", Accept: "text/xml" },
    }),
  );
  const headers = partner.requests[0]?.headers ?? {};
  t.is(headers["x-api-key"], "tok-123");
  t.is(headers["user-agent"], "Partner-Agreement/7");
  t.is(headers.accept, "text/xml");
  t.is(headers["accept-encoding"], "gzip, deflate, br");
});

test("a redirect within the same origin keeps the credentials and headers", async (t) => {
  const partner = await startFixtureServer(t, {
    "/old.xml": { status: 301, headers: { Location: "/new.xml" } },
    "/new.xml": FEED,
  });
  // An absolute Location naming the same origin, without userinfo, is the same origin too.
  partner.set("/abs.xml", { status: 302, headers: { Location: partner.url("/new.xml") } });
  const send = { headers: { "X-Api-Key": "tok-123" } };
  for (const path of ["/old.xml", "/abs.xml"]) {
    const result = await fetchFeed(withUserinfo(partner.origin, "u:p", path), {}, options(send));
    t.is(result.kind, "modified", path);
  }
  const atNew = partner.requests.filter((r) => r.path === "/new.xml");
  t.is(atNew.length, 2);
  for (const request of atNew) {
    t.is(request.headers.authorization, basic("u:p"));
    t.is(request.headers["x-api-key"], "tok-123");
  }
});

test("a redirect to another origin drops Authorization and the configured headers", async (t) => {
  const mirror = await startFixtureServer(t, { "/feed.xml": FEED });
  const partner = await startFixtureServer(t, {
    "/private.xml": { status: 302, headers: { Location: mirror.url("/feed.xml") } },
  });
  const result = await fetchFeed(
    withUserinfo(partner.origin, "u:p", "/private.xml"),
    {},
    options({ headers: { "X-Api-Key": "tok-123", Authorization: "Bearer b" } }),
  );
  t.is(result.kind, "modified");
  t.is(partner.requests[0]?.headers["x-api-key"], "tok-123");
  const atMirror = mirror.requests[0]?.headers ?? {};
  t.is(atMirror.authorization, undefined);
  t.is(atMirror["x-api-key"], undefined);
  // The fetcher's own headers still go.
  t.is(atMirror["user-agent"], "Tributary-test/1.0 (+https://tributary.example)");
});

test("credentials in a Location header are neither sent nor reported", async (t) => {
  const mirror = await startFixtureServer(t, { "/feed.xml": FEED });
  const partner = await startFixtureServer(t, {
    "/moved.xml": {
      status: 301,
      headers: { Location: withUserinfo(mirror.origin, "other:pw", "/feed.xml") },
    },
  });
  const result = await fetchFeed(partner.url("/moved.xml"), {}, options());
  t.is(mirror.requests[0]?.headers.authorization, undefined);
  if (result.kind !== "modified") return t.fail(result.kind);
  t.is(result.permanentRedirect, mirror.url("/feed.xml"));
});

test("an error names the configured URL redacted: no user:password, no secret parameters", async (t) => {
  const partner = await startFixtureServer(t, { "/private.xml": { status: 500 } });
  const url = withUserinfo(partner.origin, "u:s3cret-pw", "/private.xml?apikey=s3cret-key&lang=en");
  const error = failedWith(t, await fetchFeed(url, {}, options()));
  t.is(error.kind, "http-500");
  t.is(error.message, `HTTP 500 (${partner.origin}/private.xml?lang=en)`);
  t.is(error.url, `${partner.origin}/private.xml?lang=en`);
});

test("an error names the configured URL by its publicUrl when one is given", async (t) => {
  const partner = await startFixtureServer(t, { "/feeds/s3cret-path/rss": { status: 503 } });
  const error = failedWith(
    t,
    await fetchFeed(
      partner.url("/feeds/s3cret-path/rss"),
      {},
      options({ publicUrl: "https://partner.example/rss" }),
    ),
  );
  t.is(error.message, "HTTP 503 (https://partner.example/rss)");
});

test("errors on later hops name those hops redacted", async (t) => {
  const partner = await startFixtureServer(t, {
    "/a.xml": { status: 302, headers: { Location: "/b.xml?token=s3cret&x=1" } },
    "/b.xml": { status: 302, headers: { Location: "/a.xml" } },
  });
  const loop = failedWith(
    t,
    await fetchFeed(withUserinfo(partner.origin, "u:s3cret", "/a.xml"), {}, options()),
  );
  t.is(loop.kind, "too-many-redirects");
  t.false(loop.message.includes("s3cret"), loop.message);
  t.is(loop.message, `Redirect loop back to ${partner.origin}/a.xml (${partner.origin}/b.xml?x=1)`);

  partner.set("/c.xml", { status: 302, headers: { Location: "ftp://u:s3cret@elsewhere/f" } });
  const bad = failedWith(t, await fetchFeed(partner.url("/c.xml"), {}, options()));
  t.is(bad.kind, "bad-url");
  t.false(bad.message.includes("s3cret"), bad.message);
});
