// Partner feeds for the page tests, served by a local fixture server and polled by the real
// service: an RSS partner and an Atom partner filling "Human trafficking" with 45 entries (three
// archive pages at 20 a page, the two partners interleaved in time), a second RSS partner for
// "Migration", an Arabic-titled entry and a hostile one. What a person should then see is
// derived from the same specs, so the tests compare pages against the feeds, not a copy.

import { type RunningService, startService } from "../../src/app/service.js";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/types.js";
import { createLogger } from "../../src/log.js";
import { connectRedisStore } from "../../src/store/redis.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";
import { freePort } from "../helpers/ports.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../helpers/redis.js";
import { waitFor } from "../helpers/wait.js";

export const TRAFFICKING = { id: "trafficking", title: "Human trafficking" } as const;
export const MIGRATION = { id: "migration", title: "Migration" } as const;
export const SITE_TITLE = "Tributary";

interface PartnerSpec {
  id: string;
  title: string;
  homepage?: string;
  path: string;
  categories: string[];
}

export const UNODC: PartnerSpec = {
  id: "unodc",
  title: "UN Office on Drugs and Crime",
  homepage: "https://unodc.example.org/",
  path: "/unodc.rss",
  categories: [TRAFFICKING.id],
};
export const ATR: PartnerSpec = {
  id: "atr",
  title: "Anti-Trafficking Review",
  homepage: "https://atr.example.net/",
  path: "/atr.atom",
  categories: [TRAFFICKING.id, MIGRATION.id],
};
// No homepage: its name is shown as plain text, not a link.
export const MMC: PartnerSpec = {
  id: "mmc",
  title: "Mixed Migration Centre",
  path: "/mmc.rss",
  categories: [MIGRATION.id],
};
export const PARTNERS = [UNODC, ATR, MMC];

export const ARABIC_TITLE = "تقرير جديد عن الاتجار بالبشر في شمال أفريقيا";

/**
 * Every payload sets `window.__pwned` (or opens a dialog) if it ever runs. The title is HTML in
 * RSS, so its tags are markup that normalising strips; what is left still looks like markup
 * (`<`, `&`, quotes, `onclick=`), and must be shown as those characters.
 */
export const HOSTILE = {
  titleHtml: `<img src=x onerror="window.__pwned=1;alert(1)">Raid on "safe house" <script>window.__pwned=2</script>5 < 6 &amp; onclick=window.__pwned=3`,
  /** The title as plain text after normalising: what every page must show, character for character. */
  shownTitle: `Raid on "safe house" 5 < 6 & onclick=window.__pwned=3`,
  contentHtml: `<p onclick="window.__pwned=4">Hostile body <img src=x onerror="window.__pwned=5;alert(5)"><script>window.__pwned=6;alert(6)</script><a href="javascript:window.__pwned=7">click me</a> <svg onload="window.__pwned=8"></svg> end.</p>`,
  link: "javascript:window.__pwned=9",
  guid: "https://unodc.example.org/news/hostile",
};

export interface EntrySpec {
  partner: PartnerSpec;
  /** The title as the partner writes it (RSS: HTML; Atom: text). */
  title: string;
  /** The title a person sees. */
  shownTitle: string;
  /** What the feed's link says (relative in the Atom feed, resolved against xml:base). */
  link: string;
  /** The partner's article URL, absolute; absent when the entry has no http(s) link. */
  url?: string;
  published: Date;
  summary: string;
  lang?: string;
}

const NEWEST = Date.parse("2026-03-02T09:00:00Z");
const HOUR = 3_600_000;
const TOPICS = [
  "Forced labour in fishing fleets",
  "Online recruitment of domestic workers",
  "Debt bondage in brick kilns",
  "Protection of identified survivors",
  "Cross-border cooperation on prosecutions",
  "Labour inspections in agriculture",
  "Child trafficking and school drop-out",
  "Financial flows behind exploitation",
  "Shelter capacity for victims",
];

