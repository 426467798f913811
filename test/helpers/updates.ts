// Builds fixture Updates, one fresh object per call, so no test can mutate another's fixture.
import type { Update } from "../../src/model/update.js";

let serial = 0;

/** A fixed instant the fixture dates are counted from (UTC). */
export const EPOCH = Date.parse("2025-03-01T12:00:00.000Z");

/** ISO 8601 time `minutes` after EPOCH (negative = before). */
export const minutesAfterEpoch = (minutes: number): string =>
  new Date(EPOCH + minutes * 60_000).toISOString();

/** A complete, valid Update; `overrides` replace fields wholesale. Ids are unique per call. */
export function makeUpdate(overrides: Partial<Update> = {}): Update {
  serial++;
  const id = overrides.id ?? `update-${String(serial).padStart(6, "0")}`;
  return {
    id,
    sourceId: "source-a",
    title: `Title of ${id}`,
    link: `https://partner.example/posts/${encodeURIComponent(id)}`,
    summary: `Summary of ${id}…`,
    contentHtml: `<p>Content of ${id}</p>`,
    published: minutesAfterEpoch(0),
    updated: minutesAfterEpoch(0),
    authors: [{ name: "Partner Desk" }],
    categories: ["trafficking"],
    tags: ["Human trafficking"],
    enclosures: [],
    language: "en",
    ...overrides,
  };
}
