// Poll leases, due times and per-host fetch slots in Redis (the contract is in leases.ts). Each
// step that reads and then writes is one Lua script, so two workers can never both win a claim.
// Times are the callers' clocks (epoch ms), like the rest of the store: workers are expected to
// run NTP-synchronised; a skew of a few seconds moves a due time by as much, nothing worse.
import type { ClaimOptions, ClaimResult, HostSlot, PollLease, PollLeases } from "./leases.js";
import { LuaScript } from "./lua-script.js";
import type { RedisClient } from "./redis-client.js";
import type { RedisKeys } from "./redis-keys.js";

/** Takes a host slot: KEYS[n] the host's set; holder, limit, now, ttl ms. Expired ones go first. */
const TAKE_SLOT = `
local function take_slot(key, holder, limit, now, ttl)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if not redis.call('ZSCORE', key, holder) and redis.call('ZCARD', key) >= limit then
    return 0
  end
  redis.call('ZADD', key, now + ttl, holder)
  redis.call('PEXPIRE', key, ttl)
  return 1
end
`;

/**
 * KEYS: due, lease, fence, host set (any key of the prefix when no slot is asked). ARGV: source
 * id, now, lease ms, force ('1'), slot holder ('' = no slot), slot limit. A claim moves the due
 * time to the lease's end: if the poll dies with its worker, the source is overdue then.
 */
const CLAIM = new LuaScript(`${TAKE_SLOT}
local now, lease_ms = tonumber(ARGV[2]), tonumber(ARGV[3])
if ARGV[4] ~= '1' then
  local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
  if due and tonumber(due) > now then return {0, due} end
end
if redis.call('EXISTS', KEYS[2]) == 1 then return {-1} end
local token = redis.call('INCR', KEYS[3])
redis.call('SET', KEYS[2], token, 'PX', lease_ms)
redis.call('ZADD', KEYS[1], now + lease_ms, ARGV[1])
local slot = 1
if ARGV[5] ~= '' then slot = take_slot(KEYS[4], ARGV[5], tonumber(ARGV[6]), now, lease_ms) end
return {token, slot}
`);

/** KEYS: lease, fence. ARGV: token, lease ms. A lease that expired unclaimed is taken again. */
const RENEW = new LuaScript(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

/**
 * KEYS: due, lease, fence, host set. ARGV: source id, token, next due ms ('' = leave it), slot
 * holder ('' = none). The slot is freed whatever happened to the lease.
 */
const RELEASE = new LuaScript(`
if ARGV[4] ~= '' then redis.call('ZREM', KEYS[4], ARGV[4]) end
if redis.call('GET', KEYS[3]) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[2])
if ARGV[3] ~= '' then redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) end
return 1
`);

/** KEYS: host. ARGV: holder, limit, now, ttl ms. Expired slots (dead workers) are dropped. */
const ACQUIRE_HOST = new LuaScript(`${TAKE_SLOT}
return take_slot(KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))
`);

/** Runs Redis IO the way the store does (its circuit, its errors). */
export type RedisCall = <T>(what: string, io: () => Promise<T>) => Promise<T>;

export class RedisLeases implements PollLeases {
  readonly #client: RedisClient;
  readonly #keys: RedisKeys;
  readonly #call: RedisCall;

  constructor(client: RedisClient, keys: RedisKeys, call: RedisCall) {
    this.#client = client;
    this.#keys = keys;
    this.#call = call;
  }

  async claim(sourceId: string, options: ClaimOptions): Promise<ClaimResult> {
    const slot = options.hostSlot;
    const reply = (await this.#call("claim a poll", () =>
      CLAIM.run(
        this.#client,
        [
          this.#keys.due(),
          this.#keys.lease(sourceId),
          this.#keys.fence(sourceId),
          // Unused without a slot, but a key of the prefix: in a cluster, every key a script
          // is given must be in the deployment's one slot.
          this.#keys.host(slot?.host ?? ""),
        ],
        [
          sourceId,
          options.nowMs,
          options.leaseMs,
          options.force ? "1" : "0",
          slot?.holder ?? "",
          slot?.limit ?? 0,
        ],
      ),
    )) as [number, string | number | undefined];
    const [token, second] = reply;
    if (token === -1) return { refused: "leased" };
    if (token === 0) return { refused: "not-due", dueAt: Number(second) };
    return { lease: { sourceId, token }, hostSlot: second === 1 };
  }

  async renew(lease: PollLease, leaseMs: number): Promise<boolean> {
    const reply = await this.#call("renew a lease", () =>
      RENEW.run(
        this.#client,
        [this.#keys.lease(lease.sourceId), this.#keys.fence(lease.sourceId)],
        [lease.token, leaseMs],
      ),
    );
    return reply === 1;
  }

  async release(
    lease: PollLease,
    nextDueMs: number | undefined,
    hostSlot?: HostSlot,
  ): Promise<void> {
    const { sourceId, token } = lease;
    await this.#call("release a lease", () =>
      RELEASE.run(
        this.#client,
        [
          this.#keys.due(),
          this.#keys.lease(sourceId),
          this.#keys.fence(sourceId),
          this.#keys.host(hostSlot?.host ?? ""),
        ],
        [
          sourceId,
          token,
          nextDueMs === undefined ? "" : Math.round(nextDueMs),
          hostSlot?.holder ?? "",
        ],
      ),
    );
  }

  overdue(nowMs: number): Promise<string[]> {
    return this.#call("read due times", () =>
      this.#client.zrange(this.#keys.due(), "-inf", String(nowMs), "BYSCORE"),
    );
  }

  async dueTimes(sourceIds: readonly string[]): Promise<Map<string, number>> {
    const times = new Map<string, number>();
    if (sourceIds.length === 0) return times;
    const scores = await this.#call("read due times", () =>
      this.#client.zmscore(this.#keys.due(), ...sourceIds),
    );
    sourceIds.forEach((id, i) => {
      const score = scores[i];
      if (score !== null && score !== undefined) times.set(id, Number(score));
    });
    return times;
  }

  async acquireHost(
    host: string,
    holder: string,
    limit: number,
    nowMs: number,
    ttlMs: number,
  ): Promise<boolean> {
    const reply = await this.#call("take a host slot", () =>
      ACQUIRE_HOST.run(this.#client, [this.#keys.host(host)], [holder, limit, nowMs, ttlMs]),
    );
    return reply === 1;
  }

  async releaseHost(host: string, holder: string): Promise<void> {
    await this.#call("free a host slot", () => this.#client.zrem(this.#keys.host(host), holder));
  }
}
