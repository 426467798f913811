// parseConfig: defaults, env overrides and the exact `path: message` line of each problem.
// Every YAML document is written inline, next to the line it must produce.
import test, { type ExecutionContext } from "ava";
import { DEFAULTS } from "../../src/config/defaults.js";
import { ConfigError } from "../../src/config/errors.js";
import { parseConfig } from "../../src/config/load.js";
import type { Env } from "../../src/config/types.js";

/** A valid file; cases append to it or replace its parts. */
const CATEGORIES = `
categories:
  - { id: migration, title: Migration, description: Migration news }
  - { id: trafficking, title: Trafficking }
`;
const SOURCES = `
sources:
  - { id: mpi, title: MPI, url: "https://www.migrationpolicy.org/rss.xml", categories: [migration] }
`;
const minimal = (extra = "") => `${extra}\n${CATEGORIES}\n${SOURCES}`;

function problemsOf(t: ExecutionContext, yaml: string, env: Env = {}, label?: string): string[] {
  const error = t.throws(() => parseConfig(yaml, env, label), { instanceOf: ConfigError });
  return error?.problems ?? [];
}

test("a minimal file gets every default", (t) => {
  const config = parseConfig(minimal());
  t.deepEqual(config.service, {
    title: "Tributary",
    language: "en",
    baseUrl: "http://localhost:8080",
    port: 8080,
    host: "0.0.0.0",
  });
  t.deepEqual(config.polling, {
    schedule: "*/30 * * * *",
    concurrency: 8,
    timeoutMs: 20000,
    maxBytes: 15728640,
    maxRedirects: 5,
    userAgent: "Tributary/0.1 (+http://localhost:8080; feed aggregator)",
    allowPrivateNetworks: false,
    parseTimeoutMs: 10000,
    staleAfterMultiple: 3,
    maxHintSeconds: 86400,
    perHostConcurrency: 2,
    leaseSeconds: 30,
    adaptive: false,
  });
  t.deepEqual(config.retention, { maxEntriesPerSource: 500, maxAgeDays: 365 });
  t.deepEqual(config.feeds, { defaultLimit: 50, maxLimit: 200, maxAge: 300 });
  // Parsed from text, not a file: no folder to look for operator templates in.
  t.deepEqual(config.pages, {
    perPage: 20,
    maxAge: 60,
    summaryLength: 280,
    templatesRequired: false,
  });
  t.deepEqual(config.embed, { allowedOrigins: ["*"] });
  t.deepEqual(config.websub, {
    hubs: [],
    publishDelayMs: 2000,
    subscribe: false,
    leaseSeconds: 864000,
    safetyPollSeconds: 21600,
  });
  t.deepEqual(config.categories[1], { id: "trafficking", title: "Trafficking", description: "" });
  t.deepEqual(config.sources, [
    {
      id: "mpi",
      title: "MPI",
      url: "https://www.migrationpolicy.org/rss.xml",
      categories: ["migration"],
      enabled: true,
    },
  ]);
  t.is(config.logLevel, "info");
  t.false("redisUrl" in config);
  t.false("adminToken" in config);
});

test("sections left empty in YAML take their defaults", (t) => {
  const config = parseConfig(minimal("service:\npolling:\nretention:\nfeeds:\n"));
  t.is(config.polling.concurrency, DEFAULTS.polling.concurrency);
  t.is(config.feeds.maxLimit, DEFAULTS.feeds.maxLimit);
});

test("values from the file are kept; baseUrl loses its trailing slash and names the User-Agent", (t) => {
  const config = parseConfig(
    minimal(`
service: { title: Updates, baseUrl: "https://updates.example.org/tributary/", port: 9000 }
polling: { schedule: "0 * * * *", maxRedirects: 0, allowPrivateNetworks: true }
feeds: { maxAge: 0 }
`),
  );
  t.is(config.service.baseUrl, "https://updates.example.org/tributary");
  t.is(config.service.port, 9000);
  t.is(
    config.polling.userAgent,
    "Tributary/0.1 (+https://updates.example.org/tributary; feed aggregator)",
  );
  t.is(config.polling.schedule, "0 * * * *");
  t.is(config.polling.maxRedirects, 0);
  t.true(config.polling.allowPrivateNetworks);
  t.is(config.feeds.maxAge, 0);
});

