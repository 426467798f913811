// One publish notification to one hub: a POST of `hub.mode=publish` with every changed topic as a
// repeated `hub.url` (application/x-www-form-urlencoded), the form common hubs accept (WebSub
// leaves publishing to the hub; several `hub.url` in one request is what they take). One request
// per hub and batch, not per URL: a burst of partner polls changes up to every category in three
// formats, and one ping is one hub fetch round, not dozens of requests.
//
// A hub that is down, overloaded (5xx) or rate-limiting (429) is asked again with exponential
// backoff, a bounded number of times; any other answer is final (a 4xx will not get better). The
// hub then fetches each topic itself, so a ping lost for good costs subscribers only latency
// until the next change.
import { request } from "undici";

export interface PingPolicy {
  /** Requests in all, the first included. */
  attempts: number;
  /** Wait before the first retry; each next one waits twice as long, up to `maxRetryMs`. */
  firstRetryMs: number;
  maxRetryMs: number;
  /** Of one request, headers and body. */
  timeoutMs: number;
}

/** 5 requests over about 15 s (waits of 1, 2, 4 and 8 s), each given 10 s. */
export const PING_DEFAULTS: PingPolicy = {
  attempts: 5,
  firstRetryMs: 1_000,
  maxRetryMs: 60_000,
  timeoutMs: 10_000,
};

/** What became of one ping: `ok` after `attempts` requests, or `failed` with the last problem. */
export type PingResult =
  | { outcome: "ok"; attempts: number; status: number }
  | { outcome: "failed"; attempts: number; problem: string; status?: number };

export interface PingHooks {
  /** A request failed and will be made again after `waitMs`. */
  retrying?(problem: string, attempt: number, waitMs: number): void;
  /** Ends the waits and the request in flight (shutdown). */
  signal?: AbortSignal;
  userAgent?: string;
}

/** The form body of a publish ping: `hub.mode=publish` then each URL as `hub.url`. */
export function publishBody(urls: readonly string[]): string {
  const form = new URLSearchParams({ "hub.mode": "publish" });
  for (const url of urls) form.append("hub.url", url);
  return form.toString();
}

/** The wait before retry `retry` (1-based): first, doubled each time, capped. */
export function retryDelay(policy: PingPolicy, retry: number): number {
  return Math.min(policy.maxRetryMs, policy.firstRetryMs * 2 ** (retry - 1));
}

/** Tells `hub` that `urls` changed; never rejects (a failure is a result, logged by the caller). */
export async function sendPing(
  hub: string,
  urls: readonly string[],
  policy: PingPolicy = PING_DEFAULTS,
  hooks: PingHooks = {},
): Promise<PingResult> {
  const body = publishBody(urls);
  const attempts = Math.max(1, policy.attempts);
  for (let attempt = 1; ; attempt++) {
    const answer = await postOnce(hub, body, policy.timeoutMs, hooks);
    if (answer.ok) return { outcome: "ok", attempts: attempt, status: answer.status };
    if (!answer.retry || attempt >= attempts || hooks.signal?.aborted) {
      return {
        outcome: "failed",
        attempts: attempt,
        problem: answer.problem,
        status: answer.status,
      };
    }
    const waitMs = retryDelay(policy, attempt);
    hooks.retrying?.(answer.problem, attempt, waitMs);
    if (!(await wait(waitMs, hooks.signal))) {
      return { outcome: "failed", attempts: attempt, problem: "stopped", status: answer.status };
    }
  }
}

type Answer =
  | { ok: true; status: number }
  | { ok: false; retry: boolean; problem: string; status?: number };

async function postOnce(
  hub: string,
  body: string,
  timeoutMs: number,
  hooks: PingHooks,
): Promise<Answer> {
  try {
    const response = await request(hub, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...(hooks.userAgent === undefined ? {} : { "user-agent": hooks.userAgent }),
      },
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: hooks.signal,
    });
    // The body says nothing we act on; read it so the connection can be reused.
    const text = await response.body.text().catch(() => "");
    const status = response.statusCode;
    if (status >= 200 && status < 300) return { ok: true, status };
    const retry = status >= 500 || status === 429;
    return { ok: false, retry, status, problem: `HTTP ${status}${excerpt(text)}` };
  } catch (error) {
    // Refused, reset, timed out, DNS: the hub may be back in a moment.
    return {
      ok: false,
      retry: true,
      problem: error instanceof Error ? error.message : String(error),
    };
  }
}

/** The start of a hub's error text, for the log line (hubs often explain a 4xx). */
function excerpt(text: string): string {
  const line = text.replace(/\s+/g, " ").trim().slice(0, 200);
  return line === "" ? "" : `: ${line}`;
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. Holds no process open. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    timer.unref();
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
