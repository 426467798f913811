// YAML text → validated, defaulted `Config`, or one ConfigError listing every problem.
// Only main.ts reads process.env: these functions take the environment as an argument so
// tests (and check-config) decide exactly what they see.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { DEFAULTS } from "./defaults.js";
import { expandReferences, referencedVariables, variableValue } from "./env-references.js";
import { ConfigError, problemLine } from "./errors.js";
import {
  baseUrlSchema,
  type ConfigFile,
  configFileSchema,
  issueLines,
  MAX_PORT,
  parseRedisUrl,
  redactRedisUrl,
  redisUrlOf,
  referenceProblems,
} from "./schema.js";
import { resolveHeaders } from "./source-headers.js";
import type { Config, Env, PagesConfig, RedisTarget } from "./types.js";

export const DEFAULT_CONFIG_PATH = "config/tributary.yaml";

/** `--config PATH`, else `TRIBUTARY_CONFIG`, else the shipped file. */
export function resolveConfigPath(cliPath: string | undefined, env: Env): string {
  return cliPath || env.TRIBUTARY_CONFIG || DEFAULT_CONFIG_PATH;
}

export async function loadConfig(path: string, env: Env = {}): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError([`${path}: cannot read: ${(error as Error).message}`], { cause: error });
  }
  return parseConfig(text, env, path, { folder: dirname(resolve(path)) });
}

export interface ParseOptions {
  /**
   * Replace `${VAR}` references in source headers with values from `env` (default true).
   * False leaves them as written and does not require the variables: for a tool that edits
   * the file (import-opml) rather than one that runs it.
   */
  resolveReferences?: boolean;
  /**
   * The folder of the config file: `pages.templates` is relative to it, and `templates/` in
   * it is where operator templates are looked for by default. Without it, none are.
   */
  folder?: string;
}

export function parseConfig(
  yamlText: string,
  env: Env = {},
  fileLabel = "config",
  options: ParseOptions = {},
): Config {
  const resolveReferences = options.resolveReferences ?? true;
  // Env problems are reported alongside the file's, whatever state the file is in.
  const fromEnv = readEnv(env);
  const file = readYaml(yamlText, fileLabel);
  if (!file.ok) throw new ConfigError([...file.problems, ...fromEnv.problems]);

  const result = configFileSchema.safeParse(file.value, { reportInput: true });
  const problems = [
    ...(result.success ? [] : issueLines(result.error.issues)),
    ...referenceProblems(file.value, env, { resolveReferences }),
    ...fromEnv.problems,
  ];
  // REDIS_URL replaces the file's section whole, so the section's references need not be set.
  const redis =
    result.success && fromEnv.values.redis === undefined
      ? redisOfFile(result.data.redis, resolveReferences ? env : undefined)
      : { problems: [] };
  problems.push(...redis.problems);
  // Hubs call back under service.baseUrl: the default (localhost) is never reachable by them.
  if (
    result.success &&
    result.data.websub.subscribe &&
    fromEnv.values.baseUrl === undefined &&
    result.data.service.baseUrl === undefined
  ) {
    problems.push(
      problemLine(
        "websub.subscribe",
        "needs service.baseUrl (or TRIBUTARY_BASE_URL): the public address partners' hubs call back",
      ),
    );
  }
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return assemble(
    result.data,
    fromEnv.values,
    resolveReferences ? env : undefined,
    options.folder,
    redis.target,
  );
}

type Read<T> = { ok: true; value: T } | { ok: false; problems: string[] };

const TOP_LEVEL_KEYS =
  "service, polling, retention, feeds, pages, embed, websub, categories, sources";

