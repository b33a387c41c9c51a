// Filling {{ placeholders }} with values. Secrets and env come from the environment
// the run was given; secrets are registered with the redactor the moment they are read.
import type { Redactor } from '../util/redact.ts';
import { renderTemplate, type Reference } from './template.ts';

export interface TargetValues {
  url: string;
  host: string;
  origin: string;
}

export interface Scope {
  env: Readonly<Record<string, string | undefined>>;
  target?: TargetValues;
  git: { sha?: string; ref?: string };
  redactor: Redactor;
  /** Flow steps only: the cookie jar, read when the step is sent. */
  cookie?: (name: string) => string | undefined;
  /** Flow steps only: values captured by earlier steps. */
  captures?: Readonly<Record<string, string>>;
}

/** A placeholder without a value: the item cannot be evaluated, and says which. */
export class MissingValueError extends Error {
  readonly references: Reference[];

  constructor(references: Reference[]) {
    super(references.map(describeMissing).join('; '));
    this.references = references;
  }
}

function describeMissing(ref: Reference): string {
  switch (ref.namespace) {
    case 'secrets':
      return `secret ${ref.name} is not set (pass it to the step as env ${ref.name})`;
    case 'env':
      return `environment variable ${ref.name} is not set`;
    case 'target':
      return `{{ target.${ref.name} }} needs a staging URL`;
    case 'git':
      return `{{ git.${ref.name} }} is unknown here (set GITHUB_SHA or pass --sha)`;
    case 'cookies':
      return `cookie ${ref.name} is not in the jar yet`;
    default:
      return `{{ ${ref.name} }} was not captured`;
  }
}

export function lookup(scope: Scope, ref: Reference): string | undefined {
  switch (ref.namespace) {
    case 'env':
      return scope.env[ref.name];
    case 'secrets': {
      const value = scope.env[ref.name];
      if (value !== undefined) scope.redactor.add(value);
      return value;
    }
    case 'target':
      return scope.target?.[ref.name as keyof TargetValues];
    case 'git':
      return scope.git[ref.name as 'sha' | 'ref'];
    case 'cookies':
      return scope.cookie?.(ref.name);
    case '':
      return scope.captures?.[ref.name];
    default:
      return undefined;
  }
}

/** The string with every placeholder filled; throws MissingValueError otherwise. */
export function interpolate(text: string, scope: Scope): string {
  const { value, missing } = renderTemplate(text, (ref) => lookup(scope, ref));
  if (missing.length > 0) throw new MissingValueError(missing);
  return value;
}

/** Interpolates every string inside a JSON-like value (request bodies, forms, queries). */
export function interpolateDeep<T>(value: T, scope: Scope): T {
  if (typeof value === 'string') return interpolate(value, scope) as T;
  if (Array.isArray(value)) return value.map((entry: unknown) => interpolateDeep(entry, scope)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, interpolateDeep(entry, scope)])) as T;
  }
  return value;
}
