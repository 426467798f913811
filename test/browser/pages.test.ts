// The front page, a category archive and the partners page in a real Chromium, against the real
// service after it polled local fixture partners (partners.ts): what a person sees, paging through
// the archive both ways, feed autodiscovery, accessibility (axe-core) in light and dark, layout at
// 1280 and 375 px, and a hostile entry that stays inert with the pages' CSP enforced.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import test, { type ExecutionContext } from "ava";
import type { Page } from "playwright-core";
import Parser from "rss-parser";
import {
  AXE_SCRIPT,
  browserMissing,
  browserTest,
  type ContextOptions,
  closeBrowser,
  newContext,
  SCREENSHOT_DIR,
} from "../helpers/browser.js";
import {
  ARABIC_TITLE,
  ATR,
  entriesOf,
  HOSTILE,
  type HostileProbe,
  MEASURE_OVERFLOW,
  MIGRATION,
  PARTNERS,
  PROBE_HOSTILE,
  READ_ENTRIES,
  RUN_AXE,
  type ShownEntry,
  shownEntries,
  startTributary,
  TRAFFICKING,
  type Tributary,
} from "./partners.js";

// One polled service for the file: the tests only read from it.
let tributary: Tributary | undefined;
if (browserMissing() === undefined) {
  test.before(async () => {
    tributary = await startTributary();
  });
}
test.after.always(async () => {
  await tributary?.stop();
});
test.after.always(closeBrowser);

function service(): Tributary {
  if (!tributary) throw new Error("the service did not start");
  return tributary;
}

const PAGES = {
  home: "/",
  category: `/categories/${TRAFFICKING.id}`,
  sources: "/sources",
} as const;
type PageName = keyof typeof PAGES;

const PER_PAGE = 20;

async function open(
  t: ExecutionContext,
  path: string,
  options: ContextOptions = {},
): Promise<{ page: Page; dialogs: string[] }> {
  const context = await newContext(t, options);
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  const response = await page.goto(`${service().url}${path}`);
  t.is(response?.status(), 200, path);
  return { page, dialogs };
}

const readEntries = (page: Page) => page.evaluate(READ_ENTRIES) as Promise<ShownEntry[]>;

browserTest("the front page shows the newest entries of every partner, newest first", async (t) => {
  const { page } = await open(t, PAGES.home);
  const expected = shownEntries(entriesOf("all").slice(0, PER_PAGE));
  // Titles, dates, partner names and "Read More" targets = the partners' article URLs.
  t.deepEqual(await readEntries(page), expected);
  t.deepEqual(
    [...new Set(expected.map((entry) => entry.partner))].sort(),
    PARTNERS.map((partner) => partner.title).sort(),
    "the fixture interleaves all three partners on the front page",
  );
  const categories = await page.evaluate(
    `[...document.querySelectorAll(".categories > li")].map((li) => [li.querySelector("h3 a").textContent, li.querySelector("h3 a").getAttribute("href"), [...li.querySelectorAll("p")].map((p) => p.textContent).find((text) => /entr/.test(text))])`,
  );
  t.deepEqual(categories, [
    [TRAFFICKING.title, `/categories/${TRAFFICKING.id}`, "45 entries"],
    [MIGRATION.title, `/categories/${MIGRATION.id}`, `${entriesOf(MIGRATION.id).length} entries`],
  ]);
  t.is(await page.title(), "Tributary");
});

browserTest(
  "Older walks the whole archive once, in order; Newer returns to the first page",
  async (t) => {
    const { page } = await open(t, PAGES.category);
    const expected = shownEntries(entriesOf(TRAFFICKING.id));
    t.is(expected.length, 45);
    t.is(await page.locator("h1").textContent(), TRAFFICKING.title);
    t.regex((await page.locator("p.subscribe").textContent()) ?? "", /^45 entries · Subscribe:/);
    t.is(await page.locator("nav.paging a[rel=prev]").count(), 0, "no Newer on the newest page");

    const pages: ShownEntry[][] = [await readEntries(page)];
    const older = page.locator("nav.paging a[rel=next]");
    while ((await older.count()) > 0) {
      t.is((await older.textContent())?.trim(), "Older →");
      await Promise.all([page.waitForURL(/[?&]cursor=/), older.click()]);
      pages.push(await readEntries(page));
      if (pages.length > 5) break;
    }
    t.deepEqual(
      pages.map((entries) => entries.length),
      [20, 20, 5],
    );
    t.deepEqual(pages.flat(), expected, "every entry exactly once, newest first");

    // Back from the last page: each Newer shows the page before it, and the first page has none.
    const newer = page.locator("nav.paging a[rel=prev]");
    const back: ShownEntry[][] = [];
    while ((await newer.count()) > 0) {
      t.is((await newer.textContent())?.trim(), "← Newer");
      await Promise.all([page.waitForURL(/[?&]before=/), newer.click()]);
      back.push(await readEntries(page));
      if (back.length > 5) break;
    }
    t.deepEqual(back, [pages[1], pages[0]]);
    t.is(await page.locator("nav.paging a[rel=prev]").count(), 0);
    t.is(await page.locator("nav.paging a[rel=next]").count(), 1);
  },
);

browserTest("the partner filter shows one partner's entries of the category", async (t) => {
  const { page } = await open(t, PAGES.category);
  await page.locator("select#source").selectOption(ATR.id);
  await Promise.all([
    page.waitForURL(/[?&]source=atr/),
    page.locator("form.filter button[type=submit]").click(),
  ]);
  const expected = shownEntries(entriesOf(TRAFFICKING.id).filter((entry) => entry.partner === ATR));
  t.is(expected.length, 15);
  t.deepEqual(await readEntries(page), expected);
  t.is(await page.locator("h1 .lede").textContent(), `from ${ATR.title}`);
  t.is(await page.locator("select#source").inputValue(), ATR.id);
});

