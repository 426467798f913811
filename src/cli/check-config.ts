import { ConfigError } from "../config/errors.js";
import { loadConfig } from "../config/load.js";
import type { Config } from "../config/types.js";
import { loadTemplates } from "../pages/templates.js";
import { counted } from "./plural.js";

export const EXIT_CONFIG = 2;

/**
 * Loads the config and parses the page templates it names, or prints one `path: message` line
 * per problem and returns undefined.
 */
export async function loadConfigOrReport(
  path: string,
  env: Record<string, string | undefined>,
  stderr: NodeJS.WritableStream,
): Promise<Config | undefined> {
  try {
    const config = await loadConfig(path, env);
    loadTemplates(config.pages);
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) stderr.write(`${problem}\n`);
    return undefined;
  }
}

export async function checkConfig(
  path: string,
  env: Record<string, string | undefined>,
  out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const config = await loadConfigOrReport(path, env, out.stderr);
  if (!config) return EXIT_CONFIG;
  const enabled = config.sources.filter((s) => s.enabled).length;
  const { overrides } = loadTemplates(config.pages);
  const templates = overrides === undefined ? "" : `; page templates from ${overrides}`;
  out.stdout.write(
    `${path}: ok (${counted(config.categories.length, "category", "categories")}, ${counted(config.sources.length, "source")}, ${enabled} enabled${templates})\n`,
  );
  return 0;
}
