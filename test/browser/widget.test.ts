// <tributary-feed> in a real Chromium, embedded in pages served from a second loopback origin
// (another port of 127.0.0.1 is another origin): what it renders from the service's JSON Feed,
// that the host page's CSS cannot change it nor its CSS the page, that hostile partner text
// stays inert, the fallback when the feed cannot be read, themes and custom properties.
import { mkdir } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import test, { type ExecutionContext } from "ava";
import type { Page } from "playwright-core";
import type { Update } from "../../src/model/update.js";
import { embedScriptUrl } from "../../src/pages/embed-script.js";
import { startApp } from "../helpers/app.js";
import {
  browserTest,
  type ContextOptions,
  closeBrowser,
  newContext,
  SCREENSHOT_DIR,
} from "../helpers/browser.js";
import { freePort } from "../helpers/ports.js";
import { makeUpdate, minutesAfterEpoch } from "../helpers/updates.js";

test.after.always(closeBrowser);

const HOSTILE_TITLE = `<img src=x onerror="window.__pwned=1">Trafficking <script>window.__pwned=2</script>`;
const ARABIC_TITLE = "تقرير جديد عن الاتجار بالبشر";
const LONG_SUMMARY = `${"Survivors described recruitment through online job offers and debt bondage ".repeat(5)}in the report.`;
/** The host page's CSS from the issue, and more of the same kind. */
const AGGRESSIVE_CSS = [
  "* { color: red !important; font-size: 40px }",
  "* { line-height: 3 !important; letter-spacing: 4px !important; text-transform: uppercase !important; font-family: cursive !important; background: yellow !important }",
].join("\n");

/** Six trafficking entries, newest first; limit 5 leaves out the last. */
function entries(): Update[] {
  const at = (hours: number) => ({
    published: minutesAfterEpoch(hours * 60),
    updated: minutesAfterEpoch(hours * 60),
  });
  return [
    makeUpdate({ title: "Hotline calls on forced labour rise", sourceId: "atr", ...at(5) }),
    makeUpdate({
      title: ARABIC_TITLE,
      summary: "ملخص التقرير الجديد.",
      language: "ar",
      sourceId: "un-news",
      ...at(4),
    }),
    makeUpdate({
      title: HOSTILE_TITLE,
      summary: `<b onclick="window.__pwned=4">bold</b> & more`,
      contentHtml: `<p>fine</p>`,
      link: "javascript:window.__pwned=3",
      sourceId: "atr",
      ...at(3),
    }),
    makeUpdate({
      title: "Report on online recruitment",
      summary: LONG_SUMMARY,
      sourceId: "un-news",
      ...at(2),
    }),
    makeUpdate({ title: "Fifth newest", sourceId: "atr", ...at(1) }),
    makeUpdate({ title: "Sixth newest, not shown", sourceId: "atr", ...at(0) }),
  ].map((update) => ({ ...update, categories: ["trafficking"] }));
}

const EXPECTED_TITLES = [
  "Hotline calls on forced labour rise",
  ARABIC_TITLE,
  HOSTILE_TITLE,
  "Report on online recruitment",
  "Fifth newest",
];

interface Served {
  body: string;
  type?: string;
  headers?: Record<string, string>;
  status?: number;
}

interface Host {
  origin: string;
  /** What the second origin answers, by path (query ignored); anything else is a 404. */
  routes: Map<string, Served>;
  /** Every request's path and query, in order. */
  requests: string[];
}

/** The partner's web server: its own node:http server on another port, closed after the test. */
async function startHost(t: ExecutionContext): Promise<Host> {
  // The browser asks for it unprompted; a 404 would be logged as a console error.
  const routes = new Map<string, Served>([["/favicon.ico", { status: 204, body: "" }]]);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const target = req.url ?? "/";
    requests.push(target);
    const served = routes.get(new URL(target, "http://host").pathname);
    res.writeHead(served?.status ?? (served ? 200 : 404), {
      "Content-Type": served?.type ?? "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      ...served?.headers,
    });
    res.end(served?.body ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, routes, requests };
}

interface PageOptions {
  /** Script URLs loaded in <head> with defer, as the snippet does. */
  scripts: string[];
  body: string;
  css?: string;
}

