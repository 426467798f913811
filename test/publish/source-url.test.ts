// The source URL written into every entry (RSS <source url>, Atom <source>, JSON Feed
// `_tributary.source.url`) is the public one: the configured `publicUrl`, else the URL without
// userinfo and secret parameters — never the URL Tributary fetches with.
import test from "ava";
import { renderFeed } from "../../src/publish/render.js";
import type { FeedFormat } from "../../src/publish/types.js";
import { makeUpdate } from "../helpers/updates.js";
import { linkHref, makeContext, one, parseXml } from "./context.js";

const PRIVATE_URL = "https://reader:s3cret-pw@partner.example/feed.xml?apikey=s3cret-key&lang=en";
const REDACTED = "https://partner.example/feed.xml?lang=en";

const privateContext = (format: FeedFormat, publicUrl?: string) =>
  makeContext(format, {
    sources: new Map([
      [
        "source-a",
        {
          title: "Partner A",
          url: PRIVATE_URL,
          ...(publicUrl === undefined ? {} : { publicUrl }),
          homepage: "https://partner.example/",
        },
      ],
    ]),
  });

const render = (format: FeedFormat, publicUrl?: string) =>
  renderFeed(privateContext(format, publicUrl), [makeUpdate()]);

test("no format writes a source's credentials", (t) => {
  for (const format of ["rss", "atom", "json"] as const) {
    const body = render(format);
    t.false(body.includes("s3cret"), format);
    t.false(body.includes("reader"), format);
  }
});

test("RSS <source url> is the redacted URL, or the publicUrl when set", (t) => {
  const item = (xml: string) => one(one(parseXml(xml), "channel"), "item");
  t.is(one(item(render("rss")), "source")?.attributes.url, REDACTED);
  const withPublic = render("rss", "https://partner.example/public-feed");
  t.is(one(item(withPublic), "source")?.attributes.url, "https://partner.example/public-feed");
});

test("Atom <source> names the redacted URL, or the publicUrl when set", (t) => {
  const sourceOf = (xml: string) => one(one(parseXml(xml), "entry"), "source");
  const redacted = sourceOf(render("atom"));
  t.is(linkHref(redacted, "link", "self"), REDACTED);
  const withPublic = sourceOf(render("atom", "https://partner.example/public-feed"));
  t.is(linkHref(withPublic, "link", "self"), "https://partner.example/public-feed");
});

test("JSON Feed _tributary.source.url is the redacted URL, or the publicUrl when set", (t) => {
  const urlOf = (json: string) =>
    (JSON.parse(json) as { items: { _tributary: { source: { url?: string } } }[] }).items[0]
      ?._tributary.source.url;
  t.is(urlOf(render("json")), REDACTED);
  t.is(
    urlOf(render("json", "https://partner.example/public-feed")),
    "https://partner.example/public-feed",
  );
});
