// Predicates of the manifest (eq lt in contains matches exists type length not …),
// evaluated against one actual value, with the words a failure message needs.
import type { Predicate, PredicateMap, Scalar } from '../manifest/schema.ts';
import { formatDuration, formatPercent, parseDuration, parseRatio } from '../manifest/units.ts';
import { patternTest } from '../util/pattern.ts';

/** How numbers are read and shown: plain values, durations in ms, or ratios in [0, 1]. */
export type ValueKind = 'value' | 'duration' | 'ratio';

export interface PredicateResult {
  ok: boolean;
  /** "one of [301, 308]", "< 200ms", "matching /max-age=\d+/" */
  expected: string;
}

export function isPredicateMap(predicate: Predicate): predicate is PredicateMap {
  return predicate !== null && typeof predicate === 'object';
}

export function evaluate(predicate: Predicate, actual: unknown, kind: ValueKind = 'value'): PredicateResult {
  if (!isPredicateMap(predicate)) return { ok: looselyEqual(actual, predicate, kind), expected: showExpected(predicate, kind) };
  const parts = Object.entries(predicate).filter(([, operand]) => operand !== undefined) as [keyof PredicateMap, unknown][];
  const results = parts.map(([name, operand]) => evaluateOne(name, operand, actual, kind));
  return { ok: results.every((result) => result.ok), expected: results.map((result) => result.expected).join(' and ') };
}

function evaluateOne(name: keyof PredicateMap, operand: unknown, actual: unknown, kind: ValueKind): PredicateResult {
  switch (name) {
    case 'eq':
      return { ok: looselyEqual(actual, operand as Scalar, kind), expected: showExpected(operand as Scalar, kind) };
    case 'ne':
      return { ok: !looselyEqual(actual, operand as Scalar, kind), expected: `not ${showExpected(operand as Scalar, kind)}` };
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return compare(name, operand as number | string, actual, kind);
    case 'in':
      return { ok: (operand as Scalar[]).some((option) => looselyEqual(actual, option, kind)), expected: `one of [${(operand as Scalar[]).map((o) => showExpected(o, kind)).join(', ')}]` };
    case 'notIn':
      return { ok: !(operand as Scalar[]).some((option) => looselyEqual(actual, option, kind)), expected: `none of [${(operand as Scalar[]).map((o) => showExpected(o, kind)).join(', ')}]` };
    case 'contains':
      return { ok: contains(actual, operand as Scalar), expected: `containing ${show(operand)}` };
    case 'notContains':
      return { ok: actual !== undefined && !contains(actual, operand as Scalar), expected: `not containing ${show(operand)}` };
    case 'startsWith':
      return { ok: typeof actual === 'string' && actual.startsWith(operand as string), expected: `starting with ${show(operand)}` };
    case 'endsWith':
      return { ok: typeof actual === 'string' && actual.endsWith(operand as string), expected: `ending with ${show(operand)}` };
    case 'matches':
      return { ok: isScalarValue(actual) && patternTest(operand as string, String(actual)), expected: `matching /${operand as string}/` };
    case 'exists':
      return { ok: isPresent(actual) === operand, expected: operand ? 'present' : 'absent' };
    case 'type':
      return { ok: typeOf(actual) === operand || (operand === 'number' && typeOf(actual) === 'integer'), expected: `of type ${operand as string}` };
    case 'length': {
      const length = lengthOf(actual);
      const inner = evaluate(operand as Predicate, length, 'value');
      return { ok: length !== undefined && inner.ok, expected: `length ${inner.expected}` };
    }
    case 'not': {
      const inner = evaluate(operand as Predicate, actual, kind);
      return { ok: !inner.ok, expected: `not (${inner.expected})` };
    }
  }
}

const COMPARATORS = {
  lt: { symbol: '<', test: (a: number, b: number) => a < b },
  lte: { symbol: '≤', test: (a: number, b: number) => a <= b },
  gt: { symbol: '>', test: (a: number, b: number) => a > b },
  gte: { symbol: '≥', test: (a: number, b: number) => a >= b },
};

function compare(name: 'lt' | 'lte' | 'gt' | 'gte', operand: number | string, actual: unknown, kind: ValueKind): PredicateResult {
  const { symbol, test } = COMPARATORS[name];
  const bound = toNumber(operand, kind);
  const value = toNumber(actual, kind);
  const expected = `${symbol} ${showNumber(bound, operand, kind)}`;
  return { ok: bound !== undefined && value !== undefined && test(value, bound), expected };
}

/** Numbers as the kind reads them: "200ms" → 200 for durations, "0.1%" → 0.001 for ratios. */
function toNumber(value: unknown, kind: ValueKind): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (kind === 'duration') return parseDuration(value) ?? numeric(value);
  if (kind === 'ratio') return parseRatio(value) ?? numeric(value);
  return numeric(value) ?? parseDuration(value) ?? parseRatio(value);
}

function numeric(text: string): number | undefined {
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function looselyEqual(actual: unknown, expected: Scalar, kind: ValueKind): boolean {
  if (kind !== 'value') {
    const a = toNumber(actual, kind);
    const b = toNumber(expected, kind);
    return a !== undefined && a === b;
  }
  if (actual === expected) return true;
  if (actual === undefined || expected === null || actual === null) return false;
  // YAML authors write `count: 3` for a header "3" and `id: "7"` for a JSON 7.
  return isScalarValue(actual) && String(actual) === String(expected);
}

function contains(actual: unknown, needle: Scalar): boolean {
  if (typeof actual === 'string') return actual.includes(String(needle));
  if (Array.isArray(actual)) return actual.some((entry) => looselyEqual(entry, needle, 'value'));
  return false;
}

function lengthOf(actual: unknown): number | undefined {
  if (typeof actual === 'string' || Array.isArray(actual)) return actual.length;
  if (actual !== null && typeof actual === 'object') return Object.keys(actual).length;
  return undefined;
}

const NODELIST = Symbol('JSONPath nodelist');

/** Marks the values a non-singular JSONPath query selected: `exists` then asks whether it selected any. */
export function markNodelist(values: unknown[]): unknown[] {
  Object.defineProperty(values, NODELIST, { value: true });
  return values;
}

function isEmptyNodelist(value: unknown): boolean {
  return Array.isArray(value) && (value as unknown as Record<symbol, unknown>)[NODELIST] === true && value.length === 0;
}

/** Absent: undefined (a missing value), or a JSONPath query that selected nothing. */
function isPresent(actual: unknown): boolean {
  return actual !== undefined && !isEmptyNodelist(actual);
}

/** A string, number or boolean: a value with one obvious text form. */
function isScalarValue(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

export function typeOf(value: unknown): string {
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function showExpected(value: Scalar, kind: ValueKind): string {
  if (kind !== 'value') return showNumber(toNumber(value, kind), value, kind);
  return show(value);
}

function showNumber(value: number | undefined, original: unknown, kind: ValueKind): string {
  if (value === undefined) return show(original);
  if (kind === 'duration') return formatDuration(value);
  if (kind === 'ratio') return formatPercent(value);
  return typeof original === 'string' ? original : String(value);
}

const MAX_SHOWN = 120;

/** A value as a failure message shows it: strings quoted and shortened. */
export function show(value: unknown, kind: ValueKind = 'value'): string {
  if (value === undefined) return 'nothing';
  if (isEmptyNodelist(value)) return 'nothing (the query selected no node)';
  if (kind === 'duration' && typeof value === 'number') return formatDuration(value);
  if (kind === 'ratio' && typeof value === 'number') return formatPercent(value);
  if (typeof value === 'string') return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value);
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}
