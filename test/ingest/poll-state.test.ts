import test from "ava";
import {
  afterFailure,
  afterNotModified,
  afterSuccess,
  BACKOFF,
  backoffDelayMs,
  mayPoll,
  type SuccessInfo,
  stateForUrl,
  trackMove,
} from "../../src/ingest/poll-state.js";
import { PROPOSE_MOVE_AFTER, proposedUrl } from "../../src/model/source.js";

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

// --- permanent redirects: proposed to the operator after PROPOSE_MOVE_AFTER polls in a row ----

const moved = "https://partner.example/new-feed.xml";
const permanently = { validators: {}, movedTo: moved, redirected: true };
const temporarily = { validators: {}, redirected: true };

function pollsWith(...infos: SuccessInfo[]) {
  return infos.reduce(
    (state, info) => afterSuccess(state, info, now, 1),
    stateForUrl(undefined, url),
  );
}

test("the same permanent redirect is proposed once seen on PROPOSE_MOVE_AFTER polls in a row", (t) => {
  t.is(PROPOSE_MOVE_AFTER, 3);
  const twice = pollsWith(permanently, permanently);
  t.is(twice.movedTo, moved);
  t.is(twice.movedToCount, 2);
  t.is(proposedUrl(twice), undefined);
  const thrice = afterSuccess(twice, permanently, now, 1);
  t.is(thrice.movedToCount, 3);
  t.is(proposedUrl(thrice), moved);
  t.is(proposedUrl(afterSuccess(thrice, permanently, now, 1)), moved, "and stays proposed");
});

test("304 polls through the permanent redirect count too", (t) => {
  const first = pollsWith(permanently);
  const redirect = { permanentTarget: moved, redirected: true };
  const second = afterNotModified(first, {}, now, 1, redirect);
  const third = afterNotModified(second, {}, now, 1, redirect);
  t.is(third.movedToCount, 3);
  t.is(proposedUrl(third), moved);
});

test("a different permanent target starts the count over", (t) => {
  const state = pollsWith(permanently, permanently, {
    validators: {},
    movedTo: "https://elsewhere.example/feed",
    redirected: true,
  });
  t.is(state.movedTo, "https://elsewhere.example/feed");
  t.is(state.movedToCount, 1);
  t.is(proposedUrl(state), undefined);
});

test("a temporary redirect neither counts, nor resets, nor proposes", (t) => {
  t.is(proposedUrl(pollsWith(temporarily, temporarily, temporarily, temporarily)), undefined);
  t.is(pollsWith(temporarily).movedTo, undefined);
  const interrupted = pollsWith(permanently, permanently, temporarily);
  t.is(interrupted.movedToCount, 2);
  t.is(proposedUrl(afterSuccess(interrupted, permanently, now, 1)), moved);
  const proposed = pollsWith(permanently, permanently, permanently, temporarily);
  t.is(proposedUrl(proposed), moved);
  t.deepEqual(trackMove(proposed, { redirected: true }), { movedTo: moved, movedToCount: 3 });
});

test("a poll with no redirect at all ends the move", (t) => {
  const back = pollsWith(permanently, permanently, permanently, { validators: {} });
  t.is(back.movedTo, undefined);
  t.is(proposedUrl(back), undefined);
  t.is(
    proposedUrl(afterNotModified(pollsWith(permanently), {}, now, 1, { redirected: false })),
    undefined,
  );
});

test("failures leave the move count as it was", (t) => {
  const state = afterFailure(
    pollsWith(permanently, permanently),
    { kind: "http-503", message: "" },
    now,
    1,
    0.5,
  );
  t.is(state.movedToCount, 2);
  t.is(proposedUrl(afterSuccess(state, permanently, now, 1)), moved);
});

test("changing the configured URL drops the proposal with the rest of the old URL's state", (t) => {
  const proposed = pollsWith(permanently, permanently, permanently);
  t.is(proposedUrl(stateForUrl(proposed, moved)), undefined);
});

test("backoff and Retry-After recorded for another URL do not delay polling a new one", (t) => {
  const failed = afterFailure(
    stateForUrl(undefined, url),
    { kind: "http-503", message: "" },
    now,
    1,
    0.5,
  );
  t.false(mayPoll(failed, url, now));
  t.true(mayPoll(failed, "https://partner.example/new-feed.xml", now));
});

test("failingSince is the first failure of a run, kept while failing and dropped by a success", (t) => {
  const later = new Date(now.getTime() + 60_000);
  const first = afterFailure(
    stateForUrl(undefined, url),
    { kind: "timeout", message: "t" },
    now,
    5,
  );
  const second = afterFailure(first, { kind: "http-503", message: "503" }, later, 5);
  t.is(first.failingSince, now.toISOString());
  t.is(second.failingSince, now.toISOString());
  const ok = afterSuccess(second, { validators: {} }, later, 5);
  t.is(ok.failingSince, undefined);
  const again = afterFailure(ok, { kind: "timeout", message: "t" }, later, 5);
  t.is(again.failingSince, later.toISOString());
});

test("a failure's floor says whether backoff or the partner's Retry-After set it", (t) => {
  const start = stateForUrl(undefined, url);
  const backoff = afterFailure(start, { kind: "http-500", message: "500" }, now, 10, 0.5);
  t.is(backoff.nextPollReason, "backoff");
  const later = new Date(now.getTime() + 3_600_000);
  const asked = afterFailure(
    start,
    { kind: "http-503", message: "503", retryAfter: later },
    now,
    10,
    0.5,
  );
  t.is(asked.nextPollReason, "retry-after");
  t.is(asked.notBefore, later.toISOString());
});

test("a success records the hints' floor and the feed's hints; one without hints clears both", (t) => {
  const notBefore = new Date(now.getTime() + 1_800_000);
  const hinted = afterSuccess(
    afterFailure(stateForUrl(undefined, url), { kind: "timeout", message: "slow" }, now, 5, 0.5),
    { validators: {}, floor: { notBefore, reason: "ttl" }, feedHints: { ttl: "30" } },
    now,
    5,
  );
  t.like(hinted, {
    status: "ok",
    notBefore: notBefore.toISOString(),
    nextPollReason: "ttl",
    feedHints: { ttl: "30" },
    consecutiveFailures: 0,
  });
  t.false(mayPoll(hinted, url, now), "a hint's floor holds back a scheduled poll like backoff");
  t.true(mayPoll(hinted, url, notBefore));
  const plain = afterSuccess(hinted, { validators: {}, floor: { reason: "schedule" } }, now, 5);
  t.is(plain.notBefore, undefined);
  t.is(plain.nextPollReason, undefined);
  t.is(plain.feedHints, undefined);
  // A 304 confirms the document: its hints stay for the next floor to read.
  const confirmed = afterNotModified(hinted, {}, now, 5, undefined, { reason: "schedule" });
  t.deepEqual(confirmed.feedHints, { ttl: "30" });
  t.is(confirmed.notBefore, undefined);
});
