// The runner's closing line is what CI counts: a skipped test must be counted as skipped (not
// passed), and must fail a run that requires no skips (CI, when the corpus is present).
import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import test from "ava";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// A real test file with one corpus test; pointed at a folder that does not exist, it skips.
const FILE = "test/ingest/normalise/dates.test.ts";

function runSuite(env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["scripts/run-tests.mjs", FILE],
      {
        cwd: root,
        env: { ...process.env, TRIBUTARY_CORPUS: resolve(root, "no-such-corpus"), ...env },
      },
      (error, stdout) => done({ code: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });
}

const closingLine = (stdout: string) => stdout.trim().split("\n").at(-1) ?? "";

test.serial("a corpus test without the corpus is counted as skipped, not passed", async (t) => {
  const { code, stdout } = await runSuite({ TRIBUTARY_REQUIRE_NO_SKIPS: "0" });
  t.is(code, 0, stdout);
  t.regex(closingLine(stdout), /^\d+ passed, 0 failed, 1 skipped$/);
  t.regex(stdout, /date vectors \(skipped: external corpus not found at .*\) # SKIP/);
});

test.serial("with TRIBUTARY_REQUIRE_NO_SKIPS=1 a skipped corpus test fails the run", async (t) => {
  const { code, stdout } = await runSuite({ TRIBUTARY_REQUIRE_NO_SKIPS: "1" });
  t.is(code, 1);
  t.regex(closingLine(stdout), /^\d+ passed, 1 failed, 1 skipped$/);
  t.regex(stdout, /these tests skipped:\n {2}date vectors/);
});