function hostPage({ scripts, body, css }: PageOptions): string {
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner page</title>',
    css === undefined ? "" : `<style>${css}</style>`,
    ...scripts.map((src) => `<script src="${src}" defer></script>`),
    `</head><body><h1>A partner's page</h1>${body}</body></html>`,
  ].join("\n");
}

interface Rig {
  service: string;
  host: Host;
  script: string;
  /** The entries stored, newest first. */
  updates: Update[];
}

/** The service with the six entries, and the partner's server on a second origin. */
async function startRig(t: ExecutionContext): Promise<Rig> {
  const service = await startApp(t);
  const updates = entries();
  await service.store.upsert(updates, { fallbackDated: new Set() });
  const host = await startHost(t);
  t.not(host.origin, service.url);
  return { service: service.url, host, script: embedScriptUrl(service.url), updates };
}

interface Opened {
  page: Page;
  /** Uncaught exceptions and console errors on the page. */
  errors: string[];
}

/** Serves `html` at `path` of the host, opens it, and waits until every widget has rendered. */
async function open(
  t: ExecutionContext,
  host: Host,
  path: string,
  html: string,
  options: ContextOptions & { headers?: Record<string, string> } = {},
): Promise<Opened> {
  host.routes.set(path, { body: html, ...(options.headers ? { headers: options.headers } : {}) });
  const context = await newContext(t, options);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`${message.text()} (${message.location().url})`);
  });
  await page.goto(`${host.origin}${path}`);
  await waitFor(page, READY);
  return { page, errors };
}

/**
 * Polls `expression` from here until it is truthy. Not page.waitForFunction: that evaluates
 * strings with eval inside the page, which a host page's CSP (as one test sets) refuses.
 */
async function waitFor(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(`Boolean(${expression})`))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// Browser-side code is written as strings: the project's types have no DOM.
/** Every widget has rendered something other than its loading note. */
const READY = `!customElements.get("tributary-feed") || [...document.querySelectorAll("tributary-feed")].every((host) => {
  const root = host.shadowRoot && host.shadowRoot.querySelector(".root");
  return root && root.childElementCount > 0 && !root.hasAttribute("aria-busy");
})`;

const STYLE_PROPERTIES = [
  "color",
  "background-color",
  "font-size",
  "font-family",
  "font-weight",
  "line-height",
  "letter-spacing",
  "text-transform",
  "outline-style",
];

type Styles = Record<string, string>;

interface Snapshot {
  className: string;
  items: {
    title: string;
    href: string | null;
    lang: string | null;
    direction: string;
    datetime: string | null;
    date: string | null;
    partner: string | null;
    summary: string | null;
    more: string | null;
    moreName: string | null;
  }[];
  note: string | null;
  links: { href: string | null; text: string }[];
  slotted: string[];
  tags: string[];
  handlers: string[];
  styles: { root: Styles; title: Styles | null; summary: Styles | null; meta: Styles | null };
}

const SNAPSHOT = `(selector) => {
  const shadow = document.querySelector(selector).shadowRoot;
  const root = shadow.querySelector(".root");
  const names = ${JSON.stringify(STYLE_PROPERTIES)};
  const pick = (node) => {
    if (!node) return null;
    const style = getComputedStyle(node);
    return Object.fromEntries(names.map((name) => [name, style.getPropertyValue(name)]));
  };
  const text = (node) => (node ? node.textContent : null);
  const elements = [...shadow.querySelectorAll("*")];
  return {
    className: root.className,
    items: [...shadow.querySelectorAll("li")].map((li) => {
      const title = li.querySelector(".title");
      const link = title.querySelector("a");
      const time = li.querySelector("time");
      const more = li.querySelector(".more a");
      return {
        title: title.textContent,
        href: link ? link.getAttribute("href") : null,
        lang: title.getAttribute("lang"),
        direction: getComputedStyle(link || title).direction,
        datetime: time ? time.getAttribute("datetime") : null,
        date: text(time),
        partner: text(li.querySelector(".meta span")),
        summary: text(li.querySelector(".summary")),
        more: more ? more.getAttribute("href") : null,
        moreName: text(more),
      };
    }),
    note: text(shadow.querySelector(".note")),
    links: [...shadow.querySelectorAll("a")].map((a) => ({ href: a.getAttribute("href"), text: a.textContent })),
    slotted: [...shadow.querySelectorAll("slot")].flatMap((slot) => slot.assignedElements().map((node) => node.id)),
    tags: [...new Set(elements.map((node) => node.localName))].sort(),
    handlers: elements.flatMap((node) =>
      [...node.attributes].filter((a) => /^on/i.test(a.name)).map((a) => node.localName + "[" + a.name + "]"),
    ),
    styles: {
      root: pick(root),
      title: pick(shadow.querySelector(".title a") || shadow.querySelector(".title")),
      summary: pick(shadow.querySelector(".summary")),
      meta: pick(shadow.querySelector(".meta")),
    },
  };
}`;

