// Category rules (config `rules` and `sources[].rules`): after a feed is normalised, each entry
// keeps its source's default categories, gains those of every rule it matches, and is dropped
// when a matching rule says so (job ads, "Vacancy:" posts). Pure: compiled once per config,
// applied per poll, and the same code tells check-source and the dry run what would happen.
import type { CategoryRule } from "../model/category-rule.js";
import type { Update } from "../model/update.js";

/** Case and accents folded, for comparing an editor's words with a partner's. */
const fold = (text: string): string =>
  text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();

/** A phrase as a whole-word pattern: no letter or digit right before or after it. */
function phrasePattern(phrase: string): RegExp {
  const words = fold(phrase)
    .trim()
    .split(/\s+/)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  // Between its words any spaces or punctuation: "human trafficking" is "human-trafficking" too.
  return new RegExp(`(?<![\\p{L}\\p{N}])${words.join("[^\\p{L}\\p{N}]+")}(?![\\p{L}\\p{N}])`, "u");
}

interface CompiledRule {
  matches(entry: Update): boolean;
  add: readonly string[];
  drop: boolean;
}

function compile(rule: CategoryRule): CompiledRule {
  const tags = rule.when.tags?.map(fold);
  const words = rule.when.words?.map(phrasePattern);
  const hosts = rule.when.host?.map((host) => host.toLowerCase().replace(/^\.+/, ""));
  const paths = rule.when.path;
  return {
    add: rule.add ?? [],
    drop: rule.drop === true,
    matches(entry) {
      if (tags && !entry.tags.some((tag) => tags.includes(fold(tag)))) return false;
      if (words) {
        const text = fold(`${entry.title}\n${entry.summary ?? ""}`);
        if (!words.some((pattern) => pattern.test(text))) return false;
      }
      if (hosts || paths) {
        const link = parseLink(entry.link);
        if (link === undefined) return false;
        const host = link.hostname.toLowerCase();
        if (hosts && !hosts.some((h) => host === h || host.endsWith(`.${h}`))) return false;
        if (paths && !paths.some((p) => link.pathname.startsWith(p))) return false;
      }
      return true;
    },
  };
}

function parseLink(link: string | undefined): URL | undefined {
  if (link === undefined) return undefined;
  try {
    return new URL(link);
  } catch {
    return undefined;
  }
}

export interface Categorised {
  /** The entries to store, each with its categories after the rules. */
  kept: Update[];
  /** Ids dropped by a rule. */
  dropped: string[];
}

/** The rules of one source: the config's global ones, then its own. */
export class SourceRules {
  readonly #rules: CompiledRule[];

  constructor(global: readonly CategoryRule[], own: readonly CategoryRule[] = []) {
    this.#rules = [...global, ...own].map(compile);
  }

  get empty(): boolean {
    return this.#rules.length === 0;
  }

  /** Each entry with its source's categories and those its matching rules add; drops removed. */
  apply(entries: readonly Update[]): Categorised {
    if (this.#rules.length === 0) return { kept: [...entries], dropped: [] };
    const kept: Update[] = [];
    const dropped: string[] = [];
    for (const entry of entries) {
      const matching = this.#rules.filter((rule) => rule.matches(entry));
      if (matching.some((rule) => rule.drop)) {
        dropped.push(entry.id);
        continue;
      }
      const added = matching.flatMap((rule) => rule.add);
      if (added.length === 0) kept.push(entry);
      else kept.push({ ...entry, categories: [...new Set([...entry.categories, ...added])] });
    }
    return { kept, dropped };
  }
}
