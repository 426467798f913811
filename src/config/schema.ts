// The shape of config/tributary.yaml. Every object is strict (a misspelt key is an error, not
// a silently ignored setting) and every message is written for the operator reading
// `tributary check-config`: the path and the offending value are added by `issueLines`.
// Checks that span the whole file (duplicate ids, unknown categories) are in
// `referenceProblems`, because zod skips an array's refinements as soon as one element is
// invalid, and the operator should see every problem at once.

import { z } from "zod";
import { ALL, UNCATEGORISED } from "../model/category.js";
import { redactUrl } from "../model/public-url.js";
import { isValidCron } from "../schedule/cron-expression.js";
import { DEFAULTS } from "./defaults.js";
import { isWellFormed, MALFORMED_REFERENCE, referencedVariables } from "./env-references.js";
import { formatPath, problemLine, showValue } from "./errors.js";
import { headerProblems, headersSchema } from "./source-headers.js";
import type { Env, RedisAddress, RedisTarget } from "./types.js";

/** Ids appear in URLs (`/feeds/<category>.rss`, `?source=`) and Redis keys. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
/** zod's message for a wrong type; a missing key reaches it with no input at all. */
const expected =
  (what: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? "is required" : `must be ${what}`;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

function isCron(value: string): boolean {
  try {
    return isValidCron(value);
  } catch {
    return false;
  }
}

// Checked before trimming, so the message shows the blank value the operator wrote.
const text = () =>
  z
    .string({ error: expected("a non-empty string") })
    .refine((value) => value.trim() !== "", { error: "must be a non-empty string" })
    .transform((value) => value.trim());

const integer = (min: number, max?: number) => {
  const what =
    max !== undefined
      ? `an integer between ${min} and ${max}`
      : min === 0
        ? "a non-negative integer"
        : min === 1
          ? "a positive integer"
          : `an integer of at least ${min}`;
  const schema = z.int({ error: expected(what) }).min(min, { error: `must be ${what}` });
  return max === undefined ? schema : schema.max(max, { error: `must be ${what}` });
};

export const MAX_PORT = 65535;
// 0 (any free port) is allowed in the file for tests that start many services; set
// service.baseUrl too then, since the default one would name port 0.
const port = integer(0, MAX_PORT);

const httpUrl = z
  .string({ error: expected("an http(s) URL") })
  .trim()
  .refine(isHttpUrl, { error: "must be an http(s) URL" });

/** Self links are built as `${baseUrl}/feeds/…`, so no trailing slash, query or fragment. */
export const baseUrlSchema = httpUrl
  .refine((value) => !/[?#]/.test(value), { error: "must not have a query or fragment" })
  .transform((value) => value.replace(/\/+$/, ""));

/** Published instead of the source's `url`, so it must not carry credentials itself. */
const publicUrl = httpUrl.refine(
  (value) => {
    // zod runs this refinement even when the one before failed: a non-URL is reported there.
    if (!URL.canParse(value)) return true;
    const parsed = new URL(value);
    return parsed.username === "" && parsed.password === "";
  },
  { error: "must not contain a user:password (it is published)" },
);

const cron = z
  .string({ error: expected("a cron expression") })
  .trim()
  .refine(isCron, {
    error:
      "invalid cron expression (5 or 6 fields: [second] minute hour day-of-month month day-of-week)",
  });

const id = z
  .string({ error: expected("an id") })
  .regex(ID_PATTERN, { error: `must match ${ID_PATTERN.source} (lowercase letters, digits, -)` });

const flag = z.boolean({ error: expected("true or false") });

/**
 * A section may be left out, or left empty in YAML (`polling:` with every line commented
 * out reads as null): either way every field takes its default.
 */
const section = <T extends z.ZodType>(schema: T) => z.preprocess((value) => value ?? {}, schema);

const mapping = { error: expected("a mapping") };

function isLanguageTag(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

const languageTag = z
  .string({ error: expected("a language tag") })
  .trim()
  .refine(isLanguageTag, { error: "must be a BCP 47 language tag such as en, fr or ar" });

/**
 * A `frame-ancestors` source: `*`, `'self'`, or an origin (scheme://host[:port], the host
 * may start with `*.`) — no path, since the browser compares origins of the framing pages.
 */
const FRAME_ANCESTOR = /^(?:\*|'self'|https?:\/\/(?:\*\.)?[a-z0-9.-]+(?::\d{1,5})?)$/i;

const frameAncestor = z
  .string({ error: expected("an origin") })
  .trim()
  .refine((value) => FRAME_ANCESTOR.test(value), {
    error: "must be *, 'self' or an origin such as https://partner.example (no path)",
  });

const service = z.strictObject(
  {
    title: text().default(DEFAULTS.service.title),
    language: languageTag.default(DEFAULTS.service.language),
    // Defaults to http://localhost:<port> once env overrides have settled the port.
    baseUrl: baseUrlSchema.optional(),
    port: port.default(DEFAULTS.service.port),
    host: text().default(DEFAULTS.service.host),
  },
  mapping,
);

const polling = z.strictObject(
  {
    schedule: cron.default(DEFAULTS.polling.schedule),
    concurrency: integer(1).default(DEFAULTS.polling.concurrency),
    timeoutMs: integer(1).default(DEFAULTS.polling.timeoutMs),
    maxBytes: integer(1).default(DEFAULTS.polling.maxBytes),
    // 0 is meaningful: never follow a redirect.
    maxRedirects: integer(0).default(DEFAULTS.polling.maxRedirects),
    // Defaults to one naming service.baseUrl, once that is known.
    userAgent: text().optional(),
    allowPrivateNetworks: flag.default(DEFAULTS.polling.allowPrivateNetworks),
    parseTimeoutMs: integer(1).default(DEFAULTS.polling.parseTimeoutMs),
    // Fractions are fine (1.5 intervals); below 1 every source would be stale between polls.
    staleAfterMultiple: z
      .number({ error: expected("a number of at least 1") })
      .min(1, { error: "must be a number of at least 1" })
      .default(DEFAULTS.polling.staleAfterMultiple),
    // 0 is meaningful: partners' hints never delay a poll (Retry-After included).
    maxHintSeconds: integer(0).default(DEFAULTS.polling.maxHintSeconds),
    perHostConcurrency: integer(1).default(DEFAULTS.polling.perHostConcurrency),
    leaseSeconds: integer(1).default(DEFAULTS.polling.leaseSeconds),
    adaptive: flag.default(DEFAULTS.polling.adaptive),
  },
  mapping,
);

const retention = z.strictObject(
  {
    maxEntriesPerSource: integer(1).default(DEFAULTS.retention.maxEntriesPerSource),
    maxAgeDays: integer(1).default(DEFAULTS.retention.maxAgeDays),
  },
  mapping,
);

const feeds = z
  .strictObject(
    {
      defaultLimit: integer(1).default(DEFAULTS.feeds.defaultLimit),
      maxLimit: integer(1).default(DEFAULTS.feeds.maxLimit),
      // 0 is meaningful: `max-age=0`, readers revalidate every time.
      maxAge: integer(0).default(DEFAULTS.feeds.maxAge),
    },
    mapping,
  )
  .check((ctx) => {
    const { defaultLimit, maxLimit } = ctx.value;
    if (maxLimit >= defaultLimit) return;
    ctx.issues.push({
      code: "custom",
      path: ["maxLimit"],
      message: `must be at least feeds.defaultLimit (${defaultLimit})`,
      input: maxLimit,
    });
  });

const pages = z.strictObject(
  {
    // A folder of templates overriding the built-in ones, relative to the config file.
    templates: text().optional(),
    perPage: integer(1, 100).default(DEFAULTS.pages.perPage),
    maxAge: integer(0).default(DEFAULTS.pages.maxAge),
    summaryLength: integer(40, 2000).default(DEFAULTS.pages.summaryLength),
  },
  mapping,
);

const embed = z.strictObject(
  {
    allowedOrigins: z
      .array(frameAncestor, { error: expected("a list of origins") })
      .min(1, { error: "must list at least one origin (* allows every site)" })
      .default([...DEFAULTS.embed.allowedOrigins]),
  },
  mapping,
);

const websub = z.strictObject(
  {
    hubs: z
      .array(httpUrl, { error: expected("a list of hub URLs") })
      .default([...DEFAULTS.websub.hubs]),
    publishDelayMs: integer(0, 60_000).default(DEFAULTS.websub.publishDelayMs),
    subscribe: flag.default(DEFAULTS.websub.subscribe),
    // Hubs commonly grant between an hour and a few weeks; a shorter lease is mostly renewals.
    leaseSeconds: integer(300).default(DEFAULTS.websub.leaseSeconds),
    safetyPollSeconds: integer(60).default(DEFAULTS.websub.safetyPollSeconds),
  },
  mapping,
);

const category = z.strictObject(
  {
    id: id
      .refine((value) => value !== ALL, { error: "is reserved for the feed of every category" })
      .refine((value) => value !== UNCATEGORISED, {
        error: "is reserved for the entries in no category",
      }),
    title: text(),
    description: z
      .string({ error: expected("a string") })
      .trim()
      .default(DEFAULTS.category.description),
  },
  mapping,
);

const ruleValues = (what: string) =>
  z
    .array(text(), { error: expected(`a list of ${what}`) })
    .min(1, { error: `must list at least one of ${what}` });

/** A rule's conditions: every one given must match, any value of each list. */
const ruleWhen = z
  .strictObject(
    {
      tags: ruleValues("tags").optional(),
      words: ruleValues("words or phrases").optional(),
      host: ruleValues("host names")
        .refine((hosts) => hosts.every((host) => /^[a-z0-9.-]+$/i.test(host)), {
          error: "must be host names such as reliefweb.int (no scheme or path)",
        })
        .optional(),
      path: ruleValues("paths")
        .refine((paths) => paths.every((path) => path.startsWith("/")), {
          error: "must be paths that start with /",
        })
        .optional(),
    },
    mapping,
  )
  .refine((when) => Object.values(when).some((value) => value !== undefined), {
    error: "must give at least one of tags, words, host, path",
  });

/** See CategoryRule in types.ts. */
const rule = z
  .strictObject(
    {
      when: ruleWhen,
      add: z
        .array(id, { error: expected("a list of category ids") })
        .min(1, { error: "must list at least one category" })
        .optional(),
      drop: z.literal(true, { error: "must be true (or left out)" }).optional(),
    },
    mapping,
  )
  .refine((r) => (r.add === undefined) !== (r.drop === undefined), {
    error: "must have either add or drop",
  });

const rules = z.array(rule, { error: expected("a list of rules") });

const source = z.strictObject(
  {
    id,
    title: text(),
    // A user:password in it is sent as Authorization: Basic, never published (model/public-url).
    url: httpUrl,
    // What feeds, the API, OPML and logs show instead of `url` (default: `url` redacted).
    publicUrl: publicUrl.optional(),
    homepage: httpUrl.optional(),
    // May be empty when rules categorise the entries (checked in referenceProblems).
    categories: z.array(id, { error: expected("a list of category ids") }),
    rules: rules.optional(),
    // Overrides polling.schedule for this source (a journal needs fewer polls than a wire).
    schedule: cron.optional(),
    enabled: flag.default(DEFAULTS.source.enabled),
    // Sent to the source's own origin only; values may reference ${ENV_VARS} (source-headers.ts).
    headers: headersSchema.optional(),
  },
  mapping,
);

// --- Redis: one server, a Sentinel set or a Cluster (see RedisTarget in types.ts) ---

const REDIS_URL_FORMS =
  "must be a redis:// or rediss:// URL, redis+sentinel://host:port[,host:port…]/name or redis+cluster://host:port[,host:port…]";

/** Host names (Compose service names may hold `_`), IPv4 and IPv6 addresses. */
const REDIS_HOST = /^[A-Za-z0-9._:-]+$/;

/** `user:password@` hidden, and a `sentinelPassword` query value: these URLs reach logs. */
export function redactRedisUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1***@")
    .replace(/([?&]sentinelPassword=)[^&#]*/i, "$1***");
}

type RedisUrlRead = { ok: true; target: RedisTarget } | { ok: false; problem: string };

/**
 * Reads a Redis URL in any of its forms. WHATWG URL cannot parse a list of hosts, so the
 * sentinel and cluster forms are taken apart here; the credentials are percent-decoded.
 */
export function parseRedisUrl(url: string): RedisUrlRead {
  const text = url.trim();
  if (/^rediss?:\/\/./i.test(text)) {
    return URL.canParse(text)
      ? { ok: true, target: { kind: "server", url: text } }
      : { ok: false, problem: REDIS_URL_FORMS };
  }
  const form =
    /^redis\+(sentinel|cluster):\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(
      text,
    );
  if (!form) return { ok: false, problem: REDIS_URL_FORMS };
  const [, scheme = "", userinfo, hostList = "", path = "", query = ""] = form;
  const sentinel = scheme.toLowerCase() === "sentinel";
  const defaultPort = sentinel ? DEFAULTS.redis.sentinelPort : DEFAULTS.redis.nodePort;
  const what = sentinel ? "sentinel" : "cluster node";
  const addresses: RedisAddress[] = [];
  for (const item of hostList.split(",")) {
    const address = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(item.trim());
    const host = address?.[1] ?? address?.[2];
    const port = address?.[3] === undefined ? defaultPort : Number(address[3]);
    if (!host || !REDIS_HOST.test(host) || port < 1 || port > MAX_PORT) {
      return {
        ok: false,
        problem: `lists a ${what} that is not host[:port]: ${showValue(item)}`,
      };
    }
    addresses.push({ host, port });
  }
  const credentials: { username?: string; password?: string } = {};
  if (userinfo !== undefined && userinfo !== "") {
    const colon = userinfo.indexOf(":");
    const username = decoded(colon < 0 ? userinfo : userinfo.slice(0, colon));
    const password = colon < 0 ? "" : decoded(userinfo.slice(colon + 1));
    if (username === undefined || password === undefined) {
      return { ok: false, problem: "has a malformed %-escape in its user name or password" };
    }
    // As in redis://: `user@` alone is a password-less user; `:secret@` the default user.
    if (username !== "") credentials.username = username;
    if (password !== "") credentials.password = password;
  }
  const parameters = new URLSearchParams(query);
  const unknown = [...parameters.keys()].find((key) => !(sentinel && key === "sentinelPassword"));
  if (unknown !== undefined) {
    return {
      ok: false,
      problem: sentinel
        ? `has an unknown parameter ${showValue(unknown)} (only sentinelPassword)`
        : `has an unknown parameter ${showValue(unknown)} (a cluster URL takes none)`,
    };
  }
  if (!sentinel) {
    if (path !== "" && path !== "/") {
      return { ok: false, problem: "must have no path: a cluster has only database 0" };
    }
    return { ok: true, target: { kind: "cluster", nodes: addresses, ...credentials } };
  }
  const rawName = path.replace(/^\/|\/$/g, "");
  const name = decoded(rawName);
  if (name === undefined) return { ok: false, problem: "has a malformed %-escape in its path" };
  if (name === "" || rawName.includes("/")) {
    return {
      ok: false,
      problem:
        "must name the master the sentinels monitor as its path: redis+sentinel://host:26379/mymaster",
    };
  }
  const sentinelPassword = parameters.get("sentinelPassword");
  return {
    ok: true,
    target: {
      kind: "sentinel",
      sentinels: addresses,
      name,
      ...credentials,
      ...(sentinelPassword ? { sentinelPassword } : {}),
    },
  };
}

/** A percent-decoded URL part; undefined when an escape is malformed (`%zz`). */
function decoded(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** RedisTarget in URL form: what `parseRedisUrl` reads back into the same target. */
export function redisUrlOf(target: RedisTarget): string {
  if (target.kind === "server") return target.url;
  const user = target.username === undefined ? "" : encodeURIComponent(target.username);
  const password = target.password === undefined ? "" : `:${encodeURIComponent(target.password)}`;
  const userinfo = user === "" && password === "" ? "" : `${user}${password}@`;
  const hosts = (addresses: RedisAddress[]) =>
    addresses
      .map(({ host, port }) => `${host.includes(":") ? `[${host}]` : host}:${port}`)
      .join(",");
  if (target.kind === "cluster") return `redis+cluster://${userinfo}${hosts(target.nodes)}`;
  const query =
    target.sentinelPassword === undefined
      ? ""
      : `?sentinelPassword=${encodeURIComponent(target.sentinelPassword)}`;
  return `redis+sentinel://${userinfo}${hosts(target.sentinels)}/${encodeURIComponent(target.name)}${query}`;
}

/** A value that may hold `${ENV}` references, replaced in load.ts. */
const referencing = (what: string) =>
  z
    .string({ error: expected(what) })
    .refine((value) => value.trim() !== "", { error: `must be ${what}` })
    .refine(isWellFormed, { error: MALFORMED_REFERENCE });

const redisAddress = (defaultPort: number) =>
  z.strictObject(
    {
      host: z
        .string({ error: expected("a host name or IP address") })
        .trim()
        .refine((value) => REDIS_HOST.test(value), {
          error: "must be a host name or IP address",
        }),
      port: port
        .refine((value) => value !== 0, { error: "must be an integer between 1 and 65535" })
        .default(defaultPort),
    },
    mapping,
  );

const redisAddresses = (what: string, defaultPort: number) =>
  z
    .array(redisAddress(defaultPort), { error: expected(`a list of ${what}s ({ host, port })`) })
    .min(1, { error: `must list at least one ${what}` });

/** Which of the three ways of naming a Redis a section uses. */
const REDIS_WAYS = ["url", "sentinels", "cluster"] as const;

const redis = z
  .strictObject(
    {
      // REDIS_URL, when set, wins over this whole section (load.ts).
      url: referencing("a Redis URL")
        .check((ctx) => {
          // A URL built from references is read once they are replaced (load.ts).
          if (referencedVariables(ctx.value).length > 0) return;
          const read = parseRedisUrl(ctx.value);
          if (!read.ok)
            ctx.issues.push({ code: "custom", message: read.problem, input: ctx.value });
        })
        .optional(),
      sentinels: redisAddresses("sentinel", DEFAULTS.redis.sentinelPort).optional(),
      name: text().optional(),
      cluster: redisAddresses("node", DEFAULTS.redis.nodePort).optional(),
      username: referencing("a user name").optional(),
      password: referencing("a password").optional(),
      sentinelPassword: referencing("a password").optional(),
    },
    mapping,
  )
  .check((ctx) => {
    const section = ctx.value;
    const problem = (field: string, message: string) =>
      ctx.issues.push({ code: "custom", path: [field], message, input: undefined });
    const given = REDIS_WAYS.filter((way) => section[way] !== undefined);
    for (const way of given.slice(1)) {
      problem(
        way,
        `cannot be given with redis.${given[0]}: give one of redis.url, redis.sentinels or redis.cluster`,
      );
    }
    const way = given[0];
    if (way === "sentinels" && section.name === undefined) {
      problem("name", "is required with redis.sentinels: the master's name the sentinels monitor");
    }
    if (way !== "sentinels") {
      for (const field of ["name", "sentinelPassword"] as const) {
        if (section[field] !== undefined) problem(field, "is only used with redis.sentinels");
      }
    }
    if (way === undefined || way === "url") {
      for (const field of ["username", "password"] as const) {
        if (section[field] === undefined) continue;
        problem(
          field,
          way === "url"
            ? // biome-ignore lint/suspicious/noTemplateCurlyInString: the message shows the config syntax.
              "cannot be given with redis.url: put the credentials in the URL (${VAR} references work there)"
            : "is only used with redis.sentinels or redis.cluster",
        );
      }
    }
  });

export const configFileSchema = z.strictObject(
  {
    service: section(service),
    polling: section(polling),
    retention: section(retention),
    feeds: section(feeds),
    pages: section(pages),
    embed: section(embed),
    websub: section(websub),
    redis: section(redis),
    categories: z.array(category, { error: expected("a list of categories") }),
    rules: rules.default([]),
    sources: z.array(source, { error: expected("a list of sources") }),
  },
  mapping,
);

/** The file after validation and defaults, before env overrides and derived defaults. */
export type ConfigFile = z.output<typeof configFileSchema>;

/** One line per zod issue; an unknown key is reported at its own path. */
export function issueLines(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`);
    }
    // A record key's own message (a bad header name) is nested; the key itself is the value.
    const message =
      issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    return [problemLine(formatPath(issue.path), message, shownInput(issue.path, issue.input))];
  });
}

/**
 * The offending value as it may be printed: check-config output and reload errors end up in
 * terminals and CI logs. A header value is never shown (it is usually the secret itself, and a
 * header name is the path already); a URL is shown without its credentials.
 */
function shownInput(path: readonly PropertyKey[], input: unknown): unknown {
  if (path[0] === "sources" && path[2] === "headers") return undefined;
  const field = path.at(-1);
  if (path[0] === "redis") {
    if (field === "url" && typeof input === "string") return redactRedisUrl(input);
    // A user name is half a credential, and a password a whole one.
    if (field === "username" || field === "password" || field === "sentinelPassword") {
      return undefined;
    }
  }
  if (
    (field === "url" || field === "publicUrl" || field === "homepage") &&
    typeof input === "string"
  ) {
    return redactUrl(input);
  }
  return input;
}

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * Duplicate ids, references to undeclared categories and the cross-field rules of source
 * headers (environment references among them, hence `env`), read from the raw file so they are
 * found even when other fields are invalid. Values of the wrong type are skipped here: the
 * schema already reports them.
 */
export function referenceProblems(
  file: Record<string, unknown>,
  env: Env = {},
  options: { resolveReferences: boolean } = { resolveReferences: true },
): string[] {
  const problems: string[] = [];
  const declared = new Set<string>();

  const checkIds = (listKey: "categories" | "sources", onId?: (id: string) => void) => {
    const firstAt = new Map<string, number>();
    asList(file[listKey]).forEach((item, i) => {
      const itemId = asRecord(item)?.id;
      if (typeof itemId !== "string") return;
      const first = firstAt.get(itemId);
      if (first === undefined) firstAt.set(itemId, i);
      else
        problems.push(
          `${listKey}[${i}].id: duplicate id ${showValue(itemId)} (first at ${listKey}[${first}])`,
        );
      onId?.(itemId);
    });
  };

  checkIds("categories", (categoryId) => declared.add(categoryId));
  checkIds("sources");

  const known = [...declared].join(", ") || "none declared";
  const checkRefs = (refs: unknown, path: string) =>
    asList(refs).forEach((ref, j) => {
      if (typeof ref === "string" && ref !== "" && !declared.has(ref)) {
        problems.push(`${path}[${j}]: unknown category ${showValue(ref)} (known: ${known})`);
      }
    });
  const ruleAdds = (list: unknown, path: string) => {
    for (const [k, r] of asList(list).entries()) checkRefs(asRecord(r)?.add, `${path}[${k}].add`);
  };
  ruleAdds(file.rules, "rules");
  const globalAdds = asList(file.rules).some((r) => asRecord(r)?.add !== undefined);
  asList(file.sources).forEach((item, i) => {
    const source = asRecord(item);
    if (source !== undefined) problems.push(...headerProblems(source, i, env, options));
    checkRefs(source?.categories, `sources[${i}].categories`);
    ruleAdds(source?.rules, `sources[${i}].rules`);
    // No default category is fine only where a rule can give one.
    const ownAdds = asList(source?.rules).some((r) => asRecord(r)?.add !== undefined);
    if (
      Array.isArray(source?.categories) &&
      source.categories.length === 0 &&
      !globalAdds &&
      !ownAdds
    ) {
      problems.push(
        `sources[${i}].categories: must list at least one category (or the source or the config needs rules that add categories)`,
      );
    }
  });
  return problems;
}
