// The report: one JSON document every surface is rendered from (comment, check run,
// job summary, terminal, JUnit). It is also written as a file, so it is versioned.
import type { CheckKind } from '../manifest/schema.ts';
import type { Evidence, Outcome } from '../checks/result.ts';
import type { Counts, PolicyReport, SignoffReport, Verdict, WaiverReport } from '../policy/model.ts';

export type { AwaitingRole, Counts, PolicyReport, Reason, Signature, SignoffReport, Verdict, WaiverReport } from '../policy/model.ts';

export const REPORT_SCHEMA_VERSION = 1;

export type Severity = 'blocking' | 'advisory';

export interface ItemReport {
  id: string;
  title: string;
  /** Section titles from the top: ["Security", "Django Security Settings"]. */
  sections: string[];
  kind: CheckKind;
  severity: Severity;
  owner?: string;
  help?: string;
  outcome: Outcome;
  /** True when this item's outcome keeps the verdict from being ready. */
  blocks: boolean;
  /** Manual items under a policy: who signed, who still must. */
  signoff?: SignoffReport;
  /** A waiver written for this item and its state (an active one is why a failure does not block). */
  waiver?: WaiverReport;
  summary: string;
  evidence: Evidence;
  durationMs: number;
  attempts: number;
  /** Where the item is written in the manifest (for annotations). */
  line: number;
  column: number;
}

export interface SectionReport {
  title: string;
  items: ItemReport[];
  sections: SectionReport[];
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  manifest: string;
  target: { url?: string };
  startedAt: string;
  durationMs: number;
  verdict: Verdict;
  counts: Counts;
  /** Run-level facts said once instead of per item ("staging not ready: …"). */
  notices: string[];
  /** Where the sign-off policy came from, notes about it, active waivers (absent without policy or waivers). */
  policy?: PolicyReport;
  sections: SectionReport[];
}

/** Items in manifest order, flattened out of their sections. */
export function allItems(report: Pick<Report, 'sections'>): ItemReport[] {
  const out: ItemReport[] = [];
  const walk = (sections: SectionReport[]) => {
    for (const section of sections) {
      out.push(...section.items);
      walk(section.sections);
    }
  };
  walk(report.sections);
  return out;
}
