// Connecting to Redis so that an outage fails fast instead of queueing: ioredis defaults make
// a command during an outage wait ~74 s. Here commands fail at once while the client keeps
// reconnecting in the background, and every failure surfaces as StoreUnavailableError. A Redis
// that hangs (connection open, no answers) costs one command timeout, then the circuit opens.
// The same holds for the three shapes of a Redis deployment: one server, a master found through
// Sentinel (ioredis asks the sentinels again on every reconnect, so a failover is a reconnect),
// and a Cluster (ioredis follows MOVED and refreshes the slot map when a replica takes over).
import { Cluster, Command, Redis, type RedisOptions } from "ioredis";
import type { RedisAddress, RedisTarget } from "../model/redis-target.js";
import { Circuit } from "./circuit.js";
import { StoreUnavailableError } from "./store.js";

export type { RedisAddress, RedisTarget } from "../model/redis-target.js";

/**
 * A client of any of them. ioredis's Redis and Cluster share their command interface (the
 * same Commander, `multi()` and `pipeline()`); they differ in `duplicate()` (see
 * `duplicateClient`), in `sendCommand()` without a key (any one node of a cluster) and in
 * `quit()` (every node): use the functions here for those.
 */
export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
  /** One server, `redis://` or `rediss://`; kept for callers that only ever had a URL. */
  url?: string;
  /** Any deployment; wins over `url`. */
  target?: RedisTarget;
  /** How long the first connection may take before connectRedisStore rejects. */
  connectTimeoutMs?: number;
  /** A command without a reply by then fails (a half-open connection would hang otherwise). */
  commandTimeoutMs?: number;
  /** Connection errors as they happen, for logs; commands report them as well. */
  onError?: (error: Error) => void;
  /**
   * The connection is ready again after it was lost (not called for the first connection):
   * the place to log the recovery and to repopulate a Redis that restarted empty.
   */
  onReconnect?: () => void;
  /**
   * Redis stopped answering: a command timed out on an open connection, and from now on calls
   * fail at once (the circuit opened) until a background PING gets through.
   */
  onHang?: (error: Error) => void;
  /** Redis answers again after onHang; `hungForMs` is how long calls failed at once. */
  onAnswering?: (hungForMs: number) => void;
}

/** An open client and the circuit that guards its calls. */
export interface RedisConnection<Client extends RedisClient = RedisClient> {
  client: Client;
  circuit: Circuit;
}

export const REDIS_CLIENT_DEFAULTS = {
  connectTimeoutMs: 5_000,
  commandTimeoutMs: 5_000,
  /** Reconnect backoff: doubles from 50 ms up to this cap, forever, plus jitter. */
  maxReconnectDelayMs: 2_000,
  /** While the circuit is open: a PING this often, each given at most this long to answer. */
  probeIntervalMs: 500,
  probeTimeoutMs: 500,
} as const;

export type Multi = ReturnType<Redis["multi"]>;

/** Reconnect delay: doubles from 50 ms up to the cap, forever, plus jitter. */
const reconnectDelay = (times: number): number =>
  Math.min(50 * 2 ** Math.min(times, 16), REDIS_CLIENT_DEFAULTS.maxReconnectDelayMs) +
  Math.floor(Math.random() * 100);

/** The deployment `options` name; a cluster needs `openRedisConnection`. */
function targetOf(options: RedisClientOptions): RedisTarget {
  if (options.target) return options.target;
  if (options.url !== undefined) return { kind: "server", url: options.url };
  throw new TypeError("openRedisClient needs a url or a target");
}

/** Where a target is, for messages: no password. */
export function describeRedisTarget(target: RedisTarget): string {
  const hosts = (addresses: RedisAddress[]) =>
    addresses.map(({ host, port }) => `${host}:${port}`).join(",");
  switch (target.kind) {
    case "server":
      return redactRedisUrl(target.url);
    case "sentinel":
      return `master ${target.name} via sentinels ${hosts(target.sentinels)}`;
    case "cluster":
      return `cluster ${hosts(target.nodes)}`;
  }
}

/**
 * Opens a connection to one server or a Sentinel-managed master (both a `Redis`), and waits
 * until it is ready, or rejects with StoreUnavailableError. A cluster target rejects: its
 * client is a `Cluster`, which `openRedisConnection` returns.
 */
