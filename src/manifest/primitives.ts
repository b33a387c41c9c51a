// The value-level building blocks of the manifest: durations, scalars, regular
// expressions and predicates. Shared by the manifest schema and the built-ins' parameters.
// zod/mini rather than classic zod: the same schemas without every method on every instance,
// so the bundle carries only the checks it uses (~30 kB instead of ~100 kB).
import { z } from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { DURATION_HINT, DURATION_PATTERN } from './units.ts';
import { jsonPathProblem } from './jsonpath.ts';
import { patternProblem } from '../util/pattern.ts';

// A manifest is parsed once per process: zod's generated parsers (new Function per object
// schema) cost more to compile than they save on one parse. English messages are what classic
// zod sets up by itself and zod/mini leaves to us (issues.ts reads them, users see them).
// Classic zod's memoizer is left off: it walks every container's subtree as it is built (about
// 10 ms of each start, the recursive predicate defeats its cache), to parse a value reached
// twice through YAML aliases once. The loader refuses alias cycles and bounds how far aliases
// expand before zod sees the value (load.ts), so each use is simply parsed on its own.
z.config({ jitless: true, ...en() });

/**
 * `schema` with JSON Schema metadata, as classic zod's `.meta()`: a clone is registered, so a
 * schema used in several places (duration, regex, …) keeps each place's description apart.
 */
export function meta<T extends z.ZodMiniType>(schema: T, metadata: z.core.GlobalMeta): T {
  const clone = schema.clone();
  z.globalRegistry.add(clone, metadata);
  return clone;
}

export const duration = meta(z.string({ error: `expected ${DURATION_HINT}` }).check(z.regex(DURATION_PATTERN, `expected ${DURATION_HINT}`)), {
  description: DURATION_HINT,
  examples: ['500ms', '10s', '5m'],
});

export const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Scalar = z.infer<typeof scalar>;

/** A pattern matched against staging text: only what the linear-time engine runs. */
export const regex = z.string().check(
  z.superRefine((source, context) => {
    const problem = patternProblem(source);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  }),
);

/**
 * A bound for lt/lte/gt/gte: a number, a duration ("200ms") or a percentage ("0.1%"), as
 * the predicates read them (src/checks/predicates.ts). A pattern rather than a refine, so
 * the JSON Schema says the same.
 */
const BOUND_TEXT = /^\s*(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|%))\s*$/;
const BOUND_MESSAGE = 'expected a number, a duration such as 200ms, or a percentage such as 0.1%';
const bound = z.union([z.number(), z.string().check(z.regex(BOUND_TEXT, BOUND_MESSAGE))], { error: BOUND_MESSAGE });

const VALUE_TYPES = ['string', 'number', 'integer', 'boolean', 'null', 'array', 'object'] as const;

export interface PredicateMap {
  eq?: Scalar | undefined;
  ne?: Scalar | undefined;
  lt?: number | string | undefined;
  lte?: number | string | undefined;
  gt?: number | string | undefined;
  gte?: number | string | undefined;
  in?: Scalar[] | undefined;
  notIn?: Scalar[] | undefined;
  contains?: Scalar | undefined;
  notContains?: Scalar | undefined;
  startsWith?: string | undefined;
  endsWith?: string | undefined;
  matches?: string | undefined;
  exists?: boolean | undefined;
  type?: (typeof VALUE_TYPES)[number] | undefined;
  length?: Predicate | undefined;
  not?: Predicate | undefined;
}
/** A scalar means "equals"; a map is the AND of its predicates. */
export type Predicate = Scalar | PredicateMap;

/**
 * `schema.check(...checks)` for an object whose shape has getters (a recursive schema):
 * zod/mini's `.check()` copies the definition with a spread, which runs the getters before
 * the schemas they return exist; classic zod copies the accessors, as this does.
 */
function checkedLazily<T extends z.ZodMiniType>(schema: T, ...checks: z.core.$ZodCheck<z.output<T>>[]): T {
  const def = schema._zod.def;
  const checked = z.util.mergeDefs(def, { checks: [...(def.checks ?? []), ...checks] }) as typeof def;
  return schema.clone(checked, { parent: true });
}

export const predicateMap: z.ZodMiniType<PredicateMap> = meta(
  checkedLazily(
    z.strictObject({
      eq: z.optional(scalar),
      ne: z.optional(scalar),
      lt: z.optional(bound),
      lte: z.optional(bound),
      gt: z.optional(bound),
      gte: z.optional(bound),
      in: z.optional(z.array(scalar)),
      notIn: z.optional(z.array(scalar)),
      contains: z.optional(scalar),
      notContains: z.optional(scalar),
      startsWith: z.optional(z.string()),
      endsWith: z.optional(z.string()),
      matches: z.optional(regex),
      exists: z.optional(z.boolean()),
      type: z.optional(z.enum(VALUE_TYPES)),
      get length() {
        return z.optional(predicate);
      },
      get not() {
        return z.optional(predicate);
      },
    }),
    // Only for maps that parsed: `{ betwen: 1 }` is an unknown key, not also an empty predicate.
    z.refine((map) => Object.keys(map).length > 0, { message: 'an empty predicate checks nothing; add eq, contains, matches, …', when: (payload) => payload.issues.length === 0 }),
  ),
  { id: 'PredicateMap', description: 'All listed predicates must hold.', minProperties: 1 },
);

export const predicate: z.ZodMiniType<Predicate> = meta(z.union([scalar, predicateMap]), { id: 'Predicate', description: 'A scalar (equals) or a map of predicates.' });

/** An RFC 9535 JSONPath query, e.g. $.results[?@.status == 'error']. */
export const jsonPath = z.string().check(
  z.superRefine((query, ctx) => {
    const problem = jsonPathProblem(query);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

/** JSONPath → predicate; a key that is not a valid query is reported at the key. */
export const jsonPathPredicates = z.record(z.string(), predicate).check(
  z.superRefine((map, ctx) => {
    for (const query of Object.keys(map)) {
      const problem = jsonPathProblem(query);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: [query], params: { at: 'key' } });
    }
  }),
);
