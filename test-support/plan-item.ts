// A plan item with every field a test does not care about filled in: an http check on the
// target, blocking, one attempt. Tests override what they are about.
import type { PlanItem } from '../src/plan/plan.ts';

export function planItem(id: string, overrides: Partial<PlanItem> = {}): PlanItem {
  return {
    id,
    title: id,
    sections: ['S'],
    severity: 'blocking',
    location: { line: 1, column: 1 },
    timeoutMs: 1000,
    requestTimeoutMs: 1000,
    retry: { attempts: 1, backoffMs: 10 },
    check: { kind: 'http', http: { request: 'GET /' } },
    usesTarget: true,
    ...overrides,
  };
}
