// `tributary check-source` on a private partner feed: the credentials in the URL (and the
// headers of a configured source) are sent, and the report — pasted into tickets and chats —
// shows every URL redacted. In process, against a fixture partner on loopback.
import { PassThrough } from "node:stream";
import test from "ava";
import { checkSourceCommand } from "../../src/cli/check-source.js";
import { parseConfig } from "../../src/config/load.js";
import { startFixtureServer } from "../helpers/fixture-server.js";

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Private Partner</title><description>d</description>
<item><title>Story</title><link>#story-1</link><guid>g1</guid>
<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>
</channel></rss>`;

const basic = (pair: string) => `Basic ${Buffer.from(pair).toString("base64")}`;

async function run(configYaml: string, url: string, json: boolean, env = {}) {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  const code = await checkSourceCommand(parseConfig(configYaml, env), { url, json }, stdout);
  return { code, out: Buffer.concat(chunks).toString("utf8") };
}

test("check-source sends the URL's credentials and a configured source's headers, and prints every URL redacted", async (t) => {
  const partner = await startFixtureServer(t, {
    "/private.xml": (req) =>
      req.headers.authorization === basic("reader:s3cret-pw") &&
      req.headers["x-api-key"] === "s3cret-token"
        ? { headers: { "Content-Type": "application/rss+xml", ETag: '"v1"' }, body: RSS }
        : { status: 401 },
  });
  const url = partner
    .url("/private.xml?apikey=s3cret-key&lang=en")
    .replace("http://", "http://reader:s3cret-pw@");
  const config = `
polling: { allowPrivateNetworks: true, timeoutMs: 5000 }
categories: [{ id: news, title: News }]
sources:
  - id: private
    title: Private
    url: "${url}"
    headers: { X-Api-Key: "\${PARTNER_TOKEN}" }
    categories: [news]
`;
  for (const json of [false, true]) {
    const { code, out } = await run(config, url, json, { PARTNER_TOKEN: "s3cret-token" });
    t.is(code, 0, out);
    t.false(out.includes("s3cret"), out);
    t.true(out.includes(`${partner.origin}/private.xml?lang=en`), out);
  }
  // Every request carried the credentials, the conditional one too.
  t.true(partner.requests.length >= 3);
  for (const request of partner.requests) {
    t.is(request.headers.authorization, basic("reader:s3cret-pw"));
  }
});

test("a failing check-source prints the problem with the URL redacted", async (t) => {
  const partner = await startFixtureServer(t, { "/private.xml": { status: 500 } });
  const url = partner
    .url("/private.xml?token=s3cret-token")
    .replace("http://", "http://u:s3cret-pw@");
  const config = `
polling: { allowPrivateNetworks: true, timeoutMs: 5000 }
categories: [{ id: news, title: News }]
sources: []
`;
  const { code, out } = await run(config, url, false);
  t.is(code, 1);
  t.true(
    out.includes(`Not usable as a source: http-500: HTTP 500 (${partner.origin}/private.xml)`),
    out,
  );
  t.false(out.includes("s3cret"), out);
});
