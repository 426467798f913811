import test from "ava";
import {
  afterFailure,
  afterNotModified,
  afterSuccess,
  BACKOFF,
  backoffDelayMs,
  mayPoll,
  stateForUrl,
} from "../../src/ingest/poll-state.js";

const now = new Date("2026-03-01T12:00:00Z");
const url = "https://partner.example/feed.xml";

test("backoff doubles per consecutive failure and is capped", (t) => {
  const middle = 0.5; // no jitter
  t.is(backoffDelayMs(1, middle), BACKOFF.baseMs);
  t.is(backoffDelayMs(2, middle), 2 * BACKOFF.baseMs);
  t.is(backoffDelayMs(4, middle), 8 * BACKOFF.baseMs);
  t.is(backoffDelayMs(60, middle), BACKOFF.capMs);
});

test("backoff jitter stays within ±20 %", (t) => {
  t.is(backoffDelayMs(1, 0), Math.round(BACKOFF.baseMs * 0.8));
  t.is(backoffDelayMs(1, 1), Math.round(BACKOFF.baseMs * 1.2));
});

test("a failure counts up, records the kind and sets notBefore", (t) => {
  const first = afterFailure(
    stateForUrl(undefined, url),
    { kind: "http-503", message: "503" },
    now,
    10,
    0.5,
  );
  t.is(first.status, "error");
  t.is(first.errorKind, "http-503");
  t.is(first.consecutiveFailures, 1);
  t.is(first.notBefore, new Date(now.getTime() + BACKOFF.baseMs).toISOString());
  const second = afterFailure(first, { kind: "timeout", message: "t" }, now, 10, 0.5);
  t.is(second.consecutiveFailures, 2);
  t.false(mayPoll(second, url, now));
  t.true(mayPoll(second, url, new Date(now.getTime() + BACKOFF.capMs)));
});

test("Retry-After later than the backoff wins", (t) => {
  const retryAfter = new Date(now.getTime() + 3_600_000);
  const state = afterFailure(
    stateForUrl(undefined, url),
    { kind: "http-429", message: "slow down", retryAfter },
    now,
    5,
    0.5,
  );
  t.is(state.notBefore, retryAfter.toISOString());
});

test("410 marks the source gone until its URL changes", (t) => {
  const gone = afterFailure(
    stateForUrl(undefined, url),
    { kind: "gone", message: "410" },
    now,
    5,
    0.5,
  );
  t.is(gone.status, "gone");
  const muchLater = new Date(now.getTime() + 365 * 86_400_000);
  t.false(mayPoll(gone, url, muchLater));
  t.true(mayPoll(gone, "https://partner.example/new-feed.xml", muchLater));
  t.is(stateForUrl(gone, "https://partner.example/new-feed.xml").status, "pending");
});

test("success clears the failure and stores new validators", (t) => {
  const failed = afterFailure(
    stateForUrl(undefined, url),
    { kind: "timeout", message: "t" },
    now,
    5,
    0.5,
  );
  const ok = afterSuccess(failed, { validators: { etag: '"v2"' }, feedTitle: "Partner" }, now, 42);
  t.is(ok.status, "ok");
  t.is(ok.consecutiveFailures, 0);
  t.is(ok.errorKind, undefined);
  t.is(ok.notBefore, undefined);
  t.is(ok.etag, '"v2"');
  t.is(ok.feedTitle, "Partner");
  t.is(ok.lastSuccessAt, now.toISOString());
});

test("not-modified keeps validators the 304 did not repeat", (t) => {
  const ok = afterSuccess(
    stateForUrl(undefined, url),
    { validators: { etag: '"a"', lastModified: "Sun, 01 Mar 2026 10:00:00 GMT" } },
    now,
    1,
  );
  const same = afterNotModified(ok, {}, now, 1);
  t.is(same.status, "not-modified");
  t.is(same.etag, '"a"');
  t.is(same.lastModified, "Sun, 01 Mar 2026 10:00:00 GMT");
});

test("validators recorded for another URL are not reused", (t) => {
  const ok = afterSuccess(
    stateForUrl(undefined, url),
    { validators: { etag: '"a"' }, feedTitle: "P" },
    now,
    1,
  );
  const moved = stateForUrl(ok, "https://partner.example/other.xml");
  t.is(moved.etag, undefined);
  t.is(moved.feedTitle, "P");
});