browserTest("the partners page lists every partner as ok with its entries and feed", async (t) => {
  const { page } = await open(t, PAGES.sources);
  const rows = await page.evaluate(
    `[...document.querySelectorAll("li.source")].map((li) => {
      const dd = [...li.querySelectorAll("dd")];
      const state = li.querySelector(".state");
      return {
        name: li.querySelector("h2").textContent,
        homepage: li.querySelector("h2 a") ? li.querySelector("h2 a").getAttribute("href") : null,
        state: state.textContent,
        stateClass: state.className,
        visible: state.checkVisibility() && state.getBoundingClientRect().height > 0,
        entries: dd[2].textContent,
        feed: dd[4].querySelector("a").getAttribute("href"),
        lastSuccess: li.querySelector("dd time[datetime]") !== null,
      };
    })`,
  );
  const { partners } = service();
  t.deepEqual(
    rows,
    PARTNERS.map((partner) => ({
      name: partner.title,
      homepage: partner.homepage ?? null,
      state: "ok",
      stateClass: "state state-ok",
      visible: true,
      entries: String(entriesOf("all").filter((entry) => entry.partner === partner).length),
      feed: partners.url(partner.path),
      lastSuccess: true,
    })),
  );
});

browserTest("a category page's autodiscovery links fetch its feeds", async (t) => {
  const parser = new Parser();
  for (const [path, partner] of [
    [PAGES.category, undefined],
    [`${PAGES.category}?source=${ATR.id}`, ATR],
  ] as const) {
    const { page } = await open(t, path);
    // Feeds only: the language variants' hreflang alternates carry no type.
    const links = (await page.evaluate(
      `[...document.querySelectorAll('head link[rel="alternate"][type]')].map((l) => ({ type: l.type, title: l.title, href: l.href }))`,
    )) as { type: string; title: string; href: string }[];
    t.deepEqual(
      links.map((link) => link.type),
      ["application/rss+xml", "application/atom+xml", "application/feed+json"],
    );
    const wanted = entriesOf(TRAFFICKING.id).filter((e) => !partner || e.partner === partner);
    for (const link of links) {
      t.true(link.title.startsWith(TRAFFICKING.title), link.title);
      t.true(link.href.startsWith(`${service().url}/feeds/${TRAFFICKING.id}.`), link.href);
      const response = await fetch(link.href);
      t.is(response.status, 200, link.href);
      t.is(response.headers.get("content-type"), `${link.type}; charset=utf-8`);
      const body = await response.text();
      const feed =
        link.type === "application/feed+json"
          ? (JSON.parse(body) as { title: string; items: { title: string }[] })
          : await parser.parseString(body);
      t.true(feed.title?.includes(TRAFFICKING.title), `${link.href}: ${feed.title}`);
      // The right feed: this category's entries (this partner's, when filtered), newest first.
      t.deepEqual(
        feed.items.map((item) => item.title),
        wanted.map((entry) => entry.shownTitle),
        link.href,
      );
    }
  }
});

/** Nothing a partner sent ran, opened a dialog or became a `javascript:` link. */
async function assertInert(t: ExecutionContext, page: Page, dialogs: string[]) {
  const probe = (await page.evaluate(PROBE_HOSTILE)) as HostileProbe;
  t.is(probe.pwned, "undefined");
  t.deepEqual(dialogs, []);
  t.deepEqual(probe.javascriptUrls, []);
  t.deepEqual(probe.injected, []);
  return probe;
}

for (const name of ["home", "category"] as const) {
  browserTest(`the hostile entry is inert and readable on the ${name} page`, async (t) => {
    const { page, dialogs } = await open(t, PAGES[name]);
    const probe = await assertInert(t, page, dialogs);
    // Shown as the characters it holds, once, as plain text.
    t.deepEqual(probe.hostileTitles, [{ text: HOSTILE.shownTitle, visible: true }]);
    t.deepEqual(probe.arabicDirections, ["rtl"]);
    t.deepEqual(probe.otherDirections, ["ltr"]);
    t.is(await page.locator(`article.entry[lang="ar"] .entry-title`).textContent(), ARABIC_TITLE);
  });
}

// Partners' names and statuses come from the config and the poller, not from feeds; the page
// must still carry nothing that runs.
browserTest("the partners page runs nothing and links no javascript: URL", async (t) => {
  const { page, dialogs } = await open(t, PAGES.sources);
  await assertInert(t, page, dialogs);
});

for (const [name, path] of Object.entries(PAGES) as [PageName, string][]) {
  for (const colorScheme of ["light", "dark"] as const) {
    browserTest(`axe finds nothing serious on the ${name} page (${colorScheme})`, async (t) => {
      // The pages' CSP forbids injected scripts; only this context lifts it, for axe.
      const { page } = await open(t, path, { colorScheme, bypassCSP: true });
      await page.addScriptTag({ path: AXE_SCRIPT });
      t.deepEqual(await page.evaluate(RUN_AXE), []);
    });
  }

  browserTest(`the ${name} page fits 375 px (screenshots at 1280 and 375 px)`, async (t) => {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    for (const colorScheme of ["light", "dark"] as const) {
      for (const width of [1280, 375]) {
        const { page } = await open(t, path, { width, colorScheme });
        const suffix = colorScheme === "dark" ? "-dark" : "";
        await page.screenshot({
          path: join(SCREENSHOT_DIR, `${name}-${width}${suffix}.png`),
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
}
