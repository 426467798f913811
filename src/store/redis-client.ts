// Connecting to Redis so that an outage fails fast instead of queueing: ioredis defaults make
// a command during an outage wait ~74 s. Here commands fail at once while the client keeps
// reconnecting in the background, and every failure surfaces as StoreUnavailableError. A Redis
// that hangs (connection open, no answers) costs one command timeout, then the circuit opens.
import { Command, Redis } from "ioredis";
import { Circuit } from "./circuit.js";
import { StoreUnavailableError } from "./store.js";

export interface RedisClientOptions {
  url: string;
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
export interface RedisConnection {
  client: Redis;
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

/** Opens a connection and waits until it is ready, or rejects with StoreUnavailableError. */
export async function openRedisClient(options: RedisClientOptions): Promise<RedisConnection> {
  const connectTimeoutMs = options.connectTimeoutMs ?? REDIS_CLIENT_DEFAULTS.connectTimeoutMs;
  const commandTimeoutMs = options.commandTimeoutMs ?? REDIS_CLIENT_DEFAULTS.commandTimeoutMs;
  const where = redactRedisUrl(options.url);
  let lastError: Error | undefined;
  let client: Redis;
  try {
    client = new Redis(options.url, {
      lazyConnect: true,
      // Fail commands now during an outage rather than queueing them until Redis returns.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: connectTimeoutMs,
      commandTimeout: commandTimeoutMs,
      // Never give up: the store recovers by itself when Redis comes back.
      retryStrategy: (times) =>
        Math.min(50 * 2 ** Math.min(times, 16), REDIS_CLIENT_DEFAULTS.maxReconnectDelayMs) +
        Math.floor(Math.random() * 100),
    });
  } catch (error) {
    throw new StoreUnavailableError(`Cannot use Redis at ${where}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  // Without a listener ioredis prints every reconnect failure as "Unhandled error event".
  client.on("error", (error: Error) => {
    lastError = error;
    options.onError?.(error);
  });
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
export async function quitRedisClient(client: Redis): Promise<void> {
  const quit = new Command("quit", []);
  quit.setTimeout(REDIS_CLIENT_DEFAULTS.probeTimeoutMs);
  try {
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
