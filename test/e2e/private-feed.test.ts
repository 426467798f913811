// A private partner feed end to end: a partner that wants Basic auth and an API key header, a
// config with a user:password and an ?apikey= in the URL and a header from the environment, a
// real service polling it — then every response a reader or an operator can get, and every log
// line, searched for the secrets. Failing and moving sources cover error messages and proposals.
import test from "ava";
import { request } from "undici";
import { startService } from "../../src/app/service.js";
import { parseConfig } from "../../src/config/load.js";
import { captureLogger } from "../helpers/capture-logger.js";
import { type FixtureResponse, startFixtureServer } from "../helpers/fixture-server.js";

const USER = "reader";
const PASSWORD = "s3cret-pw";
const API_KEY = "s3cret-apikey";
const TOKEN = "s3cret-header-token";
const MOVE_KEY = "s3cret-move-key";
const FAIL_PASSWORD = "s3cret-fail-pw";
const FAIL_TOKEN = "s3cret-fail-token";
const SECRET_PATH = "s3cret-path-segment";

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** Every configured secret, and the forms it could leak in. */
const SECRETS = [
  PASSWORD,
  API_KEY,
  TOKEN,
  MOVE_KEY,
  FAIL_PASSWORD,
  FAIL_TOKEN,
  SECRET_PATH,
  Buffer.from(`${USER}:${PASSWORD}`).toString("base64"),
  Buffer.from(`u:${FAIL_PASSWORD}`).toString("base64"),
];

const rss = (title: string) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>${title}</title><description>d</description>
  <item><title>${title}: a private report</title><link>#report-1</link>
    <guid isPermaLink="false">${title}-1</guid><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate>
    <description>For partners only.</description></item>
</channel></rss>`;

const yaml = (origin: string) => {
  const host = origin.replace("http://", "");
  return `
service: { title: "Tributary test", baseUrl: "http://127.0.0.1:0", port: 0, host: "127.0.0.1" }
polling: { allowPrivateNetworks: true, timeoutMs: 5000 }
categories:
  - { id: partners, title: Partners }
sources:
  - id: private
    title: Private partner
    url: "http://${USER}:${PASSWORD}@${host}/private.xml?apikey=${API_KEY}&lang=en"
    headers: { X-Api-Key: "\${PARTNER_TOKEN}" }
    categories: [partners]
  - id: failing
    title: Failing partner
    url: "http://u:${FAIL_PASSWORD}@${host}/failing.xml?token=${FAIL_TOKEN}"
    categories: [partners]
  - id: unpublished-path
    title: Partner behind a secret path
    url: "${origin}/feeds/${SECRET_PATH}/rss.xml"
    publicUrl: "https://partner.example/rss.xml"
    categories: [partners]
  - id: moving
    title: Moving partner
    url: "${origin}/old.xml?apikey=${MOVE_KEY}"
    categories: [partners]
`;
};

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await request(url);
  return { status: response.statusCode, text: await response.body.text() };
}

test("no configured secret appears in any response or log line, and the partner gets its credentials", async (t) => {
  const partner = await startFixtureServer(t, {
    "/private.xml": (req): FixtureResponse =>
      req.headers.authorization === basic(USER, PASSWORD) &&
      req.headers["x-api-key"] === TOKEN &&
      req.url === `/private.xml?apikey=${API_KEY}&lang=en`
        ? { headers: { "Content-Type": "application/rss+xml" }, body: rss("Private") }
        : { status: 401, headers: { "WWW-Authenticate": 'Basic realm="partners"' } },
    "/failing.xml": { status: 500, body: "internal error" },
    [`/feeds/${SECRET_PATH}/rss.xml`]: { status: 503, body: "maintenance" },
    "/old.xml": { status: 301, headers: { Location: `/new.xml?apikey=${MOVE_KEY}` } },
    "/new.xml": { headers: { "Content-Type": "application/rss+xml" }, body: rss("Moving") },
  });
  const env = { PARTNER_TOKEN: TOKEN };
  const config = parseConfig(yaml(partner.origin), env);
  const log = captureLogger("debug");
  const service = await startService(config, log.logger);
  t.teardown(() => service.stop());
  await service.initialPoll;
  // Two more polls of the moving source: the third 301 in a row proposes its new URL.
  const moving = config.sources.filter((s) => s.id === "moving");
  await service.poller.pollMany(moving, { force: true });
  await service.poller.pollMany(moving, { force: true });

  // The partner saw Basic auth and the header from the environment.
  const privateRequest = partner.requests.find((r) => r.path.startsWith("/private.xml"));
  t.is(privateRequest?.headers.authorization, basic(USER, PASSWORD));
  t.is(privateRequest?.headers["x-api-key"], TOKEN);

  const paths = [
    "/",
    "/feeds/all.rss",
    "/feeds/all.atom",
    "/feeds/all.json",
    "/feeds/partners.rss",
    "/feeds/partners.atom",
    "/feeds/partners.json",
    "/api/updates",
    "/api/categories",
    "/api/sources",
    "/opml",
    "/opml/sources",
    "/metrics",
    "/healthz",
    "/readyz",
  ];
  const bodies = new Map<string, string>();
  for (const path of paths) {
    const { status, text } = await get(`${service.url}${path}`);
    t.is(status, 200, path);
    bodies.set(path, text);
  }
  const logText = log.raw();
  for (const secret of SECRETS) {
    for (const [path, body] of bodies) t.false(body.includes(secret), `${secret} in ${path}`);
    t.false(logText.includes(secret), `${secret} in the log`);
  }

  // The checks above saw real content: entries, statuses, errors and the proposal.
  const items = (JSON.parse(bodies.get("/feeds/all.json") ?? "{}") as { items: unknown[] }).items;
  t.is(items.length, 2);
  t.true(bodies.get("/feeds/all.rss")?.includes(`url="${partner.origin}/private.xml?lang=en"`));
  // A relative `#fragment` link resolves against the feed URL without its secret parameters.
  t.true(
    bodies
      .get("/feeds/all.rss")
      ?.includes(`<link>${partner.origin}/private.xml?lang=en#report-1</link>`),
  );
  const sources = JSON.parse(bodies.get("/api/sources") ?? "[]") as {
    id: string;
    url: string;
    status: string;
    lastError: string | null;
    proposedUrl: string | null;
  }[];
  const byId = new Map(sources.map((s) => [s.id, s]));
  t.is(byId.get("private")?.status, "ok");
  t.is(byId.get("private")?.url, `${partner.origin}/private.xml?lang=en`);
  t.is(byId.get("failing")?.lastError, `HTTP 500 (${partner.origin}/failing.xml)`);
  t.is(byId.get("unpublished-path")?.url, "https://partner.example/rss.xml");
  t.is(byId.get("unpublished-path")?.lastError, "HTTP 503 (https://partner.example/rss.xml)");
  t.is(byId.get("moving")?.proposedUrl, `${partner.origin}/new.xml`);
  const failures = log.lines.filter((line) => line.msg === "poll failed");
  t.deepEqual(failures.map((line) => line.source).sort(), ["failing", "unpublished-path"]);
  t.true(log.lines.some((line) => line.proposedUrl === `${partner.origin}/new.xml`));
});
