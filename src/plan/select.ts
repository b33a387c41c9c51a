// `run --only ID|SECTION`: the items a user names, by id or by the title (or slug) of a
// section they sit in, so one check can be iterated on without running the rest.
import { slug } from '../manifest/ids.ts';
import { suggest } from '../manifest/suggest.ts';

export interface Selectable {
  id: string;
  sections: string[];
}

export interface Selection<T> {
  selected: T[];
  /** Patterns that name nothing, each with a close id or section if there is one. */
  unmatched: { pattern: string; suggestion?: string }[];
}

function matches(entry: Selectable, pattern: string): boolean {
  if (entry.id === pattern) return true;
  const wanted = pattern.trim().toLowerCase();
  return entry.sections.some((title) => title.trim().toLowerCase() === wanted || slug(title) === wanted);
}

/** The entries any pattern names, in manifest order. */
export function selectItems<T extends Selectable>(entries: T[], patterns: string[]): Selection<T> {
  const selected = entries.filter((entry) => patterns.some((pattern) => matches(entry, pattern)));
  const names = [...new Set(entries.flatMap((entry) => [entry.id, ...entry.sections]))];
  const unmatched = patterns
    .filter((pattern) => !entries.some((entry) => matches(entry, pattern)))
    .map((pattern) => {
      const suggestion = suggest(pattern, names);
      return suggestion === undefined ? { pattern } : { pattern, suggestion };
    });
  return { selected, unmatched };
}
