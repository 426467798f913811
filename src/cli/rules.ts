// `tributary rules --dry-run|--apply`: the config's category rules applied to what is stored,
// with no fetch. The dry run prints, per source, each entry the rules would file differently
// (its categories before and after, or "dropped") and writes nothing; --apply writes it, as a
// reload of changed rules does on a polling instance: each source under its poll claim, so a
// worker polling it meanwhile is waited for and its writes and these never interleave.
import { randomUUID } from "node:crypto";
import { openStore, rulesOfSource } from "../app/wiring.js";
import type { Config } from "../config/types.js";
import { type Recategorised, reapplyRules } from "../ingest/recategorise.js";
import type { Logger } from "../log.js";
import { PollClaim, sourceClaim } from "../schedule/claim.js";
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
  /** Sources a poll held for a whole lease: nothing was written for them. */
  const held: string[] = [];
  const holder = `rules:${randomUUID()}`;
  const { leaseSeconds, perHostConcurrency } = config.polling;
  for (const source of chosen) {
    const rules = rulesOfSource(config, source);
    if (!options.apply) {
      results.push(
        await reapplyRules(store, source.id, source.categories, rules, { dryRun: true }),
      );
      continue;
    }
    const claim = sourceClaim(source, holder, leaseSeconds * 1000, perHostConcurrency);
    const done = await PollClaim.hold(store.leases, { ...claim, nowMs: Date.now() }, (lease) =>
      reapplyRules(store, source.id, source.categories, rules, { lease }),
    );
    if (done === undefined) {
      out.stderr.write(
        `tributary rules: ${source.id} was being polled for a whole lease (${leaseSeconds} s); ` +
          "nothing written for it; run --apply again\n",
      );
      held.push(source.id);
      continue;
    }
    results.push(done);
  }
  if (options.json) {
    out.stdout.write(`${JSON.stringify({ applied: options.apply, sources: results }, null, 2)}\n`);
    return held.length > 0 ? 1 : 0;
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
  return held.length > 0 ? 1 : 0;
}
