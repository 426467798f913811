// Runs the ava suite with the TAP reporter, echoes it, and ends with the closing line
// "N passed, N failed[, N skipped]" that CI counts (ava itself prints "N tests passed").
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const args = ["ava", "--tap", ...process.argv.slice(2)];
const child = spawn("npx", args, {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, TZ: "UTC", FORCE_COLOR: "0" },
});
const counts = { pass: 0, fail: 0, skip: 0, todo: 0 };
const lines = createInterface({ input: child.stdout });
lines.on("line", (line) => {
  process.stdout.write(`${line}\n`);
  const m = /^# (pass|fail|skip|todo) +(\d+)$/.exec(line);
  if (m) counts[m[1]] = Number(m[2]);
});
child.on("close", (code) => {
  const failed = counts.fail + (code !== 0 && counts.fail === 0 ? 1 : 0);
  process.stdout.write(`\n${counts.pass} passed, ${failed} failed, ${counts.skip} skipped\n`);
  process.exit(code ?? 1);
});
