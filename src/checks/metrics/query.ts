// PromQL through the HTTP API: instant and range queries, answers read into series with
// their labels and numeric values.
import { formatDuration } from '../../manifest/units.ts';
import type { CheckContext } from '../context.ts';
import type { Evidence } from '../result.ts';
import { ApiError, getJson, prometheusData, type Api } from './api.ts';

export interface Series {
  labels: Record<string, string>;
  /** [unix seconds, value]; NaN and ±Inf as JavaScript numbers. */
  samples: [number, number][];
}

export interface RangeSpec {
  windowMs: number;
  stepMs: number;
}

/** An instant query (one sample per series) or a range query over the last window. */
export async function queryPrometheus(api: Api, query: string, range: RangeSpec | undefined, context: CheckContext, evidence: Evidence): Promise<Series[]> {
  if (!range) {
    const data = prometheusData(await getJson(api, '/api/v1/query', { query }, context, evidence)) as { resultType: string; result: unknown };
    return seriesOf(data);
  }
  const end = Date.now() / 1000;
  const params = { query, start: String(end - range.windowMs / 1000), end: String(end), step: `${Math.max(1, Math.round(range.stepMs / 1000))}s` };
  const data = prometheusData(await getJson(api, '/api/v1/query_range', params, context, evidence)) as { resultType: string; result: unknown };
  return seriesOf(data);
}

function seriesOf(data: { resultType: string; result: unknown }): Series[] {
  switch (data.resultType) {
    case 'vector':
      return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((entry) => ({ labels: entry.metric, samples: [sample(entry.value)] }));
    case 'matrix':
      return (data.result as { metric: Record<string, string>; values: [number, string][] }[]).map((entry) => ({ labels: entry.metric, samples: entry.values.map(sample) }));
    case 'scalar':
      return [{ labels: {}, samples: [sample(data.result as [number, string])] }];
    default:
      throw new ApiError(`the query returned a ${data.resultType}, not numbers`);
  }
}

function sample([time, value]: [number, string]): [number, number] {
  return [time, Number(value)];
}

/** {job="skyway", code="500"} as PromQL writes it; {} for a series without labels. */
export function seriesName(series: Series): string {
  const { __name__: name, ...rest } = series.labels;
  const labels = Object.entries(rest).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `${name ?? ''}{${labels.join(', ')}}`;
}

/** A value as a report shows it. */
export function showValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(Number(value.toPrecision(6)));
}

export function describeWindow(ms: number): string {
  return formatDuration(ms);
}
