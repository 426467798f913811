/*
 * <tributary-feed>: the newest entries of one Tributary category, embedded in any web page.
 *
 *   <script src="https://tributary.example/embed.js?v=…" defer></script>
 *   <tributary-feed category="trafficking" limit="5" source="atr" theme="auto">
 *     <a href="https://tributary.example/categories/trafficking">Trafficking updates</a>
 *   </tributary-feed>
 *
 * Attributes (a change re-renders):
 *   category  a category id; default "all"
 *   limit     how many entries, 1–50 (out of range is clamped); default 5
 *   source    a partner id: only that partner's entries
 *   theme     auto (follows prefers-color-scheme) | light | dark; default auto
 *   base      the service's URL; default: where this script was loaded from, minus its name
 *
 * Custom properties, set by the host page on the element or an ancestor:
 *   --tributary-font-family  default system-ui, sans-serif
 *   --tributary-font-size    default 16px; every size inside is derived from it
 *   --tributary-text         entry text
 *   --tributary-muted        dates, partner names, notes
 *   --tributary-link         links and the keyboard focus ring
 *   --tributary-background   the widget's background
 *   --tributary-border       the frame and the lines between entries
 * The defaults meet WCAG AA in both themes; a value the page sets applies to both themes.
 *
 * Light-DOM children (a snippet's plain link for visitors without JavaScript) are shown as
 * they are until the element upgrades. After that they are shown, through a <slot>, only when
 * the feed cannot be read, in place of the widget's own link to the category page; while the
 * feed loads and once its entries are shown they are not rendered.
 *
 * Isolation: the page's selectors cannot reach into the shadow root; only inheritance from the
 * host element crosses it (and `* { color: red !important }` does match the host). So the root
 * element inside resets every property with `all: initial` and sets each one it needs itself,
 * in px derived from --tributary-font-size. Partner strings are only ever set as textContent,
 * and an href is only ever an http(s) URL.
 *
 * One IIFE: a page may include this script twice, and top-level declarations of a classic
 * script would collide the second time.
 */
