import test from "ava";
import { parseArgs, USAGE, UsageError } from "../../src/cli/args.js";

test("serve takes --config in both spellings", (t) => {
  t.deepEqual(parseArgs(["serve", "--config", "a.yaml"]), {
    name: "serve",
    configPath: "a.yaml",
    demo: false,
    role: "all",
  });
  t.deepEqual(parseArgs(["serve", "--config=b.yaml"]), {
    name: "serve",
    configPath: "b.yaml",
    demo: false,
    role: "all",
  });
});

test("serve --demo runs without a config, and refuses one", (t) => {
  t.deepEqual(parseArgs(["serve", "--demo"]), {
    name: "serve",
    configPath: undefined,
    demo: true,
    role: "all",
  });
  t.throws(() => parseArgs(["serve", "--demo", "--config", "a.yaml"]), {
    instanceOf: UsageError,
    message: /--demo .* drop --config/,
  });
});

test("serve --role takes all, api or worker (default all), in both spellings", (t) => {
  for (const role of ["all", "api", "worker"] as const) {
    t.deepEqual(parseArgs(["serve", "--role", role, "--config", "a.yaml"]), {
      name: "serve",
      configPath: "a.yaml",
      demo: false,
      role,
    });
  }
  t.like(parseArgs(["serve", "--role=api"]), { role: "api" });
  t.like(parseArgs(["serve"]), { role: "all" });
  t.like(parseArgs(["serve", "--demo", "--role", "all"]), { demo: true, role: "all" });
});

test("serve --role refuses other values, a missing value, a repeat and a split demo", (t) => {
  for (const value of ["API", "poller", "both", "all,api"]) {
    t.throws(() => parseArgs(["serve", "--role", value]), {
      instanceOf: UsageError,
      message: `serve: --role must be one of all, api, worker, got "${value}"`,
    });
  }
  t.throws(() => parseArgs(["serve", "--role"]), {
    instanceOf: UsageError,
    message: "serve: --role needs a value",
  });
  t.throws(() => parseArgs(["serve", "--role", "api", "--role", "worker"]), {
    instanceOf: UsageError,
    message: /--role given twice/,
  });
  t.throws(() => parseArgs(["serve", "--demo", "--role", "worker"]), {
    instanceOf: UsageError,
    message: "serve: --demo runs as --role all only, got --role worker",
  });
  t.regex(USAGE, /tributary serve .*\[--role all\|api\|worker\]/);
  t.regex(USAGE, /--role ROLE/);
});

test("poll collects repeated --source and --json", (t) => {
  t.deepEqual(parseArgs(["poll", "--source", "a", "--source=b", "--json"]), {
    name: "poll",
    configPath: undefined,
    sources: ["a", "b"],
    json: true,
    url: undefined,
  });
});

test("poll --url names a running server; anything but an http(s) URL is a usage error", (t) => {
  t.like(parseArgs(["poll", "--url", "http://127.0.0.1:8080"]), {
    name: "poll",
    url: "http://127.0.0.1:8080",
  });
  t.throws(() => parseArgs(["poll", "--url", "localhost:8080"]), {
    instanceOf: UsageError,
    message: 'poll: --url must be an http(s) URL, got "localhost:8080"',
  });
});

test("check-config takes the path as a positional argument", (t) => {
  t.deepEqual(parseArgs(["check-config", "x.yaml"]), {
    name: "check-config",
    configPath: "x.yaml",
  });
  t.deepEqual(parseArgs(["check-config", "--config", "y.yaml"]), {
    name: "check-config",
    configPath: "y.yaml",
  });
  t.throws(() => parseArgs(["check-config", "a.yaml", "b.yaml"]), {
    instanceOf: UsageError,
    message: /"b\.yaml"/,
  });
});

test("check-source needs a URL and takes --config, --json and --rules", (t) => {
  t.deepEqual(parseArgs(["check-source", "https://p.example/feed", "--json", "--config=c.yaml"]), {
    name: "check-source",
    configPath: "c.yaml",
    url: "https://p.example/feed",
    json: true,
    rules: false,
  });
  t.like(parseArgs(["check-source", "https://p.example/feed", "--rules"]), { rules: true });
  t.throws(() => parseArgs(["check-source"]), {
    instanceOf: UsageError,
    message: /URL is required/,
  });
});

test("import-opml needs a FILE and collects repeated --category", (t) => {
  t.deepEqual(
    parseArgs(["import-opml", "list.opml", "--category", "a", "--category=b", "--dry-run"]),
    {
      name: "import-opml",
      configPath: undefined,
      file: "list.opml",
      categories: ["a", "b"],
      dryRun: true,
    },
  );
  t.throws(() => parseArgs(["import-opml", "--dry-run"]), {
    instanceOf: UsageError,
    message: /FILE is required/,
  });
});

test("sources takes --json and an http(s) --url", (t) => {
  t.deepEqual(parseArgs(["sources", "--json", "--url", "http://127.0.0.1:8080"]), {
    name: "sources",
    configPath: undefined,
    json: true,
    url: "http://127.0.0.1:8080",
  });
  t.throws(() => parseArgs(["sources", "--url", "localhost:8080"]), {
    instanceOf: UsageError,
    message: /--url must be an http\(s\) URL/,
  });
});

test("prune requires --source and takes --force", (t) => {
  t.deepEqual(parseArgs(["prune", "--source", "old", "--force"]), {
    name: "prune",
    configPath: undefined,
    source: "old",
    force: true,
  });
  t.throws(() => parseArgs(["prune"]), {
    instanceOf: UsageError,
    message: /--source ID is required/,
  });
  t.throws(() => parseArgs(["prune", "--source", "a", "--source", "b"]), {
    instanceOf: UsageError,
    message: /--source given twice/,
  });
});

test("no command or --help is help", (t) => {
  t.is(parseArgs([]).name, "help");
  t.is(parseArgs(["--help"]).name, "help");
  t.is(parseArgs(["poll", "-h"]).name, "help");
  t.is(parseArgs(["check-source", "--help"]).name, "help");
});

test("unknown commands and options are usage errors naming them", (t) => {
  t.throws(() => parseArgs(["frobnicate"]), { instanceOf: UsageError, message: /"frobnicate"/ });
  t.throws(() => parseArgs(["serve", "--json"]), { instanceOf: UsageError, message: /"--json"/ });
  t.throws(() => parseArgs(["poll", "--source"]), {
    instanceOf: UsageError,
    message: /needs a value/,
  });
  t.throws(() => parseArgs(["serve", "extra"]), { instanceOf: UsageError, message: /"extra"/ });
  t.throws(() => parseArgs(["sources", "--json=yes"]), {
    instanceOf: UsageError,
    message: /--json takes no value/,
  });
});

test("the usage text names every command", (t) => {
  for (const name of [
    "serve",
    "poll",
    "check-config",
    "check-source",
    "import-opml",
    "sources",
    "prune",
  ]) {
    t.regex(USAGE, new RegExp(`tributary ${name}\\b`));
  }
});