test("a source keeps its homepage, schedule and enabled flag", (t) => {
  const config = parseConfig(`${CATEGORIES}
sources:
  - id: atr
    title: Anti-Trafficking Review
    url: https://antitraffickingreview.org/feed
    homepage: https://antitraffickingreview.org/
    categories: [trafficking, migration]
    schedule: "0 */6 * * *"
    enabled: false
`);
  t.deepEqual(config.sources[0], {
    id: "atr",
    title: "Anti-Trafficking Review",
    url: "https://antitraffickingreview.org/feed",
    homepage: "https://antitraffickingreview.org/",
    categories: ["trafficking", "migration"],
    schedule: "0 */6 * * *",
    enabled: false,
  });
});

// One case per kind of problem: the YAML and the exact line it must produce.
const cases: { name: string; yaml: string; line: string }[] = [
  {
    name: "a source url that is not http(s)",
    yaml: `${CATEGORIES}
sources:
  - { id: a, title: A, url: "https://a.org/feed", categories: [migration] }
  - { id: b, title: B, url: "https://b.org/feed", categories: [migration] }
  - { id: c, title: C, url: "ftp://x", categories: [migration] }
`,
    line: 'sources[2].url: must be an http(s) URL, got "ftp://x"',
  },
  {
    name: "a homepage that is not a URL",
    yaml: `${CATEGORIES}
sources:
  - { id: a, title: A, url: "https://a.org/feed", homepage: "a.org", categories: [migration] }
`,
    line: 'sources[0].homepage: must be an http(s) URL, got "a.org"',
  },
  {
    name: "an id with capitals",
    yaml: `${CATEGORIES}
sources:
  - { id: UNHCR, title: A, url: "https://a.org/feed", categories: [migration] }
`,
    line: 'sources[0].id: must match ^[a-z0-9][a-z0-9-]*$ (lowercase letters, digits, -), got "UNHCR"',
  },
  {
    name: "the reserved category id",
    yaml: `
categories:
  - { id: all, title: Everything }
${SOURCES}`.replace("[migration]", "[all]"),
    line: 'categories[0].id: is reserved for the feed of every category, got "all"',
  },
  {
    name: "a duplicate source id",
    yaml: `${CATEGORIES}
sources:
  - { id: a, title: A, url: "https://a.org/feed", categories: [migration] }
  - { id: unhcr, title: U, url: "https://u.org/feed", categories: [migration] }
  - { id: b, title: B, url: "https://b.org/feed", categories: [migration] }
  - { id: unhcr, title: U2, url: "https://u.org/feed2", categories: [migration] }
`,
    line: 'sources[3].id: duplicate id "unhcr" (first at sources[1])',
  },
  {
    name: "a duplicate category id",
    yaml: `
categories:
  - { id: migration, title: Migration }
  - { id: migration, title: Migration again }
${SOURCES}`,
    line: 'categories[1].id: duplicate id "migration" (first at categories[0])',
  },
  {
    name: "an unknown category",
    yaml: `${CATEGORIES}
sources:
  - { id: a, title: A, url: "https://a.org/feed", categories: [migration] }
  - { id: b, title: B, url: "https://b.org/feed", categories: [foo, migration] }
`,
    line: 'sources[1].categories[0]: unknown category "foo" (known: migration, trafficking)',
  },
  {
    name: "a source with no category",
    yaml: `${CATEGORIES}
sources:
  - { id: a, title: A, url: "https://a.org/feed", categories: [] }
`,
    line: "sources[0].categories: must list at least one category (or the source or the config needs rules that add categories)",
  },
  {
    name: "a rule adding an unknown category",
    yaml: minimal('rules: [{ when: { words: ["visa"] }, add: [visas] }]'),
    line: 'rules[0].add[0]: unknown category "visas" (known: migration, trafficking)',
  },
  {
    name: "a rule that both adds and drops",
    yaml: minimal("rules: [{ when: { tags: [jobs] }, add: [migration], drop: true }]"),
    line: 'rules[0]: must have either add or drop, got {"when":{"tags":["jobs"]},"add":["migration"],"drop":true}',
  },
  {
    name: "a rule without conditions",
    yaml: minimal("rules: [{ when: {}, drop: true }]"),
    line: "rules[0].when: must give at least one of tags, words, host, path, got {}",
  },
  {
    name: "a rule host with a scheme",
    yaml: minimal('rules: [{ when: { host: ["https://reliefweb.int"] }, add: [migration] }]'),
    line: 'rules[0].when.host: must be host names such as reliefweb.int (no scheme or path), got ["https://reliefweb.int"]',
  },
  {
    name: "a source rule adding an unknown category",
    yaml: `${CATEGORIES}
sources:
  - { id: a, title: A, url: "https://a.org/feed", categories: [], rules: [{ when: { words: [x] }, add: [nope] }] }
`,
    line: 'sources[0].rules[0].add[0]: unknown category "nope" (known: migration, trafficking)',
  },
  {
    name: "the reserved uncategorised id",
    yaml: `categories: [{ id: uncategorised, title: U }]\nsources: []`,
    line: 'categories[0].id: is reserved for the entries in no category, got "uncategorised"',
  },
  {
    name: "an invalid polling.schedule",
    yaml: minimal('polling: { schedule: "every 5 minutes" }'),
    line: 'polling.schedule: invalid cron expression (5 or 6 fields: [second] minute hour day-of-month month day-of-week), got "every 5 minutes"',
  },
  {
    name: "an invalid source schedule",
    yaml: `${CATEGORIES}
sources:
  - { id: a, title: A, url: "https://a.org/feed", categories: [migration], schedule: "61 * * * *" }
`,
    line: 'sources[0].schedule: invalid cron expression (5 or 6 fields: [second] minute hour day-of-month month day-of-week), got "61 * * * *"',
  },
  {
    name: "zero where a positive integer is needed",
    yaml: minimal("polling: { concurrency: 0 }"),
    line: "polling.concurrency: must be a positive integer, got 0",
  },
  {
    name: "a fraction",
    yaml: minimal("retention: { maxAgeDays: 1.5 }"),
    line: "retention.maxAgeDays: must be a positive integer, got 1.5",
  },
  {
    name: "a number written as a string",
    yaml: minimal('polling: { timeoutMs: "20000" }'),
    line: 'polling.timeoutMs: must be a positive integer, got "20000"',
  },
  {
    name: "a negative count where zero is allowed",
    yaml: minimal("polling: { maxRedirects: -1 }"),
    line: "polling.maxRedirects: must be a non-negative integer, got -1",
  },
  {
    name: "a port out of range",
    yaml: minimal("service: { port: 70000 }"),
    line: "service.port: must be an integer between 0 and 65535, got 70000",
  },
  {
    name: "maxLimit below the (default) defaultLimit",
    yaml: minimal("feeds: { maxLimit: 20 }"),
    line: "feeds.maxLimit: must be at least feeds.defaultLimit (50), got 20",
  },
  {
    name: "maxLimit left at its default below a larger defaultLimit",
    yaml: minimal("feeds: { defaultLimit: 300 }"),
    line: "feeds.maxLimit: must be at least feeds.defaultLimit (300), got 200",
  },
  {
    name: "a relative baseUrl",
    yaml: minimal('service: { baseUrl: "updates.example.org" }'),
    line: 'service.baseUrl: must be an http(s) URL, got "updates.example.org"',
  },
  {
    name: "a baseUrl with a query",
    yaml: minimal('service: { baseUrl: "https://example.org/?x=1" }'),
    line: 'service.baseUrl: must not have a query or fragment, got "https://example.org/?x=1"',
  },
  {
    name: "a boolean written as a string",
    yaml: minimal('polling: { allowPrivateNetworks: "no" }'),
    line: 'polling.allowPrivateNetworks: must be true or false, got "no"',
  },
  {
    name: "a missing title",
    yaml: `${CATEGORIES}
sources:
  - { id: a, url: "https://a.org/feed", categories: [migration] }
`,
    line: "sources[0].title: is required",
  },
  {
    name: "an empty title",
    yaml: minimal('service: { title: "  " }'),
    line: 'service.title: must be a non-empty string, got "  "',
  },
  {
    name: "a section that is not a mapping",
    yaml: minimal("polling: 5"),
    line: "polling: must be a mapping, got 5",
  },
  {
    name: "sources missing",
    yaml: CATEGORIES,
    line: "sources: is required",
  },
  {
    name: "an unknown top-level key",
    yaml: minimal("pollling: { concurrency: 2 }"),
    line: "pollling: unknown key",
  },
  {
    name: "an unknown nested key",
    yaml: minimal("polling: { timeout: 5000 }"),
    line: "polling.timeout: unknown key",
  },
  {
    name: "an unknown key in a source",
    yaml: `${CATEGORIES}
sources:
  - { id: a, title: A, url: "https://a.org/feed", categories: [migration], tags: [x] }
`,
    line: "sources[0].tags: unknown key",
  },
  {
    name: "a hub that is not a URL",
    yaml: minimal('websub: { hubs: ["https://hub.example/", "hub.example"] }'),
    line: 'websub.hubs[1]: must be an http(s) URL, got "hub.example"',
  },
  {
    name: "a WebSub lease too short to be worth asking for",
    yaml: minimal("websub: { leaseSeconds: 60 }"),
    line: "websub.leaseSeconds: must be an integer of at least 300, got 60",
  },
  {
    name: "subscribing without a public base URL",
    yaml: minimal("websub: { subscribe: true }"),
    line: "websub.subscribe: needs service.baseUrl (or TRIBUTARY_BASE_URL): the public address partners' hubs call back",
  },
];

