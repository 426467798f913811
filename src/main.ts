#!/usr/bin/env node
// Entry point of the `tributary` command. The only module that reads process.env and argv.
import { createRequire } from "node:module";
import { parseArgs, USAGE, UsageError } from "./cli/args.js";
import { checkConfig, EXIT_CONFIG, loadConfigOrReport } from "./cli/check-config.js";
import { checkSourceCommand } from "./cli/check-source.js";
import { importOpmlCommand } from "./cli/import-opml.js";
import { pollCommand, remotePollCommand } from "./cli/poll.js";
import { pruneCommand } from "./cli/prune.js";
import { rulesCommand } from "./cli/rules.js";
import { roleProblem, serveCommand } from "./cli/serve.js";
import { sourcesCommand } from "./cli/sources.js";
import { ConfigError } from "./config/errors.js";
import { resolveConfigPath } from "./config/load.js";
import { demoConfig } from "./demo/config.js";
import { startDemoPartners } from "./demo/server.js";
import { createLogger } from "./log.js";

async function main(argv: string[]): Promise<number | undefined> {
  const command = parseArgs(argv);
  const env = process.env;
  switch (command.name) {
    case "help":
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case "version":
      process.stdout.write(`${createRequire(import.meta.url)("../package.json").version}\n`);
      return 0;
    case "check-config":
      return checkConfig(resolveConfigPath(command.configPath, env), env, process);
    case "import-opml":
      // Edits the file itself, so it reads the file without env overrides.
      return importOpmlCommand(resolveConfigPath(command.configPath, env), command, process);
    case "serve":
      if (command.demo) return serveDemo(env);
      break;
    case "poll":
      // The server polls with its own config: none is needed here.
      if (command.url !== undefined) {
        return remotePollCommand(
          {
            url: command.url,
            sources: command.sources,
            json: command.json,
            adminToken: env.ADMIN_TOKEN,
          },
          process,
        );
      }
      break;
    case "sources":
      // A running server has its own config: asking it needs no config file here.
      if (command.url !== undefined) {
        const options = { ...command, colour: useColour(process.stdout, env) };
        return sourcesCommand(undefined, options, createLogger("silent", { fd: 2 }), process);
      }
  }
  const configPath = resolveConfigPath(command.configPath, env);
  const config = await loadConfigOrReport(configPath, env, process.stderr);
  if (!config) return EXIT_CONFIG;
  // Commands whose stdout is their output log to stderr, warnings and worse only by default.
  const commandLogger = (level = "warn") => createLogger(env.LOG_LEVEL ?? level, { fd: 2 });
  switch (command.name) {
    case "poll": {
      const progress = process.stderr.isTTY ? process.stderr : undefined;
      // On a terminal the live progress line stands in for the per-source warnings, which the
      // result lines repeat anyway; LOG_LEVEL still brings them back.
      const logger = commandLogger(progress ? "error" : "warn");
      return pollCommand(config, { ...command, progress }, logger, process);
    }
    case "check-source":
      return checkSourceCommand(config, command, process.stdout);
    case "sources":
      return sourcesCommand(
        config,
        { ...command, colour: useColour(process.stdout, env) },
        commandLogger(),
        process,
      );
    case "prune":
      return pruneCommand(config, command, commandLogger(), process);
    case "rules":
      return rulesCommand(config, command, commandLogger(), process);
  }
  const problem = roleProblem(command.role, config);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    return EXIT_CONFIG;
  }
  await serveCommand(config, createLogger(config.logLevel), {
    configPath,
    env,
    role: command.role,
  });
  return undefined; // keeps running until a signal
}

/** ANSI colours only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
function useColour(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

/**
 * `serve --demo`: sample partners on a loopback port inside this process, and a config built
 * for them (the config file is not read, REDIS_URL is ignored), so a newcomer sees categories
 * fill within seconds without reaching any real partner.
 */
async function serveDemo(env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const partners = await startDemoPartners();
  let config: ReturnType<typeof demoConfig>;
  try {
    config = demoConfig(partners.origin, env);
  } catch (error) {
    await partners.close();
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) process.stderr.write(`${problem}\n`);
    return EXIT_CONFIG;
  }
  const logger = createLogger(config.logLevel);
  logger.info(
    { partners: partners.origin, sources: config.sources.length },
    "demo: serving bundled sample feeds (config file and REDIS_URL ignored)",
  );
  await serveCommand(config, logger);
  return undefined;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      process.exitCode = EXIT_CONFIG;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`tributary: ${message}\n`);
    process.exitCode = 1;
  },
);
