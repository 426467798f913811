// YAML text → validated, defaulted `Config`, or one ConfigError listing every problem.
// Only main.ts reads process.env: these functions take the environment as an argument so
// tests (and check-config) decide exactly what they see.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { DEFAULTS } from "./defaults.js";
import { ConfigError, problemLine } from "./errors.js";
import {
  baseUrlSchema,
  type ConfigFile,
  configFileSchema,
  issueLines,
  MAX_PORT,
  referenceProblems,
} from "./schema.js";
import { resolveHeaders } from "./source-headers.js";
import type { Config, Env, PagesConfig } from "./types.js";

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
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return assemble(result.data, fromEnv.values, resolveReferences ? env : undefined, options.folder);
}

type Read<T> = { ok: true; value: T } | { ok: false; problems: string[] };

const TOP_LEVEL_KEYS = "service, polling, retention, feeds, pages, embed, categories, sources";

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
  redisUrl?: string;
  redisCommandTimeoutMs?: number;
  logLevel: string;
  adminToken?: string;
}

/** A Redis command waiting longer than a minute is a hung Redis by any measure. */
const MAX_COMMAND_TIMEOUT_MS = 60_000;

/** pino's levels; `silent` turns logging off. */
const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

/** A password in REDIS_URL must not end up in a terminal or a CI log. */
const redactCredentials = (url: string) => url.replace(/\/\/[^@/]*@/, "//***@");

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
    if (/^rediss?:\/\/./.test(redisUrl) && URL.canParse(redisUrl)) values.redisUrl = redisUrl;
    else {
      const message = "must be a redis:// or rediss:// URL";
      problems.push(problemLine("REDIS_URL", message, redactCredentials(redisUrl)));
    }
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
    categories: file.categories,
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
  if (env.redisUrl !== undefined) config.redisUrl = env.redisUrl;
  if (env.redisCommandTimeoutMs !== undefined) {
    config.redisCommandTimeoutMs = env.redisCommandTimeoutMs;
  }
  if (env.adminToken !== undefined) config.adminToken = env.adminToken;
  return config;
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
