// Results → verdict. Ready when no blocking item failed or could not be checked;
// pending manual items block only when the manifest marks them required.
import type { PlanItem } from '../plan/plan.ts';
import type { ItemResult } from '../engine/run.ts';
import type { Outcome } from '../checks/result.ts';
import type { Counts, Verdict } from '../report/model.ts';

export function blocks(item: PlanItem, outcome: Outcome): boolean {
  if (item.severity !== 'blocking') return false;
  if (outcome === 'fail' || outcome === 'error') return true;
  return outcome === 'pending' && item.check.kind === 'manual' && item.check.manual.required === true;
}

export function countOutcomes(outcomes: Outcome[]): Counts {
  const counts: Counts = { total: outcomes.length, pass: 0, fail: 0, error: 0, skip: 0, flaky: 0, pending: 0, signed: 0 };
  for (const outcome of outcomes) counts[outcome]++;
  return counts;
}

export function decide(items: PlanItem[], results: ItemResult[], notices: string[] = []): { verdict: Verdict; counts: Counts } {
  const counts = countOutcomes(results.map((result) => result.outcome));
  const blocking = items.filter((item, index) => blocks(item, (results[index] as ItemResult).outcome));
  const done = counts.pass + counts.flaky + counts.signed;
  const applicable = counts.total - counts.skip;
  const score = applicable === 0 ? 0 : Math.floor((100 * done) / applicable);
  return {
    verdict: { ready: blocking.length === 0, headline: headline(items, results, blocking, counts, notices), score, blocking: blocking.map((item) => item.id) },
    counts,
  };
}

function headline(items: PlanItem[], results: ItemResult[], blocking: PlanItem[], counts: Counts, notices: string[]): string {
  const outcomeOf = (item: PlanItem) => (results[items.indexOf(item)] as ItemResult).outcome;
  if (blocking.length > 0) {
    const failed = blocking.filter((item) => outcomeOf(item) === 'fail');
    const errored = blocking.filter((item) => outcomeOf(item) === 'error');
    const waiting = blocking.filter((item) => outcomeOf(item) === 'pending');
    const parts: string[] = [];
    if (failed.length) parts.push(`${plural(failed.length, 'blocking item')} failed`);
    if (errored.length) parts.push(`${plural(errored.length, 'blocking item')} could not be checked`);
    if (waiting.length) parts.push(`${plural(waiting.length, 'required sign-off')} pending`);
    const names = blocking.slice(0, 3).map((item) => item.title).join(', ');
    const more = blocking.length > 3 ? `, +${blocking.length - 3} more` : '';
    // Say why when there is one reason: a run-level cause (staging down), or one summary all share.
    const summaries = new Set(blocking.map((item) => (results[items.indexOf(item)] as ItemResult).summary));
    const reason = errored.length === blocking.length && notices[0] ? notices[0] : summaries.size === 1 ? [...summaries][0] : undefined;
    const cause = ` (${names}${more})${reason ? ` — ${reason}` : ''}`;
    return `Not ready: ${parts.join(', ')}${cause}`;
  }
  const checked = counts.pass + counts.flaky;
  const parts = [`${plural(checked, 'check')} passed`];
  const advisory = counts.fail + counts.error;
  if (advisory) parts.push(`${plural(advisory, 'advisory item')} failed`);
  if (counts.flaky) parts.push(`${counts.flaky} flaky`);
  if (counts.pending) parts.push(`${plural(counts.pending, 'manual item')} pending`);
  return `Ready: ${parts.join(', ')}`;
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
