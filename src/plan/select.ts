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

/** What a pattern is compared with: trimmed and lowercased, as section titles are. */
function normal(text: string): string {
  return text.trim().toLowerCase();
}

/** The entries any pattern names, in manifest order. */
export function selectItems<T extends Selectable>(entries: T[], patterns: string[]): Selection<T> {
  // Each distinct section title's names once (its title and its slug), then every match is a
  // set lookup: `--only` with hundreds of ids stays linear in items and patterns.
  const sectionNames = new Map<string, string[]>();
  const namesOf = (title: string): string[] => {
    let names = sectionNames.get(title);
    if (names === undefined) sectionNames.set(title, (names = [normal(title), slug(title)]));
    return names;
  };
  const ids = new Set(patterns);
  const wanted = new Set(patterns.map(normal));
  const selected = entries.filter((entry) => ids.has(entry.id) || entry.sections.some((title) => namesOf(title).some((name) => wanted.has(name))));

  const knownIds = new Set(entries.map((entry) => entry.id));
  const knownSections = new Set(entries.flatMap((entry) => entry.sections.flatMap(namesOf)));
  const names = [...new Set(entries.flatMap((entry) => [entry.id, ...entry.sections]))];
  const unmatched = patterns
    .filter((pattern) => !knownIds.has(pattern) && !knownSections.has(normal(pattern)))
    .map((pattern) => {
      const suggestion = suggest(pattern, names);
      return suggestion === undefined ? { pattern } : { pattern, suggestion };
    });
  return { selected, unmatched };
}
