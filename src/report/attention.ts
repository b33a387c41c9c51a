// What needs a look and who must act: shared by every renderer (markdown, terminal, HTML),
// so each shows the same items in the same order.
import { allItems, type ItemReport, type Report } from './model.ts';

/** Items to look at first: blocking ones (failed, errored, required sign-off pending), then advisory failures, then flaky. */
export function needsAttention(report: Pick<Report, 'sections'>): ItemReport[] {
  const items = allItems(report);
  return [...items.filter((item) => item.blocks), ...items.filter(isWarning), ...items.filter((item) => item.outcome === 'flaky')];
}

/** An advisory failure: worth a look, never a reason to block, so shown as a warning (⚠️), not red. */
export function isWarning(item: ItemReport): boolean {
  return !item.blocks && (item.outcome === 'fail' || item.outcome === 'error');
}

export interface ActorGroup {
  /** The owner (or role) the items wait for; undefined when the manifest names nobody. */
  actor: string | undefined;
  items: ItemReport[];
  /** How many of them block the verdict (required sign-offs). */
  required: number;
}

/** Pending sign-offs grouped by who must act: most required first, then most items, nobody last. */
export function pendingByActor(report: Pick<Report, 'sections'>, actorOf: (item: ItemReport) => string | undefined = (item) => item.owner): ActorGroup[] {
  const groups = new Map<string | undefined, ActorGroup>();
  for (const item of allItems(report)) {
    if (item.outcome !== 'pending') continue;
    const actor = actorOf(item);
    const group = groups.get(actor) ?? { actor, items: [], required: 0 };
    group.items.push(item);
    if (item.blocks) group.required++;
    groups.set(actor, group);
  }
  return [...groups.values()].sort(
    (a, b) => Number(a.actor === undefined) - Number(b.actor === undefined) || b.required - a.required || b.items.length - a.items.length || (a.actor ?? '').localeCompare(b.actor ?? ''),
  );
}
