// Pictures where people would rather look than read: the latency percentiles of a load
// item and the score over a PR's last runs, as Mermaid `xychart-beta` blocks (GitHub
// renders them in comments and job summaries). Only numbers we measured or computed
// enter a chart; labels are fixed words or commit hashes checked to be hex.
import type { Evidence } from '../checks/result.ts';
import { parseDuration } from '../manifest/units.ts';

export interface LatencyBar {
  stat: string;
  ms: number;
}

export interface Latency {
  bars: LatencyBar[];
  /** The bound the item asserts on (p95 < 200ms → 200), drawn as a line. */
  limitMs?: number;
  limitStat?: string;
}

const STATS = ['p50', 'p90', 'p95', 'p99', 'max'] as const;

/** The measured percentiles of a load item (a `load` check or a built-in that runs one), if it has them. */
export function latencyOf(evidence: Evidence): Latency | undefined {
  const facts = evidence.facts ?? {};
  const bars: LatencyBar[] = [];
  for (const stat of STATS) {
    const value = facts[stat];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) bars.push({ stat, ms: value });
  }
  if (bars.length < 2) return undefined;
  const latency: Latency = { bars };
  // The first latency bound asserted: "latency p95" expected "< 200ms".
  for (const assertion of evidence.assertions ?? []) {
    const stat = /^latency (p\d+|max)$/.exec(assertion.subject)?.[1];
    const bound = /^(?:<|<=|≤)\s*(\S+)$/.exec(assertion.expected.trim())?.[1];
    const ms = bound === undefined ? undefined : parseDuration(bound);
    if (stat !== undefined && ms !== undefined && Number.isFinite(ms)) {
      latency.limitMs = ms;
      latency.limitStat = stat;
      break;
    }
  }
  return latency;
}

/** A number Mermaid reads back as written: no exponent, at most one decimal. */
function num(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/** The percentiles as bars, and the asserted bound as a line across them. */
export function latencyChart(latency: Latency): string {
  const top = niceCeiling(Math.max(...latency.bars.map((bar) => bar.ms), latency.limitMs ?? 0) * 1.1);
  const lines = [
    '```mermaid',
    'xychart-beta',
    `  x-axis [${latency.bars.map((bar) => bar.stat).join(', ')}]`,
    `  y-axis "latency (ms)" 0 --> ${num(top)}`,
    `  bar [${latency.bars.map((bar) => num(bar.ms)).join(', ')}]`,
  ];
  if (latency.limitMs !== undefined) lines.push(`  line [${latency.bars.map(() => num(latency.limitMs as number)).join(', ')}]`);
  lines.push('```');
  return lines.join('\n');
}

/** One line under the chart, since a chart has no legend: "p95 42ms (bound 200ms)". */
export function latencyCaption(latency: Latency): string {
  const shown = latency.bars.map((bar) => `${bar.stat} ${num(bar.ms)}ms`).join(' · ');
  return latency.limitMs === undefined ? shown : `${shown} · line: ${latency.limitStat} bound ${num(latency.limitMs)}ms`;
}

export interface ScorePointLike {
  sha: string;
  score: number;
}

/** The score over the last runs as a line, oldest first; labelled by short commit. */
export function scoreChart(points: ScorePointLike[]): string {
  const labels = points.map((point, index) => (/^[0-9a-f]{1,12}$/i.test(point.sha) ? point.sha.slice(0, 7) : `run${index + 1}`));
  const scores = points.map((point) => num(Math.min(100, Math.max(0, point.score))));
  return ['```mermaid', 'xychart-beta', `  x-axis [${labels.map((label) => `"${label}"`).join(', ')}]`, '  y-axis "score (%)" 0 --> 100', `  line [${scores.join(', ')}]`, '```'].join('\n');
}
