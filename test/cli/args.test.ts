import test from "ava";
import { parseArgs, UsageError } from "../../src/cli/args.js";

test("serve takes --config in both spellings", (t) => {
  t.deepEqual(parseArgs(["serve", "--config", "a.yaml"]), { name: "serve", configPath: "a.yaml" });
  t.deepEqual(parseArgs(["serve", "--config=b.yaml"]), { name: "serve", configPath: "b.yaml" });
});

test("poll collects repeated --source and --json", (t) => {
  t.deepEqual(parseArgs(["poll", "--source", "a", "--source=b", "--json"]), {
    name: "poll",
    configPath: undefined,
    sources: ["a", "b"],
    json: true,
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
});

test("no command or --help is help", (t) => {
  t.is(parseArgs([]).name, "help");
  t.is(parseArgs(["--help"]).name, "help");
  t.is(parseArgs(["poll", "-h"]).name, "help");
});

test("unknown commands and options are usage errors naming them", (t) => {
  t.throws(() => parseArgs(["frobnicate"]), { instanceOf: UsageError, message: /"frobnicate"/ });
  t.throws(() => parseArgs(["serve", "--json"]), { instanceOf: UsageError, message: /"--json"/ });
  t.throws(() => parseArgs(["poll", "--source"]), {
    instanceOf: UsageError,
    message: /needs a value/,
  });
  t.throws(() => parseArgs(["serve", "extra"]), { instanceOf: UsageError, message: /"extra"/ });
});
