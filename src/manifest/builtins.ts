// Parameters (`with:`) of the built-in checks (`uses:`), with the seed's defaults.
// The runners live in src/checks/builtin/; this file only says what a user may write.
import { z } from 'zod';
import { DURATION_HINT, parseDuration, parseRatio } from './units.ts';
import { suggest } from './suggest.ts';
import { issueMessage, valueAt } from './issues.ts';

const path = z.string().startsWith('/', 'expected a path starting with /');
const paths = z.array(path).min(1);
const durationText = z.string().refine((text) => parseDuration(text) !== undefined, `expected ${DURATION_HINT}`);
const ratioText = z.union([z.number(), z.string()]).refine((value) => parseRatio(value) !== undefined, 'expected a percentage such as 0.1%');

export const BUILTIN_PARAMS = {
  'django/debug-off': z.strictObject({
    path: path.optional().meta({ description: 'Probe path; default a random path that cannot exist.' }),
  }),
  'django/allowed-hosts': z.strictObject({
    path: path.optional(),
  }),
  'https-redirect': z.strictObject({
    path: path.optional(),
    status: z.array(z.number().int()).optional().meta({ description: 'Accepted redirect statuses; default [301, 308].' }),
  }),
  hsts: z.strictObject({
    path: path.optional(),
    minMaxAge: z.number().int().min(0).optional().meta({ description: 'Default 31536000 (one year).' }),
    requireIncludeSubDomains: z.boolean().optional(),
    requirePreload: z.boolean().optional(),
  }),
  nosniff: z.strictObject({ paths: paths.optional() }),
  'frame-options': z.strictObject({
    paths: paths.optional(),
    require: z.enum(['DENY', 'SAMEORIGIN']).optional().meta({ description: 'Default DENY.' }),
  }),
  'secure-cookies': z.strictObject({
    paths: paths.optional(),
    sessionCookie: z.string().optional(),
    csrfCookie: z.string().optional(),
    login: z
      .strictObject({
        path: path,
        username: z.string(),
        password: z.string(),
        usernameField: z.string().optional(),
        passwordField: z.string().optional(),
      })
      .optional()
      .meta({ description: 'Log in first so Django sets the session cookie.' }),
  }),
  'csrf-active': z.strictObject({ path: path.optional() }),
  cors: z.strictObject({ paths: paths.optional() }),
  'auth-required': z.strictObject({ paths: paths }),
  'static-assets': z.strictObject({
    page: path.optional(),
    staticUrl: path.optional(),
    minMaxAge: z.number().int().min(0).optional(),
  }),
  health: z.strictObject({
    path: path.optional(),
    json: z.record(z.string(), z.unknown()).optional(),
  }),
  tls: z.strictObject({
    minDaysUntilExpiry: z.number().int().min(0).optional(),
    allowLegacyProtocols: z.boolean().optional(),
  }),
  'performance-slo': z.strictObject({
    path: path.optional(),
    p95: durationText.optional(),
    errorRate: ratioText.optional(),
    samples: z.number().int().min(1).optional(),
    concurrency: z.number().int().min(1).optional(),
  }),
} as const;

export type BuiltinName = keyof typeof BUILTIN_PARAMS;
export const BUILTIN_NAMES = Object.keys(BUILTIN_PARAMS) as [BuiltinName, ...BuiltinName[]];

export interface ParamIssue {
  path: (string | number)[];
  message: string;
  unknownKey?: boolean;
}

/** Problems with a built-in's `with:` map, each at its path inside `with`. */
export function validateBuiltinParams(name: BuiltinName, params: unknown): ParamIssue[] {
  const schema = BUILTIN_PARAMS[name] as z.ZodType;
  const parsed = schema.safeParse(params);
  if (parsed.success) return [];
  const issues: ParamIssue[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownParamKeys(name);
      for (const key of issue.keys) {
        issues.push({ path: [...issue.path, key] as (string | number)[], message: unknownKeyMessage(key, known, `${name} parameter`), unknownKey: true });
      }
    } else {
      issues.push({ path: issue.path as (string | number)[], message: issueMessage(issue, valueAt(params, issue.path)) });
    }
  }
  return issues;
}

function knownParamKeys(name: BuiltinName): string[] {
  const shape = (BUILTIN_PARAMS[name] as z.ZodObject).shape;
  return Object.keys(shape);
}

export function unknownKeyMessage(key: string, known: string[], what = 'key'): string {
  const guess = suggest(key, known);
  const hint = guess ? `; did you mean \`${guess}\`?` : known.length ? `; expected one of ${known.join(', ')}` : '';
  return `unknown ${what} \`${key}\`${hint}`;
}
