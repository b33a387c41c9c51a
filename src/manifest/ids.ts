// Every item gets a stable id: its own `id`, else a slug of its title. Ids key the
// report, the PR comment's "since the last run" and annotations, so they must not drift.
import type { Item, Manifest } from './schema.ts';
import type { PathSegment } from './load.ts';

export interface LocatedItem {
  item: Item;
  id: string;
  /** Section titles from the top: ["Security", "Django Security Settings"]. */
  sections: string[];
  /** Path of the item in the manifest, for positions. */
  path: PathSegment[];
}

export function slug(text: string): string {
  const base = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return base || 'item';
}

/** All items in document order with their ids; explicit ids that repeat are reported. */
export function itemIds(manifest: Manifest): { items: LocatedItem[]; duplicates: { id: string; path: PathSegment[] }[] } {
  const located: Omit<LocatedItem, 'id'>[] = [];
  manifest.sections.forEach((section, s) => {
    (section.items ?? []).forEach((item, i) => located.push({ item, sections: [section.title], path: ['sections', s, 'items', i] }));
    (section.sections ?? []).forEach((sub, u) =>
      sub.items.forEach((item, i) => located.push({ item, sections: [section.title, sub.title], path: ['sections', s, 'sections', u, 'items', i] })),
    );
  });

  const used = new Set<string>();
  const duplicates: { id: string; path: PathSegment[] }[] = [];
  // Explicit ids first, so an automatic id never takes one a user chose.
  for (const entry of located) {
    const id = entry.item.id;
    if (id === undefined) continue;
    if (used.has(id)) duplicates.push({ id, path: entry.path });
    used.add(id);
  }
  // Per title, the next number worth trying: every smaller one is taken already (ids are
  // only ever added), so a title repeated 10,000 times does not rescan from 2 each time.
  const nextNumber = new Map<string, number>();
  const items = located.map((entry) => {
    if (entry.item.id !== undefined) return { ...entry, id: entry.item.id };
    const title = slug(entry.item.title);
    let id = title;
    // The same title under another heading ("Monitoring active") is qualified by that heading.
    if (used.has(id)) id = `${slug(entry.sections.at(-1) ?? '')}/${title}`;
    if (used.has(id)) {
      let n = nextNumber.get(title) ?? 2;
      while (used.has(`${title}-${n}`)) n++;
      id = `${title}-${n}`;
      nextNumber.set(title, n + 1);
    }
    used.add(id);
    return { ...entry, id };
  });
  return { items, duplicates };
}