for (const { name, yaml, line } of cases) {
  test(`reports ${name}`, (t) => {
    t.deepEqual(problemsOf(t, yaml), [line]);
  });
}

test("every problem in a file is reported at once, one line each", (t) => {
  const problems = problemsOf(
    t,
    `
polling: { timeout: 5, concurrency: 0 }
categories:
  - { id: migration, title: Migration }
sources:
  - { id: a, title: A, url: "https://a.org/feed", categories: [migration] }
  - { id: b, title: B, url: "ftp://x", categories: [foo] }
  - { id: a, title: A again, url: "https://a.org/other", categories: [migration] }
`,
  );
  t.deepEqual(problems, [
    "polling.concurrency: must be a positive integer, got 0",
    "polling.timeout: unknown key",
    'sources[1].url: must be an http(s) URL, got "ftp://x"',
    'sources[2].id: duplicate id "a" (first at sources[0])',
    'sources[1].categories[0]: unknown category "foo" (known: migration)',
  ]);
});

test("the error message is the problems joined by newlines", (t) => {
  const error = t.throws(() => parseConfig(minimal("polling: { concurrency: 0, maxBytes: 0 }")), {
    instanceOf: ConfigError,
  });
  t.is(error?.name, "ConfigError");
  t.is(error?.message, error?.problems.join("\n"));
  t.is(error?.problems.length, 2);
});

