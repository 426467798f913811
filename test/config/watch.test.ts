// The config file watch: one call per burst of writes, none for a save with the same content,
// and editor-style saves (a new file renamed over the old) are seen.
import { renameSync, utimesSync, writeFileSync } from "node:fs";
import test from "ava";
import { watchConfigFile } from "../../src/config/watch.js";
import { writeConfig } from "../helpers/cli.js";
import { delay, waitFor } from "../helpers/wait.js";

const DEBOUNCE_MS = 100;

async function watched(t: Parameters<typeof writeConfig>[0]) {
  const path = writeConfig(t, "sources: []\n");
  let calls = 0;
  const watcher = await watchConfigFile(path, () => calls++, { debounceMs: DEBOUNCE_MS });
  t.teardown(() => watcher.close());
  return { path, calls: () => calls };
}

test("a burst of writes makes one call, after the quiet time", async (t) => {
  const { path, calls } = await watched(t);
  for (let i = 0; i < 5; i++) {
    writeFileSync(path, `sources: [] # edit ${i}\n`);
    await delay(10);
  }
  await waitFor(() => calls() === 1 || undefined, 5_000, "one call");
  await delay(DEBOUNCE_MS * 4);
  t.is(calls(), 1);
});

test("a save or touch that leaves the content unchanged makes no call", async (t) => {
  const { path, calls } = await watched(t);
  writeFileSync(path, "sources: []\n");
  utimesSync(path, new Date(), new Date());
  await delay(DEBOUNCE_MS * 5);
  t.is(calls(), 0);
});

test("a new file renamed over the config is seen", async (t) => {
  const { path, calls } = await watched(t);
  writeFileSync(`${path}.swp`, "sources: [] # renamed\n");
  renameSync(`${path}.swp`, path);
  await waitFor(() => calls() === 1 || undefined, 5_000, "one call");
  t.pass();
});

test("other files in the folder are ignored", async (t) => {
  const { path, calls } = await watched(t);
  writeFileSync(`${path}.bak`, "something else\n");
  await delay(DEBOUNCE_MS * 5);
  t.is(calls(), 0);
});

test("after close, changes make no call", async (t) => {
  const path = writeConfig(t, "sources: []\n");
  let calls = 0;
  const watcher = await watchConfigFile(path, () => calls++, { debounceMs: DEBOUNCE_MS });
  watcher.close();
  writeFileSync(path, "sources: [] # after close\n");
  await delay(DEBOUNCE_MS * 5);
  t.is(calls, 0);
});
