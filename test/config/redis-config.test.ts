// The `redis` section (one server, a Sentinel set or a Cluster) and the redis+sentinel:// and
// redis+cluster:// forms of REDIS_URL: what each becomes in `redisUrl`, that REDIS_URL wins,
// and that every mistake is one line naming its field, with no secret in it.
import test from "ava";
import { MALFORMED_REFERENCE } from "../../src/config/env-references.js";
import { ConfigError } from "../../src/config/errors.js";
import { parseConfig } from "../../src/config/load.js";
import { parseRedisUrl, redisUrlOf } from "../../src/config/schema.js";
import type { RedisTarget } from "../../src/config/types.js";

const rest = `
categories:
  - { id: migration, title: Migration }
sources:
  - { id: mpi, title: MPI, url: "https://www.migrationpolicy.org/rss.xml", categories: [migration] }
`;

const withRedis = (section: string) => `redis:\n${section}\n${rest}`;

const problemsOf = (t: import("ava").ExecutionContext, yaml: string, env = {}): string[] =>
  t.throws(() => parseConfig(yaml, env), { instanceOf: ConfigError })?.problems ?? [];

const targetOf = (yaml: string, env = {}): RedisTarget | undefined => {
  const url = parseConfig(yaml, env).redisUrl;
  if (url === undefined) return undefined;
  const read = parseRedisUrl(url);
  if (!read.ok) throw new Error(read.problem);
  return read.target;
};

test("no redis section and no REDIS_URL: the memory store", (t) => {
  t.false("redisUrl" in parseConfig(rest));
  // An empty section (every line commented out) is the same.
  t.false("redisUrl" in parseConfig(withRedis("")));
});

test("redis.url names one server", (t) => {
  t.deepEqual(targetOf(withRedis("  url: redis://cache:6379/1")), {
    kind: "server",
    url: "redis://cache:6379/1",
  });
});

test("redis.sentinels and redis.name name a master found through Sentinel; ports default to 26379", (t) => {
  const yaml = withRedis(`  sentinels:
    - { host: sentinel-1, port: 26380 }
    - { host: sentinel-2 }
  name: tributary`);
  t.is(parseConfig(yaml).redisUrl, "redis+sentinel://sentinel-1:26380,sentinel-2:26379/tributary");
  t.deepEqual(targetOf(yaml), {
    kind: "sentinel",
    sentinels: [
      { host: "sentinel-1", port: 26380 },
      { host: "sentinel-2", port: 26379 },
    ],
    name: "tributary",
  });
});

test("redis.cluster names startup nodes; ports default to 6379", (t) => {
  const yaml = withRedis(`  cluster:
    - { host: 10.0.0.1, port: 7000 }
    - { host: "::1" }`);
  t.deepEqual(targetOf(yaml), {
    kind: "cluster",
    nodes: [
      { host: "10.0.0.1", port: 7000 },
      { host: "::1", port: 6379 },
    ],
  });
});

test(`passwords come from \${ENV} references and survive the URL form, whatever their characters`, (t) => {
  const yaml = withRedis(`  sentinels: [{ host: s1, port: 26379 }]
  name: main
  username: \${REDIS_USER}
  password: \${REDIS_PASSWORD}
  sentinelPassword: "\${SENTINEL_PASSWORD}"`);
  const env = {
    REDIS_USER: "app",
    REDIS_PASSWORD: "p@ss:w/o,rd%20?#&",
    SENTINEL_PASSWORD: "s&=secret",
  };
  t.deepEqual(targetOf(yaml, env), {
    kind: "sentinel",
    sentinels: [{ host: "s1", port: 26379 }],
    name: "main",
    username: "app",
    password: "p@ss:w/o,rd%20?#&",
    sentinelPassword: "s&=secret",
  });
  const cluster = withRedis(`  cluster: [{ host: n1, port: 7000 }]
  password: \${REDIS_PASSWORD}`);
  t.deepEqual(targetOf(cluster, env), {
    kind: "cluster",
    nodes: [{ host: "n1", port: 7000 }],
    password: "p@ss:w/o,rd%20?#&",
  });
});

