// A manual item: nothing to run; it waits for a person.
import type { z } from 'zod/mini';
import type { manualCheck } from '../manifest/schema.ts';
import type { CheckResult } from './result.ts';

export type ManualCheck = z.infer<typeof manualCheck>;

export function manualResult(spec: ManualCheck): CheckResult {
  const who = spec.owner ? ` by ${spec.owner}` : '';
  return { outcome: 'pending', summary: `awaiting sign-off${who}`, evidence: spec.note ? { notes: [spec.note] } : {} };
}
