// `tributary serve` as a real child process (through tsx), with its JSON log lines parsed as they
// arrive and its URL read from the "listening" line. Killed with SIGKILL at teardown.
import type { ChildProcess } from "node:child_process";
import type { ExecutionContext } from "ava";
import { spawnCli } from "./cli.js";
import { waitFor } from "./wait.js";

export interface LogLine {
  msg: string;
  [key: string]: unknown;
}

export interface Served {
  child: ChildProcess;
  url: string;
  lines: LogLine[];
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** Everything it wrote so far, stdout and stderr. */
  output(): string;
  /** The first log line with this message (and matching `where`) from now on. */
  next(msg: string, where?: (line: LogLine) => boolean): Promise<LogLine>;
}

export async function serve(
  t: ExecutionContext,
  args: string[],
  env: Record<string, string>,
): Promise<Served> {
  const child = spawnCli(["serve", ...args], env);
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  t.teardown(() => {
    child.kill("SIGKILL");
  });
  let out = "";
  let pending = "";
  const lines: LogLine[] = [];
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk;
    pending += chunk;
    const complete = pending.split("\n");
    pending = complete.pop() ?? "";
    for (const line of complete) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    out += chunk;
  });
  const listening = await waitFor(
    () => lines.find((l) => l.msg === "listening"),
    30_000,
    "the server to listen",
  ).catch((error: Error) => {
    throw new Error(`${error.message}; output so far:\n${out}`);
  });
  return {
    child,
    url: String(listening.url),
    lines,
    exited,
    output: () => out,
    next(msg, where = () => true) {
      const from = lines.length;
      const found = waitFor(
        () => lines.slice(from).find((l) => l.msg === msg && where(l)),
        15_000,
        `log "${msg}"`,
      );
      // Awaited later; if the test fails before that, its timeout must not be unhandled.
      found.catch(() => {});
      return found;
    },
  };
}
