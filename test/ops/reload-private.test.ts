// A reload that only rotates a private feed's token or changes its publicUrl still counts the
// source as changed (the answer names the field, never the value).
import test from "ava";
import { changedFields, diffSources } from "../../src/config/reload.js";
import type { SourceConfig } from "../../src/config/types.js";

const source = (overrides: Partial<SourceConfig> = {}): SourceConfig => ({
  id: "private",
  title: "Private partner",
  url: "https://partner.example/feed.xml",
  headers: { "X-Api-Key": "old-token" },
  categories: ["migration"],
  enabled: true,
  ...overrides,
});

test("a changed header value or publicUrl makes the source changed, by field name only", (t) => {
  const rotated = source({ headers: { "X-Api-Key": "new-token" } });
  t.deepEqual(changedFields(source(), rotated), ["headers"]);
  const republished = source({ publicUrl: "https://partner.example/news" });
  t.deepEqual(changedFields(source(), republished), ["publicUrl"]);
  const changes = diffSources([source()], [rotated]);
  t.deepEqual(changes, { added: [], removed: [], changed: ["private"] });
  t.false(JSON.stringify(changes).includes("token"));
});
