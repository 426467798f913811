// The errorKind vocabulary is closed: what every producer can report is in it, nothing else is.
import test from "ava";
import { FetchError } from "../../src/ingest/fetch/errors.js";
import { FeedParseError } from "../../src/ingest/parse/errors.js";
import { crashedOutcome } from "../../src/ingest/refresh.js";
import { ParsePoolClosedError, ParseTimeoutError } from "../../src/ingest/worker/pool.js";
import {
  FETCH_ERROR_KINDS,
  isErrorKind,
  PARSE_ERROR_KINDS,
  POLL_ERROR_KINDS,
} from "../../src/model/poll.js";
import { StoreUnavailableError } from "../../src/store/store.js";

test("every named kind and every http-<status> is an ErrorKind; anything else is not", (t) => {
  for (const kind of [...FETCH_ERROR_KINDS, ...PARSE_ERROR_KINDS, ...POLL_ERROR_KINDS]) {
    t.true(isErrorKind(kind), kind);
  }
  for (const kind of ["http-404", "http-503", "http-599"]) t.true(isErrorKind(kind), kind);
  for (const kind of ["timeout ", "Timeout", "http-", "http-5000", "http-abc", "error", "", 3]) {
    t.false(isErrorKind(kind), String(kind));
  }
});

test("the kinds the error classes and crashed polls carry are in the vocabulary", (t) => {
  const kinds = [
    new FetchError("timeout", "https://p.example/", "slow").kind,
    new FetchError("http-418", "https://p.example/", "teapot").kind,
    new FeedParseError("not-a-feed", "html").kind,
    new ParseTimeoutError(10).kind,
    new ParsePoolClosedError().kind,
    crashedOutcome("s", new StoreUnavailableError("down"), 1).errorKind,
    crashedOutcome("s", new TypeError("bug"), 1).errorKind,
  ];
  for (const kind of kinds) t.true(isErrorKind(kind), String(kind));
  t.deepEqual(kinds.slice(-2), ["store-unavailable", "internal-error"]);
});
