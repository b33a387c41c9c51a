// Parameters (`with:`) of the built-in checks (`uses:`), with the seed's defaults.
// The runners live in src/checks/builtin/; this file only says what a user may write.
import { z } from 'zod';
import { parseDuration, parseRatio } from './units.ts';
import { duration, jsonPathPredicates, regex } from './primitives.ts';
import { metricsAuth } from './metrics-auth.ts';
import { suggest } from './suggest.ts';
import { issueMessage, valueAt } from './issues.ts';
import { keysAt } from './schema-keys.ts';

const path = z.string().startsWith('/', 'expected a path starting with /');
const paths = z.array(path).min(1);
// A pattern rather than a refine (parseRatio's percent form), so the JSON Schema says the same.
const ratioText = z.union([z.number(), z.string().regex(/^\s*\d+(?:\.\d+)?\s*%\s*$/, 'expected a percentage such as 0.1%')], { error: 'expected a percentage such as 0.1%' });
const port = z.number().int().min(1).max(65535);
const databaseUrl = z.string().min(1).meta({ description: 'postgres://… Default: defaults.sql.url, then target.database.' });
const prometheusUrl = z.string().min(1).meta({ description: 'Prometheus base URL. Default: defaults.metrics.url.' });
const selector = z.string().min(1);

