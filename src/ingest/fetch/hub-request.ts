// WebSub subscription and unsubscription requests (§5.1): one form POST to a partner's hub.
// The hub's URL came from a partner feed, so the request goes through the same address guard
// as a fetch (every resolved address judged, private ranges refused unless
// polling.allowPrivateNetworks), under one total deadline, with no redirect followed and the
// answer's body read up to a small cap only: a hostile hub can neither reach our network, hang
// us, nor make us buffer much. Never throws: the result says what happened.
import { request } from "undici";
import { redactUrl } from "../../model/public-url.js";
import { isBlockedAddress, isBlockedLiteralHost } from "./address-guard.js";
import { describeFailure, startDeadline } from "./deadline.js";
import { createFetchAgent } from "./fetch.js";

export interface HubRequestOptions {
  timeoutMs: number;
  userAgent: string;
  allowPrivateNetworks: boolean;
  signal?: AbortSignal;
}

export type HubAnswer =
  | { ok: true; status: number }
  | { ok: false; status?: number; message: string };

/** What is kept of a refusal's body for the operator (the hub's reason, usually one line). */
const MAX_ERROR_BODY = 2_048;

export async function postToHub(
  hub: string,
  form: Readonly<Record<string, string>>,
  options: HubRequestOptions,
): Promise<HubAnswer> {
  const shown = redactUrl(hub);
  let url: URL;
  try {
    url = new URL(hub);
  } catch {
    return { ok: false, message: `hub URL ${JSON.stringify(shown)} is malformed` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, message: `hub URL ${shown} is not http(s)` };
  }
  if (!options.allowPrivateNetworks && isBlockedLiteralHost(url.hostname, isBlockedAddress)) {
    return {
      ok: false,
      message: `refusing to contact hub ${url.hostname}: private or reserved address`,
    };
  }
  const deadline = startDeadline(options.timeoutMs, options.signal);
  const agent = createFetchAgent(options);
  try {
    const response = await request(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "user-agent": options.userAgent,
      },
      body: new URLSearchParams(form).toString(),
      signal: deadline.signal,
      dispatcher: agent,
    });
    const status = response.statusCode;
    // §5.1.2: 202 Accepted is the answer; other 2xx are taken as acceptance too.
    if (status >= 200 && status < 300) {
      await response.body.dump({ limit: MAX_ERROR_BODY, signal: deadline.signal }).catch(() => {});
      return { ok: true, status };
    }
    const reason = await readSome(response.body, deadline.signal);
    return {
      ok: false,
      status,
      message: `hub answered HTTP ${status}${reason === "" ? "" : `: ${reason}`}`,
    };
  } catch (error) {
    return { ok: false, message: describeFailure(error, shown, deadline).message };
  } finally {
    deadline.clear();
    await agent.destroy().catch(() => undefined);
  }
}

/** The first bytes of a refusal, as one printable line; the rest is dropped with the socket. */
async function readSome(body: AsyncIterable<Buffer>, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      if (signal.aborted) break;
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_ERROR_BODY) break;
    }
  } catch {
    // A broken body leaves the status as the whole answer.
  }
  return Buffer.concat(chunks)
    .subarray(0, MAX_ERROR_BODY)
    .toString("utf8")
    .replace(/[^\x20-\x7e]+/g, " ")
    .trim()
    .slice(0, 200);
}
