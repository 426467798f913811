#!/usr/bin/env node
// Entry point of the `tributary` command. The only module that reads process.env and argv.
import { createRequire } from "node:module";
import { parseArgs, USAGE, UsageError } from "./cli/args.js";
import { checkConfig, EXIT_CONFIG, loadConfigOrReport } from "./cli/check-config.js";
import { pollCommand } from "./cli/poll.js";
import { serveCommand } from "./cli/serve.js";
import { resolveConfigPath } from "./config/load.js";
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
  }
  const config = await loadConfigOrReport(
    resolveConfigPath(command.configPath, env),
    env,
    process.stderr,
  );
  if (!config) return EXIT_CONFIG;
  if (command.name === "poll") {
    // Logs go to stderr so stdout carries only the per-source lines (or JSON).
    const logger = createLogger(env.LOG_LEVEL ?? "warn", { fd: 2 });
    return pollCommand(config, command, logger, process.stdout);
  }
  await serveCommand(config, createLogger(config.logLevel));
  return undefined; // keeps running until a signal
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
