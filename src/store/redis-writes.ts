// The write commands of one store operation, recorded first and then sent as one unit: a MULTI,
// or — when the operation belongs to a poll holding a lease — one Lua script that first checks
// the poll's fencing token and applies nothing if a newer poll claimed the source (leases.ts).
// Both are atomic and both run the same commands, so the two paths cannot drift apart.
import { LeaseLostError, type PollLease } from "./leases.js";
import { LuaScript } from "./lua-script.js";
import { execChecked, type RedisClient } from "./redis-client.js";

type Arg = string | number;

/**
 * Runs the commands after ARGV[2]'s expectations, each given as its argument count and then its
 * arguments — or, for a run of k commands of one name and argument count a, as -k, a, the name
 * and then each one's arguments after the name — if and only if
 *  - ARGV[1] is empty, or KEYS[1] (the source's fence) still holds ARGV[1] (the poll's token);
 *  - each of the ARGV[2] expectations holds — a hash key, a count n, then n pairs of a field
 *    and "" for absent or "=" + value, read with one HMGET: what the operation read and
 *    planned from (its stories) has not changed since.
 * The keys the commands touch are not declared: they share the deployment's prefix, which in
 * cluster mode is a hash tag, so they live in KEYS[1]'s slot.
 */
const CHECKED = new LuaScript(`
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASELOST the poll lost its lease')
end
local i = 3
for _ = 1, tonumber(ARGV[2]) do
  local key, n = ARGV[i], tonumber(ARGV[i + 1])
  local fields = {}
  for j = 1, n do fields[j] = ARGV[i + 2 * j] end
  local values = redis.call('HMGET', key, unpack(fields))
  for j = 1, n do
    local v, want = values[j], ARGV[i + 2 * j + 1]
    if (want == '' and v) or (want ~= '' and (not v or ('=' .. v) ~= want)) then
      return redis.error_reply('CONFLICT ' .. key .. ' changed meanwhile')
    end
  end
  i = i + 2 + 2 * n
end
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  if n < 0 then
    local arity, name = tonumber(ARGV[i + 1]), ARGV[i + 2]
    i = i + 3
    for _ = 1, -n do
      redis.call(name, unpack(ARGV, i, i + arity - 1))
      i = i + arity
    end
  else
    redis.call(unpack(ARGV, i + 1, i + n))
    i = i + n + 1
  end
end
return 1
`);

/** Lua's unpack() has a C stack limit of a few thousand values: long MSETs are split. */
const MAX_PAIRS_PER_MSET = 500;
/** The same limit for the fields of one hash read by one HMGET of expectations. */
const MAX_FIELDS_PER_CHECK = 1000;

/** What a checked write found changed since it was planned: the caller plans again. */
export class WriteConflictError extends Error {
  override name = "WriteConflictError";
}

export class RedisWrites {
  readonly commands: Arg[][] = [];
  /** Hash key → [field, value or undefined for absent] that must still hold. */
  readonly #expected = new Map<string, [string, string | undefined][]>();

  /** Applies nothing (WriteConflictError) unless `field` of `key` still holds `value`. */
  expect(key: string, field: string, value: string | undefined): this {
    const fields = this.#expected.get(key);
    if (fields) fields.push([field, value]);
    else this.#expected.set(key, [[field, value]]);
    return this;
  }

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

  /** `pairs`: field, value, field, value… */
  hsetMany(key: string, pairs: readonly string[]): this {
    if (pairs.length > 0) this.commands.push(["HSET", key, ...pairs]);
    return this;
  }

  sadd(key: string, members: readonly string[]): this {
    if (members.length > 0) this.commands.push(["SADD", key, ...members]);
    return this;
  }

  srem(key: string, members: readonly string[]): this {
    if (members.length > 0) this.commands.push(["SREM", key, ...members]);
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
   * Sends the commands: as a MULTI, or as the checked script when `fence` is given (its key and
   * the poll's lease) or expectations were set, rejecting with LeaseLostError when the token is
   * no longer the newest and with WriteConflictError when an expectation no longer holds.
   */
  async exec(client: RedisClient, fence?: { key: string; lease: PollLease }): Promise<void> {
    if (this.commands.length === 0) return;
    const first = this.#expected.keys().next().value;
    if (fence === undefined && first === undefined) {
      // ioredis looks queued commands up by their method names, which are lower case.
      const queued = this.commands.map(([name, ...args]) => [String(name).toLowerCase(), ...args]);
      await execChecked(client.multi(queued));
      return;
    }
    const args: Arg[] = [fence?.lease.token ?? "", 0];
    let groups = 0;
    for (const [key, fields] of this.#expected) {
      for (let i = 0; i < fields.length; i += MAX_FIELDS_PER_CHECK) {
        const group = fields.slice(i, i + MAX_FIELDS_PER_CHECK);
        args.push(key, group.length);
        for (const [field, value] of group)
          args.push(field, value === undefined ? "" : `=${value}`);
        groups++;
      }
    }
    args[1] = groups;
    appendCommands(args, this.commands);
    try {
      await CHECKED.run(client, [fence?.key ?? first ?? ""], args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("LEASELOST") && fence) {
        throw new LeaseLostError(fence.lease.sourceId);
      }
      if (error instanceof Error && error.message.startsWith("CONFLICT")) {
        throw new WriteConflictError(error.message);
      }
      throw error;
    }
  }
}

/**
 * Appends `commands` as the checked script reads them. A run of commands of one name and
 * length (a title token added per entry, a story per copy) is sent once as a run: every
 * argument costs the client and the server alike, and runs are most of a poll's story writes.
 */
function appendCommands(args: Arg[], commands: readonly Arg[][]): void {
  for (let i = 0; i < commands.length; ) {
    const [name, ...rest] = commands[i] as Arg[];
    let end = i + 1;
    while (
      end < commands.length &&
      commands[end]?.[0] === name &&
      commands[end]?.length === rest.length + 1
    ) {
      end++;
    }
    if (end - i === 1) {
      args.push(rest.length + 1, name as Arg, ...rest);
    } else {
      args.push(i - end, rest.length, name as Arg);
      for (let j = i; j < end; j++) {
        const command = commands[j] as Arg[];
        for (let a = 1; a < command.length; a++) args.push(command[a] as Arg);
      }
    }
    i = end;
  }
}
