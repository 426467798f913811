// Command-line parsing for every `tributary` command. Pure: argv in, a typed command out.
import { isRole, ROLES, type Role } from "../model/role.js";

export type Command =
  | { name: "serve"; configPath?: string; demo: boolean; role: Role }
  | { name: "poll"; configPath?: string; sources: string[]; json: boolean; url?: string }
  | { name: "check-config"; configPath?: string }
  | { name: "check-source"; configPath?: string; url: string; json: boolean; rules: boolean }
  | {
      name: "import-opml";
      configPath?: string;
      file: string;
      categories: string[];
      dryRun: boolean;
    }
  | { name: "sources"; configPath?: string; json: boolean; url?: string }
  | { name: "prune"; configPath?: string; source: string; force: boolean }
  | {
      name: "rules";
      configPath?: string;
      sources: string[];
      apply: boolean;
      json: boolean;
    }
  | { name: "help" }
  | { name: "version" };

export class UsageError extends Error {
  override name = "UsageError";
}

export const USAGE = `Usage:
  tributary serve [--config PATH] [--demo] [--role all|api|worker]
  tributary poll [--config PATH] [--source ID ...] [--json] [--url http://host:port]
  tributary check-config [PATH]
  tributary check-source URL [--config PATH] [--json] [--rules]
  tributary import-opml FILE [--config PATH] [--category ID ...] [--dry-run]
  tributary sources [--config PATH] [--json] [--url http://host:port]
  tributary prune --source ID [--config PATH] [--force]
  tributary rules --dry-run|--apply [--config PATH] [--source ID ...] [--json]

Commands:
  serve          run the HTTP server and the polling schedule
  poll           poll now and print one line per source (exit 1 if one failed)
  check-config   validate a configuration file (exit 2 on problems)
  check-source   fetch one feed URL and report what Tributary would make of it
                 (exit 1 if it cannot be used as a source)
  import-opml    append the feeds of an OPML reading list to the config's sources
  sources        print every source's status, read from the store or a running server
  prune          remove the stored entries of a source that left the config
  rules          show (--dry-run) or make (--apply) what the config's category rules change
                 in the stored entries' categories, no fetch needed

Options:
  --config PATH   configuration file (default: $TRIBUTARY_CONFIG or config/tributary.yaml)
  --demo          serve bundled sample feeds from inside the process (ignores the config)
  --role ROLE     serve: all (default) serves HTTP and polls; api serves HTTP and never polls;
                  worker polls and serves only /healthz, /readyz, /metrics and /admin.
                  api and worker need REDIS_URL: they share one Redis with each other
  --source ID     poll, rules: only this source (repeatable); prune: the source to remove
  --json          print JSON instead of text
  --category ID   import-opml: put every imported feed in this category (repeatable)
  --dry-run       import-opml: print the new source entries instead of writing the file;
                  rules: print what would change, write nothing
  --apply         rules: re-file the stored entries (what a reload of changed rules does)
  --url URL       sources: ask the server running at URL (GET /api/sources);
                  poll: make the server running at URL poll (admin API, needs ADMIN_TOKEN)
  --force         prune: even when the source is still in the config
  -h, --help      show this help
  -v, --version   show the version

Exit status: 0 ok, 1 the operation failed, 2 usage or configuration error.`;

type FlagKind = "value" | "list" | "switch";

interface CommandSpec {
  flags: Record<string, FlagKind>;
  /** Names of the positional arguments, in order; all required unless marked optional. */
  positional: readonly string[];
  optionalPositional?: boolean;
}

const SPECS: Record<string, CommandSpec> = {
  serve: { flags: { "--config": "value", "--demo": "switch", "--role": "value" }, positional: [] },
  poll: {
    flags: { "--config": "value", "--source": "list", "--json": "switch", "--url": "value" },
    positional: [],
  },
  "check-config": {
    flags: { "--config": "value" },
    positional: ["PATH"],
    optionalPositional: true,
  },
  "check-source": {
    flags: { "--config": "value", "--json": "switch", "--rules": "switch" },
    positional: ["URL"],
  },
  "import-opml": {
    flags: { "--config": "value", "--category": "list", "--dry-run": "switch" },
    positional: ["FILE"],
  },
  sources: {
    flags: { "--config": "value", "--json": "switch", "--url": "value" },
    positional: [],
  },
  prune: {
    flags: { "--config": "value", "--source": "value", "--force": "switch" },
    positional: [],
  },
  rules: {
    flags: {
      "--config": "value",
      "--source": "list",
      "--dry-run": "switch",
      "--apply": "switch",
      "--json": "switch",
    },
    positional: [],
  },
};

const COMMAND_NAMES = Object.keys(SPECS).join(", ");

interface Parsed {
  values: Map<string, string>;
  lists: Map<string, string[]>;
  switches: Set<string>;
  positional: string[];
}

