// The page templates: LiquidJS files, the built-in ones beside this module and, in front of
// them, the operator's folder (`pages.templates`, or `templates/` beside the config file). A
// file there replaces the built-in file of the same name, partials included, so an operator
// can change one piece (the entry card, the stylesheet) and keep the rest.
//
// Liquid because its output is escaped by default (`outputEscape: "escape"`): a template
// prints partner text inertly unless it says `| raw`, and our view models hand templates only
// plain strings. Templates cannot run code, so an operator's file cannot break out of them.
// Every template is parsed when the config is loaded, so a typo is a config error (file and
// line) at start or reload, never a 500 on the first request.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid, type Template } from "liquidjs";
import { ConfigError } from "../config/errors.js";
import type { PagesConfig } from "../config/types.js";

/** The pages a template exists for; each may `{% layout %}` and `{% render %}` others. */
export const PAGE_TEMPLATES = ["home", "category", "sources", "embed", "error"] as const;
export type PageTemplate = (typeof PAGE_TEMPLATES)[number];

/** Not a Liquid template: inlined as is, and its hash goes into the CSP. */
const STYLESHEET = "style.css";

export const BUILT_IN_TEMPLATES = fileURLToPath(new URL("./templates/", import.meta.url));

export interface Templates {
  render(page: PageTemplate, data: object): string;
  /** The stylesheet every page inlines, and its CSP source (`'sha256-…'`). */
  style: { text: string; cspSource: string };
  /** The operator's folder in use, if any (for the start-up log). */
  overrides?: string;
}

/** Parses every page template; throws ConfigError naming the file and line of each problem. */
export function loadTemplates(pages: PagesConfig): Templates {
  const overrides = operatorFolder(pages);
  const roots = overrides === undefined ? [BUILT_IN_TEMPLATES] : [overrides, BUILT_IN_TEMPLATES];
  const engine = new Liquid({
    root: roots,
    partials: roots,
    layouts: roots,
    extname: ".liquid",
    outputEscape: "escape",
    // A misspelt filter is an error at load time rather than silently printing nothing.
    strictFilters: true,
    // Templates read only the view's own fields, never inherited ones (`constructor`…).
    ownPropertyOnly: true,
    cache: true,
  });
  const problems: string[] = [];
  const parsed = new Map<PageTemplate, Template[]>();
  // Every file, partials and layouts included: Liquid reads those only when a page renders
  // them, and a typo in one must fail the load, not a request.
  for (const name of templateNames(roots)) {
    try {
      const template = engine.parseFileSync(name);
      if ((PAGE_TEMPLATES as readonly string[]).includes(name)) {
        parsed.set(name as PageTemplate, template);
      }
    } catch (error) {
      problems.push(`pages.templates: ${name}.liquid: ${describe(error)}`);
    }
  }
  const style = readStylesheet(roots, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    render(page, data) {
      return engine.renderSync(parsed.get(page) as Template[], data) as string;
    },
    style,
    ...(overrides === undefined ? {} : { overrides }),
  };
}

/** The pages, then every other `.liquid` file of the folders, without the extension. */
function templateNames(roots: string[]): string[] {
  const names = new Set<string>(PAGE_TEMPLATES);
  for (const root of roots) {
    for (const file of readdirSync(root).sort()) {
      if (file.endsWith(".liquid")) names.add(file.slice(0, -".liquid".length));
    }
  }
  return [...names];
}

/** The operator's folder: required when written in the config, optional by default. */
function operatorFolder(pages: PagesConfig): string | undefined {
  const dir = pages.templatesDir;
  if (dir === undefined) return undefined;
  const isFolder = existsSync(dir) && statSync(dir).isDirectory();
  if (isFolder) return dir;
  if (pages.templatesRequired) {
    throw new ConfigError([`pages.templates: no such folder: ${dir}`]);
  }
  return undefined;
}

function readStylesheet(roots: string[], problems: string[]): Templates["style"] {
  const file = roots.map((root) => join(root, STYLESHEET)).find((path) => existsSync(path));
  let text = "";
  try {
    text = readFileSync(file ?? join(BUILT_IN_TEMPLATES, STYLESHEET), "utf8");
  } catch (error) {
    problems.push(`pages.templates: ${STYLESHEET}: ${describe(error)}`);
  }
  // A `</style>` inside would end the element early and turn the rest into markup.
  if (/<\/style/i.test(text))
    problems.push(`pages.templates: ${STYLESHEET}: must not contain </style>`);
  const hash = createHash("sha256").update(text, "utf8").digest("base64");
  return { text, cspSource: `'sha256-${hash}'` };
}

/** Liquid's message names the file and line; the stack is of no use to an operator. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}
