// Structured JSON logs (pino); human-readable through pino-pretty when run on a terminal
// and the (dev-only) pretty printer is installed.
import { createRequire } from "node:module";
import { type Logger, pino } from "pino";

export type { Logger };

export interface LoggerOptions {
  pretty?: boolean;
  /** 1 (stdout, default) or 2 (stderr, for commands whose stdout is their output). */
  fd?: 1 | 2;
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const fd = options.fd ?? 1;
  const stream = fd === 1 ? process.stdout : process.stderr;
  const pretty = options.pretty ?? (stream.isTTY === true && hasPrettyPrinter());
  const settings = {
    level,
    base: { service: "tributary" },
    // Never let a credential reach a log line.
    redact: ["req.headers.authorization", "adminToken", "redisUrl"],
  };
  if (pretty) {
    return pino({
      ...settings,
      transport: {
        target: "pino-pretty",
        options: { destination: fd, translateTime: "SYS:HH:MM:ss" },
      },
    });
  }
  return pino(settings, pino.destination({ fd, sync: fd === 2 }));
}

function hasPrettyPrinter(): boolean {
  try {
    createRequire(import.meta.url).resolve("pino-pretty");
    return true;
  } catch {
    return false;
  }
}
