// A real Chromium for page tests: Debian's package, driven by playwright-core (which never
// downloads a browser). Tests call `withBrowser` and register a counted skip where there is no
// Chromium on the machine; CI installs it.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import test, { type ExecutionContext } from "ava";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { skipTest } from "./skip.js";

/** TRIBUTARY_CHROMIUM overrides where the browser is looked for. */
export const CHROMIUM_PATH = process.env.TRIBUTARY_CHROMIUM ?? "/usr/bin/chromium";

/** Why browser tests cannot run here, or undefined when they can. */
export function browserMissing(): string | undefined {
  return existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH}`;
}

/**
 * A serial browser test (a file's tests share one browser and often one service), or a counted
 * skip naming why when there is no Chromium here.
 */
export function browserTest(title: string, run: (t: ExecutionContext) => Promise<void>): void {
  const missing = browserMissing();
  if (missing) skipTest(title, missing);
  else test.serial(title, run);
}

/** axe-core's browser bundle, for `page.addScriptTag({ path })` in a context with bypassCSP. */
export const AXE_SCRIPT = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

// Without the background-networking flags Chromium keeps trying to reach Google's hosts,
// which a closed network refuses; tests reach loopback addresses only.
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/**
 * One browser per test file: started on first use, closed when the process's tests end.
 * Playwright gives it a new empty profile of its own and deletes it on close.
 */
let shared: Promise<{ browser: Browser }> | undefined;

async function launch(): Promise<{ browser: Browser }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
  });
  return { browser };
}

/** Closes the shared browser; register with `test.after.always(closeBrowser)`. */
export async function closeBrowser(): Promise<void> {
  if (!shared) return;
  const { browser } = await shared;
  shared = undefined;
  await browser.close();
}

export interface ContextOptions {
  width?: number;
  height?: number;
  colorScheme?: "light" | "dark";
  /** For injecting axe-core: the pages' CSP forbids every script, by design. */
  bypassCSP?: boolean;
}

/** A fresh browser context (own cookies and cache), closed when the test ends. */
export async function newContext(
  t: ExecutionContext,
  options: ContextOptions = {},
): Promise<BrowserContext> {
  shared ??= launch();
  const { browser } = await shared;
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    colorScheme: options.colorScheme ?? "light",
    bypassCSP: options.bypassCSP ?? false,
  });
  t.teardown(() => context.close());
  return context;
}

/** Where screenshots go: not committed (see .gitignore), for a person to look at. */
export const SCREENSHOT_DIR = process.env.TRIBUTARY_SCREENSHOTS ?? "screenshots";
