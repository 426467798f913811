// Stable entry ids: the same partner entry must get the same id on every poll and every
// instance, so the store can upsert instead of duplicating.
import { createHash } from "node:crypto";
import { canonicalUrlKey } from "../../model/urls.js";

/** What an entry is recognised by, in order of preference. */
export interface IdentityHints {
  guid?: string;
  /** The entry's resolved absolute link. */
  link?: string;
  title?: string;
  /** The entry's own date (ISO), never a first-seen fallback: that would change on each poll. */
  date?: string;
}

/**
 * A guid or link in canonical form: URL-shaped guids are canonicalised like links, so a guid
 * that moved from http to https (or lost a trailing slash) keeps the entry's id.
 */
export function identityKey(value: string): string {
  const trimmed = value.trim();
  return canonicalUrlKey(trimmed) ?? trimmed;
}

const hash = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 32);

/**
 * sha256 (hex, 32 chars) of the source id and the best identity the entry offers: its guid,
 * else its canonical link, else its title and date. Undefined when it offers none.
 */
export function entryId(sourceId: string, hints: IdentityHints): string | undefined {
  const guid = hints.guid?.trim();
  if (guid) return hash(`${sourceId}\n${identityKey(guid)}`);
  if (hints.link) return hash(`${sourceId}\n${identityKey(hints.link)}`);
  if (hints.title) return hash(`${sourceId}\n${hints.title}\n${hints.date ?? ""}`);
  return undefined;
}
