// Page templates: built-in ones, an operator's folder overriding some of them, and the errors
// an operator sees for a broken template (file and line, as a config problem).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test, { type ExecutionContext } from "ava";
import { ConfigError } from "../../src/config/errors.js";
import { parseConfig } from "../../src/config/load.js";
import type { PagesConfig } from "../../src/config/types.js";
import { loadTemplates } from "../../src/pages/templates.js";

async function folder(t: ExecutionContext, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-templates-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

const pages = (templatesDir?: string, templatesRequired = false): PagesConfig => ({
  perPage: 20,
  maxAge: 60,
  summaryLength: 280,
  templatesRequired,
  ...(templatesDir === undefined ? {} : { templatesDir }),
});

const errorView = {
  site: {
    title: "T",
    language: "en",
    baseUrl: "http://t",
    links: { home: "/", sources: "/sources", opml: "/opml", opmlSources: "/opml/sources" },
  },
  title: "404 Not Found — T",
  status: 404,
  heading: "404 Not Found",
  message: `<script>alert("x")</script>`,
  categories: [],
};

test("the built-in templates escape every value by default", (t) => {
  const templates = loadTemplates(pages());
  const html = templates.render("error", { ...errorView, style: templates.style.text });
  t.false(html.includes("<script>alert"));
  t.true(html.includes("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"));
  t.regex(templates.style.cspSource, /^'sha256-[A-Za-z0-9+/]+=*'$/);
  t.true(html.includes(`<style>${templates.style.text}</style>`));
});

test("a file in the operator's folder replaces the built-in one of the same name, partials too", async (t) => {
  const dir = await folder(t, {
    "stale-notice.liquid": '<p class="operator">ours {{ stale.since.text }}</p>',
    "style.css": "body { color: black }",
  });
  const templates = loadTemplates(pages(dir));
  t.is(templates.overrides, dir);
  t.is(templates.style.text, "body { color: black }");
  const html = templates.render("error", {
    ...errorView,
    style: templates.style.text,
    stale: { since: { iso: "x", text: "then" } },
  });
  t.true(html.includes('<p class="operator">ours then</p>'));
  // The rest is still the built-in layout.
  t.true(html.includes('<a class="skip-link" href="#main">'));
});

test("a broken template is a config problem naming the file and line", async (t) => {
  const dir = await folder(t, {
    "home.liquid":
      '{% layout "layout" %}\n{% block content %}\n{{ site.title | no_such_filter }}\n{% endblock %}',
  });
  const error = t.throws(() => loadTemplates(pages(dir)), { instanceOf: ConfigError });
  t.is(error?.problems.length, 1);
  t.regex(
    error?.problems[0] ?? "",
    /^pages\.templates: home\.liquid: undefined filter: no_such_filter, file:.*home\.liquid, line:3/,
  );
});

test("a stylesheet that would close its <style> element is refused", async (t) => {
  const dir = await folder(t, { "style.css": "a{}</style><script>alert(1)</script>" });
  const error = t.throws(() => loadTemplates(pages(dir)), { instanceOf: ConfigError });
  t.deepEqual(error?.problems, ["pages.templates: style.css: must not contain </style>"]);
});

test("pages.templates must exist when written; the default folder may be absent", async (t) => {
  const missing = join(tmpdir(), "tributary-no-such-templates-folder");
  t.is(loadTemplates(pages(missing, false)).overrides, undefined);
  const error = t.throws(() => loadTemplates(pages(missing, true)), { instanceOf: ConfigError });
  t.deepEqual(error?.problems, [`pages.templates: no such folder: ${missing}`]);
});

test("pages.templates is relative to the config file's folder; `templates/` beside it by default", (t) => {
  const yaml = (extra: string) => `${extra}\ncategories: [{id: news, title: News}]\nsources: []\n`;
  const written = parseConfig(yaml("pages:\n  templates: look"), {}, "/etc/t/tributary.yaml", {
    folder: "/etc/t",
  });
  t.is(written.pages.templatesDir, "/etc/t/look");
  t.true(written.pages.templatesRequired);
  const implicit = parseConfig(yaml(""), {}, "/etc/t/tributary.yaml", { folder: "/etc/t" });
  t.is(implicit.pages.templatesDir, "/etc/t/templates");
  t.false(implicit.pages.templatesRequired);
  t.is(parseConfig(yaml(""), {}).pages.templatesDir, undefined);
});

test("pages and embed settings are validated with field paths", (t) => {
  const yaml = `pages:\n  perPage: 0\n  bogus: 1\nembed:\n  allowedOrigins: ["https://ok.example", "https://bad.example/path", 5]\nservice:\n  language: "not a tag!"\ncategories: []\nsources: []\n`;
  const error = t.throws(() => parseConfig(yaml), { instanceOf: ConfigError });
  const problems = error?.problems.join("\n") ?? "";
  t.regex(problems, /^pages\.perPage: must be an integer between 1 and 100/m);
  t.regex(problems, /^pages\.bogus: unknown key$/m);
  t.regex(problems, /^embed\.allowedOrigins\[1\]: must be \*, 'self' or an origin/m);
  t.regex(problems, /^embed\.allowedOrigins\[2\]: must be an origin/m);
  t.regex(problems, /^service\.language: must be a BCP 47 language tag/m);
});
