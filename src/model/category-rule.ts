// A category rule as the config declares it and ingest applies it (ingest/categorise.ts).

/**
 * A category rule (`rules` at the top level for every source, or `sources[].rules`): when the
 * entry matches every condition given (any value of a list), it goes into `add` as well as the
 * source's own categories — or, with `drop`, is not stored at all.
 */
export interface CategoryRule {
  when: {
    /** The partner's own tags (`<category>`, Atom `term`, JSON Feed `tags`), folded. */
    tags?: string[];
    /** Words or phrases in the title or summary: whole words, case and accents folded. */
    words?: string[];
    /** The link's host, or a parent domain of it. */
    host?: string[];
    /** The start of the link's path. */
    path?: string[];
  };
  add?: string[];
  drop?: boolean;
}
