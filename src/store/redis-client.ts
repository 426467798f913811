// Connecting to Redis so that an outage fails fast instead of queueing: ioredis defaults make
// a command during an outage wait ~74 s. Here commands fail at once while the client keeps
// reconnecting in the background, and every failure surfaces as StoreUnavailableError.
import { Redis } from "ioredis";
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
}

export const REDIS_CLIENT_DEFAULTS = {
  connectTimeoutMs: 5_000,
  commandTimeoutMs: 5_000,
  /** Reconnect backoff: doubles from 50 ms up to this cap, forever, plus jitter. */
  maxReconnectDelayMs: 2_000,
} as const;

export type Multi = ReturnType<Redis["multi"]>;

/** Opens a connection and waits until it is ready, or rejects with StoreUnavailableError. */
export async function openRedisClient(options: RedisClientOptions): Promise<Redis> {
  const connectTimeoutMs = options.connectTimeoutMs ?? REDIS_CLIENT_DEFAULTS.connectTimeoutMs;
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
      commandTimeout: options.commandTimeoutMs ?? REDIS_CLIENT_DEFAULTS.commandTimeoutMs,
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
  // ioredis emits "ready" on every (re)connection; the first one is the connect awaited below.
  let connectedBefore = false;
  client.on("ready", () => {
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
    return client;
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