test("an unset reference is named, and its value is never needed when REDIS_URL wins", (t) => {
  const yaml = withRedis(`  cluster: [{ host: n1, port: 7000 }]
  password: \${REDIS_PASSWORD}`);
  t.deepEqual(problemsOf(t, yaml), [
    `redis.password: references \${REDIS_PASSWORD}, which is not set in the environment`,
  ]);
  t.deepEqual(targetOf(yaml, { REDIS_URL: "redis://other:6379" }), {
    kind: "server",
    url: "redis://other:6379",
  });
});

test("a redis.url made of references is read once they are replaced, and its problems named", (t) => {
  const yaml = withRedis(`  url: "\${REDIS_SCHEME}://:\${REDIS_PASSWORD}@cache/mymaster"`);
  t.deepEqual(targetOf(yaml, { REDIS_SCHEME: "redis+sentinel", REDIS_PASSWORD: "pw" }), {
    kind: "sentinel",
    sentinels: [{ host: "cache", port: 26379 }],
    name: "mymaster",
    password: "pw",
  });
  const problems = problemsOf(t, yaml, { REDIS_SCHEME: "http", REDIS_PASSWORD: "hunter2" });
  t.is(problems.length, 1);
  t.regex(problems[0] ?? "", /^redis\.url: must be a redis:\/\/ or rediss:\/\/ URL/);
  t.false(problems.join("\n").includes("hunter2"));
});

test("REDIS_URL wins over the file's section", (t) => {
  const yaml = withRedis("  cluster: [{ host: n1, port: 7000 }]");
  t.is(
    parseConfig(yaml, { REDIS_URL: "redis+sentinel://s1,s2:26380/main" }).redisUrl,
    "redis+sentinel://s1:26379,s2:26380/main",
  );
});

test("REDIS_URL in the sentinel and cluster forms", (t) => {
  t.deepEqual(
    targetOf(rest, {
      REDIS_URL: "redis+sentinel://:pw@s1:26379,[::1]:26380/main?sentinelPassword=sp",
    }),
    {
      kind: "sentinel",
      sentinels: [
        { host: "s1", port: 26379 },
        { host: "::1", port: 26380 },
      ],
      name: "main",
      password: "pw",
      sentinelPassword: "sp",
    },
  );
  t.deepEqual(targetOf(rest, { REDIS_URL: "redis+cluster://app:pw@n1:7000,n2:7001" }), {
    kind: "cluster",
    nodes: [
      { host: "n1", port: 7000 },
      { host: "n2", port: 7001 },
    ],
    username: "app",
    password: "pw",
  });
});

test("a malformed REDIS_URL is one line naming the form it breaks, without its password", (t) => {
  const cases: [string, string][] = [
    [
      "http://user:hunter2@cache:6379",
      'REDIS_URL: must be a redis:// or rediss:// URL, redis+sentinel://host:port[,host:port…]/name or redis+cluster://host:port[,host:port…], got "http://***@cache:6379"',
    ],
    [
      "redis+sentinel://:hunter2@s1:26379",
      'REDIS_URL: must name the master the sentinels monitor as its path: redis+sentinel://host:26379/mymaster, got "redis+sentinel://***@s1:26379"',
    ],
    [
      "redis+sentinel://s1:99999/main",
      'REDIS_URL: lists a sentinel that is not host[:port]: "s1:99999", got "redis+sentinel://s1:99999/main"',
    ],
    [
      "redis+sentinel://s1,,s2/main",
      'REDIS_URL: lists a sentinel that is not host[:port]: "", got "redis+sentinel://s1,,s2/main"',
    ],
    [
      "redis+cluster://n1:7000/2",
      'REDIS_URL: must have no path: a cluster has only database 0, got "redis+cluster://n1:7000/2"',
    ],
    [
      "redis+cluster://:%zz@n1:7000",
      'REDIS_URL: has a malformed %-escape in its user name or password, got "redis+cluster://***@n1:7000"',
    ],
    [
      "redis+cluster://n1:7000?tls=1",
      'REDIS_URL: has an unknown parameter "tls" (a cluster URL takes none), got "redis+cluster://n1:7000?tls=1"',
    ],
    [
      "redis+sentinel://s1/main?sentinelPassword=hunter2&x=1",
      'REDIS_URL: has an unknown parameter "x" (only sentinelPassword), got "redis+sentinel://s1/main?sentinelPassword=***&x=1"',
    ],
  ];
  for (const [url, line] of cases) {
    t.deepEqual(problemsOf(t, rest, { REDIS_URL: url }), [line], url);
  }
});

