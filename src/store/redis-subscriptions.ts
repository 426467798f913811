// WebSub subscriptions in Redis (the contract is in subscriptions.ts): one hash, source id →
// the subscription as JSON. A conditional update is one Lua script (read, check the token,
// merge, write), so a verification answered by one instance and a renewal sent by another
// never overwrite each other's fields with a stale copy.
import type { Subscription, SubscriptionPatch } from "../model/websub.js";
import { LuaScript } from "./lua-script.js";
import type { RedisClient } from "./redis-client.js";
import type { RedisKeys } from "./redis-keys.js";
import type { RedisCall } from "./redis-leases.js";
import type { WebSubSubscriptions } from "./subscriptions.js";

/**
 * KEYS: the hash. ARGV: source id, token, patch JSON, removed field names JSON. Returns the
 * updated JSON, or false when the source has no subscription with that token.
 */
const UPDATE = new LuaScript(`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local record = cjson.decode(raw)
if record.token ~= ARGV[2] then return false end
for key, value in pairs(cjson.decode(ARGV[3])) do record[key] = value end
for _, key in ipairs(cjson.decode(ARGV[4])) do record[key] = nil end
local out = cjson.encode(record)
redis.call('HSET', KEYS[1], ARGV[1], out)
return out
`);

/** KEYS: the hash. ARGV: source id, token. */
const REMOVE = new LuaScript(`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
if cjson.decode(raw).token ~= ARGV[2] then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])
`);

export class RedisSubscriptions implements WebSubSubscriptions {
  readonly #client: RedisClient;
  readonly #keys: RedisKeys;
  readonly #call: RedisCall;

  constructor(client: RedisClient, keys: RedisKeys, call: RedisCall) {
    this.#client = client;
    this.#keys = keys;
    this.#call = call;
  }

  async get(sourceId: string): Promise<Subscription | undefined> {
    const raw = await this.#call("read a subscription", () =>
      this.#client.hget(this.#keys.subscriptions(), sourceId),
    );
    return raw === null ? undefined : parse(raw);
  }

  async list(): Promise<Subscription[]> {
    const all = await this.#call("read subscriptions", () =>
      this.#client.hgetall(this.#keys.subscriptions()),
    );
    return Object.values(all).flatMap((raw) => {
      const subscription = parse(raw);
      return subscription === undefined ? [] : [subscription];
    });
  }

  async put(subscription: Subscription): Promise<void> {
    await this.#call("write a subscription", () =>
      this.#client.hset(
        this.#keys.subscriptions(),
        subscription.sourceId,
        JSON.stringify(subscription),
      ),
    );
  }

  async update(
    sourceId: string,
    token: string,
    patch: SubscriptionPatch,
  ): Promise<Subscription | undefined> {
    const set: Record<string, unknown> = {};
    const removed: string[] = [];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) removed.push(key);
      else set[key] = value;
    }
    const reply = await this.#call("update a subscription", () =>
      UPDATE.run(
        this.#client,
        [this.#keys.subscriptions()],
        // An empty object and an empty array are the same to cjson: both encode as {}.
        [
          sourceId,
          token,
          JSON.stringify(set),
          removed.length === 0 ? "[]" : JSON.stringify(removed),
        ],
      ),
    );
    return typeof reply === "string" ? parse(reply) : undefined;
  }

  async remove(sourceId: string, token: string): Promise<boolean> {
    const reply = await this.#call("remove a subscription", () =>
      REMOVE.run(this.#client, [this.#keys.subscriptions()], [sourceId, token]),
    );
    return reply === 1;
  }
}

/** A record another version wrote, or a hand-edited one: unreadable is treated as absent. */
function parse(raw: string): Subscription | undefined {
  try {
    const value = JSON.parse(raw) as Partial<Subscription>;
    if (typeof value.sourceId !== "string" || typeof value.token !== "string") return undefined;
    if (typeof value.secret !== "string" || typeof value.state !== "string") return undefined;
    return value as Subscription;
  } catch {
    return undefined;
  }
}
