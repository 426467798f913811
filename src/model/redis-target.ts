// One Redis deployment, as the config names it and the store connects to it (ioredis): one
// server, a master found through Sentinel, or a Cluster.

export interface RedisAddress {
  host: string;
  port: number;
}

/**
 * One Redis deployment, as ioredis connects to it. URL forms (REDIS_URL or `redis.url`):
 * `redis://` / `rediss://` (one server), `redis+sentinel://[user:password@]host:port,…/name`
 * (the master `name` found through those sentinels; `?sentinelPassword=` for the sentinels'
 * own password) and `redis+cluster://[user:password@]host:port,…` (startup nodes).
 */
export type RedisTarget =
  | { kind: "server"; url: string }
  | {
      kind: "sentinel";
      sentinels: RedisAddress[];
      /** The master's name, as in the sentinels' `sentinel monitor <name> …`. */
      name: string;
      username?: string;
      /** The master's and replicas' password (`requirepass`). */
      password?: string;
      /** The sentinels' own password, when they have one (`requirepass` in sentinel.conf). */
      sentinelPassword?: string;
    }
  | {
      kind: "cluster";
      /** Startup nodes: any reachable one tells the client the rest of the cluster. */
      nodes: RedisAddress[];
      username?: string;
      password?: string;
    };
