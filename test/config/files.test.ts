// The shipped files validate; loadConfig reads from disk; the config path is chosen as the
// contract says (--config, then TRIBUTARY_CONFIG, then the default).
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import test, { type ExecutionContext } from "ava";
import { ConfigError } from "../../src/config/errors.js";
import { DEFAULT_CONFIG_PATH, loadConfig, resolveConfigPath } from "../../src/config/load.js";

const configDir = fileURLToPath(new URL("../../config/", import.meta.url));

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-config-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test("the shipped config validates with the partner network", async (t) => {
  const config = await loadConfig(join(configDir, "tributary.yaml"));
  t.deepEqual(
    config.categories.map((c) => c.id),
    ["trafficking", "migration", "refugees", "human-rights", "humanitarian", "research"],
  );
  t.deepEqual(
    config.sources.map((s) => s.id),
    [
      "un-news",
      "un-news-migrants-refugees",
      "un-news-human-rights",
      "un-news-law-crime-prevention",
      "reliefweb",
      "the-new-humanitarian",
      "amnesty",
      "migration-policy-institute",
      "anti-trafficking-review",
      "mixed-migration-centre",
      "iom",
      "hrw",
    ],
  );
  for (const source of config.sources) {
    t.true(source.url.startsWith("https://"), source.id);
    t.truthy(source.homepage, source.id);
  }
  // No public feed was found for these in 2026: they must not be polled.
  const polled = config.sources
    .filter((s) => s.enabled)
    .map((s) => s.id)
    .join(" ");
  t.notRegex(polled, /unhcr|unicef|ilo/);
  t.false(config.polling.allowPrivateNetworks);
});

test("every example config validates", async (t) => {
  const dir = join(configDir, "examples");
  const files = (await readdir(dir)).filter((name) => name.endsWith(".yaml"));
  t.true(files.length >= 2);
  for (const name of files) {
    await t.notThrowsAsync(loadConfig(join(dir, name)), name);
  }
});

test("loadConfig reads a file and applies env", async (t) => {
  const path = join(await tempDir(t), "ok.yaml");
  await writeFile(
    path,
    `categories: [{ id: migration, title: Migration }]
sources: [{ id: a, title: A, url: "https://a.org/feed", categories: [migration] }]
`,
  );
  const config = await loadConfig(path, { PORT: "8181" });
  t.is(config.service.port, 8181);
  t.is(config.sources[0]?.id, "a");
});

test("loadConfig labels YAML syntax errors with the file path", async (t) => {
  const path = join(await tempDir(t), "broken.yaml");
  await writeFile(path, "categories: [\n");
  const error = await t.throwsAsync(loadConfig(path), { instanceOf: ConfigError });
  t.regex(error?.problems[0] ?? "", /broken\.yaml:\d+:\d+: YAML syntax error: /);
  t.true(error?.problems[0]?.startsWith(path));
});

test("loadConfig reports an unreadable file as a ConfigError", async (t) => {
  const path = join(await tempDir(t), "missing.yaml");
  const error = await t.throwsAsync(loadConfig(path), { instanceOf: ConfigError });
  t.is(error?.problems.length, 1);
  t.true(error?.problems[0]?.startsWith(`${path}: cannot read: ENOENT`));
  t.is((error?.cause as NodeJS.ErrnoException | undefined)?.code, "ENOENT");
});

test("resolveConfigPath: --config, then TRIBUTARY_CONFIG, then the default", (t) => {
  const env = { TRIBUTARY_CONFIG: "from-env.yaml" };
  t.is(resolveConfigPath("cli.yaml", env), "cli.yaml");
  t.is(resolveConfigPath(undefined, env), "from-env.yaml");
  t.is(resolveConfigPath(undefined, {}), DEFAULT_CONFIG_PATH);
  t.is(resolveConfigPath(undefined, { TRIBUTARY_CONFIG: "" }), "config/tributary.yaml");
});
