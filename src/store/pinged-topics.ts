// What the WebSub hubs were last told of each topic (a feed URL): the ETag of the content of the
// last publish ping. `mark` is the one step that decides who pings: it records the ETag and says
// whether it differs from the last one recorded, atomically, so of several instances that saw the
// same change only the first to mark it pings, and a check that finds the ETag it already pinged
// (a poll that changed nothing) pings nobody.
import { LuaScript } from "./lua-script.js";
import type { RedisClient } from "./redis-client.js";

export interface PingedTopics {
  /**
   * Records `etag` as what `topic`'s hubs are told of, kept `ttlMs`. True when it differs from the
   * ETag recorded before (or none was): the caller pings. False when it is the same: someone
   * already did.
   */
  mark(topic: string, etag: string, ttlMs: number): Promise<boolean>;
}

/** One process: a map, with expiry checked on read. */
export class MemoryPingedTopics implements PingedTopics {
  readonly #marks = new Map<string, { etag: string; expiresAt: number }>();
  readonly #assertOpen: () => void;

  constructor(assertOpen: () => void = () => {}) {
    this.#assertOpen = assertOpen;
  }

  async mark(topic: string, etag: string, ttlMs: number): Promise<boolean> {
    this.#assertOpen();
    const now = Date.now();
    const last = this.#marks.get(topic);
    const changed = last === undefined || last.expiresAt <= now || last.etag !== etag;
    this.#marks.set(topic, { etag, expiresAt: now + Math.max(1, ttlMs) });
    return changed;
  }
}

/** KEYS[1] the topic's key; ARGV: etag, ttl ms. 1 when the etag is new (the caller pings). */
const MARK = new LuaScript(`
local same = redis.call('GET', KEYS[1]) == ARGV[1]
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if same then return 0 end
return 1
`);

export class RedisPingedTopics implements PingedTopics {
  readonly #client: RedisClient;
  readonly #key: (topic: string) => string;
  readonly #call: <T>(what: string, io: () => Promise<T>) => Promise<T>;

  constructor(
    client: RedisClient,
    key: (topic: string) => string,
    call: <T>(what: string, io: () => Promise<T>) => Promise<T>,
  ) {
    this.#client = client;
    this.#key = key;
    this.#call = call;
  }

  async mark(topic: string, etag: string, ttlMs: number): Promise<boolean> {
    const ttl = Math.max(1, Math.round(ttlMs));
    const answer = await this.#call("mark a pinged topic", () =>
      MARK.run(this.#client, [this.#key(topic)], [etag, ttl]),
    );
    return answer === 1;
  }
}
