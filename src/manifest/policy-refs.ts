// Checks of the policy that need the whole manifest: roles that manual items and
// waiver approvers name, and waivers (the item they waive, how far their expiry is).
import type { Manifest } from './schema.ts';
import type { PathSegment } from './load.ts';
import type { LocatedItem } from './ids.ts';
import { suggest } from './suggest.ts';

export const DEFAULT_MAX_WAIVER_DAYS = 30;
const DAY_MS = 86_400_000;

type Report = (path: PathSegment[], message: string) => void;

export function checkPolicyReferences(manifest: Manifest, items: LocatedItem[], today: Date, report: Report, warn: Report): void {
  const roles = manifest.policy?.roles;
  if (roles !== undefined) {
    const known = Object.keys(roles);
    const checkRole = (name: string, path: PathSegment[]) => {
      if (known.includes(name)) return;
      const close = suggest(name, known);
      report(path, `unknown role \`${name}\`${close ? `; did you mean \`${close}\`?` : `; policy.roles defines ${known.map((role) => `\`${role}\``).join(', ') || 'none'}`}`);
    };
    for (const { item, path } of items) {
      if (!item.manual) continue;
      if (item.manual.owner !== undefined) checkRole(item.manual.owner, [...path, 'manual', 'owner']);
      item.manual.signers?.forEach((name, index) => checkRole(name, [...path, 'manual', 'signers', index]));
      if (item.manual.owner === undefined && item.manual.signers === undefined) report([...path, 'manual'], 'with policy.roles, a manual item names who signs it: add `owner: <role>` (or `signers: [<role>, …]`)');
    }
    manifest.policy?.waivers?.approvers.forEach((name, index) => checkRole(name, ['policy', 'waivers', 'approvers', index]));
  }

  const waivers = manifest.waivers ?? [];
  if (waivers.length === 0) return;
  if (manifest.policy?.waivers === undefined) report(['waivers'], 'waivers need policy.waivers.approvers: the roles whose approving review activates a waiver');
  const maxDays = manifest.policy?.waivers?.maxDays ?? DEFAULT_MAX_WAIVER_DAYS;
  const ids = items.map((entry) => entry.id);
  const day = utcDay(today);
  waivers.forEach((waiver, index) => {
    if (!ids.includes(waiver.item)) {
      const close = suggest(waiver.item, ids);
      report(['waivers', index, 'item'], `no item has the id \`${waiver.item}\`${close ? `; did you mean \`${close}\`?` : ''}`);
    }
    const expires = Date.parse(`${waiver.expires}T00:00:00Z`);
    const days = Math.round((expires - day) / DAY_MS);
    if (days > maxDays) report(['waivers', index, 'expires'], `expires ${waiver.expires}, ${days} days from today; policy.waivers.maxDays allows at most ${maxDays} (${isoDay(day + maxDays * DAY_MS)})`);
    // Not an error: the default branch must keep checking the day a waiver lapses.
    else if (days <= 0) warn(['waivers', index, 'expires'], `the waiver of \`${waiver.item}\` expired on ${waiver.expires}; the item blocks again`);
  });
}

/** Midnight UTC of a date, in milliseconds. */
export function utcDay(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