const snapshot = (page: Page, selector = "tributary-feed"): Promise<Snapshot> =>
  page.evaluate<Snapshot>(`(${SNAPSHOT})(${JSON.stringify(selector)})`);

/** Computed styles of an element of the host page itself. */
const hostStyles = (page: Page, selector: string): Promise<Styles> =>
  page.evaluate<Styles>(`(() => {
    const style = getComputedStyle(document.querySelector(${JSON.stringify(selector)}));
    return Object.fromEntries(${JSON.stringify(STYLE_PROPERTIES)}.map((name) => [name, style.getPropertyValue(name)]));
  })()`);

/** WCAG 2 contrast ratio of two computed `rgb(…)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (color: string): number => {
    const channels = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const [r = 0, g = 0, bl = 0] = channels.map((value) => {
      const c = value / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

browserTest(
  "on a page of another origin the widget renders the category's entries in order",
  async (t) => {
    const { service, host, script, updates } = await startRig(t);
    const feedRequests: string[] = [];
    host.routes.set("/news.html", {
      body: hostPage({
        scripts: [script],
        body: '<tributary-feed category="trafficking" limit="5"></tributary-feed>',
      }),
    });
    const page = await (await newContext(t)).newPage();
    page.on("request", (request) => {
      if (request.url().includes("/feeds/")) feedRequests.push(request.url());
    });
    await page.goto(`${host.origin}/news.html`);
    await waitFor(page, READY);
    const widget = await snapshot(page);
    t.deepEqual(
      widget.items.map((item) => item.title),
      EXPECTED_TITLES,
    );
    // Loaded without `base`: the feed comes from where the script came from, read with CORS.
    t.deepEqual(feedRequests, [`${service}/feeds/trafficking.json?limit=5`]);
    const first = widget.items[0];
    t.is(first?.href, updates[0]?.link);
    t.is(first?.more, updates[0]?.link);
    t.is(first?.moreName, `Read More: ${EXPECTED_TITLES[0]}`);
    t.is(first?.datetime, minutesAfterEpoch(300));
    t.is(first?.date, "Mar 1, 2025");
    t.is(first?.partner, "Anti-Trafficking Review");
    t.is(widget.items[1]?.partner, "UN News");
    t.is(first?.summary, updates[0]?.summary);
    // The long summary is cut at a word boundary near 200 characters, with "…".
    const long = widget.items[3]?.summary ?? "";
    t.true(long.length <= 201 && long.length > 150, long);
    t.true(long.endsWith("…"), long);
    t.true(LONG_SUMMARY.startsWith(long.slice(0, -1)), long);
    t.regex(long.slice(0, -1), /\S$/);
    t.true(LONG_SUMMARY[long.length - 1] === " ", "cut before a space");
    const footer = widget.links.at(-1);
    t.deepEqual(footer, { href: `${service}/categories/trafficking`, text: "More updates" });
  },
);

browserTest("the host page's aggressive CSS changes nothing inside the widget", async (t) => {
  const { host, script } = await startRig(t);
  // A dark one too, below the page's text, for the person looking at the screenshot.
  const body = [
    '<tributary-feed category="trafficking" limit="5"></tributary-feed>',
    '<p id="host-text">Partner text</p>',
    '<tributary-feed category="trafficking" limit="2" theme="dark"></tributary-feed>',
  ].join("");
  const plain = await open(t, host, "/plain.html", hostPage({ scripts: [script], body }));
  const loud = await open(
    t,
    host,
    "/loud.html",
    hostPage({ scripts: [script], body, css: AGGRESSIVE_CSS }),
  );
  const [calm, hit] = [await snapshot(plain.page), await snapshot(loud.page)];
  // The page's rule does apply to its own elements: the test would see it if it crossed.
  const hostText = await hostStyles(loud.page, "#host-text");
  t.is(hostText.color, "rgb(255, 0, 0)");
  t.is(hostText["font-size"], "40px");
  const title = hit.styles.title ?? {};
  t.not(title.color, "rgb(255, 0, 0)");
  t.not(title["font-size"], "40px");
  t.is(title["font-size"], "18px");
  t.deepEqual(hit.styles, calm.styles);
  t.deepEqual(
    hit.items.map((item) => item.title),
    EXPECTED_TITLES,
  );
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await loud.page.screenshot({ path: join(SCREENSHOT_DIR, "widget-1280.png"), fullPage: true });
});

browserTest("a hostile entry renders as inert, readable text", async (t) => {
  const { host, script } = await startRig(t);
  const { page, errors } = await open(
    t,
    host,
    "/hostile.html",
    hostPage({
      scripts: [script],
      body: '<tributary-feed category="trafficking"></tributary-feed>',
    }),
  );
  const widget = await snapshot(page);
  const hostile = widget.items.find((item) => item.title === HOSTILE_TITLE);
  t.truthy(hostile, "the title is shown as literal text, tags and all");
  // Its link was javascript:, so the title is text and there is no Read More.
  t.is(hostile?.href, null);
  t.is(hostile?.more, null);
  t.is(hostile?.summary, `<b onclick="window.__pwned=4">bold</b> & more`);
  t.deepEqual(widget.handlers, []);
  t.deepEqual(
    widget.tags.filter((tag) => !["a", "div", "li", "p", "span", "time", "ul"].includes(tag)),
    [],
  );
  for (const link of widget.links) t.regex(link.href ?? "", /^https?:\/\//);
  // Time for an injected image's onerror to have fired, had there been one.
  await page.waitForTimeout(300);
  t.is(await page.evaluate("typeof window.__pwned"), "undefined");
  t.deepEqual(errors, []);
});

browserTest("the Arabic title reads right to left in its own language", async (t) => {
  const { host, script } = await startRig(t);
  const { page } = await open(
    t,
    host,
    "/arabic.html",
    hostPage({
      scripts: [script],
      body: '<tributary-feed category="trafficking"></tributary-feed>',
    }),
  );
  const widget = await snapshot(page);
  const arabic = widget.items.find((item) => item.title === ARABIC_TITLE);
  t.is(arabic?.direction, "rtl");
  t.is(arabic?.lang, "ar");
  // The English entries beside it stay left to right.
  t.is(widget.items[0]?.direction, "ltr");
});

browserTest("the widget's styles do not leak into the host page", async (t) => {
  const { host, script } = await startRig(t);
  // Host elements with the very tags and class names the widget styles inside its shadow root.
  const body = [
    '<ul id="host-list"><li class="title"><a id="host-link" class="title" href="#here">Partner link</a></li></ul>',
    '<p id="host-para" class="meta summary note footer root dark">Partner paragraph</p>',
    '<tributary-feed category="trafficking" theme="dark"></tributary-feed>',
  ].join("");
  const withWidget = await open(t, host, "/with.html", hostPage({ scripts: [script], body }));
  const without = await open(t, host, "/without.html", hostPage({ scripts: [], body }));
  t.true((await snapshot(withWidget.page)).items.length > 0);
  for (const selector of ["#host-list", "#host-link", "#host-para", "body"]) {
    t.deepEqual(
      await hostStyles(withWidget.page, selector),
      await hostStyles(without.page, selector),
      selector,
    );
  }
  // Nothing was added to the page's own document either.
  t.is(await withWidget.page.evaluate("document.styleSheets.length"), 0);
});

browserTest(
  "a feed that cannot be read shows the fallback link to the category page",
  async (t) => {
    const { service, host, script } = await startRig(t);
    const closed = `http://127.0.0.1:${await freePort()}`;
    const body = [
      `<tributary-feed id="closed" category="trafficking" base="${closed}"></tributary-feed>`,
      '<tributary-feed id="unknown" category="no-such-category"></tributary-feed>',
      `<tributary-feed id="given" category="trafficking" base="${closed}">`,
      `  <a id="given-link" href="${service}/categories/trafficking">Trafficking updates</a>`,
      "</tributary-feed>",
      '<tributary-feed id="loaded" category="trafficking">',
      `  <a id="loaded-link" href="${service}/categories/trafficking">Trafficking updates</a>`,
      "</tributary-feed>",
    ].join("\n");
    const { page } = await open(t, host, "/down.html", hostPage({ scripts: [script], body }));

    const down = await snapshot(page, "#closed");
    t.is(down.note, "Updates could not be loaded.");
    t.deepEqual(down.items, []);
    t.deepEqual(down.links, [
      { href: `${closed}/categories/trafficking`, text: "See them on the category page" },
    ]);
    // A 404 from the service (an unknown category) is a failure too.
    const unknown = await snapshot(page, "#unknown");
    t.deepEqual(
      unknown.links.map((link) => link.href),
      [`${service}/categories/no-such-category`],
    );
    // The page's own fallback content is shown through the slot instead, only on failure.
    const given = await snapshot(page, "#given");
    t.deepEqual(given.slotted, ["given-link"]);
    t.deepEqual(given.links, []);
    t.true(await page.locator("#given-link").isVisible());
    const loaded = await snapshot(page, "#loaded");
    t.is(loaded.items.length, 5);
    t.deepEqual(loaded.slotted, []);
    t.false(await page.locator("#loaded-link").isVisible());
  },
);

browserTest("theme=dark forces a dark widget; auto follows prefers-color-scheme", async (t) => {
  const { host, script } = await startRig(t);
  const body = ["auto", "light", "dark"]
    .map(
      (theme) =>
        `<tributary-feed id="${theme}" category="trafficking" theme="${theme}"></tributary-feed>`,
    )
    .join("");
  const html = hostPage({ scripts: [script], body });
  const background = async (page: Page, id: string) =>
    (await snapshot(page, `#${id}`)).styles.root["background-color"];
  const light = await open(t, host, "/light.html", html, { colorScheme: "light" });
  const dark = await open(t, host, "/dark.html", html, { colorScheme: "dark" });
  t.is(await background(light.page, "dark"), "rgb(20, 23, 27)");
  t.is(await background(light.page, "auto"), "rgb(255, 255, 255)");
  t.is(await background(dark.page, "auto"), "rgb(20, 23, 27)");
  t.is(await background(dark.page, "light"), "rgb(255, 255, 255)");
  // A change of the attribute applies without a reload.
  await light.page.evaluate(`document.querySelector("#light").setAttribute("theme", "dark")`);
  t.is(await background(light.page, "light"), "rgb(20, 23, 27)");
});

browserTest("the default colours meet WCAG AA contrast in both themes", async (t) => {
  const { host, script } = await startRig(t);
  const body = ["light", "dark"]
    .map(
      (theme) =>
        `<tributary-feed id="${theme}" category="trafficking" theme="${theme}"></tributary-feed>`,
    )
    .join("");
  const { page } = await open(t, host, "/contrast.html", hostPage({ scripts: [script], body }));
  for (const theme of ["light", "dark"]) {
    const { root, title, summary, meta } = (await snapshot(page, `#${theme}`)).styles;
    const background = root["background-color"] ?? "";
    for (const [name, styles] of Object.entries({ title, summary, meta })) {
      const ratio = contrast(styles?.color ?? "", background);
      t.true(ratio >= 4.5, `${theme} ${name}: ${ratio.toFixed(2)}:1`);
    }
  }
});

browserTest("custom properties set by the host page restyle the widget", async (t) => {
  const { host, script } = await startRig(t);
  const css = [
    "tributary-feed { --tributary-font-size: 20px; --tributary-font-family: Georgia, serif;",
    "  --tributary-link: rgb(0, 90, 0); --tributary-text: rgb(10, 10, 60);",
    "  --tributary-muted: rgb(60, 60, 60); --tributary-background: rgb(250, 245, 230); }",
  ].join("\n");
  const body = '<tributary-feed category="trafficking"></tributary-feed>';
  const { page } = await open(t, host, "/branded.html", hostPage({ scripts: [script], body, css }));
  const { root, title, summary, meta } = (await snapshot(page)).styles;
  t.is(title?.color, "rgb(0, 90, 0)");
  t.is(title?.["font-size"], "22.5px");
  t.is(title?.["font-family"], "Georgia, serif");
  t.is(summary?.color, "rgb(10, 10, 60)");
  t.is(summary?.["font-size"], "20px");
  t.is(meta?.color, "rgb(60, 60, 60)");
  t.is(root["background-color"], "rgb(250, 245, 230)");
});

browserTest("keyboard focus on the widget's links is visible", async (t) => {
  const { host, script } = await startRig(t);
  const body = '<tributary-feed category="trafficking"></tributary-feed>';
  const { page } = await open(t, host, "/focus.html", hostPage({ scripts: [script], body }));
  await page.keyboard.press("Tab");
  const focused = await page.evaluate<Styles | null>(`(() => {
    const active = document.querySelector("tributary-feed").shadowRoot.activeElement;
    if (!active) return null;
    const style = getComputedStyle(active);
    return { text: active.textContent, style: style.outlineStyle, width: style.outlineWidth };
  })()`);
  t.deepEqual(focused, { text: EXPECTED_TITLES[0] ?? "", style: "solid", width: "3px" });
});

browserTest(
  "attribute changes re-render, and a page that includes the script twice still works",
  async (t) => {
    const { service, host, script } = await startRig(t);
    const body = '<tributary-feed category="trafficking" limit="5"></tributary-feed>';
    // Once as the snippet gives it, once more unversioned (a second snippet on the same page).
    const { page, errors } = await open(
      t,
      host,
      "/twice.html",
      hostPage({ scripts: [script, `${service}/embed.js`], body }),
    );
    t.is((await snapshot(page)).items.length, 5);
    await page.evaluate(`document.querySelector("tributary-feed").setAttribute("limit", "2")`);
    await waitFor(
      page,
      `document.querySelector("tributary-feed").shadowRoot.querySelectorAll("li").length === 2`,
    );
    t.deepEqual(
      (await snapshot(page)).items.map((item) => item.title),
      EXPECTED_TITLES.slice(0, 2),
    );
    await page.evaluate(
      `document.querySelector("tributary-feed").setAttribute("category", "migration")`,
    );
    await waitFor(
      page,
      `(() => {
    const root = document.querySelector("tributary-feed").shadowRoot.querySelector(".root");
    return !root.hasAttribute("aria-busy") && root.querySelector(".note") !== null;
  })()`,
    );
    t.is((await snapshot(page)).note, "No updates yet.");
    t.deepEqual(errors, []);
  },
);

browserTest(
  "on a host page whose CSP forbids inline styles the widget is still styled",
  async (t) => {
    const { service, host, script } = await startRig(t);
    const csp = `default-src 'none'; script-src ${service}; connect-src ${service}; style-src 'self'`;
    const body = '<tributary-feed category="trafficking"></tributary-feed>';
    const { page } = await open(t, host, "/strict.html", hostPage({ scripts: [script], body }), {
      headers: { "Content-Security-Policy": csp },
    });
    const widget = await snapshot(page);
    t.is(widget.items.length, 5);
    t.is(widget.styles.title?.["font-size"], "18px");
    t.is(widget.styles.root["background-color"], "rgb(255, 255, 255)");
  },
);

browserTest("whatever a feed sends, only http(s) links and text reach the widget", async (t) => {
  // Not the service: a feed from elsewhere (a `base` pointing at another server) is not
  // cleaned by Tributary's publisher, so the widget's own guards are all that stand.
  const { host, script } = await startRig(t);
  const items = [
    {
      title: "<svg onload=window.__pwned=5>",
      url: "javascript:window.__pwned=6",
      summary: '<img src=x onerror="window.__pwned=7">',
      content_html: '<img src=x onerror="window.__pwned=8">',
      date_published: "not a date",
      language: 'ar" onmouseover="window.__pwned=9',
      _tributary: { source: { title: "<i onclick=x>Partner</i>" } },
    },
    { title: "Data link", url: "data:text/html,<script>window.__pwned=10</script>" },
    { title: "Spaced scheme", url: " JavaScript:window.__pwned=11" },
    { title: 42, url: "https://partner.example/ok", content_text: "Only content text." },
    null,
    "not an item",
  ];
  host.routes.set("/stub/feeds/trafficking.json", {
    body: JSON.stringify({ version: "https://jsonfeed.org/version/1.1", items }),
    type: "application/feed+json",
  });
  host.routes.set("/stub/feeds/broken.json", { body: "{ not json", type: "application/json" });
  host.routes.set("/stub/feeds/object.json", {
    body: '{"items": "none"}',
    type: "application/json",
  });
  const base = `${host.origin}/stub`;
  const body = [
    `<tributary-feed id="hostile" category="trafficking" base="${base}"></tributary-feed>`,
    `<tributary-feed id="broken" category="broken" base="${base}/"></tributary-feed>`,
    `<tributary-feed id="object" category="object" base="${base}"></tributary-feed>`,
  ].join("");
  const { page } = await open(t, host, "/stub.html", hostPage({ scripts: [script], body }));
  const widget = await snapshot(page, "#hostile");
  t.deepEqual(
    widget.items.map((item) => [item.title, item.href]),
    [
      ["<svg onload=window.__pwned=5>", null],
      ["Data link", null],
      ["Spaced scheme", null],
      ["Untitled", "https://partner.example/ok"],
    ],
  );
  t.is(widget.items[0]?.summary, '<img src=x onerror="window.__pwned=7">');
  t.is(widget.items[0]?.partner, "<i onclick=x>Partner</i>");
  t.is(widget.items[0]?.lang, 'ar" onmouseover="window.__pwned=9');
  t.is(widget.items[0]?.datetime, null);
  t.is(widget.items[3]?.summary, "Only content text.");
  t.deepEqual(widget.handlers, []);
  t.deepEqual(
    widget.links.map((link) => link.href),
    ["https://partner.example/ok", "https://partner.example/ok", `${base}/categories/trafficking`],
  );
  await page.waitForTimeout(300);
  t.is(await page.evaluate("typeof window.__pwned"), "undefined");
  // Invalid JSON, and JSON that is not a feed, fall back like a network error.
  for (const id of ["broken", "object"]) {
    t.is((await snapshot(page, `#${id}`)).note, "Updates could not be loaded.", id);
  }
});

browserTest("limit is clamped to 1–50, and category and source are sent encoded", async (t) => {
  const { host, script } = await startRig(t);
  const feed = JSON.stringify({ version: "https://jsonfeed.org/version/1.1", items: [] });
  for (const name of ["high", "low", "junk", "a b/c"]) {
    host.routes.set(`/stub/feeds/${encodeURIComponent(name)}.json`, { body: feed });
  }
  const base = `${host.origin}/stub`;
  const body = [
    `<tributary-feed category="high" limit="500" base="${base}"></tributary-feed>`,
    `<tributary-feed category="low" limit="0" base="${base}"></tributary-feed>`,
    `<tributary-feed category="junk" limit="many" base="${base}"></tributary-feed>`,
    `<tributary-feed category="a b/c" limit="3" source="atr &amp; co" base="${base}"></tributary-feed>`,
  ].join("");
  await open(t, host, "/limits.html", hostPage({ scripts: [script], body }));
  t.deepEqual(host.requests.filter((path) => path.startsWith("/stub/")).sort(), [
    "/stub/feeds/a%20b%2Fc.json?limit=3&source=atr+%26+co",
    "/stub/feeds/high.json?limit=50",
    "/stub/feeds/junk.json?limit=5",
    "/stub/feeds/low.json?limit=1",
  ]);
});
