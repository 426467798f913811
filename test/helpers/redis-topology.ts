// Real Redis topologies for tests: a Sentinel set (a master, one replica, three sentinels) and
// a Redis Cluster (three masters, each with one replica), every process a `redis-server` child
// on free loopback ports with its files in a temporary folder. Timeouts are set low so that a
// failover (the master killed with SIGKILL) completes within seconds. Everything is stopped by
// PID and the folder removed in the teardown; the shared Redis on 6379 is never touched.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort } from "./ports.js";
import { waitForPong } from "./redis-server.js";
import { delay, waitFor } from "./wait.js";

const SERVER = process.env.REDIS_SERVER_BIN ?? "redis-server";
const CLI = process.env.REDIS_CLI_BIN ?? "redis-cli";
const START_TIMEOUT_MS = 10_000;
const KILL_AFTER_MS = 3_000;
const run = promisify(execFile);

export interface Address {
  host: string;
  port: number;
}

/** One redis-server child (data node or sentinel). */
export interface RedisProcess extends Address {
  readonly pid: number | undefined;
  /** SIGKILL: the process dies at once, as in a crashed host, without a goodbye to anyone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited after a few seconds. */
  stop(): Promise<void>;
}

/** A plain client of one process, for the test's own look at it; closed with the topology. */
export type Peek = (node: Address) => Promise<Redis>;

interface Processes {
  dir: string;
  start(args: string[], port: number): Promise<RedisProcess>;
  /**
   * Starts a server on a free port, trying again on fresh ports when another process took the
   * one handed out before this one could bind it (the gap freePort leaves is small, not none).
   */
  startOnFreePort(argsFor: (port: number) => Promise<string[]>): Promise<RedisProcess>;
  client(node: Address): Promise<Redis>;
  close(): Promise<void>;
}

/** Tries of startOnFreePort before a taken port is reported. */
const PORT_ATTEMPTS = 3;

/** A folder, the children started in it, and the plain clients opened on them. */
async function processes(label: string): Promise<Processes> {
  const dir = await mkdtemp(join(tmpdir(), `tributary-${label}-`));
  const children: RedisProcess[] = [];
  const clients = new Map<number, Redis>();
  const live = new Set<ChildProcess>();
  // If the test process dies first, leave no orphan redis-server behind.
  const killOnExit = () => {
    for (const child of live) if (child.pid !== undefined) process.kill(child.pid, "SIGKILL");
  };
  process.on("exit", killOnExit);

  const start = async (args: string[], port: number): Promise<RedisProcess> => {
    const output: string[] = [];
    const child = spawn(SERVER, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    live.add(child);
    const keep = (chunk: Buffer) => output.push(...chunk.toString().split("\n").slice(-20));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    exited.then(() => live.delete(child));
    const failed = new Promise<never>((_, reject) => {
      child.once("error", (error) => reject(new Error(`cannot run ${SERVER}: ${error.message}`)));
      child.once("exit", (code, signal) =>
        reject(
          new Error(`${SERVER} on port ${port} exited (${signal ?? code}):\n${output.join("\n")}`),
        ),
      );
    });
    failed.catch(() => {});
    const running = () => child.exitCode === null && child.signalCode === null;
    const signal = async (name: NodeJS.Signals) => {
      if (child.pid === undefined || !running()) return;
      process.kill(child.pid, name);
      const timer = setTimeout(() => {
        if (child.pid !== undefined && running()) process.kill(child.pid, "SIGKILL");
      }, KILL_AFTER_MS);
      await exited;
      clearTimeout(timer);
    };
    const handle: RedisProcess = {
      host: "127.0.0.1",
      port,
      get pid() {
        return running() ? child.pid : undefined;
      },
      kill: () => signal("SIGKILL"),
      stop: () => signal("SIGTERM"),
    };
    children.push(handle);
    await Promise.race([waitForPong(port, START_TIMEOUT_MS), failed]);
    return handle;
  };

  const startOnFreePort = async (
    argsFor: (port: number) => Promise<string[]>,
  ): Promise<RedisProcess> => {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        return await start(await argsFor(port), port);
      } catch (error) {
        const taken = error instanceof Error && /Address already in use/.test(error.message);
        if (!taken || attempt >= PORT_ATTEMPTS) throw error;
      }
    }
  };

  // One per port, kept open: the helpers ask the same nodes again and again while waiting.
  const client = async (node: Address): Promise<Redis> => {
    const open = clients.get(node.port);
    if (open) return open;
    const redis = new Redis(node.port, node.host, { lazyConnect: true, maxRetriesPerRequest: 1 });
    redis.on("error", () => {});
    clients.set(node.port, redis);
    try {
      await redis.connect();
    } catch (error) {
      clients.delete(node.port);
      redis.disconnect();
      throw error;
    }
    return redis;
  };

  const close = async () => {
    for (const redis of clients.values()) redis.disconnect();
    await Promise.all(children.map((child) => child.stop()));
    process.off("exit", killOnExit);
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, start, startOnFreePort, client, close };
}

