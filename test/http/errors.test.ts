import test from "ava";
import { describeError, HttpError } from "../../src/http/errors.js";
import { InvalidCursorError, StoreUnavailableError } from "../../src/store/store.js";

test("HttpError keeps its status, message and headers", (t) => {
  const res = describeError(new HttpError(405, "method not allowed", { Allow: "GET" }));
  t.deepEqual(res, {
    status: 405,
    message: "method not allowed",
    headers: { Allow: "GET" },
    log: "none",
  });
});

test("a bad cursor is the client's 400", (t) => {
  const res = describeError(new InvalidCursorError("Invalid cursor"));
  t.is(res.status, 400);
  t.regex(res.message, /^cursor: /);
});

test("a store outage is a 503 with Retry-After and no backend detail", (t) => {
  const res = describeError(new StoreUnavailableError("connect ECONNREFUSED 10.0.0.7:6379"));
  t.is(res.status, 503);
  t.is(res.headers["Retry-After"], "5");
  t.false(res.message.includes("10.0.0.7"));
  t.is(res.log, "outage");
});

test("anything else is an internal error whose message stays private", (t) => {
  for (const err of [new Error("secret path /etc/x"), "a string", undefined, { status: 418 }]) {
    t.deepEqual(describeError(err), {
      status: 500,
      message: "internal error",
      headers: {},
      log: "error",
    });
  }
});

test("exposed client errors from Koa's http-errors keep their status", (t) => {
  const err = Object.assign(new Error("Bad Request"), { status: 400, expose: true });
  t.is(describeError(err).status, 400);
  const server = Object.assign(new Error("boom"), { status: 502, expose: true });
  t.is(describeError(server).status, 500);
});
