// zod issues in words a manifest author can act on.
import type { z } from 'zod/mini';
import { suggest } from './suggest.ts';

type Issue = z.core.$ZodIssue;

/** Beyond this many allowed values, a did-you-mean replaces the list. */
const LONG_LIST = 8;

/**
 * The issues worth showing: where a union failed but exactly one of its branches took the
 * value's shape (its problems lie inside the value, e.g. a predicate map with a misspelt
 * `type`), that branch's problems at their own paths, instead of "expected a string, …, got
 * a map" about a map that was allowed.
 */
export function specificIssues(issues: readonly Issue[]): Issue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union') return [issue];
    const [inside, ...more] = issue.errors.filter((branch) => branch.length > 0 && branch.every((inner) => inner.path.length > 0));
    if (inside === undefined || more.length > 0) return [issue];
    return specificIssues(inside.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })));
  });
}

export function issueMessage(issue: Issue, actual: unknown): string {
  if (actual === undefined && issue.code !== 'custom' && issue.path.length > 0) return `missing required key \`${String(issue.path.at(-1))}\``;
  switch (issue.code) {
    case 'invalid_type': {
      // Our own messages (e.g. on durations) say more than the type name does.
      const expected = issue.message.startsWith('Invalid input') ? article(issue.expected) : issue.message.replace(/^expected /, '');
      return `expected ${expected}, got ${describe(actual)}`;
    }
    case 'invalid_value': {
      const guess = typeof actual === 'string' ? suggest(actual, issue.values.filter((value): value is string => typeof value === 'string')) : undefined;
      // A long list (the 24 built-in names) hides the one that was meant.
      if (guess !== undefined && issue.values.length > LONG_LIST) return `expected one of ${issue.values.length} values, got ${describe(actual)}; did you mean ${JSON.stringify(guess)}?`;
      return `expected ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}, got ${describe(actual)}${guess !== undefined ? `; did you mean ${JSON.stringify(guess)}?` : ''}`;
    }
    case 'invalid_union':
      return `expected ${listOr([...unionTypes(issue)].map(article)) || 'a different value'}, got ${describe(actual)}`;
    case 'too_small':
      if (issue.origin === 'array') return `needs at least ${issue.minimum} ${issue.minimum === 1 ? 'entry' : 'entries'}`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      return `must be at most ${issue.maximum}`;
    default:
      return issue.message;
  }
}

function unionTypes(issue: z.core.$ZodIssueInvalidUnion, into = new Set<string>()): Set<string> {
  for (const branch of issue.errors) {
    for (const inner of branch) {
      if (inner.path.length !== 0) continue;
      if (inner.code === 'invalid_type') into.add(inner.expected);
      if (inner.code === 'invalid_union') unionTypes(inner, into);
    }
  }
  return into;
}

function listOr(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

function article(type: string): string {
  if (type === 'object' || type === 'record') return 'a map';
  if (type === 'array') return 'a list';
  if (type === 'null') return 'null';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

export function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}
