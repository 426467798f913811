// Isolation: good and hostile sources polled at once. Every good source's entries are served;
// every hostile one shows its own error kind, in /api/sources and in `tributary poll --json`
// (a real child process), and in the log line of its failed poll.
import test from "ava";
import { runCli, writeConfig } from "../helpers/cli.js";
import { caseTitle } from "./cases.js";
import { GOOD_TITLES, hostileCatalogue, sourceUrl } from "./catalogue.js";
import { closeSharedPool, startHarness } from "./harness.js";
import { startHostileServer } from "./hostile-server.js";

test.after.always(closeSharedPool);

// The deadline is what silent and dripping sources cost; it leaves room for a busy machine.
const LIMITS = { timeoutMs: 4000, maxBytes: 1024 * 1024 };

test(
  caseTitle(
    "isolation",
    "a mixed poll serves every good source and names each hostile one's error in /api/sources",
  ),
  async (t) => {
    const catalogue = await hostileCatalogue({ maxBytes: LIMITS.maxBytes });
    const server = await startHostileServer(t, catalogue.routes);
    const h = await startHarness(t, {
      sources: catalogue.sources.map((s) => ({ id: s.id, url: sourceUrl(server.origin, s) })),
      polling: LIMITS,
    });
    const outcomes = await h.poll();
    t.is(outcomes.length, catalogue.sources.length);
    const views = new Map((await h.sources()).map((v) => [v.id, v]));
    for (const source of catalogue.sources) {
      const view = views.get(source.id);
      const shown = view?.errorKind ?? view?.status ?? "missing";
      t.true(source.expect.includes(shown), `${source.id}: ${shown} (${view?.lastError})`);
    }
    t.is(catalogue.sources.filter((s) => s.expect[0] !== "ok").length, 20, "hostile sources");
    for (const [id, titles] of Object.entries(GOOD_TITLES)) {
      t.deepEqual(await h.titles(id), titles, id);
      t.is(views.get(id)?.status, "ok");
    }
    const feed = JSON.parse((await h.get("/feeds/news.json")).text) as {
      items: { title: string }[];
    };
    t.deepEqual(
      feed.items.map((i) => i.title).sort(),
      Object.values(GOOD_TITLES).flat().sort(),
      "the merged feed holds exactly the good entries",
    );
    const failedLines = h.logs.filter((l) => l.msg === "poll failed");
    for (const source of catalogue.sources.filter((s) => s.expect[0] !== "ok")) {
      const line = failedLines.find((l) => l.source === source.id);
      t.true(source.expect.includes(line?.errorKind ?? ""), `log line of ${source.id}`);
    }
  },
);

test(
  caseTitle(
    "isolation",
    "tributary poll --json reports each failing source's errorKind, and the log lines carry it",
  ),
  async (t) => {
    const catalogue = await hostileCatalogue({ maxBytes: LIMITS.maxBytes });
    const server = await startHostileServer(t, catalogue.routes);
    const yaml = `service: { port: 0, host: 127.0.0.1 }
polling: { allowPrivateNetworks: true, timeoutMs: ${LIMITS.timeoutMs}, maxBytes: ${LIMITS.maxBytes} }
categories: [{ id: news, title: News }]
sources:
${catalogue.sources
  .map(
    (s) =>
      `  - { id: ${s.id}, title: "${s.id}", url: "${sourceUrl(server.origin, s)}", categories: [news] }`,
  )
  .join("\n")}
`;
    const path = writeConfig(t, yaml);
    const result = await runCli(["poll", "--json", "--config", path], { LOG_LEVEL: "warn" });
    t.is(result.code, 1, result.stderr);
    const outcomes = JSON.parse(result.stdout) as {
      sourceId: string;
      status: string;
      errorKind?: string;
      error?: string;
      added: number;
    }[];
    t.is(outcomes.length, catalogue.sources.length);
    for (const source of catalogue.sources) {
      const outcome = outcomes.find((o) => o.sourceId === source.id);
      const shown = outcome?.errorKind ?? outcome?.status ?? "missing";
      t.true(source.expect.includes(shown), `${source.id}: ${shown} (${outcome?.error})`);
      if (source.expect[0] === "ok") t.is(outcome?.added, GOOD_TITLES[source.id]?.length);
      else t.truthy(outcome?.error, `${source.id} says what went wrong`);
    }
    // Logs go to stderr as JSON lines; each failed poll's line names its kind.
    const lines = result.stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg: string; source?: string; errorKind?: string });
    for (const source of catalogue.sources.filter((s) => s.expect[0] !== "ok")) {
      const line = lines.find((l) => l.msg === "poll failed" && l.source === source.id);
      t.true(source.expect.includes(line?.errorKind ?? ""), `stderr line of ${source.id}`);
    }
    t.notRegex(result.stderr, /\n\s+at /, "no stack trace");
  },
);
