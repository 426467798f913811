// A private redis-server for tests (and the recovery bench) that stop and restart Redis: its own
// child process on a free loopback port, never the shared one on 6379. stop() sends SIGTERM to
// its PID and waits for the exit; restart() starts it again on the same port, so a RedisStore's
// background reconnects find it. Torn down with t.teardown (or close() without a test).

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExecutionContext } from "ava";
import { freePort } from "./ports.js";

export interface RedisServerOptions {
  /**
   * "none" (default): `--save "" --appendonly no`, a restart comes back empty.
   * "aof": append-only file in a temporary directory (`appendfsync everysec`, as the README
   * recommends for production); a restart replays it, so the data survives.
   */
  persistence?: "none" | "aof";
  /** How long start/restart wait for PING to answer. Default 10 s. */
  startTimeoutMs?: number;
}

export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** PID of the running child; undefined while stopped. */
  readonly pid: number | undefined;
  /** The AOF directory when persistence is "aof". */
  dir: string | undefined;
  /** SIGTERM to the PID, then waits for the process to exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Starts it again on the same port and resolves once it answers PING. */
  restart(): Promise<void>;
  /**
   * SIGSTOP: a hung Redis. Connections stay open and the kernel still accepts new ones, but
   * nothing is answered until resume() (SIGCONT).
   */
  pause(): void;
  resume(): void;
  /** stop() and remove the AOF directory; what t.teardown runs. */
  close(): Promise<void>;
}

const BINARY = process.env.REDIS_SERVER_BIN ?? "redis-server";
const KILL_AFTER_MS = 5_000;

export async function startRedisServer(
  t: ExecutionContext | undefined,
  options: RedisServerOptions = {},
): Promise<RedisServer> {
  const port = await freePort();
  const dir =
    options.persistence === "aof" ? await mkdtemp(join(tmpdir(), "tributary-redis-")) : undefined;
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--daemonize",
    "no",
    "--save",
    "",
    ...(dir
      ? ["--appendonly", "yes", "--appendfsync", "everysec", "--dir", dir]
      : ["--appendonly", "no"]),
  ];
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  // If the test process dies first, do not leave an orphan redis-server behind.
  const killOnExit = () => {
    if (child?.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
  };
  process.on("exit", killOnExit);

  const start = async () => {
    const output: string[] = [];
    const proc = spawn(BINARY, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    // Keep the last lines for the error message, and keep the pipes drained.
    const keep = (chunk: Buffer) => output.push(...chunk.toString().split("\n").slice(-20));
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
    exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    const failed = new Promise<never>((_, reject) => {
      proc.once("error", (error) => reject(new Error(`cannot run ${BINARY}: ${error.message}`)));
      proc.once("exit", (code, signal) =>
        reject(
          new Error(
            `${BINARY} on port ${port} exited (${signal ?? code}) before answering:\n` +
              output.slice(-10).join("\n"),
          ),
        ),
      );
    });
    failed.catch(() => {});
    await Promise.race([waitForPong(port, timeoutMs), failed]);
  };

  const stop = async () => {
    const proc = child;
    if (proc?.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    process.kill(proc.pid, "SIGTERM");
    // A paused server would not act on SIGTERM until continued.
    process.kill(proc.pid, "SIGCONT");
    const timer = setTimeout(() => {
      if (proc.pid !== undefined && proc.exitCode === null) process.kill(proc.pid, "SIGKILL");
    }, KILL_AFTER_MS);
    await exited;
    clearTimeout(timer);
  };

  const signal = (name: NodeJS.Signals) => {
    if (child?.pid === undefined || child.exitCode !== null)
      throw new Error("redis is not running");
    process.kill(child.pid, name);
  };

  const close = async () => {
    await stop();
    process.off("exit", killOnExit);
    if (dir) await rm(dir, { recursive: true, force: true });
  };

  try {
    await start();
  } catch (error) {
    await close();
    throw error;
  }
  t?.teardown(close);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    dir,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
    close,
  };
}

/** Resolves once `PING` on the port answers `+PONG` (inline command, no client library). */
export async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pingOnce(port)) return;
    if (Date.now() > deadline) throw new Error(`redis on port ${port}: no PONG in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, "127.0.0.1");
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      // "-LOADING" while an AOF is replayed: not ready yet.
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}
