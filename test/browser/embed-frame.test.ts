// The iframe embed (/embed/{category}) in a real Chromium: pasted from the category page's
// snippet into a partner's page on a second loopback origin (another port of 127.0.0.1 is
// another origin), refused or allowed by `embed.allowedOrigins`, links that open in the top
// window, a hostile entry that stays inert with the CSP enforced, themes, accessibility and
// layout of the embed page itself.
import { mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import test, { type ExecutionContext } from "ava";
import type { Frame, Page } from "playwright-core";
import { EMBED_DEFAULT_LIMIT } from "../../src/pages/page-views.js";
import {
  AXE_SCRIPT,
  browserMissing,
  browserTest,
  type ContextOptions,
  closeBrowser,
  newContext,
  SCREENSHOT_DIR,
} from "../helpers/browser.js";
import { waitFor } from "../helpers/wait.js";
import {
  ARABIC_TITLE,
  entriesOf,
  HOSTILE,
  type HostileProbe,
  MEASURE_OVERFLOW,
  PROBE_HOSTILE,
  READ_ENTRIES,
  RUN_AXE,
  type ShownEntry,
  shownEntries,
  startTributary,
  TRAFFICKING,
  type Tributary,
} from "./partners.js";

interface Host {
  origin: string;
  /** Serves `html` at a fresh path and returns its URL. */
  page(html: string): string;
  close(): Promise<void>;
}

/** The partner's web server: its own node:http server, so its pages have another origin. */
async function startHost(): Promise<Host> {
  const pages = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const html = pages.get(new URL(req.url ?? "/", "http://host").pathname);
    res
      .writeHead(html === undefined ? 404 : 200, {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
      })
      .end(html ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    page: (html) => {
      const path = `/page-${pages.size + 1}.html`;
      pages.set(path, html);
      return `${origin}${path}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const hostPage = (body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A partner's page</title></head><body><h1>A partner's page</h1>${body}</body></html>`;

/**
 * The partner's site, and three services polled from the same fixtures: one with the default
 * `embed.allowedOrigins` (any site), one that allows only another site, one that allows the
 * partner's origin. Started once: the tests only read from them.
 */
let rig: { host: Host; open: Tributary; elsewhere: Tributary; listed: Tributary } | undefined;
if (browserMissing() === undefined) {
  test.before(async () => {
    const host = await startHost();
    const started = await Promise.allSettled([
      startTributary(),
      startTributary({ allowedOrigins: ["https://partner.example"] }),
      startTributary({ allowedOrigins: [host.origin] }),
    ]);
    const [open, elsewhere, listed] = started.map((s) =>
      s.status === "fulfilled" ? s.value : undefined,
    );
    if (!open || !elsewhere || !listed) {
      await Promise.all([host.close(), open?.stop(), elsewhere?.stop(), listed?.stop()]);
      throw started.find((s) => s.status === "rejected")?.reason;
    }
    rig = { host, open, elsewhere, listed };
  });
}
test.after.always(async () => {
  if (!rig) return;
  await Promise.all([rig.host.close(), rig.open.stop(), rig.elsewhere.stop(), rig.listed.stop()]);
});
test.after.always(closeBrowser);

function started() {
  if (!rig) throw new Error("the services did not start");
  return rig;
}

interface Opened {
  page: Page;
  dialogs: string[];
  consoleLines: string[];
}

async function open(
  t: ExecutionContext,
  url: string,
  options: ContextOptions = {},
): Promise<Opened> {
  const context = await newContext(t, options);
  const page = await context.newPage();
  const dialogs: string[] = [];
  const consoleLines: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("console", (message) => consoleLines.push(message.text()));
  const response = await page.goto(url);
  t.is(response?.status(), 200, url);
  return { page, dialogs, consoleLines };
}

/** The iframe snippet a partner copies from the category page, as the page shows it. */
async function iframeSnippet(t: ExecutionContext, service: Tributary): Promise<string> {
  const { page } = await open(t, `${service.url}/categories/${TRAFFICKING.id}`);
  return page.locator("textarea#embed-iframe").inputValue();
}

/** The frame showing `service`'s embed page, once it has loaded. */
async function embedFrame(page: Page, service: Tributary): Promise<Frame> {
  return waitFor(
    () => page.frames().find((frame) => frame.url().startsWith(`${service.url}/embed/`)),
    10_000,
    "the embed frame",
  );
}

const newest = (count: number): ShownEntry[] =>
  shownEntries(entriesOf(TRAFFICKING.id).slice(0, count));

browserTest("the pasted iframe snippet shows the newest entries on another origin", async (t) => {
  const { host, open: service } = started();
  const snippet = await iframeSnippet(t, service);
  t.regex(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\/trafficking\?limit=5"/);
  const { page, dialogs } = await open(t, host.page(hostPage(snippet)));
  const frame = page.frameLocator("iframe");
  await frame.locator("ol.entries").waitFor();
  const entries = (await (await embedFrame(page, service)).evaluate(READ_ENTRIES)) as ShownEntry[];
  t.deepEqual(entries, newest(EMBED_DEFAULT_LIMIT));
  t.is(await frame.locator("ol.entries > li > article.entry").count(), EMBED_DEFAULT_LIMIT);
  t.true(await frame.locator(".entry-title a").first().isVisible());
  t.deepEqual(dialogs, []);
});

browserTest("every link in the frame opens in the top window", async (t) => {
  const { host, open: service } = started();
  const { page } = await open(
    t,
    host.page(
      hostPage(
        `<iframe src="${service.url}/embed/${TRAFFICKING.id}?limit=10" title="Updates" width="600" height="900"></iframe>`,
      ),
    ),
  );
  const frame = await embedFrame(page, service);
  await frame.locator("ol.entries").waitFor();
  const links = (await frame.evaluate(
    `[...document.querySelectorAll("a[href]")].map((a) => [a.getAttribute("href"), a.getAttribute("target")])`,
  )) as [string, string | null][];
  // Titles, partners, "Read More" (none for the hostile entry, which has no usable link) and "More".
  t.true(links.length >= 10 * 2, String(links.length));
  t.deepEqual(
    links.filter(([, target]) => target !== "_top"),
    [],
  );
  // A click really leaves the partner's page for the service's category page.
  await Promise.all([
    page.waitForURL(`${service.url}/categories/${TRAFFICKING.id}`),
    frame.locator("p.more a").click(),
  ]);
  t.is(await page.locator("h1").textContent(), TRAFFICKING.title);
});

browserTest("the frame is refused on an origin not in embed.allowedOrigins", async (t) => {
  const { host, elsewhere } = started();
  const src = `${elsewhere.url}/embed/${TRAFFICKING.id}`;
  // The server still answers; it is the browser that refuses to show the answer in the frame.
  const response = await fetch(src);
  t.is(response.status, 200);
  t.regex(
    response.headers.get("content-security-policy") ?? "",
    /frame-ancestors https:\/\/partner\.example(;|$)/,
  );
  const { page, consoleLines } = await open(
    t,
    host.page(hostPage(`<iframe src="${src}" title="Updates"></iframe>`)),
  );
  await page.waitForLoadState("load");
  await waitFor(
    () => (consoleLines.some((line) => line.includes("frame-ancestors")) ? true : undefined),
    5_000,
    "Chromium's refusal in the console",
  );
  t.is(await page.frameLocator("iframe").locator("article.entry").count(), 0);
  // Chromium shows its own error page in the frame's place.
  t.deepEqual(
    page.frames().map((frame) => frame.url()),
    [page.url(), "chrome-error://chromewebdata/"],
  );
});

browserTest("the frame is allowed on an origin in embed.allowedOrigins", async (t) => {
  const { host, listed } = started();
  const response = await fetch(`${listed.url}/embed/${TRAFFICKING.id}`);
  t.regex(
    response.headers.get("content-security-policy") ?? "",
    new RegExp(`frame-ancestors ${host.origin}(;|$)`),
  );
  const { page, consoleLines } = await open(
    t,
    host.page(
      hostPage(`<iframe src="${listed.url}/embed/${TRAFFICKING.id}" title="Updates"></iframe>`),
    ),
  );
  const frame = await embedFrame(page, listed);
  await frame.locator("ol.entries").waitFor();
  t.deepEqual(await frame.evaluate(READ_ENTRIES), newest(EMBED_DEFAULT_LIMIT));
  t.deepEqual(
    consoleLines.filter((line) => line.includes("frame-ancestors")),
    [],
  );
});

async function probeHostile(t: ExecutionContext, target: Page | Frame, dialogs: string[]) {
  const probe = (await target.evaluate(PROBE_HOSTILE)) as HostileProbe;
  t.is(probe.pwned, "undefined");
  t.deepEqual(dialogs, []);
  t.deepEqual(probe.javascriptUrls, []);
  t.deepEqual(probe.injected, []);
  t.deepEqual(probe.hostileTitles, [{ text: HOSTILE.shownTitle, visible: true }]);
  t.deepEqual(probe.arabicDirections, ["rtl"]);
  t.deepEqual(probe.otherDirections, ["ltr"]);
}

browserTest("the hostile entry is inert and readable on the embed page", async (t) => {
  const { open: service } = started();
  const { page, dialogs } = await open(t, `${service.url}/embed/${TRAFFICKING.id}`);
  await probeHostile(t, page, dialogs);
  t.is(await page.locator(`article.entry[lang="ar"] .entry-title`).textContent(), ARABIC_TITLE);
});

browserTest("the hostile entry is inert and readable in the iframe", async (t) => {
  const { host, open: service } = started();
  const { page, dialogs } = await open(
    t,
    host.page(
      hostPage(`<iframe src="${service.url}/embed/${TRAFFICKING.id}" title="Updates"></iframe>`),
    ),
  );
  const frame = await embedFrame(page, service);
  await frame.locator("ol.entries").waitFor();
  await probeHostile(t, frame, dialogs);
  // Nothing reached the partner's page either.
  t.is(await page.evaluate("typeof window.__pwned"), "undefined");
});

const BACKGROUND = `getComputedStyle(document.body).backgroundColor`;

browserTest("theme=light and theme=dark override the reader's colour scheme", async (t) => {
  const { open: service } = started();
  const path = `${service.url}/embed/${TRAFFICKING.id}`;
  const backgrounds: Record<string, unknown> = {};
  for (const colorScheme of ["light", "dark"] as const) {
    for (const theme of ["auto", "light", "dark"]) {
      const { page } = await open(t, `${path}?theme=${theme}`, { colorScheme });
      backgrounds[`${theme} in ${colorScheme}`] = await page.evaluate(BACKGROUND);
    }
  }
  const white = "rgb(255, 255, 255)";
  const dark = "rgb(20, 23, 27)";
  t.deepEqual(backgrounds, {
    "auto in light": white,
    "light in light": white,
    "dark in light": dark,
    "auto in dark": dark,
    "light in dark": white,
    "dark in dark": dark,
  });
});

for (const colorScheme of ["light", "dark"] as const) {
  browserTest(`axe finds nothing serious on the embed page (${colorScheme})`, async (t) => {
    const { open: service } = started();
    // The embed's CSP forbids injected scripts; only this context lifts it, for axe.
    const { page } = await open(t, `${service.url}/embed/${TRAFFICKING.id}`, {
      colorScheme,
      bypassCSP: true,
    });
    await page.addScriptTag({ path: AXE_SCRIPT });
    t.deepEqual(await page.evaluate(RUN_AXE), []);
  });
}

browserTest("the embed page fits 375 px (screenshots at 1280 and 375 px)", async (t) => {
  const { open: service } = started();
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  for (const colorScheme of ["light", "dark"] as const) {
    for (const width of [1280, 375]) {
      const { page } = await open(t, `${service.url}/embed/${TRAFFICKING.id}`, {
        width,
        colorScheme,
      });
      const suffix = colorScheme === "dark" ? "-dark" : "";
      await page.screenshot({
        path: join(SCREENSHOT_DIR, `embed-${width}${suffix}.png`),
        fullPage: true,
      });
      if (width !== 375) continue;
      const overflow = (await page.evaluate(MEASURE_OVERFLOW)) as {
        scrollWidth: number;
        clientWidth: number;
        wide: string[];
      };
      t.is(overflow.clientWidth, 375);
      t.true(overflow.scrollWidth <= overflow.clientWidth, `scrollWidth ${overflow.scrollWidth}`);
      t.deepEqual(overflow.wide, [], colorScheme);
    }
  }
});

// A partner's page at phone width with the snippet: the frame follows the page's width.
browserTest("the embedded frame fits a 375 px partner page", async (t) => {
  const { host, open: service } = started();
  const snippet = await iframeSnippet(t, service);
  const { page } = await open(t, host.page(hostPage(snippet)), { width: 375 });
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const frame = await embedFrame(page, service);
  await frame.locator("ol.entries").waitFor();
  await page.screenshot({ path: join(SCREENSHOT_DIR, "embed-host-375.png"), fullPage: true });
  const outer = (await page.evaluate(MEASURE_OVERFLOW)) as {
    scrollWidth: number;
    clientWidth: number;
    wide: string[];
  };
  const inner = (await frame.evaluate(MEASURE_OVERFLOW)) as {
    scrollWidth: number;
    clientWidth: number;
    wide: string[];
  };
  t.true(outer.scrollWidth <= outer.clientWidth, `host scrollWidth ${outer.scrollWidth}`);
  t.deepEqual(outer.wide, []);
  t.true(inner.scrollWidth <= inner.clientWidth, `frame scrollWidth ${inner.scrollWidth}`);
  t.deepEqual(inner.wide, []);
});
