// The WebSub discovery links of a feed (W3C WebSub §4): the hubs it is announced to and its
// topic URL ("self"), said twice over — in the body and in `Link` headers — so a subscriber finds
// them whichever it reads. Pure: no IO, no config.
//
// A topic is a feed's canonical URL: the default page of a category, no `limit` and no `cursor`
// (those are views of the same feed; a subscriber to page 2 wants the feed). Only the feeds
// Tributary pings are advertised as topics: the unfiltered feed of each category and `all`, in
// every format. `?source=` and `?lang=` feeds carry no hub link, since no hub is ever told they
// changed (pinging every filter would multiply renders and pings by sources × languages), and
// a subscriber that found a hub there would wait forever for content.
import { feedUrl } from "../publish/feed-urls.js";
import type { FeedFormat } from "../publish/types.js";

/** What the discovery links are made from: the request a page answers, as far as they care. */
export interface TopicRequest {
  category: string;
  format: FeedFormat;
  source?: string;
  language?: string;
}

export interface HubLinks {
  hubs: readonly string[];
  /** The topic URL: what subscribers subscribe to and what the hubs are pinged with. */
  self: string;
}

/** The topic URL of a category's feed in `format` (what every hub is pinged with). */
export function topicUrl(baseUrl: string, category: string, format: FeedFormat): string {
  return feedUrl(baseUrl, category, format);
}

/**
 * The hub links of the page answering `request`, or undefined when it advertises none: no hub
 * configured, or a filtered feed (see the header).
 */
export function hubLinksOf(
  baseUrl: string,
  hubs: readonly string[],
  request: TopicRequest,
): HubLinks | undefined {
  if (hubs.length === 0) return undefined;
  if (request.source !== undefined || request.language !== undefined) return undefined;
  return { hubs, self: topicUrl(baseUrl, request.category, request.format) };
}

/** The `Link` header value (RFC 8288): every hub, then self. */
export function linkHeader(links: HubLinks): string {
  return [
    ...links.hubs.map((hub) => `<${linkTarget(hub)}>; rel="hub"`),
    `<${linkTarget(links.self)}>; rel="self"`,
  ].join(", ");
}

/**
 * A URL as a Link target: `<` `>` and controls cannot appear in a valid URL's serialisation,
 * but a hub string from a config is text, so anything that would end the target or the header
 * is percent-encoded rather than trusted.
 */
function linkTarget(url: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: controls are what is removed
  return url.replace(/[<>\u0000-\u0020\u007f]/g, (c) => encodeURIComponent(c));
}