test("a long offending value is cut to about 80 characters", (t) => {
  const url = `ftp://example.org/${"x".repeat(200)}`;
  const [line] = problemsOf(
    t,
    `${CATEGORIES}
sources:
  - { id: a, title: A, url: "${url}", categories: [migration] }
`,
  );
  const shown = line?.split(", got ")[1] ?? "";
  t.is(shown.length, 80);
  t.true(shown.startsWith('"ftp://example.org/xxx'));
  t.true(shown.endsWith("…"));
});

test("a YAML syntax error names the file, line and column", (t) => {
  const problems = problemsOf(t, "categories: []\nsources: [1, 2\npolling: {}\n", {}, "my.yaml");
  t.is(problems.length, 1);
  t.regex(problems[0] ?? "", /^my\.yaml:3:1: YAML syntax error: /);
});

test("a duplicate YAML key is a syntax error at its position", (t) => {
  const problems = problemsOf(t, `${minimal()}\nsources: []\n`, {}, "dup.yaml");
  t.regex(problems[0] ?? "", /^dup\.yaml:\d+:1: YAML syntax error: Map keys must be unique/);
});

test("an empty file, or one of comments only, is reported as empty", (t) => {
  for (const yaml of ["", "# nothing here\n"]) {
    t.deepEqual(problemsOf(t, yaml, {}, "empty.yaml"), [
      "empty.yaml: the file is empty; expected a mapping with keys service, polling, retention, feeds, pages, embed, websub, categories, sources",
    ]);
  }
});