export function parseArgs(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "-h" || name === "--help") {
    return { name: "help" };
  }
  if (name === "-v" || name === "--version" || name === "version") return { name: "version" };
  const spec = SPECS[name];
  if (!spec) throw new UsageError(`unknown command "${name}" (expected one of ${COMMAND_NAMES})`);
  if (rest.some((arg) => arg === "-h" || arg === "--help")) return { name: "help" };

  const parsed = readFlags(name, spec, rest);
  const { values, lists, switches } = parsed;
  const positional = checkPositional(name, spec, parsed.positional);
  const configPath = values.get("--config");
  switch (name) {
    case "serve": {
      const demo = switches.has("--demo");
      if (demo && configPath !== undefined) {
        throw new UsageError("serve: --demo runs its own sample configuration; drop --config");
      }
      const role = serveRole(values.get("--role"));
      // The demo's partners and its memory store live inside the one process.
      if (demo && role !== "all") {
        throw new UsageError(`serve: --demo runs as --role all only, got --role ${role}`);
      }
      return { name, configPath, demo, role };
    }
    case "poll":
      return {
        name,
        configPath,
        sources: lists.get("--source") ?? [],
        json: switches.has("--json"),
        url: serverUrl(name, values.get("--url")),
      };
    case "check-config":
      return { name, configPath: positional[0] ?? configPath };
    case "check-source":
      return {
        name,
        configPath,
        url: positional[0] as string,
        json: switches.has("--json"),
        rules: switches.has("--rules"),
      };
    case "import-opml":
      return {
        name,
        configPath,
        file: positional[0] as string,
        categories: lists.get("--category") ?? [],
        dryRun: switches.has("--dry-run"),
      };
    case "sources":
      return {
        name,
        configPath,
        json: switches.has("--json"),
        url: serverUrl(name, values.get("--url")),
      };
    case "prune": {
      const source = values.get("--source");
      if (source === undefined) throw new UsageError("prune: --source ID is required");
      return { name, configPath, source, force: switches.has("--force") };
    }
    case "rules": {
      const dryRun = switches.has("--dry-run");
      const apply = switches.has("--apply");
      if (dryRun === apply)
        throw new UsageError("rules: give exactly one of --dry-run and --apply");
      return {
        name,
        configPath,
        sources: lists.get("--source") ?? [],
        apply,
        json: switches.has("--json"),
      };
    }
    default:
      throw new UsageError(`unknown command "${name}"`);
  }
}

function serveRole(value: string | undefined): Role {
  if (value === undefined) return "all";
  if (isRole(value)) return value;
  throw new UsageError(`serve: --role must be one of ${ROLES.join(", ")}, got "${value}"`);
}

/** `--url` of a running Tributary: an http(s) base URL. */
function serverUrl(name: string, url: string | undefined): string | undefined {
  if (url !== undefined && !/^https?:\/\/[^/]/i.test(url)) {
    throw new UsageError(`${name}: --url must be an http(s) URL, got "${url}"`);
  }
  return url;
}

function readFlags(name: string, spec: CommandSpec, rest: readonly string[]): Parsed {
  const parsed: Parsed = {
    values: new Map(),
    lists: new Map(),
    switches: new Set(),
    positional: [],
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    // A lone "-" or a negative number is a value, not a flag; only "--name" is an option.
    if (!arg.startsWith("--")) {
      parsed.positional.push(arg);
      continue;
    }
    const [flag, inline] = splitInline(arg);
    const kind = spec.flags[flag];
    if (kind === undefined) throw new UsageError(`${name}: unknown option "${flag}"`);
    if (kind === "switch") {
      if (inline !== undefined) throw new UsageError(`${name}: ${flag} takes no value`);
      parsed.switches.add(flag);
      continue;
    }
    const value = inline ?? rest[++i];
    if (value === undefined || value === "") throw new UsageError(`${name}: ${flag} needs a value`);
    if (kind === "list") parsed.lists.set(flag, [...(parsed.lists.get(flag) ?? []), value]);
    else if (parsed.values.has(flag)) throw new UsageError(`${name}: ${flag} given twice`);
    else parsed.values.set(flag, value);
  }
  return parsed;
}

function checkPositional(name: string, spec: CommandSpec, positional: string[]): string[] {
  const wanted = spec.positional;
  if (positional.length > wanted.length) {
    const extra = positional[wanted.length];
    if (wanted.length === 0) throw new UsageError(`${name}: unexpected argument "${extra}"`);
    throw new UsageError(`${name}: at most one ${wanted.join(" ")}, got also "${extra}"`);
  }
  if (positional.length < wanted.length && !spec.optionalPositional) {
    throw new UsageError(`${name}: ${wanted[positional.length]} is required`);
  }
  return positional;
}

function splitInline(arg: string): [string, string | undefined] {
  const eq = arg.indexOf("=");
  return eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}
