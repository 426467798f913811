// The write commands of one store operation, recorded first and then sent as one unit: a MULTI,
// or — when the operation belongs to a poll holding a lease — one Lua script that first checks
// the poll's fencing token and applies nothing if a newer poll claimed the source (leases.ts).
// Both are atomic and both run the same commands, so the two paths cannot drift apart.
import { LeaseLostError, type PollLease } from "./leases.js";
import { LuaScript } from "./lua-script.js";
import { execChecked, type RedisClient } from "./redis-client.js";

type Arg = string | number;

/**
 * Runs ARGV[2..] as commands, each given as its argument count and then its arguments, if and
 * only if KEYS[1] (the source's fence) still holds ARGV[1] (the poll's token). The keys the
 * commands touch are not declared: they share the deployment's prefix, which in cluster mode is a
 * hash tag, so they live in the fence key's slot.
 */
const FENCED = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASELOST the poll lost its lease')
end
local i = 2
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + n))
  i = i + n + 1
end
return 1
`);

/** Lua's unpack() has a C stack limit of a few thousand values: long MSETs are split. */
const MAX_PAIRS_PER_MSET = 500;

export class RedisWrites {
  readonly commands: Arg[][] = [];

  get size(): number {
    return this.commands.length;
  }

  set(key: string, value: string, nx?: "NX"): this {
    this.commands.push(nx ? ["SET", key, value, nx] : ["SET", key, value]);
    return this;
  }

  /** Sets every [key, value] pair, a few hundred per command. */
  mset(pairs: readonly (readonly [string, string])[]): this {
    for (let i = 0; i < pairs.length; i += MAX_PAIRS_PER_MSET) {
      this.commands.push(["MSET", ...pairs.slice(i, i + MAX_PAIRS_PER_MSET).flat()]);
    }
    return this;
  }

  incr(key: string): this {
    this.commands.push(["INCR", key]);
    return this;
  }

  /** `scoreMembers`: score, member, score, member… */
  zadd(key: string, scoreMembers: readonly Arg[]): this {
    if (scoreMembers.length > 0) this.commands.push(["ZADD", key, ...scoreMembers]);
    return this;
  }

  zrem(key: string, members: readonly string[]): this {
    if (members.length > 0) this.commands.push(["ZREM", key, ...members]);
    return this;
  }

  del(keys: readonly string[]): this {
    if (keys.length > 0) this.commands.push(["DEL", ...keys]);
    return this;
  }

  hset(key: string, field: string, value: string): this {
    this.commands.push(["HSET", key, field, value]);
    return this;
  }

  hdel(key: string, fields: readonly string[]): this {
    if (fields.length > 0) this.commands.push(["HDEL", key, ...fields]);
    return this;
  }

  publish(channel: string, message: string): this {
    this.commands.push(["PUBLISH", channel, message]);
    return this;
  }

  /**
   * Sends the commands: as a MULTI, or as the fenced script when `fence` is given (its key and the
   * poll's lease), rejecting with LeaseLostError when the token is no longer the newest.
   */
  async exec(client: RedisClient, fence?: { key: string; lease: PollLease }): Promise<void> {
    if (this.commands.length === 0) return;
    if (fence === undefined) {
      // ioredis looks queued commands up by their method names, which are lower case.
      const queued = this.commands.map(([name, ...args]) => [String(name).toLowerCase(), ...args]);
      await execChecked(client.multi(queued));
      return;
    }
    const args: Arg[] = [fence.lease.token];
    for (const command of this.commands) args.push(command.length, ...command);
    try {
      await FENCED.run(client, [fence.key], args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("LEASELOST")) {
        throw new LeaseLostError(fence.lease.sourceId);
      }
      throw error;
    }
  }
}