test("a file that is not a mapping is reported with its value", (t) => {
  t.deepEqual(problemsOf(t, "- a\n- b\n", {}, "list.yaml"), [
    'list.yaml: must be a mapping with keys service, polling, retention, feeds, pages, embed, websub, categories, sources, got ["a","b"]',
  ]);
});

test("env overrides the file", (t) => {
  const config = parseConfig(minimal("service: { port: 9000, host: 127.0.0.1 }"), {
    PORT: "3000",
    HOST: "::",
    REDIS_URL: "redis://redis.internal:6379/2",
    LOG_LEVEL: "DEBUG",
    ADMIN_TOKEN: "s3cret",
  });
  t.is(config.service.port, 3000);
  t.is(config.service.host, "::");
  t.is(config.service.baseUrl, "http://localhost:3000");
  t.is(config.redisUrl, "redis://redis.internal:6379/2");
  t.is(config.logLevel, "debug");
  t.is(config.adminToken, "s3cret");
});

test("TRIBUTARY_BASE_URL overrides service.baseUrl and the User-Agent follows it", (t) => {
  const config = parseConfig(minimal('service: { baseUrl: "https://a.example" }'), {
    TRIBUTARY_BASE_URL: "https://b.example/",
  });
  t.is(config.service.baseUrl, "https://b.example");
  t.is(config.polling.userAgent, "Tributary/0.1 (+https://b.example; feed aggregator)");
});

test("an empty env value counts as unset", (t) => {
  const config = parseConfig(minimal(), {
    PORT: "",
    REDIS_URL: "",
    ADMIN_TOKEN: "",
    LOG_LEVEL: "",
  });
  t.is(config.service.port, 8080);
  t.false("redisUrl" in config);
  t.false("adminToken" in config);
  t.is(config.logLevel, "info");
});

test("invalid env values are reported by variable name, with the file's problems", (t) => {
  t.deepEqual(
    problemsOf(t, minimal("polling: { concurrency: 0 }"), {
      PORT: "abc",
      REDIS_URL: "http://user:hunter2@cache:6379",
      LOG_LEVEL: "verbose",
      TRIBUTARY_BASE_URL: "example.org",
    }),
    [
      "polling.concurrency: must be a positive integer, got 0",
      'PORT: must be an integer between 1 and 65535, got "abc"',
      'TRIBUTARY_BASE_URL: must be an http(s) URL, got "example.org"',
      // The password never reaches a terminal or a CI log.
      'REDIS_URL: must be a redis:// or rediss:// URL, redis+sentinel://host:port[,host:port…]/name or redis+cluster://host:port[,host:port…], got "http://***@cache:6379"',
      'LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent, got "verbose"',
    ],
  );
});

test("PORT 0 is refused from the environment", (t) => {
  t.deepEqual(problemsOf(t, minimal(), { PORT: "0" }), [
    'PORT: must be an integer between 1 and 65535, got "0"',
  ]);
});

test("process.env is never read", (t) => {
  const saved = process.env.PORT;
  t.teardown(() => {
    if (saved === undefined) delete process.env.PORT;
    else process.env.PORT = saved;
  });
  process.env.PORT = "1234";
  t.is(parseConfig(minimal()).service.port, 8080);
});
