// Requests Node's HTTP parser refuses before the app sees them get a short text answer, not an
// empty one: the real service, over a raw socket (no client sends these).
import test from "ava";
import { startService } from "../../src/app/service.js";
import { parseConfig } from "../../src/config/load.js";
import { captureLogger } from "../helpers/capture-logger.js";
import { type RawAnswer, rawRequest } from "../helpers/raw-http.js";
import { opsYaml } from "../ops/fixtures.js";

async function serviceUrl(t: import("ava").ExecutionContext): Promise<string> {
  const yaml = opsYaml("http://127.0.0.1:9", [{ id: "a", path: "/a.rss" }]);
  const service = await startService(parseConfig(yaml, {}), captureLogger("info").logger, {
    pollAtStart: false,
    drainMs: 200,
  });
  t.teardown(() => service.stop());
  return service.url;
}

function assertTextAnswer(t: import("ava").ExecutionContext, res: RawAnswer, status: number) {
  t.is(res.status, status);
  t.is(res.headers["content-type"], "text/plain; charset=utf-8");
  t.is(res.headers.connection, "close");
  t.is(Number(res.headers["content-length"]), Buffer.byteLength(res.body));
  t.regex(res.body, new RegExp(`^${status} [A-Za-z ]+: [^\\n]+\\n$`), "one line of text");
  t.false(/\bat .+:\d+:\d+/.test(res.body), "no stack");
}

test("a malformed request line or header is a 400 with a one-line text body and Connection: close", async (t) => {
  const url = await serviceUrl(t);
  for (const request of [
    "GARBAGE\r\n\r\n",
    "GET / HTTP/9.Z\r\nHost: x\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
    "GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
  ]) {
    const res = await rawRequest(url, request);
    assertTextAnswer(t, res, 400);
    t.is(res.body, "400 Bad Request: the request line or headers are not valid HTTP/1.1\n");
  }
});

test("headers beyond the size limit are a 431 with a one-line text body", async (t) => {
  const url = await serviceUrl(t);
  const res = await rawRequest(
    url,
    `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`,
  );
  assertTextAnswer(t, res, 431);
  t.is(res.body, "431 Request Header Fields Too Large: the request headers are too large\n");
});

test("the server keeps answering well-formed requests after refusing bad ones", async (t) => {
  const url = await serviceUrl(t);
  await rawRequest(url, "GARBAGE\r\n\r\n");
  const res = await rawRequest(
    url,
    "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  );
  t.is(res.status, 200);
});