// Descriptions land in the JSON Schema (editor hover text); the README catalog ("Built-in checks") has the rules.
export const BUILTIN_PARAMS = {
  'django/debug-off': z.strictObject({
    path: path.optional().meta({ description: 'A path that answers 404. Default: a random path (/prg-<random>/) that cannot exist.' }),
  }),
  'django/allowed-hosts': z.strictObject({
    path: path.optional().meta({ description: 'Path requested with the bogus Host header. Default /.' }),
  }),
  'https-redirect': z.strictObject({
    path: path.optional().meta({ description: 'Path requested over plain http (?x=1 is added). Default: a random path.' }),
    status: z
      .array(z.number().int().min(300).max(399))
      .min(1)
      .optional()
      .meta({ description: 'Redirect statuses that pass. Default: 301 and 308 pass, 302/303/307 pass with a note; when given, only these pass.' }),
    httpPort: port.optional().meta({ description: 'Port of the plain-http listener. Default 80.' }),
  }),
  hsts: z.strictObject({
    path: path.optional().meta({ description: 'Path requested over https. Default /.' }),
    minMaxAge: z.number().int().min(0).optional().meta({ description: 'Smallest max-age that passes, in seconds. Default 31536000 (one year, SECURE_HSTS_SECONDS in the seed).' }),
    requireIncludeSubDomains: z.boolean().optional().meta({ description: 'Fail without includeSubDomains. Default false (a note).' }),
    requirePreload: z.boolean().optional().meta({ description: 'Fail without preload. Default false (a note).' }),
  }),
  nosniff: z.strictObject({
    paths: paths.optional().meta({ description: 'Pages to check (redirects followed, 2xx answers judged). Default [/]; add an API URL and a static file.' }),
  }),
  'frame-options': z.strictObject({
    paths: paths.optional().meta({ description: 'HTML pages to check (redirects followed, 2xx HTML answers judged). Default [/].' }),
    require: z.enum(['DENY', 'SAMEORIGIN']).optional().meta({ description: "Weakest value that passes. Default DENY (the seed's X_FRAME_OPTIONS = 'DENY')." }),
  }),
  'secure-cookies': z.strictObject({
    paths: paths.optional().meta({ description: 'Pages whose Set-Cookie headers are judged. Default [/, /accounts/login/, /admin/login/].' }),
    sessionCookie: z.string().min(1).optional().meta({ description: 'Name of the session cookie (SESSION_COOKIE_NAME). Default sessionid.' }),
    csrfCookie: z.string().min(1).optional().meta({ description: 'Name of the CSRF cookie (CSRF_COOKIE_NAME). Default csrftoken.' }),
    ignoreCookies: z.array(z.string().min(1)).optional().meta({ description: 'Cookies not judged, e.g. a load balancer affinity cookie you cannot change.' }),
    login: z
      .strictObject({
        path: path.meta({ description: 'The login form page, e.g. /accounts/login/.' }),
        username: z.string().meta({ description: 'Placeholders allowed, e.g. "{{ secrets.SMOKE_USER }}".' }),
        password: z.string().meta({ description: 'Use "{{ secrets.NAME }}"; redacted from every report.' }),
        usernameField: z.string().optional().meta({ description: 'Form field of the username. Default username.' }),
        passwordField: z.string().optional().meta({ description: 'Form field of the password. Default password.' }),
      })
      .optional()
      .meta({ description: 'Log in first (GET the form, POST it with its csrfmiddlewaretoken), so Django sets the session cookie.' }),
  }),
  'csrf-active': z.strictObject({
    path: path.optional().meta({ description: 'A page with a POST form. Default /accounts/login/, then /admin/login/.' }),
  }),
  cors: z.strictObject({
    paths: paths.optional().meta({ description: 'URLs asked with a foreign Origin and Origin: null. Default [/, /api/].' }),
  }),
  'auth-required': z.strictObject({
    paths: paths.meta({ description: 'Endpoints that must refuse an anonymous GET (401, 403 or a redirect to login).' }),
  }),
  'static-assets': z.strictObject({
    page: path.optional().meta({ description: 'Page whose <link rel=stylesheet> and <script src> are checked. Default /.' }),
    staticUrl: path.optional().meta({ description: 'STATIC_URL: only assets under it are checked. Default /static/.' }),
    minMaxAge: z.number().int().min(0).optional().meta({ description: 'Smallest Cache-Control max-age for hashed names, in seconds. Default 31536000 (one year).' }),
  }),
  health: z.strictObject({
    path: path.optional().meta({ description: 'Health endpoint. Default /health/.' }),
    json: jsonPathPredicates
      .optional()
      .meta({ description: 'JSONPath → predicate, as in an http expect, e.g. { "$.status": ok, "$.database": ok }.' }),
  }),
  tls: z.strictObject({
    minDaysUntilExpiry: z.number().int().min(0).optional().meta({ description: 'Fewest days the certificate must still be valid. Default 14.' }),
    allowLegacyProtocols: z.boolean().optional().meta({ description: 'Accept a server that still offers TLS 1.0/1.1. Default false.' }),
  }),
  'performance-slo': z.strictObject({
    path: path.optional().meta({ description: 'Page measured. Default /.' }),
    p95: duration.optional().meta({ description: 'p95 latency must be below this. Default 200ms (the seed).' }),
    errorRate: ratioText.optional().meta({ description: 'Error rate must be below this. Default 0.1% (the seed), which needs ≥ 3000 samples to show.' }),
    samples: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .optional()
      .meta({ description: 'Measured requests. Default: enough to show the error-rate bound (3000 for 0.1%, by the rule of three), at least 200.' }),
    concurrency: z.number().int().min(1).max(256).optional().meta({ description: 'Requests in flight at once. Default 10.' }),
    warmup: z.number().int().min(0).max(1000).optional().meta({ description: 'Unmeasured requests first. Default 5.' }),
  }),
  'postgres/ssl': z.strictObject({
    url: databaseUrl.optional(),
  }),
  'postgres/least-privilege': z.strictObject({
    url: databaseUrl.optional(),
    schemas: z.array(z.string().min(1)).min(1).optional().meta({ description: 'Schemas the role may own objects in. Default: any one schema (its own).' }),
  }),
  'postgres/slow-query-log': z.strictObject({
    url: databaseUrl.optional(),
    max: duration.optional().meta({ description: 'log_min_duration_statement must be at most this (and on). Default 1s.' }),
  }),
  'postgres/statistics': z.strictObject({
    url: databaseUrl.optional(),
    maxAgeDays: z.number().min(0).optional().meta({ description: 'Every table analyzed (ANALYZE or autovacuum) within this many days. Default 7.' }),
  }),
  'postgres/foreign-keys': z.strictObject({
    url: databaseUrl.optional(),
    requireIndexes: z.boolean().optional().meta({ description: 'Fail on a foreign key whose columns have no index. Default false (listed as notes).' }),
  }),
  'postgres/backups': z.strictObject({
    url: databaseUrl.optional(),
    maxAgeHours: z.number().min(0).optional().meta({ description: 'The last WAL segment archived within this many hours. Default 26 (a daily schedule and slack).' }),
  }),
  'prometheus/alert-rule': z.strictObject({
    url: prometheusUrl.optional(),
    auth: metricsAuth.optional().meta({ description: 'Credentials: { bearer } or { username, password }, from secrets. Default: defaults.metrics.auth.' }),
    matches: regex.meta({ description: 'Pattern for the rule name, labels, annotations or expression, e.g. "disk|filesystem" (case-insensitive; a leading (?i) is accepted).' }),
  }),
  'prometheus/target-up': z.strictObject({
    url: prometheusUrl.optional(),
    auth: metricsAuth.optional().meta({ description: 'Credentials: { bearer } or { username, password }, from secrets. Default: defaults.metrics.auth.' }),
    job: z.string().min(1).meta({ description: 'The scrape job whose targets must all be up.' }),
  }),
  'prometheus/slo': z
    .strictObject({
      url: prometheusUrl.optional(),
      auth: metricsAuth.optional().meta({ description: 'Credentials: { bearer } or { username, password }, from secrets. Default: defaults.metrics.auth.' }),
      objective: z.enum(['availability', 'error-rate', 'latency']).meta({ description: 'What is bounded.' }),
      window: duration.optional().meta({ description: 'The window the objective is measured over. Default 30d.' }),
      requests: selector.optional().meta({ description: 'Counter of all requests (availability, error-rate), e.g. http_requests_total{job="skyway"}.' }),
      errors: selector.optional().meta({ description: 'Counter of failed requests, e.g. http_requests_total{job="skyway",code=~"5.."}.' }),
      histogram: selector.optional().meta({ description: 'Latency histogram (latency), without _bucket, e.g. http_request_duration_seconds{job="skyway"}.' }),
      quantile: z.number().gt(0).lt(1).optional().meta({ description: 'Latency quantile. Default 0.95.' }),
      min: ratioText.optional().meta({ description: 'availability: the smallest share of good requests. Default 99.9%.' }),
      max: z.union([z.number(), z.string()]).optional().meta({ description: 'error-rate: the largest share of failed requests (default 0.1%); latency: the slowest quantile (default 200ms).' }),
    })
    .superRefine((value, ctx) => {
      if (value.objective === 'latency' && value.histogram === undefined) ctx.addIssue({ code: 'custom', message: 'a latency objective needs histogram', path: ['histogram'] });
      if (value.objective !== 'latency') {
        for (const key of ['requests', 'errors'] as const) if (value[key] === undefined) ctx.addIssue({ code: 'custom', message: `an ${value.objective} objective needs ${key}`, path: [key] });
      }
      if (value.max !== undefined) {
        const ok = value.objective === 'latency' ? typeof value.max === 'string' && parseDuration(value.max) !== undefined : parseRatio(value.max) !== undefined;
        if (!ok) ctx.addIssue({ code: 'custom', message: value.objective === 'latency' ? 'expected a duration such as 200ms' : 'expected a percentage such as 0.1%', path: ['max'] });
      }
    })
    // The refinement above, for the JSON Schema (src/manifest/json-schema.ts).
    .meta({
      if: { properties: { objective: { const: 'latency' } } },
      then: { required: ['histogram'], properties: { max: { type: 'string', pattern: '^\\s*\\d+(?:\\.\\d+)?\\s*(?:ms|s|m|h|d)\\s*$' } } },
      else: { required: ['requests', 'errors'], properties: { max: { anyOf: [{ type: 'number' }, { type: 'string', pattern: '^\\s*\\d+(?:\\.\\d+)?\\s*%\\s*$' }] } } },
    }),
  'alertmanager/receiver': z.strictObject({
    url: z.string().min(1).optional().meta({ description: 'Alertmanager base URL. Default: defaults.metrics.alertmanager.' }),
    auth: metricsAuth.optional().meta({ description: 'Credentials: { bearer } or { username, password }, from secrets. Default: defaults.metrics.auth.' }),
    labels: z.record(z.string(), z.string()).optional().meta({ description: 'Labels of the alert to route, e.g. { severity: critical }. Default: none (the root route).' }),
  }),
} as const;