/** The 45 trafficking entries, newest first: every third one from the Atom partner. */
function traffickingSpecs(): EntrySpec[] {
  const specs: EntrySpec[] = [];
  for (let k = 0; k < 45; k++) {
    const partner = k % 3 === 1 ? ATR : UNODC;
    const published = new Date(NEWEST - k * 3 * HOUR);
    const number = String(45 - k).padStart(2, "0");
    const title = `${TOPICS[k % TOPICS.length]} (brief ${number})`;
    const spec: EntrySpec =
      partner === ATR
        ? {
            partner,
            title,
            shownTitle: title,
            link: `articles/${number}`,
            url: `https://atr.example.net/articles/${number}`,
            published,
            summary: `Peer-reviewed findings for brief ${number}, with recommendations for practitioners.`,
          }
        : {
            partner,
            title,
            shownTitle: title,
            link: `https://unodc.example.org/news/brief-${number}`,
            url: `https://unodc.example.org/news/brief-${number}`,
            published,
            summary: `Field office report ${number} on trends, cases and responses in the region.`,
          };
    specs.push(spec);
  }
  // Among the newest, so they are on the front page, the first archive page and the embed.
  const arabic = specs[1] as EntrySpec;
  specs[1] = {
    ...arabic,
    title: ARABIC_TITLE,
    shownTitle: ARABIC_TITLE,
    summary: "يتناول التقرير أنماط التجنيد عبر الإنترنت وحماية الناجين.",
    lang: "ar",
  };
  const hostile = specs[2] as EntrySpec;
  const { url: _dropped, ...withoutUrl } = hostile;
  specs[2] = {
    ...withoutUrl,
    title: HOSTILE.titleHtml,
    shownTitle: HOSTILE.shownTitle,
    link: HOSTILE.link,
    summary: "Hostile body click me end.",
  };
  return specs;
}

function migrationOnlySpecs(): EntrySpec[] {
  return [0, 1, 2, 3, 4].map((j) => {
    const title = `Mixed migration snapshot ${5 - j}`;
    return {
      partner: MMC,
      title,
      shownTitle: title,
      link: `https://mmc.example.org/snapshots/${5 - j}`,
      url: `https://mmc.example.org/snapshots/${5 - j}`,
      published: new Date(NEWEST - (j * 7 + 1) * HOUR),
      summary: `Monthly snapshot ${5 - j} of movements along the central Mediterranean route.`,
    };
  });
}

/** Every entry of every partner, newest first. */
export const ENTRIES: readonly EntrySpec[] = [...traffickingSpecs(), ...migrationOnlySpecs()].sort(
  (a, b) => b.published.getTime() - a.published.getTime(),
);

/** What a category's archive lists, newest first (`all` is every entry). */
export function entriesOf(category: string): EntrySpec[] {
  return ENTRIES.filter(
    (entry) => category === "all" || entry.partner.categories.includes(category),
  );
}

const xml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function rssFeed(partner: PartnerSpec, home: string): string {
  const items = ENTRIES.filter((entry) => entry.partner === partner).map((entry) => {
    const hostile = entry.title === HOSTILE.titleHtml;
    const content = hostile ? HOSTILE.contentHtml : `<p>${xml(entry.summary)}</p>`;
    return [
      "<item>",
      // The hostile title arrives as escaped markup, as partners' CMSs write it.
      `<title>${xml(entry.title)}</title>`,
      `<link>${xml(entry.link)}</link>`,
      `<guid isPermaLink="false">${xml(hostile ? HOSTILE.guid : entry.link)}</guid>`,
      `<pubDate>${entry.published.toUTCString()}</pubDate>`,
      `<description>${xml(content)}</description>`,
      "</item>",
    ].join("");
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0"><channel>',
    `<title>${xml(partner.title)}</title><link>${home}</link><description>Fixture feed</description>`,
    ...items,
    "</channel></rss>",
  ].join("\n");
}

function atomFeed(partner: PartnerSpec): string {
  const items = ENTRIES.filter((entry) => entry.partner === partner).map((entry) =>
    [
      `<entry${entry.lang ? ` xml:lang="${entry.lang}"` : ""}>`,
      `<title type="text">${xml(entry.title)}</title>`,
      `<id>urn:atr:${xml(entry.link)}</id>`,
      `<link href="${xml(entry.link)}"/>`,
      `<published>${entry.published.toISOString()}</published>`,
      `<updated>${entry.published.toISOString()}</updated>`,
      `<summary>${xml(entry.summary)}</summary>`,
      "</entry>",
    ].join(""),
  );
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atr.example.net/">',
    `<title>${xml(partner.title)}</title><id>urn:atr</id>`,
    `<updated>${ENTRIES[0]?.published.toISOString()}</updated>`,
    '<link href="https://atr.example.net/"/>',
    ...items,
    "</feed>",
  ].join("\n");
}

