// Runs the ava suite with the TAP reporter, echoes it, and ends with the closing line
// "N passed, N failed, N skipped" that CI counts (ava itself prints "N tests passed").
// With TRIBUTARY_REQUIRE_NO_SKIPS=1 (CI sets it when the external corpus is present, and installs
// every tool the tests use), a skipped test is a failure: a corpus test that skipped there means
// something the suite relies on went missing, and would otherwise pass unnoticed.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const args = ["ava", "--tap", ...process.argv.slice(2)];
const child = spawn("npx", args, {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, TZ: "UTC", FORCE_COLOR: "0" },
});
const counts = { pass: 0, fail: 0, skip: 0, todo: 0 };
const skipped = [];
const lines = createInterface({ input: child.stdout });
lines.on("line", (line) => {
  process.stdout.write(`${line}\n`);
  const m = /^# (pass|fail|skip|todo) +(\d+)$/.exec(line);
  if (m) counts[m[1]] = Number(m[2]);
  const s = /^ok \d+ - (.*) # SKIP\b/.exec(line);
  if (s) skipped.push(s[1]);
});
child.on("close", (code) => {
  const noSkips = process.env.TRIBUTARY_REQUIRE_NO_SKIPS === "1";
  const skipFailures = noSkips ? Math.max(counts.skip, skipped.length) : 0;
  const failed = counts.fail + skipFailures + (code !== 0 && counts.fail === 0 ? 1 : 0);
  if (skipFailures > 0) {
    process.stdout.write("\nTRIBUTARY_REQUIRE_NO_SKIPS=1, but these tests skipped:\n");
    for (const title of skipped) process.stdout.write(`  ${title}\n`);
  }
  process.stdout.write(`\n${counts.pass} passed, ${failed} failed, ${counts.skip} skipped\n`);
  process.exit(skipFailures > 0 ? 1 : (code ?? 1));
});
