// `tributary import-opml FILE`: appends the feeds of an OPML reading list to the config's
// `sources`, keeping the file's comments and layout (yaml-append.ts), or prints the new
// entries with --dry-run. Nothing is written unless the edited file validates.
import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import { writeFileAtomically } from "../config/atomic-write.js";
import { ConfigError } from "../config/errors.js";
import { parseConfig } from "../config/load.js";
import { ImportError, type ImportPlan, planImport } from "../config/opml-import.js";
import { OpmlError, readOpml } from "../config/opml-read.js";
import type { Config } from "../config/types.js";
import { appendSources, renderSourcesYaml, YamlEditError } from "../config/yaml-append.js";
import { decodeFeedBytes } from "../ingest/parse/decode.js";
import { EXIT_CONFIG } from "./check-config.js";

export interface ImportOpmlOptions {
  file: string;
  categories: string[];
  dryRun: boolean;
}

interface Output {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Reading lists are kilobytes; this only stops a wrong path (a disk image…) being slurped. */
const MAX_OPML_BYTES = 10 * 1024 * 1024;

export async function importOpmlCommand(
  configPath: string,
  options: ImportOpmlOptions,
  out: Output,
  now: Date = new Date(),
): Promise<number> {
  const fail = (lines: string[], code = 1) => {
    for (const line of lines) out.stderr.write(`${line}\n`);
    return code;
  };

  // The file as written, without env overrides or the variables its headers reference: this
  // command edits the file, not the service.
  let yamlText: string;
  let config: Config;
  try {
    yamlText = await readFile(configPath, "utf8");
    config = parseConfig(yamlText, {}, configPath, { resolveReferences: false });
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.problems, EXIT_CONFIG);
    return fail([`${configPath}: cannot read: ${(error as Error).message}`], EXIT_CONFIG);
  }
  const known = config.categories.map((c) => c.id);
  const unknown = options.categories.filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    return fail(
      unknown.map(
        (id) => `--category: unknown category "${id}" (known: ${known.join(", ") || "none"})`,
      ),
      EXIT_CONFIG,
    );
  }

  let plan: ImportPlan;
  try {
    const document = readOpml(await readOpmlText(options.file));
    if (document.feeds.length === 0) {
      return fail([`${options.file}: no feeds in it (no <outline> has an xmlUrl)`]);
    }
    plan = planImport(document.feeds, config, options.categories);
  } catch (error) {
    if (error instanceof OpmlError) return fail([`${options.file}: ${error.message}`]);
    if (error instanceof ImportError) return fail(error.problems);
    if (isFileError(error)) return fail([`${options.file}: cannot read: ${error.message}`]);
    throw error;
  }

  for (const skipped of plan.skipped) {
    out.stderr.write(`skipped ${skipped.title} <${skipped.url}>: ${skipped.reason}\n`);
  }
  if (plan.added.length === 0) {
    out.stderr.write("nothing to import: no new feeds\n");
    return 0;
  }
  if (options.dryRun) {
    out.stdout.write(renderSourcesYaml(plan.added));
    out.stderr.write(
      `${plan.added.length} new source${plan.added.length === 1 ? "" : "s"} (dry run: ${configPath} not changed)\n`,
    );
    return 0;
  }

  const comment = `Imported from ${basename(options.file)} by tributary import-opml on ${now.toISOString().slice(0, 10)}.`;
  let edited: string;
  try {
    edited = appendSources(yamlText, plan.added, comment);
    checkEdit(edited, config, plan, configPath);
  } catch (error) {
    const reason =
      error instanceof ConfigError
        ? error.problems
        : error instanceof YamlEditError
          ? [error.message]
          : undefined;
    if (reason === undefined) throw error;
    return fail([
      `${configPath}: cannot append to its sources (nothing written):`,
      ...reason.map((line) => `  ${line}`),
      "Add these entries by hand:",
      renderSourcesYaml(plan.added).trimEnd(),
    ]);
  }
  try {
    await writeFileAtomically(configPath, edited);
  } catch (error) {
    return fail([
      `${configPath}: cannot write: ${(error as Error).message}`,
      "Run with --dry-run and add the printed entries by hand.",
    ]);
  }
  const ids = plan.added.map((s) => s.id).join(", ");
  out.stdout.write(
    `${configPath}: added ${plan.added.length} source${plan.added.length === 1 ? "" : "s"}: ${ids}\n` +
      "Check each with `tributary check-source URL`; a running `tributary serve` reloads the file by itself.\n",
  );
  return 0;
}

/** OPML files declare their encoding like any XML file; decode.ts already reads that. */
async function readOpmlText(path: string): Promise<string> {
  const { size } = await stat(path);
  if (size > MAX_OPML_BYTES) {
    throw new OpmlError(
      `the file is ${size} bytes; an OPML reading list is at most ${MAX_OPML_BYTES}`,
    );
  }
  return decodeFeedBytes(await readFile(path)).text;
}

const isFileError = (error: unknown): error is NodeJS.ErrnoException =>
  error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string";

/**
 * The edit must give a valid config whose sources are the old ones plus exactly the new ones,
 * in order; anything else means the splice landed somewhere unexpected.
 */
function checkEdit(edited: string, before: Config, plan: ImportPlan, path: string): void {
  const after = parseConfig(edited, {}, path, { resolveReferences: false });
  const expected = [...before.sources.map((s) => s.id), ...plan.added.map((s) => s.id)];
  const actual = after.sources.map((s) => s.id);
  if (actual.join("\n") !== expected.join("\n")) {
    throw new YamlEditError(
      `the edited file lists sources ${actual.join(", ")}; expected ${expected.join(", ")}`,
    );
  }
}
