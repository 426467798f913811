// The store contents and config the HTTP benches serve (bench/servers.ts, bench/api-updates.ts):
// `count` entries over five categories and ten disabled sources, ten minutes apart.
import type { Update } from "../src/model/update.js";

export const CATEGORIES = ["trafficking", "migration", "refugees", "human-rights", "research"];

export function makeUpdates(count: number): Update[] {
  const base = Date.parse("2026-01-01T00:00:00Z");
  return Array.from({ length: count }, (_, i) => {
    const published = new Date(base + i * 600_000).toISOString();
    return {
      id: `bench-${i.toString().padStart(6, "0")}`,
      sourceId: `source-${i % 10}`,
      title: `Update number ${i} on migration and anti-trafficking work`,
      link: `https://partner${i % 10}.example.org/news/${i}`,
      summary: "A plain-text summary of the update, long enough to look like a real one, "
        .repeat(3)
        .trim(),
      contentHtml: `<p>Paragraph one of entry ${i}.</p><p>Paragraph <a href="https://example.org/${i}">two</a>.</p>`,
      published,
      updated: published,
      authors: [{ name: "Press Office" }],
      categories: [
        CATEGORIES[i % CATEGORIES.length] as string,
        CATEGORIES[(i + 1) % CATEGORIES.length] as string,
      ],
      tags: ["news"],
      enclosures: [],
    };
  });
}

/** The config the benched service runs: the categories above, sources never polled. */
export const BENCH_YAML = `
service: { title: Bench, baseUrl: "http://127.0.0.1:8080", port: 0, host: 127.0.0.1 }
categories:
${CATEGORIES.map((id) => `  - { id: ${id}, title: ${id}, description: ${id} }`).join("\n")}
sources:
${Array.from({ length: 10 }, (_, i) => `  - { id: source-${i}, title: Source ${i}, url: "https://partner${i}.example.org/feed", categories: [${CATEGORIES[i % 5]}], enabled: false }`).join("\n")}
`;