/** No disk writes: the tests' data only has to survive in memory on the replicas. */
const volatile = ["--save", "", "--appendonly", "no"];

const base = (port: number) => [
  "--port",
  String(port),
  "--bind",
  "127.0.0.1",
  "--daemonize",
  "no",
  ...volatile,
];

export interface SentinelSet {
  /** The master's name the sentinels monitor. */
  name: string;
  master: RedisProcess;
  replica: RedisProcess;
  sentinels: RedisProcess[];
  /** A plain client of one process. */
  client: Peek;
  /** The master's address as the sentinels report it now. */
  currentMaster(): Promise<Address>;
  /**
   * Resolves once every write the master acknowledged so far has reached its replica: a
   * marker written last on the master, then `WAIT 1` on that same connection (replication is
   * one ordered stream, so the replica having the marker means it has everything before it).
   */
  replicated(): Promise<void>;
  close(): Promise<void>;
}

export const SENTINEL_MASTER_NAME = "tributary-test";

/** A master, its replica and three sentinels (quorum 2) that fail over after one second down. */
export async function startSentinelSet(): Promise<SentinelSet> {
  const procs = await processes("sentinel");
  try {
    const name = SENTINEL_MASTER_NAME;
    const master = await procs.startOnFreePort(async (port) => base(port));
    const masterPort = master.port;
    const replica = await procs.startOnFreePort(async (port) => [
      ...base(port),
      "--replicaof",
      "127.0.0.1",
      String(masterPort),
    ]);
    await waitFor(
      async () => {
        const info = await (await procs.client(replica)).info("replication");
        return /master_link_status:up/.test(info) ? true : undefined;
      },
      START_TIMEOUT_MS,
      "the replica to sync",
    );
    const sentinels: RedisProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const sentinel = await procs.startOnFreePort(async (port) => {
        // A sentinel rewrites its config file as it learns the topology: one file each.
        const file = join(procs.dir, `sentinel-${port}.conf`);
        await writeFile(
          file,
          [
            `port ${port}`,
            "bind 127.0.0.1",
            `dir ${procs.dir}`,
            `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
            `sentinel down-after-milliseconds ${name} 1000`,
            `sentinel failover-timeout ${name} 5000`,
            `sentinel parallel-syncs ${name} 1`,
            "",
          ].join("\n"),
        );
        return [file, "--sentinel"];
      });
      sentinels.push(sentinel);
    }
    // Each sentinel must know the replica (from the master's INFO) before it can promote it.
    for (const sentinel of sentinels) {
      const client = await procs.client(sentinel);
      await waitFor(
        async () => {
          const replicas = (await client.call("SENTINEL", "REPLICAS", name)) as unknown[];
          return replicas.length > 0 ? true : undefined;
        },
        START_TIMEOUT_MS,
        "the sentinels to discover the replica",
      );
    }
    const currentMaster = async (): Promise<Address> => {
      const client = await procs.client(sentinels[0] as RedisProcess);
      const [host, port] = (await client.call(
        "SENTINEL",
        "GET-MASTER-ADDR-BY-NAME",
        name,
      )) as string[];
      return { host: host ?? "", port: Number(port) };
    };
    const replicated = async () => {
      const client = await procs.client(await currentMaster());
      await client.set("tributary-test:replication-marker", String(Date.now()));
      const acknowledged = await client.wait(1, 5_000);
      if (acknowledged < 1) throw new Error("the replica did not acknowledge within 5 s");
    };
    return {
      name,
      master,
      replica,
      sentinels,
      client: procs.client,
      currentMaster,
      replicated,
      close: procs.close,
    };
  } catch (error) {
    await procs.close();
    throw error;
  }
}

export interface ClusterSet {
  masters: RedisProcess[];
  replicas: RedisProcess[];
  /** Startup nodes for a cluster client: every master. */
  nodes: Address[];
  client: Peek;
  /** The process serving `key`'s slot as master now (asked of a live node). */
  masterOf(key: string): Promise<RedisProcess>;
  /** As SentinelSet.replicated, for the master of `key`'s slot (the marker shares its slot). */
  replicated(key: string): Promise<void>;
  /** Resolves once every live node reports `cluster_state:ok`. */
  healthy(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Three masters with one replica each, built with `redis-cli --cluster create`. Each node has
 * its own bus port (`--cluster-port`), also a free one: the default port + 10000 may be taken.
 */
export async function startCluster(): Promise<ClusterSet> {
  const procs = await processes("cluster");
  try {
    const all: RedisProcess[] = [];
    for (let i = 0; i < 6; i++) {
      all.push(
        await procs.startOnFreePort(async (port) => [
          ...base(port),
          "--cluster-enabled",
          "yes",
          "--cluster-port",
          String(await freePort()),
          "--cluster-config-file",
          join(procs.dir, `nodes-${port}.conf`),
          // A master unreachable for this long is failed over by its replica.
          "--cluster-node-timeout",
          "1000",
        ]),
      );
    }
    // The first three become masters, the last three their replicas.
    await run(
      CLI,
      [
        "--cluster",
        "create",
        ...all.map((node) => `${node.host}:${node.port}`),
        "--cluster-replicas",
        "1",
        "--cluster-yes",
      ],
      { timeout: START_TIMEOUT_MS },
    );
    const live = () => all.filter((node) => node.pid !== undefined);
    const healthy = async () => {
      await waitFor(
        async () => {
          for (const node of live()) {
            const info = (await (await procs.client(node)).call("CLUSTER", "INFO")) as string;
            if (!/cluster_state:ok/.test(info)) return undefined;
          }
          return true;
        },
        START_TIMEOUT_MS,
        "cluster_state:ok on every node",
      );
    };
    await healthy();
    const roles = await Promise.all(
      all.map(async (node) => (await (await procs.client(node)).role())[0] as string),
    );
    const masters = all.filter((_, i) => roles[i] === "master");
    const replicas = all.filter((_, i) => roles[i] !== "master");
    // Every replica must have synced before a test may count on it holding the data.
    for (const replica of replicas) {
      const client = await procs.client(replica);
      await waitFor(
        async () =>
          /master_link_status:up/.test(await client.info("replication")) ? true : undefined,
        START_TIMEOUT_MS,
        "the cluster replicas to sync",
      );
    }
    const masterOf = async (key: string): Promise<RedisProcess> => {
      const ask = await procs.client(live()[0] as RedisProcess);
      const slot = Number(await ask.call("CLUSTER", "KEYSLOT", key));
      const ranges = (await ask.call("CLUSTER", "SLOTS")) as [number, number, [string, number]][];
      const owner = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2];
      const found = all.find((node) => node.port === Number(owner?.[1]));
      if (!found) throw new Error(`no master serves slot ${slot}`);
      return found;
    };
    const replicated = async (key: string) => {
      const client = await procs.client(await masterOf(key));
      // The key's hash tag (or the key itself) keeps the marker on the same master.
      const tag = /\{[^}]+\}/.exec(key)?.[0] ?? key;
      await client.set(`${tag}:replication-marker`, String(Date.now()));
      const acknowledged = await client.wait(1, 5_000);
      if (acknowledged < 1) throw new Error("the replica did not acknowledge within 5 s");
    };
    return {
      masters,
      replicas,
      nodes: masters.map(({ host, port }) => ({ host, port })),
      client: procs.client,
      masterOf,
      replicated,
      healthy,
      close: procs.close,
    };
  } catch (error) {
    await procs.close();
    throw error;
  }
}

/** Retries `attempt` until it resolves (a store during a failover rejects at once). */
export async function eventually<T>(
  attempt: () => Promise<T>,
  timeoutMs = 20_000,
  what = "the store to answer again",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await attempt();
    } catch (error) {
      last = error;
      await delay(100);
    }
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${String(last)}`);
}