function readYaml(text: string, label: string): Read<Record<string, unknown>> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const { line, col } = lines.linePos(error.pos[0]);
        // yaml's own wording here points at its API, not at the file.
        const message =
          error.code === "MULTIPLE_DOCS"
            ? 'the file must hold one YAML document (found a second "---")'
            : error.message;
        return `${label}:${line}:${col}: YAML syntax error: ${message}`;
      }),
    };
  }
  let value: unknown;
  try {
    // The alias cap stops a "billion laughs" file from expanding without bound.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, problems: [`${label}: YAML error: ${(error as Error).message}`] };
  }
  if (value === null || value === undefined) {
    return {
      ok: false,
      problems: [`${label}: the file is empty; expected a mapping with keys ${TOP_LEVEL_KEYS}`],
    };
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    const message = `must be a mapping with keys ${TOP_LEVEL_KEYS}`;
    return { ok: false, problems: [problemLine(label, message, value)] };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

interface EnvValues {
  port?: number;
  host?: string;
  baseUrl?: string;
  redis?: RedisTarget;
  redisCommandTimeoutMs?: number;
  logLevel: string;
  adminToken?: string;
}

/** A Redis command waiting longer than a minute is a hung Redis by any measure. */
const MAX_COMMAND_TIMEOUT_MS = 60_000;

/** pino's levels; `silent` turns logging off. */
const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

/** Env variables override the file; an empty value counts as unset (as in many .env files). */
function readEnv(env: Env): { values: EnvValues; problems: string[] } {
  const problems: string[] = [];
  const get = (name: string) => {
    const value = env[name]?.trim();
    return value === "" ? undefined : value;
  };
  const values: EnvValues = { logLevel: DEFAULTS.logLevel };

  const port = get("PORT");
  if (port !== undefined) {
    const n = /^\d+$/.test(port) ? Number(port) : Number.NaN;
    // Unlike the file, the environment names the port a real deployment listens on: no 0.
    if (n >= 1 && n <= MAX_PORT) values.port = n;
    else {
      const message = `must be an integer between 1 and ${MAX_PORT}`;
      problems.push(problemLine("PORT", message, port));
    }
  }

  values.host = get("HOST");

  const baseUrl = get("TRIBUTARY_BASE_URL");
  if (baseUrl !== undefined) {
    const parsed = baseUrlSchema.safeParse(baseUrl);
    if (parsed.success) values.baseUrl = parsed.data;
    else {
      const message = parsed.error.issues[0]?.message ?? "must be an http(s) URL";
      problems.push(problemLine("TRIBUTARY_BASE_URL", message, baseUrl));
    }
  }

  const redisUrl = get("REDIS_URL");
  if (redisUrl !== undefined) {
    const read = parseRedisUrl(redisUrl);
    // A password in REDIS_URL must not end up in a terminal or a CI log.
    if (read.ok) values.redis = read.target;
    else problems.push(problemLine("REDIS_URL", read.problem, redactRedisUrl(redisUrl)));
  }

  const commandTimeout = get("REDIS_COMMAND_TIMEOUT_MS");
  if (commandTimeout !== undefined) {
    const n = /^\d+$/.test(commandTimeout) ? Number(commandTimeout) : Number.NaN;
    if (n >= 1 && n <= MAX_COMMAND_TIMEOUT_MS) values.redisCommandTimeoutMs = n;
    else {
      const message = `must be a whole number of milliseconds between 1 and ${MAX_COMMAND_TIMEOUT_MS}`;
      problems.push(problemLine("REDIS_COMMAND_TIMEOUT_MS", message, commandTimeout));
    }
  }

  const logLevel = get("LOG_LEVEL")?.toLowerCase();
  if (logLevel !== undefined) {
    if (LOG_LEVELS.includes(logLevel)) values.logLevel = logLevel;
    else
      problems.push(problemLine("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}`, logLevel));
  }

  values.adminToken = get("ADMIN_TOKEN");
  return { values, problems };
}

/**
 * Env overrides win; then the defaults that depend on other values (see defaults.ts); then the
 * environment references of source headers (`references` undefined: kept as written).
 */
function assemble(
  file: ConfigFile,
  env: EnvValues,
  references: Env | undefined,
  folder: string | undefined,
  fileRedis: RedisTarget | undefined,
): Config {
  const port = env.port ?? file.service.port;
  const baseUrl = env.baseUrl ?? file.service.baseUrl ?? DEFAULTS.service.baseUrl(port);
  const config: Config = {
    service: { ...file.service, port, host: env.host ?? file.service.host, baseUrl },
    polling: {
      ...file.polling,
      userAgent: file.polling.userAgent ?? DEFAULTS.polling.userAgent(baseUrl),
    },
    retention: file.retention,
    feeds: file.feeds,
    pages: pagesOf(file.pages, folder),
    embed: file.embed,
    websub: file.websub,
    categories: file.categories,
    rules: file.rules,
    sources:
      references === undefined
        ? file.sources
        : file.sources.map((source) =>
            source.headers === undefined
              ? source
              : { ...source, headers: resolveHeaders(source.headers, references) },
          ),
    logLevel: env.logLevel,
  };
  // Absent rather than `undefined`, so the config prints and compares cleanly.
  const redis = env.redis ?? fileRedis;
  if (redis !== undefined) config.redisUrl = redisUrlOf(redis);
  if (env.redisCommandTimeoutMs !== undefined) {
    config.redisCommandTimeoutMs = env.redisCommandTimeoutMs;
  }
  if (env.adminToken !== undefined) config.adminToken = env.adminToken;
  return config;
}

/**
 * The file's `redis` section as a RedisTarget, its `${VAR}` references replaced from
 * `references` (undefined: kept as written, for tools that only edit the file). A URL made of
 * references is read only now, so its problems are reported here, at `redis.url`.
 */
function redisOfFile(
  section: ConfigFile["redis"],
  references: Env | undefined,
): { target?: RedisTarget; problems: string[] } {
  const problems: string[] = [];
  const value = (field: keyof typeof section): string | undefined => {
    const written = section[field];
    if (typeof written !== "string") return undefined;
    if (references === undefined) return written;
    const unset = referencedVariables(written).filter(
      (v) => variableValue(references, v) === undefined,
    );
    for (const variable of unset) {
      problems.push(
        `redis.${field}: references \${${variable}}, which is not set in the environment`,
      );
    }
    return unset.length > 0 ? undefined : expandReferences(written, references);
  };
  const credentials = (): { username?: string; password?: string } => {
    const username = value("username");
    const password = value("password");
    return {
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
    };
  };
  let target: RedisTarget | undefined;
  if (section.url !== undefined) {
    const url = value("url");
    // Unreplaced references cannot be read as a URL; the schema has checked their syntax.
    const readable = references !== undefined || referencedVariables(section.url).length === 0;
    if (url !== undefined && readable) {
      const read = parseRedisUrl(url);
      if (read.ok) target = read.target;
      // The expanded value may hold a secret: only the URL as written is shown.
      else problems.push(problemLine("redis.url", read.problem, redactRedisUrl(section.url)));
    }
  } else if (section.sentinels !== undefined && section.name !== undefined) {
    const sentinelPassword = value("sentinelPassword");
    target = {
      kind: "sentinel",
      sentinels: section.sentinels,
      name: section.name,
      ...credentials(),
      ...(sentinelPassword === undefined ? {} : { sentinelPassword }),
    };
  } else if (section.cluster !== undefined) {
    target = { kind: "cluster", nodes: section.cluster, ...credentials() };
  }
  return problems.length > 0 ? { problems } : { target, problems };
}

/** `pages.templates` resolved against the config file's folder (see PagesConfig). */
function pagesOf(pages: ConfigFile["pages"], folder: string | undefined): PagesConfig {
  const { templates, ...rest } = pages;
  const written = templates !== undefined;
  const templatesDir =
    folder === undefined
      ? templates === undefined
        ? undefined
        : resolve(templates)
      : resolve(folder, templates ?? DEFAULTS.pages.templatesFolder);
  const result: PagesConfig = { ...rest, templatesRequired: written };
  if (templatesDir !== undefined) result.templatesDir = templatesDir;
  return result;
}
