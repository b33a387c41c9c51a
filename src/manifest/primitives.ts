// The value-level building blocks of the manifest: durations, scalars, regular
// expressions and predicates. Shared by the manifest schema and the built-ins' parameters.
import { z } from 'zod';
import { DURATION_HINT, DURATION_PATTERN } from './units.ts';
import { jsonPathProblem } from './jsonpath.ts';
import { patternProblem } from '../util/pattern.ts';

// A manifest is parsed once per process: zod's generated parsers (new Function per object
// schema) cost more to compile than they save on one parse.
z.config({ jitless: true });

export const duration = z
  .string({ error: `expected ${DURATION_HINT}` })
  .regex(DURATION_PATTERN, `expected ${DURATION_HINT}`)
  .meta({ description: DURATION_HINT, examples: ['500ms', '10s', '5m'] });

export const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Scalar = z.infer<typeof scalar>;

/** A pattern matched against staging text: only what the linear-time engine runs. */
export const regex = z.string().superRefine((source, context) => {
  const problem = patternProblem(source);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

/**
 * A bound for lt/lte/gt/gte: a number, a duration ("200ms") or a percentage ("0.1%"), as
 * the predicates read them (src/checks/predicates.ts). A pattern rather than a refine, so
 * the JSON Schema says the same.
 */
const BOUND_TEXT = /^\s*(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|%))\s*$/;
const BOUND_MESSAGE = 'expected a number, a duration such as 200ms, or a percentage such as 0.1%';
const bound = z.union([z.number(), z.string().regex(BOUND_TEXT, BOUND_MESSAGE)], { error: BOUND_MESSAGE });

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

export const predicateMap: z.ZodType<PredicateMap> = z
  .strictObject({
    eq: scalar.optional(),
    ne: scalar.optional(),
    lt: bound.optional(),
    lte: bound.optional(),
    gt: bound.optional(),
    gte: bound.optional(),
    in: z.array(scalar).optional(),
    notIn: z.array(scalar).optional(),
    contains: scalar.optional(),
    notContains: scalar.optional(),
    startsWith: z.string().optional(),
    endsWith: z.string().optional(),
    matches: regex.optional(),
    exists: z.boolean().optional(),
    type: z.enum(VALUE_TYPES).optional(),
    get length() {
      return predicate.optional();
    },
    get not() {
      return predicate.optional();
    },
  })
  // Only for maps that parsed: `{ betwen: 1 }` is an unknown key, not also an empty predicate.
  .refine((map) => Object.keys(map).length > 0, { message: 'an empty predicate checks nothing; add eq, contains, matches, …', when: (payload) => payload.issues.length === 0 })
  .meta({ id: 'PredicateMap', description: 'All listed predicates must hold.', minProperties: 1 });

export const predicate: z.ZodType<Predicate> = z
  .union([scalar, predicateMap])
  .meta({ id: 'Predicate', description: 'A scalar (equals) or a map of predicates.' });

/** An RFC 9535 JSONPath query, e.g. $.results[?@.status == 'error']. */
export const jsonPath = z.string().superRefine((query, ctx) => {
  const problem = jsonPathProblem(query);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** JSONPath → predicate; a key that is not a valid query is reported at the key. */
export const jsonPathPredicates = z.record(z.string(), predicate).superRefine((map, ctx) => {
  for (const query of Object.keys(map)) {
    const problem = jsonPathProblem(query);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: [query], params: { at: 'key' } });
  }
});
