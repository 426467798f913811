// "Also published by …" as a person sees it, in a real Chromium: the archive page's entry (the
// built-in templates) and the <tributary-feed> widget reading a real JSON Feed render with
// `_tributary.sources`, served from loopback. Screenshots go to SCREENSHOT_DIR.
import { mkdir } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import test from "ava";
import type { Update } from "../../src/model/update.js";
import { embedScript } from "../../src/pages/embed-script.js";
import { homePage } from "../../src/pages/page-views.js";
import { loadTemplates } from "../../src/pages/templates.js";
import { renderFeed } from "../../src/publish/render.js";
import { browserTest, closeBrowser, newContext, SCREENSHOT_DIR } from "../helpers/browser.js";
import { makeConfig } from "../helpers/config.js";
import { makeUpdate, minutesAfterEpoch } from "../helpers/updates.js";

test.after.always(closeBrowser);

const storyEntry = (): Update =>
  makeUpdate({
    id: "un-1",
    title: "New report on online recruitment into forced labour",
    summary: "Survivors described job offers that turned into debt bondage.",
    sourceId: "un-news",
    categories: ["trafficking"],
    story: {
      id: "un-1",
      copies: [
        { id: "un-1", sourceId: "un-news", published: minutesAfterEpoch(0), title: "R" },
        {
          id: "atr-1",
          sourceId: "atr",
          link: "https://atr.example/a",
          published: minutesAfterEpoch(5),
          title: "R",
        },
        {
          id: "mpi-1",
          sourceId: "mpi",
          link: "https://mpi.example/b",
          published: minutesAfterEpoch(9),
          title: "R",
        },
      ],
    },
  });

browserTest('the archive page shows "Also published by" under the entry', async (t) => {
  const config = makeConfig();
  const templates = loadTemplates(config.pages);
  const html = templates.render("home", {
    // What pages.ts adds to every view: the inline stylesheet.
    style: templates.style.text,
    ...homePage(
      config,
      [storyEntry(), makeUpdate({ sourceId: "atr", categories: ["trafficking"] })],
      new Map(),
    ),
  });
  const page = await (await newContext(t, { width: 800, height: 600 })).newPage();
  await page.setContent(html);
  const lines = await page.locator(".entry-also").allTextContents();
  t.deepEqual(lines, ["Also published by Anti-Trafficking Review, Migration Policy Institute"]);
  t.deepEqual(
    await page
      .locator(".entry-also a")
      .evaluateAll((links) => links.map((a) => a.getAttribute("href"))),
    ["https://atr.example/a", "https://mpi.example/b"],
  );
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, "provenance-page.png") });
});

browserTest(
  "the <tributary-feed> widget shows the same line from _tributary.sources",
  async (t) => {
    const config = makeConfig();
    const sources = new Map(
      config.sources.map((source) => [source.id, { title: source.title, url: source.url }]),
    );
    const server = createServer((request, response) => {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (request.url?.startsWith("/feeds/trafficking.json")) {
        const links = { first: `${base}/feeds/trafficking.json` };
        const body = renderFeed(
          {
            format: "json",
            category: { id: "trafficking", title: "Human trafficking", description: "" },
            service: { title: "Tributary", baseUrl: base },
            selfUrl: links.first,
            htmlUrl: `${base}/categories/trafficking`,
            links,
            sources,
          },
          [storyEntry()],
        );
        response.writeHead(200, { "content-type": "application/feed+json" }).end(body);
      } else if (request.url?.startsWith("/embed.js")) {
        response.writeHead(200, { "content-type": "text/javascript" });
        response.end(embedScript().representation.identity.body);
      } else {
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        response.end(
          `<!doctype html><html lang="en"><body><script src="/embed.js" defer></script><tributary-feed category="trafficking" base="${base}"></tributary-feed></body></html>`,
        );
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const page = await (await newContext(t, { width: 600, height: 400 })).newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const also = page.locator("tributary-feed").locator(".also");
    await also.waitFor();
    t.is(
      await also.textContent(),
      "Also published by Anti-Trafficking Review, Migration Policy Institute",
    );
    t.deepEqual(
      await also.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href"))),
      ["https://atr.example/a", "https://mpi.example/b"],
    );
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, "provenance-widget.png") });
  },
);
