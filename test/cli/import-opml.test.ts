// OPML round trip with real parts: a running app exports /opml/sources, the real CLI imports it
// into a config file with no sources, and the result validates with the same sources.
// Serial: every test spawns tributary processes, and running them one at a time keeps the
// machine responsive for the timing-sensitive tests that run beside this file.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import test from "ava";
import { loadConfig } from "../../src/config/load.js";
import { call, startApp } from "../helpers/app.js";
import { runCli, writeConfig } from "../helpers/cli.js";

const categoriesYaml = `# Categories, as the operator wrote them.
categories:
  - id: migration
    title: Migration
    description: Migrants, refugees and displacement.
  - id: trafficking
    title: Human trafficking

# Sources: filled by tributary import-opml.
sources: []
`;

async function exportedSources(t: import("ava").ExecutionContext): Promise<string> {
  const app = await startApp(t);
  const res = await call(`${app.url}/opml/sources`);
  t.is(res.status, 200);
  return res.body.toString("utf8");
}

function writeOpml(configPath: string, text: string): string {
  const path = join(dirname(configPath), "sources.opml");
  writeFileSync(path, text);
  return path;
}

test.serial(
  "export /opml/sources, import it into an empty config: check-config passes and the sources match",
  async (t) => {
    const opml = await exportedSources(t);
    const configPath = writeConfig(t, categoriesYaml);
    const opmlPath = writeOpml(configPath, opml);

    const imported = await runCli(["import-opml", opmlPath, "--config", configPath]);
    t.is(imported.code, 0, imported.stderr);
    t.regex(imported.stdout, /added 2 sources: un-news, anti-trafficking-review/);

    const checked = await runCli(["check-config", configPath]);
    t.is(checked.code, 0, checked.stderr);

    // The enabled sources of the exporting app (makeConfig), as they came back.
    const config = await loadConfig(configPath);
    t.deepEqual(
      config.sources.map(({ title, url, homepage, categories, enabled }) => ({
        title,
        url,
        homepage,
        categories,
        enabled,
      })),
      [
        {
          title: "UN News",
          url: "https://news.un.org/feed/subscribe/en/news/all/rss.xml",
          homepage: "https://news.un.org/",
          categories: ["migration", "trafficking"],
          enabled: true,
        },
        {
          title: "Anti-Trafficking Review",
          url: "https://antitraffickingreview.org/index.php/atrjournal/gateway/plugin/WebFeedGatewayPlugin/atom",
          homepage: undefined,
          categories: ["trafficking"],
          enabled: true,
        },
      ],
    );
    // The operator's comments are still there, above the imported entries.
    const text = readFileSync(configPath, "utf8");
    t.true(text.startsWith(categoriesYaml.slice(0, categoriesYaml.indexOf("sources: []"))), text);
    t.regex(text, /# Imported from sources\.opml by tributary import-opml on \d{4}-\d{2}-\d{2}\./);

    // Importing the same list again adds nothing and says why.
    const again = await runCli(["import-opml", opmlPath, "--config", configPath]);
    t.is(again.code, 0, again.stderr);
    t.regex(again.stderr, /skipped UN News <[^>]+>: already configured as source "un-news"/);
    t.regex(again.stderr, /nothing to import/);
    t.is(readFileSync(configPath, "utf8"), text);
  },
);

test.serial("--dry-run prints the new entries and leaves the file alone", async (t) => {
  const configPath = writeConfig(t, categoriesYaml);
  const opmlPath = writeOpml(configPath, await exportedSources(t));
  const result = await runCli(["import-opml", opmlPath, "--config", configPath, "--dry-run"]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^- id: un-news\n {2}title: UN News\n/);
  t.regex(result.stdout, /categories: \[migration, trafficking\]/);
  t.regex(result.stderr, /2 new sources \(dry run: .* not changed\)/);
  t.is(readFileSync(configPath, "utf8"), categoriesYaml);
});

test.serial(
  "feeds in folders that name no category are refused with the known categories (exit 1)",
  async (t) => {
    const configPath = writeConfig(t, categoriesYaml);
    const opmlPath = writeOpml(
      configPath,
      `<?xml version="1.0"?><opml version="1.0"><head><title>Reader export</title></head><body>
<outline text="Migration"><outline text="MPI" type="rss" xmlUrl="https://mpi.example/rss"/></outline>
<outline text="Cooking"><outline text="Soup" type="rss" xmlUrl="https://soup.example/rss"/></outline>
</body></opml>`,
    );
    const refused = await runCli(["import-opml", opmlPath, "--config", configPath]);
    t.is(refused.code, 1);
    t.regex(refused.stderr, /Soup <https:\/\/soup\.example\/rss> in folder "Cooking": no category/);
    t.regex(refused.stderr, /known categories: migration \(Migration\), trafficking/);
    t.is(readFileSync(configPath, "utf8"), categoriesYaml);

    const forced = await runCli([
      "import-opml",
      opmlPath,
      "--config",
      configPath,
      "--category",
      "migration",
    ]);
    t.is(forced.code, 0, forced.stderr);
    const config = await loadConfig(configPath);
    t.deepEqual(
      config.sources.map((s) => [s.id, s.categories]),
      [
        ["mpi", ["migration"]],
        ["soup", ["migration"]],
      ],
    );
  },
);

test.serial(
  "an unknown --category is a usage error (exit 2); a broken OPML file fails with exit 1",
  async (t) => {
    const configPath = writeConfig(t, categoriesYaml);
    const opmlPath = writeOpml(configPath, "<opml><body><outline text=");
    const unknown = await runCli([
      "import-opml",
      opmlPath,
      "--config",
      configPath,
      "--category",
      "sport",
    ]);
    t.is(unknown.code, 2);
    t.regex(unknown.stderr, /--category: unknown category "sport"/);
    const broken = await runCli(["import-opml", opmlPath, "--config", configPath]);
    t.is(broken.code, 1);
    t.regex(broken.stderr, /sources\.opml: not well-formed XML/);
    t.notRegex(broken.stderr, /\n\s+at /);
    const missing = await runCli(["import-opml", `${opmlPath}.nope`, "--config", configPath]);
    t.is(missing.code, 1);
    t.regex(missing.stderr, /cannot read: ENOENT/);
  },
);
