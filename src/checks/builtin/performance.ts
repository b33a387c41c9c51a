// `performance-slo`: the seed's "Response time < 200ms (p95)" and "Error rate < 0.1%"
// as one load check, which says plainly when its sample cannot support the bound.
import type { BuiltinParams } from '../../manifest/builtins.ts';
import type { CheckContext } from '../context.ts';
import { minSamplesForRate, runLoadCheck, type LoadCheck } from '../load.ts';
import { parseRatio } from '../../manifest/units.ts';
import type { CheckResult } from '../result.ts';

/**
 * The load check this built-in runs: `GET path`, a 2xx per sample (the load check's
 * default: a redirect is not the page; all redirects is an error naming the URL to set),
 * p95 and error-rate bounds.
 */
export function performanceLoadCheck(params: BuiltinParams<'performance-slo'>): LoadCheck {
  const errorRate = params.errorRate ?? '0.1%';
  // By default, measure enough to show the bound: with no errors in N samples the rate is
  // only known to be below about 3/N, so 0.1% needs 3000 samples.
  const samples = params.samples ?? Math.max(200, minSamplesForRate(parseRatio(errorRate) as number));
  return {
    request: { method: 'GET', url: params.path ?? '/' },
    samples,
    concurrency: params.concurrency ?? 10,
    warmup: params.warmup ?? 5,
    expect: {
      latency: { p95: { lt: params.p95 ?? '200ms' } },
      errorRate: { lt: errorRate },
    },
  };
}

export function runPerformanceSlo(params: BuiltinParams<'performance-slo'>, context: CheckContext): Promise<CheckResult> {
  return runLoadCheck(performanceLoadCheck(params), context);
}