async function startPartners(): Promise<FixtureServer> {
  return startFixtureServer(undefined, {
    [UNODC.path]: {
      headers: { "Content-Type": "application/rss+xml; charset=utf-8" },
      body: rssFeed(UNODC, "https://unodc.example.org/"),
    },
    [ATR.path]: {
      headers: { "Content-Type": "application/atom+xml; charset=utf-8" },
      body: atomFeed(ATR),
    },
    [MMC.path]: {
      headers: { "Content-Type": "application/rss+xml; charset=utf-8" },
      body: rssFeed(MMC, "https://mmc.example.org/"),
    },
  });
}

export interface Tributary {
  /** The service's own base URL (= `service.baseUrl`), e.g. http://127.0.0.1:41234. */
  url: string;
  config: Config;
  service: RunningService;
  partners: FixtureServer;
  stop(): Promise<void>;
}

export interface TributaryOptions {
  /** `embed.allowedOrigins`; the default config's ["*"] when absent. */
  allowedOrigins?: string[];
}

/**
 * The real service on a free port, on the test Redis under a fresh prefix, having polled the
 * fixture partners: resolves once /api/sources reports every partner ok. Not bound to one test
 * (ava allows no teardown in hooks), so a file can share it from `test.before`; call stop().
 */
export async function startTributary(options: TributaryOptions = {}): Promise<Tributary> {
  const partners = await startPartners();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const file = {
    service: { title: SITE_TITLE, baseUrl: url, port, host: "127.0.0.1" },
    polling: { allowPrivateNetworks: true, timeoutMs: 5000 },
    ...(options.allowedOrigins ? { embed: { allowedOrigins: options.allowedOrigins } } : {}),
    categories: [
      { ...TRAFFICKING, description: "Trafficking in persons, forced labour and exploitation." },
      { ...MIGRATION, description: "Migrants, refugees and mixed movements." },
    ],
    sources: PARTNERS.map((partner) => ({
      id: partner.id,
      title: partner.title,
      url: partners.url(partner.path),
      ...(partner.homepage ? { homepage: partner.homepage } : {}),
      categories: partner.categories,
    })),
  };
  // JSON is YAML: the config goes through the same validation as an operator's file.
  const config = parseConfig(JSON.stringify(file), {});
  const prefix = uniquePrefix();
  const store = await connectRedisStore({ url: TEST_REDIS_URL, prefix });
  let service: RunningService;
  try {
    service = await startService(config, createLogger("silent"), {
      store,
      // These tests view many uncached pages in quick succession on a machine that is also
      // running Chromium; under the production render budget some would be answered 503 (the
      // budget has its own tests). Here every view is rendered.
      renderGate: { maxInFlight: 8, share: 1, burstMs: 60_000 },
    });
  } catch (error) {
    await store.close();
    await partners.close();
    throw error;
  }
  const stop = async () => {
    await service.stop();
    await store.close();
    await deleteKeys(prefix);
    await partners.close();
  };
  try {
    await waitFor(
      async () => {
        const response = await fetch(`${url}/api/sources`);
        const sources = (await response.json()) as { status: string }[];
        return sources.length === PARTNERS.length && sources.every((s) => s.status === "ok")
          ? true
          : undefined;
      },
      20_000,
      "every fixture partner polled ok",
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, config, service, partners, stop };
}

// What the page tests read back from a rendered page, shared by the page and iframe tests.
// Browser-side code is a string (the project compiles without the DOM library); each evaluates
// to plain data, in a page or in a frame.

/** An entry as a person sees it. */
export interface ShownEntry {
  title: string | null;
  /** The title link's href; null when the title is not a link. */
  url: string | null;
  datetime: string | null;
  date: string | null;
  partner: string | null;
  summary: string | null;
  readMore: string | null;
  /** Every part of the entry that is there has a box and is not hidden. */
  visible: boolean;
}

export const READ_ENTRIES = `[...document.querySelectorAll("ol.entries > li > article.entry")].map((article) => {
  const visible = (el) => {
    if (!el || !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const title = article.querySelector(".entry-title");
  const link = article.querySelector(".entry-title a");
  const time = article.querySelector("time[datetime]");
  const partner = article.querySelector(".entry-source");
  const summary = article.querySelector(".entry-summary");
  const more = article.querySelector("a.read-more");
  return {
    title: title ? title.textContent : null,
    url: link ? link.getAttribute("href") : null,
    datetime: time ? time.getAttribute("datetime") : null,
    date: time ? time.textContent : null,
    partner: partner ? partner.textContent : null,
    summary: summary ? summary.textContent : null,
    readMore: more ? more.getAttribute("href") : null,
    visible: [title, time, partner, summary, more].filter(Boolean).every(visible),
  };
})`;

const dates = new Intl.DateTimeFormat("en", { dateStyle: "long", timeZone: "UTC" });

/** What READ_ENTRIES must find for these specs. */
export function shownEntries(specs: readonly EntrySpec[]): ShownEntry[] {
  return specs.map((spec) => ({
    title: spec.shownTitle,
    url: spec.url ?? null,
    datetime: spec.published.toISOString(),
    date: dates.format(spec.published),
    partner: spec.partner.title,
    summary: spec.summary,
    readMore: spec.url ?? null,
    visible: true,
  }));
}

export interface HostileProbe {
  /** `typeof window.__pwned`: "undefined" unless a payload ran. */
  pwned: string;
  /** Every `javascript:` URL in an attribute that navigates or loads. */
  javascriptUrls: string[];
  /** Elements or handler attributes that only a payload could have put there. */
  injected: string[];
  /** The text of every title that holds the hostile entry, with whether it is visible. */
  hostileTitles: { text: string | null; visible: boolean }[];
  /** Computed `direction` of the Arabic title's element(s). */
  arabicDirections: string[];
  /** Computed `direction` of the other titles' elements (all of them must be ltr). */
  otherDirections: string[];
}

export const PROBE_HOSTILE = `(() => {
  const ARABIC = ${JSON.stringify(ARABIC_TITLE)};
  const attributes = ["href", "src", "action", "formaction", "xlink:href"];
  const javascriptUrls = [...document.querySelectorAll("*")].flatMap((el) =>
    attributes.map((name) => el.getAttribute(name)).filter((value) => value && /^\\s*javascript:/i.test(value)),
  );
  const injected = [
    ...document.querySelectorAll("body script, body img, body svg, body iframe, body object, body embed"),
    ...document.querySelectorAll("[onerror], [onclick], [onload]"),
  ].map((el) => el.outerHTML.slice(0, 120));
  const titleElements = [...document.querySelectorAll(".entry-title")];
  const hostileTitles = [...document.querySelectorAll(".entry-title")]
    .filter((el) => el.textContent.includes("safe house"))
    .map((el) => ({ text: el.textContent, visible: el.checkVisibility() && el.getBoundingClientRect().height > 0 }));
  return {
    pwned: typeof window.__pwned,
    javascriptUrls,
    injected,
    hostileTitles,
    arabicDirections: titleElements.filter((el) => el.textContent === ARABIC).map((el) => getComputedStyle(el).direction),
    otherDirections: [...new Set(titleElements.filter((el) => el.textContent !== ARABIC).map((el) => getComputedStyle(el).direction))],
  };
})()`;

/** axe-core's serious and critical violations on the document (axe must be injected first). */
export const RUN_AXE = `axe.run(document, { resultTypes: ["violations"] }).then((results) =>
  results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) })),
)`;

/** Horizontal overflow at the current viewport: the document and any element wider than it. */
export const MEASURE_OVERFLOW = `(() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const describe = (el) =>
    el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  // Inside a box that clips or scrolls (the visually hidden text of "Read More"), an element
  // cannot widen the page: that box is measured itself.
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX !== "visible" || style.clip !== "auto") return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    if (clipped(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.left < -0.5 || box.right > width + 0.5) wide.push(describe(el) + " " + Math.round(box.left) + ".." + Math.round(box.right));
  }
  return { scrollWidth: root.scrollWidth, clientWidth: width, wide };
})()`;
