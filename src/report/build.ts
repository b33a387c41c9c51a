// Plan + results + verdict → the report document.
import type { Plan } from '../plan/plan.ts';
import type { ItemResult } from '../engine/run.ts';
import type { PolicyOutcome } from '../policy/verdict.ts';
import { VERSION } from '../version.ts';
import { REPORT_SCHEMA_VERSION, type ItemReport, type Report, type SectionReport } from './model.ts';

export interface BuildReportInput {
  plan: Plan;
  results: ItemResult[];
  /** The policy stage's decisions, one per plan item. */
  policy: PolicyOutcome;
  notices: string[];
  startedAt: Date;
  durationMs: number;
}

export function buildReport({ plan, results, policy, notices, startedAt, durationMs }: BuildReportInput): Report {
  const { verdict, counts } = policy;
  const sections: SectionReport[] = [];
  const sectionFor = (path: string[]): SectionReport => {
    let list = sections;
    let section: SectionReport | undefined;
    for (const title of path) {
      section = list.find((candidate) => candidate.title === title);
      if (!section) {
        section = { title, items: [], sections: [] };
        list.push(section);
      }
      list = section.sections;
    }
    return section as SectionReport;
  };

  plan.items.forEach((item, index) => {
    const result = results[index] as ItemResult;
    const decided = policy.items[index] as PolicyOutcome['items'][number];
    const entry: ItemReport = {
      id: item.id,
      title: item.title,
      sections: item.sections,
      kind: item.check.kind,
      severity: item.severity,
      outcome: decided.outcome,
      blocks: decided.blocks,
      summary: decided.summary,
      evidence: result.evidence,
      durationMs: result.durationMs,
      attempts: result.attempts,
      line: item.location.line,
      column: item.location.column,
    };
    // A manual item's sign-off owner is who must act on it when the item names nobody else.
    const owner = item.owner ?? (item.check.kind === 'manual' ? item.check.manual.owner : undefined);
    if (owner !== undefined) entry.owner = owner;
    if (item.help !== undefined) entry.help = item.help;
    if (decided.signoff) entry.signoff = decided.signoff;
    if (decided.waiver) entry.waiver = decided.waiver;
    sectionFor(item.sections).items.push(entry);
  });

  const target: Report['target'] = {};
  if (plan.target.values) target.url = plan.target.values.url;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'readiness-gate', version: VERSION },
    manifest: plan.manifestFile,
    target,
    startedAt: startedAt.toISOString(),
    durationMs,
    verdict,
    counts,
    notices,
    ...(policy.policy ? { policy: policy.policy } : {}),
    sections,
  };
}
