// The report of the real checklist: the django template (267 items) run against a
// hardened staging, built through the real plan and verdict. Automated items pass,
// manual items wait for their owners, and the two advisory items the template knows a
// hardened lab cannot satisfy fail, so a ready verdict carries warnings.
import { loadManifest } from '../../src/manifest/load.ts';
import { buildPlan } from '../../src/plan/plan.ts';
import { buildReport } from '../../src/report/build.ts';
import { applyPolicy } from '../../src/policy/verdict.ts';
import type { ItemResult } from '../../src/engine/run.ts';
import type { Report } from '../../src/report/model.ts';
import { Redactor } from '../../src/util/redact.ts';
import { DJANGO_TEMPLATE } from '../../src/cli/templates/django.ts';

export interface DjangoReportOptions {
  /** How many automated items fail, from the top (their evidence carries a response and an assertion). */
  failing?: number;
  /** Give each manual item an owner named after its top-level section ("@security-team"). */
  owners?: boolean;
}

function teamOf(section: string): string {
  const word = /[A-Za-z]+/.exec(section)?.[0] ?? 'release';
  return `@${word.toLowerCase()}-team`;
}

export function djangoReport(options: DjangoReportOptions = {}): Report {
  const loaded = loadManifest(DJANGO_TEMPLATE, '.github/readiness.yml');
  if (!loaded.ok) throw new Error(`the django template does not load: ${loaded.errors.map((error) => error.message).join('; ')}`);
  const plan = buildPlan(loaded.value, { url: 'https://staging.example.com', env: {}, git: { sha: 'abc1234' }, redactor: new Redactor() });
  const failing = new Set(
    plan.items
      .filter((entry) => entry.check.kind !== 'manual')
      .slice(0, options.failing ?? 0)
      .map((entry) => entry.id),
  );
  if (options.owners) for (const entry of plan.items) if (entry.check.kind === 'manual') entry.owner = teamOf(entry.sections[0] ?? '');
  const results: ItemResult[] = plan.items.map((entry) => {
    if (entry.check.kind === 'manual') return { id: entry.id, outcome: 'pending', summary: 'waiting for sign-off', evidence: {}, durationMs: 0, attempts: 1 };
    if (failing.has(entry.id)) {
      return {
        id: entry.id,
        outcome: 'fail',
        summary: 'status: expected 200, got 500',
        evidence: {
          request: 'GET https://staging.example.com/health/',
          assertions: [{ subject: 'status', expected: '200', actual: '500', ok: false }],
          response: { status: 500, headers: [['content-type', 'text/html']], body: '<h1>Server Error (500)</h1>', bodyBytes: 26, truncated: false },
        },
        durationMs: 210,
        attempts: 1,
      };
    }
    const measured = entry.check.kind === 'load' || (entry.check.kind === 'uses' && entry.check.uses === 'performance-slo');
    // What a load check measures: percentiles in ms, and the bound it asserts.
    const evidence = measured
      ? { facts: { samples: 200, p50: 41.2, p90: 88, p95: 97.5, p99: 160.3, max: 212, mean: 52.1 }, assertions: [{ subject: 'latency p95', expected: '< 200ms', actual: '97.5ms', ok: true }] }
      : {};
    return { id: entry.id, outcome: 'pass', summary: 'ok', evidence, durationMs: 120, attempts: 1 };
  });
  const policy = applyPolicy(plan.items, results, { waivers: [], today: new Date('2026-01-02T03:04:05Z'), source: 'manifest', notes: [] });
  return buildReport({ plan, results, policy, notices: [], startedAt: new Date('2026-01-02T03:04:05Z'), durationMs: 61_000 });
}