(() => {
  const TAG = "tributary-feed";
  // Only readable while this script runs for the first time, so captured now.
  const scriptBase = (() => {
    const src = document.currentScript?.src;
    if (!src) return "";
    const url = new URL(src);
    return url.origin + url.pathname.replace(/\/[^/]*$/, "");
  })();
  if (customElements.get(TAG)) return;

  const DEFAULT_LIMIT = 5;
  const MAX_LIMIT = 50;
  const SUMMARY_CHARS = 200;
  const THEMES = ["light", "dark"];

  const DARK = "--t:#e9ecef;--m:#b4bcc6;--l:#8cc4ff;--b:#14171b;--r:#3b434d;color-scheme:dark";
  const CSS = `
:host{all:initial;display:block}
:host([hidden]){display:none}
.root{all:initial;display:block;box-sizing:border-box;
--fs:var(--tributary-font-size,16px);
--t:#1b1f24;--m:#4f5661;--l:#0a58a8;--b:#fff;--r:#d3d8de;color-scheme:light;
padding:0 calc(var(--fs)*1);
font-family:var(--tributary-font-family,system-ui,sans-serif);
font-size:var(--fs);font-weight:400;font-style:normal;line-height:1.5;text-align:start;
color:var(--tributary-text,var(--t));background:var(--tributary-background,var(--b));
border:1px solid var(--tributary-border,var(--r));border-radius:4px}
.dark{${DARK}}
@media (prefers-color-scheme:dark){.auto{${DARK}}}
ul{display:block;margin:0;padding:0;list-style:none}
li{display:block;padding:calc(var(--fs)*.75) 0;border-top:1px solid var(--tributary-border,var(--r))}
li:first-child{border-top:0}
p{display:block;margin:0}
a{color:var(--tributary-link,var(--l));text-decoration:underline;text-underline-offset:.15em;cursor:pointer}
a:focus-visible{outline:3px solid var(--tributary-link,var(--l));outline-offset:2px;border-radius:2px}
.title{font-size:calc(var(--fs)*1.125);font-weight:600;line-height:1.35}
.meta,.note{color:var(--tributary-muted,var(--m));font-size:calc(var(--fs)*.875)}
.meta,.summary,.more{margin-top:calc(var(--fs)*.25)}
.note,.footer{padding:calc(var(--fs)*.75) 0}
.note.also{padding:0;margin-top:calc(var(--fs)*.25)}
.footer{border-top:1px solid var(--tributary-border,var(--r))}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
`;

  // One constructed sheet shared by every instance: not an inline <style>, so a host page
  // whose CSP forbids inline styles still shows the widget styled.
  let sheet;
  const addStyles = (shadow) => {
    try {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
      }
      shadow.adoptedStyleSheets = [sheet];
    } catch {
      const style = document.createElement("style");
      style.textContent = CSS;
      shadow.append(style);
    }
  };

  /** An element with attributes (undefined ones left out) and, as textContent, `text`. */
  const el = (name, attributes = {}, text) => {
    const node = document.createElement(name);
    for (const [key, value] of Object.entries(attributes)) {
      if (value !== undefined && value !== "") node.setAttribute(key, value);
    }
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const wrap = (name, attributes, ...children) => {
    const node = el(name, attributes);
    node.append(...children);
    return node;
  };

  const string = (value) => (typeof value === "string" ? value.trim() : "");

  /** The href of an http(s) URL, or undefined: no javascript:, data: or other scheme. */
  const httpUrl = (value) => {
    // An empty URL would resolve to the page itself.
    if (!value) return undefined;
    try {
      const url = new URL(value, document.baseURI);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined;
    } catch {
      return undefined;
    }
  };

  /** Cut at a word boundary with "…" when longer than `max` code points. */
  const shorten = (text, max) => {
    const chars = Array.from(text);
    if (chars.length <= max) return text;
    const cut = chars.slice(0, max).join("");
    const space = cut.search(/\s\S*$/);
    const head = space > max / 2 ? cut.slice(0, space) : cut;
    return `${head.replace(/[\s,;:.…-]+$/, "")}…`;
  };

  const options = (host) => {
    const limit = Number.parseInt(host.getAttribute("limit") ?? "", 10);
    return {
      category: string(host.getAttribute("category")) || "all",
      limit: Number.isNaN(limit) ? DEFAULT_LIMIT : Math.min(MAX_LIMIT, Math.max(1, limit)),
      source: string(host.getAttribute("source")),
      base: (string(host.getAttribute("base")) || scriptBase).replace(/\/+$/, ""),
    };
  };

  /** Dates in the host page's language (its UI strings are English), else the browser's. */
  const dateFormat = (host) => {
    const style = { dateStyle: "medium", timeZone: "UTC" };
    try {
      return new Intl.DateTimeFormat(host.closest("[lang]")?.lang || undefined, style);
    } catch {
      return new Intl.DateTimeFormat(undefined, style);
    }
  };

  const entry = (item, format) => {
    const title = string(item.title) || "Untitled";
    const lang = string(item.language) || undefined;
    const href = httpUrl(string(item.url));
    const li = el("li");
    const heading = el("p", { class: "title", dir: "auto", lang });
    heading.append(href ? el("a", { href }, title) : title);
    li.append(heading);

    const meta = el("p", { class: "meta" });
    const published = new Date(string(item.date_published));
    if (!Number.isNaN(published.getTime())) {
      meta.append(el("time", { datetime: published.toISOString() }, format.format(published)));
    }
    const partner = string(item._tributary?.source?.title);
    if (partner) {
      if (meta.firstChild) meta.append(" · ");
      meta.append(el("span", { dir: "auto" }, partner));
    }
    if (meta.firstChild) li.append(meta);

    // `_tributary.sources` lists every partner that carried the story, this entry's own first.
    const others = Array.isArray(item._tributary?.sources) ? item._tributary.sources.slice(1) : [];
    const names = others.filter((other) => string(other?.title));
    if (names.length > 0) {
      const also = el("p", { class: "note also" }, "Also published by ");
      names.forEach((other, index) => {
        if (index > 0) also.append(", ");
        const link = httpUrl(string(other.link));
        const name = el("span", { dir: "auto" }, string(other.title));
        also.append(link ? wrap("a", { href: link }, name) : name);
      });
      li.append(also);
    }

    const summary = string(item.summary) || string(item.content_text);
    if (summary) {
      li.append(el("p", { class: "summary", dir: "auto", lang }, shorten(summary, SUMMARY_CHARS)));
    }
    if (href) {
      // Every entry has one: the title makes the link's accessible name unique.
      const more = wrap(
        "a",
        { href },
        "Read More",
        el("span", { class: "sr", lang }, `: ${title}`),
      );
      li.append(wrap("p", { class: "more" }, more));
    }
    return li;
  };

  class TributaryFeed extends HTMLElement {
    static observedAttributes = ["category", "limit", "source", "theme", "base"];
    #root = el("div");
    #controller;
    #queued = false;

    constructor() {
      super();
      const shadow = this.attachShadow({ mode: "open" });
      addStyles(shadow);
      shadow.append(this.#root);
      this.#theme();
    }

    connectedCallback() {
      this.#schedule();
    }

    disconnectedCallback() {
      this.#controller?.abort();
    }

    attributeChangedCallback(name, before, after) {
      if (before === after) return;
      if (name === "theme") this.#theme();
      else if (this.isConnected) this.#schedule();
    }

    #theme() {
      const theme = this.getAttribute("theme");
      this.#root.className = `root ${THEMES.includes(theme) ? theme : "auto"}`;
    }

    // Several attributes set in a row (or the parser's initial ones) cost one request.
    #schedule() {
      if (this.#queued) return;
      this.#queued = true;
      queueMicrotask(() => {
        this.#queued = false;
        if (this.isConnected) this.#load();
      });
    }

    async #load() {
      this.#controller?.abort();
      const controller = new AbortController();
      this.#controller = controller;
      const { category, limit, source, base } = options(this);
      const path = encodeURIComponent(category);
      const archive = httpUrl(`${base}/categories/${path}`);
      this.#show([el("p", { class: "note", role: "status" }, "Loading updates…")], true);
      let items;
      try {
        const query = new URLSearchParams({ limit: String(limit) });
        if (source) query.set("source", source);
        const response = await fetch(`${base}/feeds/${path}.json?${query}`, {
          mode: "cors",
          credentials: "omit",
          signal: controller.signal,
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const feed = await response.json();
        if (!Array.isArray(feed?.items)) throw new TypeError("not a JSON Feed");
        items = feed.items.filter((item) => item && typeof item === "object").slice(0, limit);
      } catch {
        // A newer load replaced this one: it renders, not us.
        if (!controller.signal.aborted) this.#fail(archive);
        return;
      }
      if (controller.signal.aborted) return;
      const format = dateFormat(this);
      const footer = archive
        ? [wrap("p", { class: "footer" }, el("a", { href: archive }, "More updates"))]
        : [];
      if (items.length === 0) {
        this.#show([el("p", { class: "note" }, "No updates yet."), ...footer]);
        return;
      }
      const list = el("ul");
      list.append(...items.map((item) => entry(item, format)));
      this.#show([list, ...footer]);
    }

    #fail(archive) {
      const own = archive
        ? wrap(
            "p",
            { class: "footer" },
            el("a", { href: archive }, "See them on the category page"),
          )
        : "";
      // Whitespace between tags would be slotted too and hide the slot's own content, so the
      // slot is used only when the page gave something to show.
      const given = Array.from(this.childNodes).some(
        (node) => node.nodeType === 1 || (node.nodeType === 3 && node.data.trim() !== ""),
      );
      const fallback = given ? wrap("div", { class: "footer" }, el("slot")) : own;
      this.#show([
        el("p", { class: "note", role: "status" }, "Updates could not be loaded."),
        fallback,
      ]);
    }

    #show(children, busy = false) {
      this.#root.replaceChildren(...children);
      if (busy) this.#root.setAttribute("aria-busy", "true");
      else this.#root.removeAttribute("aria-busy");
    }
  }

  customElements.define(TAG, TributaryFeed);
})();