export async function openRedisClient(
  options: RedisClientOptions,
): Promise<RedisConnection<Redis>> {
  const target = targetOf(options);
  if (target.kind === "cluster") {
    throw new StoreUnavailableError(
      `Cannot use Redis at ${describeRedisTarget(target)}: a cluster needs openRedisConnection`,
    );
  }
  return (await openRedisConnection(options)) as RedisConnection<Redis>;
}

/** Opens a connection to any deployment; see openRedisClient. */
export async function openRedisConnection(options: RedisClientOptions): Promise<RedisConnection> {
  const connectTimeoutMs = options.connectTimeoutMs ?? REDIS_CLIENT_DEFAULTS.connectTimeoutMs;
  const commandTimeoutMs = options.commandTimeoutMs ?? REDIS_CLIENT_DEFAULTS.commandTimeoutMs;
  const target = targetOf(options);
  const where = describeRedisTarget(target);
  let lastError: Error | undefined;
  let client: RedisClient;
  try {
    client = createClient(target, connectTimeoutMs, commandTimeoutMs);
  } catch (error) {
    throw new StoreUnavailableError(`Cannot use Redis at ${where}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  // Without a listener ioredis prints every reconnect failure as "Unhandled error event".
  const onError = (error: Error) => {
    lastError = error;
    options.onError?.(error);
  };
  client.on("error", onError);
  // A cluster reports a lost node apart from its own state (it may still serve every slot).
  if (client instanceof Cluster) client.on("node error", onError);
  const circuit = new Circuit({
    probe: async () => {
      // Its own short timeout: the first setTimeout of a command wins over commandTimeout.
      const ping = new Command("ping", []);
      ping.setTimeout(Math.min(REDIS_CLIENT_DEFAULTS.probeTimeoutMs, commandTimeoutMs));
      await client.sendCommand(ping);
    },
    probeIntervalMs: REDIS_CLIENT_DEFAULTS.probeIntervalMs,
    onOpen: options.onHang,
    onClose: options.onAnswering,
  });
  // ioredis emits "ready" on every (re)connection; the first one is the connect awaited below.
  let connectedBefore = false;
  client.on("ready", () => {
    // A new connection that passed its ready check is answering, whatever hung before.
    circuit.close();
    if (connectedBefore) options.onReconnect?.();
    connectedBefore = true;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const connecting = client.connect();
    // If the timeout wins, the connect promise still settles later; keep it from going unhandled.
    connecting.catch(() => {});
    await Promise.race([
      connecting,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${connectTimeoutMs} ms`)),
          connectTimeoutMs,
        );
      }),
    ]);
    return { client, circuit };
  } catch (error) {
    // Stop the background reconnects: nobody will use this client.
    client.disconnect();
    const reason = lastError ?? error;
    throw new StoreUnavailableError(`Cannot connect to Redis at ${where}: ${messageOf(reason)}`, {
      cause: reason,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** The options every connection of a client shares: fail fast, never give up reconnecting. */
function nodeOptions(connectTimeoutMs: number, commandTimeoutMs: number) {
  return {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    // Commands issued in one tick (concurrent polls, a claim beside a state read) go out in one
    // socket write: on a machine where a write syscall costs tens of µs, one write per command
    // was most of a 304 poll's CPU.
    enableAutoPipelining: true,
  } satisfies RedisOptions;
}

function createClient(
  target: RedisTarget,
  connectTimeoutMs: number,
  commandTimeoutMs: number,
): RedisClient {
  const shared = nodeOptions(connectTimeoutMs, commandTimeoutMs);
  const credentials = (t: { username?: string; password?: string }) => ({
    ...(t.username === undefined ? {} : { username: t.username }),
    ...(t.password === undefined ? {} : { password: t.password }),
  });
  switch (target.kind) {
    case "server":
      return new Redis(target.url, {
        ...shared,
        // Fail commands now during an outage rather than queueing them until Redis returns.
        enableOfflineQueue: false,
        // Never give up: the store recovers by itself when Redis comes back.
        retryStrategy: reconnectDelay,
      });
    case "sentinel":
      return new Redis({
        ...shared,
        ...credentials(target),
        enableOfflineQueue: false,
        retryStrategy: reconnectDelay,
        sentinels: target.sentinels,
        name: target.name,
        ...(target.sentinelPassword === undefined
          ? {}
          : { sentinelPassword: target.sentinelPassword }),
        // Each sentinel gets the connect timeout. After a round of the list with no master
        // (none answered, or all named the dead master before they voted), ask them all again,
        // forever: ioredis gives up for good when this returns no delay.
        sentinelCommandTimeout: connectTimeoutMs,
        sentinelRetryStrategy: reconnectDelay,
        // A master that the sentinels demoted while the connection stayed up answers writes
        // with READONLY: reconnect, which asks the sentinels for the new master. (ioredis's
        // failoverDetector would notice sooner, but it leaks its sentinel connections.)
        reconnectOnError: (error) => error.message.startsWith("READONLY"),
      });
    case "cluster":
      return new Cluster(target.nodes, {
        lazyConnect: true,
        // The cluster's own queue (while no slot map is known): commands fail at once instead.
        // Each node's connection keeps its queue, which ioredis needs to send before "ready".
        enableOfflineQueue: false,
        enableAutoPipelining: true,
        clusterRetryStrategy: reconnectDelay,
        redisOptions: { ...shared, ...credentials(target) },
        // Wait for CLUSTER INFO to say "ok" before "ready": a cluster mid-failover is not.
        enableReadyCheck: true,
        slotsRefreshTimeout: Math.min(connectTimeoutMs, 2_000),
      });
  }
}

/**
 * The key prefix in a Redis Cluster: `tributary:` becomes `{tributary}:`, a hash tag, so every
 * key of the deployment hashes to one slot. The store's transactions and scripts touch several
 * keys at once (an entry, its indexes, the versions; a lease and its fence), and a cluster runs
 * a MULTI or a script only when all of its keys are in one slot. One slot means one master
 * holds all of it: that is fine for a deployment's data, which is small (entries are capped
 * per source), and the cluster still gives failover; spreading over slots would mean giving
 * up those atomic writes.
 */
export function clusterKeyPrefix(prefix: string): string {
  if (/^\{[^{}]+\}/.test(prefix)) return prefix;
  const separator = prefix.endsWith(":") ? ":" : "";
  return `{${prefix.slice(0, prefix.length - separator.length)}}${separator}`;
}

/**
 * A second client to the same deployment with the same options, for a connection of its own
 * (a subscriber can run no other command while subscribed). `connectionName` names it in
 * CLIENT LIST. Not connected yet: call `connect()`.
 */
export function duplicateClient(client: RedisClient, connectionName: string): RedisClient {
  if (client instanceof Cluster) {
    // A Cluster subscribes through a connection of its own to one node and moves it to another
    // node when that one goes away, subscriptions included.
    return client.duplicate([], { redisOptions: { connectionName } });
  }
  // The caller resubscribes on every "ready" itself, knowing that messages may have been lost.
  return client.duplicate({ autoResubscribe: false, connectionName });
}

/**
 * Runs a MULTI and returns its replies, throwing the first per-command error: exec() itself
 * resolves even when commands inside the transaction failed.
 */
export async function execChecked(multi: Multi): Promise<unknown[]> {
  const replies = await multi.exec();
  if (replies === null) throw new Error("Redis transaction was aborted");
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/**
 * Says goodbye to Redis, waiting at most the probe timeout: shutdown must not wait a whole
 * command timeout for a Redis that hangs without anything having noticed yet.
 */
export async function quitRedisClient(client: RedisClient): Promise<void> {
  try {
    if (client instanceof Cluster) {
      // QUIT to every node; sendCommand would reach only one of them.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client.quit(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error("no answer")),
            REDIS_CLIENT_DEFAULTS.probeTimeoutMs,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      return;
    }
    const quit = new Command("quit", []);
    quit.setTimeout(REDIS_CLIENT_DEFAULTS.probeTimeoutMs);
    await client.sendCommand(quit);
  } catch {
    // Already closed, unreachable or hung: drop the socket and stop reconnecting.
    client.disconnect();
  }
}

/** ioredis rejects a command that got no reply within `commandTimeout` with this error. */
export function isCommandTimeout(error: unknown): error is Error {
  return error instanceof Error && error.message === "Command timed out";
}

export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable Redis URL)";
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
