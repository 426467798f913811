import { PassThrough } from "node:stream";
import test from "ava";
import { PollProgress } from "../../src/cli/progress.js";
import type { PollOutcome } from "../../src/model/poll.js";

const outcome = (sourceId: string, status: PollOutcome["status"]): PollOutcome => ({
  sourceId,
  status,
  added: 0,
  updated: 0,
  unchanged: 0,
  dropped: 0,
  expired: 0,
  durationMs: 5,
});

test("the progress line is rewritten in place per outcome and erased at the end", (t) => {
  const stream = new PassThrough();
  const progress = new PollProgress(stream, 3);
  progress.start();
  progress.update(outcome("a", "ok"));
  progress.update(outcome("b", "error"));
  progress.update(outcome("c", "not-modified"));
  progress.finish();
  const written = String(stream.read());
  const frames = written.split("\r\u001B[2K");
  t.deepEqual(frames, [
    "",
    "polling 3 sources…",
    "polled 1/3 — a ok",
    "polled 2/3, 1 failed — b error",
    "polled 3/3, 1 failed — c not-modified",
    "",
  ]);
  t.false(written.includes("\n"));
});

test("finish without anything shown writes nothing", (t) => {
  const stream = new PassThrough();
  new PollProgress(stream, 0).finish();
  t.is(stream.read(), null);
});
