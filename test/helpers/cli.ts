// Runs the real `tributary` command (src/main.ts through tsx) as a child process.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ExecutionContext } from "ava";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  const { REDIS_URL: _r, TRIBUTARY_CONFIG: _c, PORT: _p, ...base } = process.env;
  return spawn(process.execPath, ["--import=tsx", "src/main.ts", ...args], {
    cwd: repoRoot,
    env: { ...base, TZ: "UTC", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export const runCli = (args: string[], env: Record<string, string> = {}) =>
  collect(spawnCli(args, env));

/** Writes a config file into a fresh temp folder removed at teardown. */
export function writeConfig(t: ExecutionContext, yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "tributary-cli-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "tributary.yaml");
  writeFileSync(path, yaml);
  return path;
}
