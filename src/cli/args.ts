// Command-line parsing for serve / poll / check-config. Pure: argv in, a typed command out.
export type Command =
  | { name: "serve"; configPath?: string }
  | { name: "poll"; configPath?: string; sources: string[]; json: boolean }
  | { name: "check-config"; configPath?: string }
  | { name: "help" }
  | { name: "version" };

export class UsageError extends Error {
  override name = "UsageError";
}

export const USAGE = `Usage:
  tributary serve [--config PATH]
  tributary poll [--config PATH] [--source ID ...] [--json]
  tributary check-config [PATH]

Options:
  --config PATH   configuration file (default: $TRIBUTARY_CONFIG or config/tributary.yaml)
  --source ID     poll only this source (repeatable)
  --json          print the poll outcomes as JSON
  -h, --help      show this help
  -v, --version   show the version`;

const FLAGS: Record<string, readonly string[]> = {
  serve: ["--config"],
  poll: ["--config", "--source", "--json"],
  "check-config": ["--config"],
};

export function parseArgs(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "-h" || name === "--help") {
    return { name: "help" };
  }
  if (name === "-v" || name === "--version" || name === "version") return { name: "version" };
  const allowed = FLAGS[name];
  if (!allowed)
    throw new UsageError(`unknown command "${name}" (expected serve, poll or check-config)`);

  let configPath: string | undefined;
  const sources: string[] = [];
  const positional: string[] = [];
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === "-h" || arg === "--help") return { name: "help" };
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [flag, inline] = splitInline(arg);
    if (!allowed.includes(flag)) throw new UsageError(`${name}: unknown option "${flag}"`);
    if (flag === "--json") {
      json = true;
      continue;
    }
    const value = inline ?? rest[++i];
    if (value === undefined || value === "") throw new UsageError(`${name}: ${flag} needs a value`);
    if (flag === "--config") configPath = value;
    else sources.push(value);
  }

  if (name === "check-config") {
    if (positional.length > 1) throw new UsageError("check-config: at most one PATH");
    return { name, configPath: positional[0] ?? configPath };
  }
  if (positional.length > 0)
    throw new UsageError(`${name}: unexpected argument "${positional[0]}"`);
  return name === "serve" ? { name, configPath } : { name: "poll", configPath, sources, json };
}

function splitInline(arg: string): [string, string | undefined] {
  const eq = arg.indexOf("=");
  return eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}
