// Units the manifest accepts: durations ("300ms", "2s", "5m", "1h", "14d") and
// ratios ("0.1%" or a plain fraction such as 0.001).

export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const DURATION_HINT = 'a duration such as 300ms, 10s, 5m or 1h';

/** Milliseconds for a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${trimNumber(ms / 1000)}s`;
  if (ms < 3_600_000) return `${trimNumber(ms / 60_000)}m`;
  return `${trimNumber(ms / 3_600_000)}h`;
}

const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;

/** A ratio in [0, 1] from "0.1%" or a number; undefined when it is neither. */
export function parseRatio(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const match = PERCENT.exec(value.trim());
  return match ? Number(match[1]) / 100 : undefined;
}

export function formatPercent(ratio: number): string {
  return `${trimNumber(ratio * 100, 3)}%`;
}

function trimNumber(n: number, digits = 2): string {
  return String(Number(n.toFixed(digits)));
}
