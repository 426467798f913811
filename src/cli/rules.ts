// `tributary rules --dry-run|--apply`: the config's category rules applied to what is stored,
// with no fetch. The dry run prints, per source, each entry the rules would file differently
// (its categories before and after, or "dropped") and writes nothing; --apply writes it, as a
// reload of changed rules does on a polling instance.
import { openStore, rulesOfSource } from "../app/wiring.js";
import type { Config } from "../config/types.js";
import { type Recategorised, reapplyRules } from "../ingest/recategorise.js";
import type { Logger } from "../log.js";
import type { Store } from "../store/store.js";
import { EXIT_CONFIG } from "./check-config.js";

export interface RulesOptions {
  sources: string[];
  apply: boolean;
  json: boolean;
}

interface Output {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function rulesCommand(
  config: Config,
  options: RulesOptions,
  logger: Logger,
  out: Output,
): Promise<number> {
  if (!config.redisUrl) {
    out.stderr.write(
      "tributary rules: REDIS_URL is unset, so entries live in the embedded memory store of the " +
        "serving process; reload its config instead (POST /admin/reload or SIGHUP).\n",
    );
    return EXIT_CONFIG;
  }
  const store = await openStore(config, logger);
  try {
    return await runRules(store, config, options, out);
  } finally {
    await store.close();
  }
}

/** The command without the store's lifecycle, so it runs against any Store. */
export async function runRules(
  store: Store,
  config: Config,
  options: RulesOptions,
  out: Output,
): Promise<number> {
  const unknown = options.sources.filter((id) => !config.sources.some((s) => s.id === id));
  if (unknown.length > 0) {
    out.stderr.write(
      `tributary rules: no source ${unknown.map((id) => `"${id}"`).join(", ")} in the config\n`,
    );
    return EXIT_CONFIG;
  }
  const chosen = config.sources.filter(
    (source) => options.sources.length === 0 || options.sources.includes(source.id),
  );
  const results: Recategorised[] = [];
  for (const source of chosen) {
    results.push(
      await reapplyRules(store, source.id, source.categories, rulesOfSource(config, source), {
        dryRun: !options.apply,
      }),
    );
  }
  if (options.json) {
    out.stdout.write(`${JSON.stringify({ applied: options.apply, sources: results }, null, 2)}\n`);
    return 0;
  }
  const verb = options.apply ? "" : "would be ";
  for (const result of results) {
    out.stdout.write(
      `${result.sourceId}: ${result.recategorised} ${verb}filed differently, ${result.dropped} ${verb}dropped, ${result.unchanged} unchanged\n`,
    );
    for (const change of result.changes) {
      const after = change.after === "dropped" ? "dropped" : `[${change.after.join(", ")}]`;
      out.stdout.write(`  ${change.title}\n    [${change.before.join(", ")}] → ${after}\n`);
    }
  }
  if (!options.apply && results.some((r) => r.changes.length > 0)) {
    out.stdout.write(
      "nothing written (dry run): --apply, or a reload of the serving config, writes it\n",
    );
  }
  return 0;
}
