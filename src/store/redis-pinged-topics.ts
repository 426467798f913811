// PingedTopics in Redis (the contract is in pinged-topics.ts): one Lua script compares and sets,
// so of several instances marking the same new ETag exactly one is told it is new.
import { LuaScript } from "./lua-script.js";
import type { PingedTopics } from "./pinged-topics.js";
import type { RedisClient } from "./redis-client.js";

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
