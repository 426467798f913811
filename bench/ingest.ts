// npm run bench (part 2): ingest throughput on the real-world corpus (../shared/corpus/
// real-world, feeds copied from real publishers). Entries per second through Tributary's
// decode → parse → normalise (ingestBytes), against rss-parser's parseString alone on the same
// bytes: what our repairs, raw-element mapping, sanitising and ids cost over the bare parser.
// Both run over the same files (those rss-parser can read), one after the other, several
// rounds; the median round is reported.
import { existsSync, readFileSync } from "node:fs";
import Parser from "rss-parser";
import { ingestBytes } from "../src/ingest/ingest.js";
import { corpusPath, skipMessage } from "../test/helpers/corpus.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const NOW = new Date("2026-01-01T00:00:00.000Z");

interface Input {
  name: string;
  body: Buffer;
  contentType?: string;
}

function loadInputs(): Input[] {
  const manifest = corpusPath("real-world", "MANIFEST.tsv");
  return readFileSync(manifest, "utf8")
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [input = "", , , note = ""] = line.split("\t");
      return {
        name: input.split("/").pop() ?? input,
        body: readFileSync(corpusPath("real-world", input)),
        // The manifest notes the few feeds served with a charset: `served over HTTP as "…"`.
        contentType: /served over HTTP as "([^"]+)"/.exec(note)?.[1],
      };
    })
    .filter((input) => input.name !== "unrecognized.rss"); // an HTML page, rejected by design
}

async function tributaryRound(inputs: Input[]): Promise<{ entries: number; ms: number }> {
  let entries = 0;
  const started = performance.now();
  for (const input of inputs) {
    const result = await ingestBytes(
      input.body,
      input.contentType,
      { id: "bench", categories: ["bench"], feedUrl: `https://corpus.example/${input.name}` },
      NOW,
    );
    entries += result.updates.length;
  }
  return { entries, ms: performance.now() - started };
}

async function rssParserRound(inputs: Input[]): Promise<{ entries: number; ms: number }> {
  let entries = 0;
  const started = performance.now();
  for (const input of inputs) {
    // A parser per document, as Tributary does (xml2js parsers are not reusable after errors).
    const feed = await new Parser().parseString(input.body.toString("utf8"));
    entries += feed.items.length;
  }
  return { entries, ms: performance.now() - started };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function main(): Promise<void> {
  if (!existsSync(corpusPath("real-world", "MANIFEST.tsv"))) {
    console.log(`ingest benchmark skipped: ${skipMessage}`);
    return;
  }
  const all = loadInputs();
  // The same files for both: those rss-parser reads at all.
  const inputs: Input[] = [];
  for (const input of all) {
    try {
      await new Parser().parseString(input.body.toString("utf8"));
      inputs.push(input);
    } catch {
      console.log(`  (rss-parser cannot read ${input.name}; left out of both runs)`);
    }
  }
  const bytes = inputs.reduce((sum, input) => sum + input.body.length, 0);

  await tributaryRound(inputs); // warm-up: JIT, module caches
  await rssParserRound(inputs);
  const ours: number[] = [];
  const theirs: number[] = [];
  let oursEntries = 0;
  let theirEntries = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const a = await tributaryRound(inputs);
    const b = await rssParserRound(inputs);
    oursEntries = a.entries;
    theirEntries = b.entries;
    ours.push((a.entries / a.ms) * 1000);
    theirs.push((b.entries / b.ms) * 1000);
  }
  const oursRate = median(ours);
  const theirRate = median(theirs);
  const mb = (bytes / 1024 / 1024).toFixed(1);
  console.log(`ingest, ${inputs.length} real-world feeds (${mb} MiB), median of ${ROUNDS} rounds:`);
  console.log(
    `  decode → parse → normalise   ${Math.round(oursRate).toString().padStart(7)} entries/s  (${oursEntries} entries per round)`,
  );
  console.log(
    `  rss-parser.parseString alone ${Math.round(theirRate).toString().padStart(7)} entries/s  (${theirEntries} entries per round)`,
  );
  console.log(`  ratio ${(oursRate / theirRate).toFixed(2)} (Tributary / rss-parser)`);
}

await main();