export type BuiltinName = keyof typeof BUILTIN_PARAMS;
/** A built-in's `with:` values as parsed (every parameter optional unless required). */
export type BuiltinParams<Name extends BuiltinName> = z.infer<(typeof BUILTIN_PARAMS)[Name]>;
export const BUILTIN_NAMES = Object.keys(BUILTIN_PARAMS) as [BuiltinName, ...BuiltinName[]];

/** Built-ins that read a database or a monitoring API (their own URL), not the staging site. */
export type DataBuiltinName = Extract<BuiltinName, `postgres/${string}` | `prometheus/${string}` | `alertmanager/${string}`>;
/** Built-ins that send requests to the staging target. */
export type TargetBuiltinName = Exclude<BuiltinName, DataBuiltinName>;
export function isDataBuiltin(name: string): name is DataBuiltinName {
  return /^(postgres|prometheus|alertmanager)\//.test(name);
}
export const TARGET_BUILTIN_NAMES = BUILTIN_NAMES.filter((name): name is TargetBuiltinName => !isDataBuiltin(name));

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
      const path = issue.path as (string | number)[];
      const known = keysAt(schema, path);
      const what = path.length === 0 ? `${name} parameter` : 'key';
      for (const key of issue.keys) issues.push({ path: [...path, key], message: unknownKeyMessage(key, known, what), unknownKey: true });
    } else {
      issues.push({ path: issue.path as (string | number)[], message: issueMessage(issue, valueAt(params, issue.path)) });
    }
  }
  return issues;
}

export function unknownKeyMessage(key: string, known: string[], what = 'key'): string {
  const guess = suggest(key, known);
  const hint = guess ? `; did you mean \`${guess}\`?` : known.length ? `; expected one of ${known.join(', ')}` : '';
  return `unknown ${what} \`${key}\`${hint}`;
}

/**
 * The JSON Schema of each built-in's `with:`, as `if uses is NAME then with is …` entries
 * for an item's `allOf`, so editors complete and describe the parameters of the built-in
 * an item names (the zod item schema can only say `with` is a map).
 */
export function builtinWithJsonSchemas(): Record<string, unknown>[] {
  return BUILTIN_NAMES.map((name) => {
    const { $schema: _dialect, ...params } = z.toJSONSchema(BUILTIN_PARAMS[name], { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
    return {
      if: { properties: { uses: { const: name } }, required: ['uses'] },
      then: { properties: { with: { ...params, description: `Parameters of ${name}; see "Built-in checks" in the README.` } } },
    };
  });
}
