// The modules of src/ import one another without a circle, type-only imports included: a
// circle means two modules share something that belongs in a third (as `AppDeps`, the
// `Parsed*` types and the publish view types once did), and it makes either one unreadable
// without the other.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import test from "ava";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const src = join(root, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

// Static imports and re-exports (`import type` included), side-effect imports, dynamic imports.
const SPECIFIERS = [
  /\b(?:import|export)\s[^;]*?\bfrom\s*"([^"]+)"/g,
  /\bimport\s*"([^"]+)"/g,
  /\bimport\(\s*"([^"]+)"\s*\)/g,
];

/** Each module's relative imports, as paths of src/ (`.js` specifiers name `.ts` files). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(src)) {
    // Comments may quote an import; only code counts.
    const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "");
    const targets = SPECIFIERS.flatMap((pattern) => [...code.matchAll(pattern)])
      .map((match) => match[1] ?? "")
      .filter((specifier) => specifier.startsWith("."))
      .map((specifier) =>
        relative(root, resolve(dirname(file), specifier.replace(/\.js$/, ".ts"))),
      );
    graph.set(relative(root, file), targets);
  }
  return graph;
}

/** Every circle found by a depth-first walk, each as the path that closes it. */
function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (module: string): void => {
    const onPath = path.indexOf(module);
    if (onPath !== -1) {
      found.push([...path.slice(onPath), module]);
      return;
    }
    if (done.has(module)) return;
    path.push(module);
    for (const target of graph.get(module) ?? []) visit(target);
    path.pop();
    done.add(module);
  };
  for (const module of graph.keys()) visit(module);
  return found;
}

test("no module of src/ imports itself through others, type-only imports included", (t) => {
  const graph = importGraph();
  t.true(graph.size > 100, "the walk found the source files");
  t.deepEqual(
    circles(graph).map((circle) => circle.join(" → ")),
    [],
  );
});

/** The modules of `from` (a folder of src/) that import a module of `to`, with what they import. */
function importsBetween(graph: Map<string, string[]>, from: string, to: string): string[] {
  return [...graph].flatMap(([module, targets]) =>
    module.startsWith(`src/${from}/`)
      ? targets.filter((target) => target.startsWith(`src/${to}/`)).map((t) => `${module} → ${t}`)
      : [],
  );
}

test("read models and the poll sit where the pipeline runs: cli/ reads no http/, ingest/ no config/", (t) => {
  const graph = importGraph();
  // What the HTTP routes and the CLI both show lives in status/, not in a route file.
  t.deepEqual(importsBetween(graph, "cli", "http"), []);
  // A poll is given a model Source; the config's shape stays upstream.
  t.deepEqual(importsBetween(graph, "ingest", "config"), []);
});

test("no folder imports one that runs after it, except the cron check the README names", (t) => {
  const graph = importGraph();
  // Each folder, and the folders it must not import: those that run after it, or wire it.
  const forbidden: Record<string, string[]> = {
    model: [
      "config",
      "ingest",
      "store",
      "publish",
      "status",
      "pages",
      "http",
      "schedule",
      "app",
      "cli",
    ],
    store: ["config", "ingest", "publish", "status", "pages", "http", "schedule", "app", "cli"],
    ingest: ["config", "publish", "status", "pages", "http", "schedule", "app", "cli"],
    publish: ["ingest", "status", "pages", "http", "schedule", "app", "cli"],
    config: ["ingest", "store", "publish", "status", "pages", "http", "app", "cli"],
    status: ["ingest", "pages", "http", "schedule", "app", "cli"],
    // The pages are read models rendered: they sit between status/ and the routes.
    pages: ["ingest", "http", "schedule", "app", "cli"],
    http: ["ingest", "schedule", "app", "cli"],
    schedule: ["publish", "status", "pages", "http", "app", "cli"],
  };
  const found: string[] = [];
  for (const [from, targets] of Object.entries(forbidden)) {
    for (const to of targets) found.push(...importsBetween(graph, from, to));
  }
  t.deepEqual(found, []);
});
