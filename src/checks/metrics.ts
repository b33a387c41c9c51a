// The `metrics` check: a PromQL query (instant, or a range over a window) through the
// Prometheus HTTP API. Every value of every series must hold; no series is an error.
import type { z } from 'zod/mini';
import type { metricsCheck } from '../manifest/schema.ts';
import { interpolate, interpolateDeep, MissingValueError } from '../manifest/interpolate.ts';
import { parseDuration } from '../manifest/units.ts';
import type { CheckRunner } from './context.ts';
import { apiErrorResult, resolveApi } from './metrics/api.ts';
import { queryPrometheus, seriesName, showValue, type RangeSpec, type Series } from './metrics/query.ts';
import { evaluate } from './predicates.ts';
import { resultFromAssertions, type Assertion, type CheckResult, type Evidence } from './result.ts';

export type MetricsCheck = z.infer<typeof metricsCheck>;

export const PROMETHEUS_URL_WHERE = 'metrics.url (or with: { url } for a prometheus/ built-in) or defaults.metrics.url';
/** Series shown in the evidence; the rest are counted. */
export const SHOWN_SERIES = 20;

export const runMetricsCheck: CheckRunner<MetricsCheck> = async (spec, context) => {
  const resolved = resolveApi('Prometheus', spec.url, spec.auth, PROMETHEUS_URL_WHERE, context);
  if (!resolved.ok) return resolved.result;
  let query: string;
  let expect: MetricsCheck['expect'];
  try {
    query = interpolate(spec.query, context.scope);
    expect = spec.expect && interpolateDeep(spec.expect, context.scope);
  } catch (error) {
    if (error instanceof MissingValueError) return { outcome: 'error', summary: error.message, evidence: {} };
    throw error;
  }
  const range = spec.range ? rangeOf(spec.range) : undefined;
  const timed = spec.timeout ? { ...context, requestTimeoutMs: parseDuration(spec.timeout) as number } : context;
  const evidence: Evidence = {};
  let series: Series[];
  try {
    series = await queryPrometheus(resolved.api, query, range, timed, evidence);
  } catch (error) {
    return apiErrorResult(error, evidence);
  }
  return judgeSeries(series, expect, evidence);
};

function rangeOf(range: NonNullable<MetricsCheck['range']>): RangeSpec {
  const windowMs = parseDuration(range.window) as number;
  return { windowMs, stepMs: range.step ? (parseDuration(range.step) as number) : Math.max(1000, windowMs / 60) };
}

/**
 * No series, or only NaN (0/0: nothing happened in the window), cannot tell: error.
 * Otherwise `series` bounds their number and `value` must hold for every sample.
 */
export function judgeSeries(series: Series[], expect: MetricsCheck['expect'], evidence: Evidence): CheckResult {
  evidence.facts = { ...evidence.facts, series: series.length };
  if (series.length > 0) evidence.output = listSeries(series);
  if (series.length === 0) return { outcome: 'error', summary: 'the query returned no series (check the metric name and labels, and that Prometheus scrapes it)', evidence };
  if (series.every((entry) => entry.samples.every(([, value]) => Number.isNaN(value)))) {
    return { outcome: 'error', summary: 'the query returned only NaN (no data in the window: a ratio of zero requests?)', evidence };
  }
  const assertions: Assertion[] = [];
  if (expect?.series !== undefined) {
    const result = evaluate(expect.series, series.length);
    assertions.push({ subject: 'series', expected: result.expected, actual: String(series.length), ok: result.ok });
  }
  if (expect?.value !== undefined) {
    const predicate = expect.value;
    const judged = series.map((entry) => {
      const failing = entry.samples.find(([, value]) => !evaluate(predicate, value).ok);
      const [, shown] = failing ?? entry.samples[entry.samples.length - 1] ?? [0, Number.NaN];
      const when = failing && entry.samples.length > 1 ? ` at ${new Date(failing[0] * 1000).toISOString()}` : '';
      return { subject: seriesName(entry), expected: evaluate(predicate, shown).expected, actual: `${showValue(shown)}${when}`, ok: failing === undefined };
    });
    // Failures first, so the capped list still shows them all.
    const ordered = [...judged.filter((a) => !a.ok), ...judged.filter((a) => a.ok)];
    assertions.push(...ordered.slice(0, SHOWN_SERIES));
    if (ordered.length > SHOWN_SERIES) {
      const hiddenFailures = ordered.slice(SHOWN_SERIES).filter((a) => !a.ok).length;
      evidence.notes = [...(evidence.notes ?? []), `${ordered.length - SHOWN_SERIES} more series not listed${hiddenFailures ? ` (${hiddenFailures} of them failing)` : ''}`];
      if (hiddenFailures) assertions.push({ subject: 'more series', expected: 'every series holds', actual: `${hiddenFailures} more failing`, ok: false });
    }
  }
  const pass = series.length === 1 ? `${seriesName(series[0] as Series)} = ${lastValue(series[0] as Series)}` : `${series.length} series hold`;
  return resultFromAssertions(assertions, evidence, pass);
}

function lastValue(series: Series): string {
  const last = series.samples[series.samples.length - 1];
  return last ? showValue(last[1]) : 'nothing';
}

/** Each series and its value (last value, or min..max of a range), capped. */
export function listSeries(series: Series[]): string {
  const lines = series.slice(0, SHOWN_SERIES).map((entry) => {
    const values = entry.samples.map(([, value]) => value).filter((value) => !Number.isNaN(value));
    if (entry.samples.length <= 1) return `${seriesName(entry)} ${lastValue(entry)}`;
    const range = values.length ? `${showValue(Math.min(...values))}..${showValue(Math.max(...values))}` : 'NaN';
    return `${seriesName(entry)} ${range} over ${entry.samples.length} samples`;
  });
  if (series.length > SHOWN_SERIES) lines.push(`… ${series.length - SHOWN_SERIES} more series`);
  return lines.join('\n');
}

