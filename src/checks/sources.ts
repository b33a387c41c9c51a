// Where a data check (sql, metrics and their built-ins) reads from: a URL written in the
// manifest, usually behind a secret or an env variable. Without that variable the item
// cannot tell anything, so it is a skip naming what to set, never an error storm or a pass.
import { interpolate, MissingValueError, type Scope } from '../manifest/interpolate.ts';
import type { CheckResult } from './result.ts';

export type Source = { ok: true; url: string } | { ok: false; result: CheckResult };

/**
 * The source URL with its placeholders filled. `what` names it ("database URL"),
 * `whereToSet` says where a manifest gives one ("sql.url, defaults.sql.url or target.database").
 */
export function resolveSource(template: string | undefined, what: string, whereToSet: string, scope: Scope): Source {
  if (template === undefined || template.trim() === '') {
    return { ok: false, result: { outcome: 'error', summary: `no ${what}: set ${whereToSet}`, evidence: {} } };
  }
  try {
    const url = interpolate(template, scope).trim();
    if (url === '') return { ok: false, result: { outcome: 'skip', summary: `no ${what}: ${template.trim()} is empty`, evidence: {} } };
    return { ok: true, url };
  } catch (error) {
    if (error instanceof MissingValueError) {
      return { ok: false, result: { outcome: 'skip', summary: `no ${what} to read: ${error.message}`, evidence: { notes: [`${what}: ${template.trim()}`] } } };
    }
    throw error;
  }
}