test("url, sentinels and cluster exclude one another", (t) => {
  const problems = problemsOf(
    t,
    withRedis(`  url: redis://cache:6379
  sentinels: [{ host: s1 }]
  name: main
  cluster: [{ host: n1 }]`),
  );
  t.deepEqual(problems, [
    "redis.sentinels: cannot be given with redis.url: give one of redis.url, redis.sentinels or redis.cluster",
    "redis.cluster: cannot be given with redis.url: give one of redis.url, redis.sentinels or redis.cluster",
    "redis.name: is only used with redis.sentinels",
  ]);
});

test("each field of the section that is missing, misplaced or of the wrong type is named", (t) => {
  const cases: [string, string[]][] = [
    [
      "  sentinels: [{ host: s1 }]",
      ["redis.name: is required with redis.sentinels: the master's name the sentinels monitor"],
    ],
    ["  name: main", ["redis.name: is only used with redis.sentinels"]],
    [
      "  cluster: [{ host: n1 }]\n  sentinelPassword: x",
      ["redis.sentinelPassword: is only used with redis.sentinels"],
    ],
    [
      "  url: redis://cache\n  password: hunter2",
      [
        `redis.password: cannot be given with redis.url: put the credentials in the URL (\${VAR} references work there)`,
      ],
    ],
    ["  password: hunter2", ["redis.password: is only used with redis.sentinels or redis.cluster"]],
    ["  cluster: []", ["redis.cluster: must list at least one node, got []"]],
    [
      "  cluster: [{ host: n1, port: 0 }]",
      ["redis.cluster[0].port: must be an integer between 1 and 65535, got 0"],
    ],
    [
      "  cluster: [{ host: 'n 1' }]",
      ['redis.cluster[0].host: must be a host name or IP address, got "n 1"'],
    ],
    ["  cluster: [{ port: 7000 }]", ["redis.cluster[0].host: is required"]],
    ["  cluster: [{ host: n1, tls: true }]", ["redis.cluster[0].tls: unknown key"]],
    [
      "  sentinels: s1:26379\n  name: main",
      ['redis.sentinels: must be a list of sentinels ({ host, port }), got "s1:26379"'],
    ],
    ["  db: 2", ["redis.db: unknown key"]],
    [
      "  url: redis+cluster://n1/0",
      ['redis.url: must have no path: a cluster has only database 0, got "redis+cluster://n1/0"'],
    ],
    [
      `  cluster: [{ host: n1 }]\n  password: \${BROKEN`,
      [`redis.password: ${MALFORMED_REFERENCE}`],
    ],
  ];
  for (const [section, problems] of cases) {
    t.deepEqual(problemsOf(t, withRedis(section)), problems, section);
  }
});

test("a password given in the file is never shown in a problem", (t) => {
  const problems = problemsOf(t, withRedis("  url: 'redis://:hunter2@cache'\n  password: hunter2"));
  t.is(problems.length, 1);
  t.false(problems[0]?.includes("hunter2"));
  const url = problemsOf(t, withRedis("  url: 'redis+sentinel://:hunter2@s1'"));
  t.deepEqual(url, [
    'redis.url: must name the master the sentinels monitor as its path: redis+sentinel://host:26379/mymaster, got "redis+sentinel://***@s1"',
  ]);
});

test("redisUrlOf and parseRedisUrl are inverses", (t) => {
  const targets: RedisTarget[] = [
    { kind: "server", url: "rediss://:pw@cache:6380/3" },
    {
      kind: "sentinel",
      sentinels: [
        { host: "s1", port: 26379 },
        { host: "fe80::1", port: 26380 },
      ],
      name: "my master/1",
      username: "ü:ser",
      password: "a,b@c",
      sentinelPassword: "#&?",
    },
    { kind: "cluster", nodes: [{ host: "n1", port: 7000 }], password: ":" },
  ];
  for (const target of targets) {
    t.deepEqual(parseRedisUrl(redisUrlOf(target)), { ok: true, target });
  }
});
