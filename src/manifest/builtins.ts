// Parameters (`with:`) of the built-in checks (`uses:`), with the seed's defaults.
// The runners live in src/checks/builtin/; this file only says what a user may write.
import { z } from 'zod/mini';
import { parseDuration, parseRatio } from './units.ts';
import { duration, jsonPathPredicates, meta, regex } from './primitives.ts';
import { metricsAuth } from './metrics-auth.ts';
import { suggest } from './suggest.ts';
import { issueMessage, specificIssues, valueAt } from './issues.ts';
import { keysAt } from './schema-keys.ts';

const path = z.string().check(z.startsWith('/', 'expected a path starting with /'));
const paths = z.array(path).check(z.minLength(1));
// A pattern rather than a refine (parseRatio's percent form), so the JSON Schema says the same.
const ratioText = z.union([z.number(), z.string().check(z.regex(/^\s*\d+(?:\.\d+)?\s*%\s*$/, 'expected a percentage such as 0.1%'))], { error: 'expected a percentage such as 0.1%' });
const port = z.number().check(z.int(), z.gte(1), z.lte(65535));
const databaseUrl = meta(z.string().check(z.minLength(1)), { description: 'postgres://… Default: defaults.sql.url, then target.database.' });
const prometheusUrl = meta(z.string().check(z.minLength(1)), { description: 'Prometheus base URL. Default: defaults.metrics.url.' });
const selector = z.string().check(z.minLength(1));

// Descriptions land in the JSON Schema (editor hover text); the README catalog ("Built-in checks") has the rules.
// Each built-in's schema is built the first time it is asked for (builtinParams): a run
// builds only those its manifest uses, where building all 24 cost a few ms of every start.
const PARAMS = {
  'django/debug-off': () => z.strictObject({
    path: meta(z.optional(path), { description: 'A path that answers 404. Default: a random path (/prg-<random>/) that cannot exist.' }),
  }),
  'django/allowed-hosts': () => z.strictObject({
    path: meta(z.optional(path), { description: 'Path requested with the bogus Host header. Default /.' }),
  }),
  'https-redirect': () => z.strictObject({
    path: meta(z.optional(path), { description: 'Path requested over plain http (?x=1 is added). Default: a random path.' }),
    status: meta(z.optional(z.array(z.number().check(z.int(), z.gte(300), z.lte(399))).check(z.minLength(1))), {
      description: 'Redirect statuses that pass. Default: 301 and 308 pass, 302/303/307 pass with a note; when given, only these pass.',
    }),
    httpPort: meta(z.optional(port), { description: 'Port of the plain-http listener. Default 80.' }),
  }),
  hsts: () => z.strictObject({
    path: meta(z.optional(path), { description: 'Path requested over https. Default /.' }),
    minMaxAge: meta(z.optional(z.number().check(z.int(), z.gte(0))), { description: 'Smallest max-age that passes, in seconds. Default 31536000 (one year, SECURE_HSTS_SECONDS in the seed).' }),
    requireIncludeSubDomains: meta(z.optional(z.boolean()), { description: 'Fail without includeSubDomains. Default false (a note).' }),
    requirePreload: meta(z.optional(z.boolean()), { description: 'Fail without preload. Default false (a note).' }),
  }),
  nosniff: () => z.strictObject({
    paths: meta(z.optional(paths), { description: 'Pages to check (redirects followed, 2xx answers judged). Default [/]; add an API URL and a static file.' }),
  }),
  'frame-options': () => z.strictObject({
    paths: meta(z.optional(paths), { description: 'HTML pages to check (redirects followed, 2xx HTML answers judged). Default [/].' }),
    require: meta(z.optional(z.enum(['DENY', 'SAMEORIGIN'])), { description: "Weakest value that passes. Default DENY (the seed's X_FRAME_OPTIONS = 'DENY')." }),
  }),
  'secure-cookies': () => z.strictObject({
    paths: meta(z.optional(paths), { description: 'Pages whose Set-Cookie headers are judged. Default [/, /accounts/login/, /admin/login/].' }),
    sessionCookie: meta(z.optional(z.string().check(z.minLength(1))), { description: 'Name of the session cookie (SESSION_COOKIE_NAME). Default sessionid.' }),
    csrfCookie: meta(z.optional(z.string().check(z.minLength(1))), { description: 'Name of the CSRF cookie (CSRF_COOKIE_NAME). Default csrftoken.' }),
    ignoreCookies: meta(z.optional(z.array(z.string().check(z.minLength(1)))), { description: 'Cookies not judged, e.g. a load balancer affinity cookie you cannot change.' }),
    login: meta(
      z.optional(
        z.strictObject({
          path: meta(path, { description: 'The login form page, e.g. /accounts/login/.' }),
          username: meta(z.string(), { description: 'Placeholders allowed, e.g. "{{ secrets.SMOKE_USER }}".' }),
          password: meta(z.string(), { description: 'Use "{{ secrets.NAME }}"; redacted from every report.' }),
          usernameField: meta(z.optional(z.string()), { description: 'Form field of the username. Default username.' }),
          passwordField: meta(z.optional(z.string()), { description: 'Form field of the password. Default password.' }),
        }),
      ),
      { description: 'Log in first (GET the form, POST it with its csrfmiddlewaretoken), so Django sets the session cookie.' },
    ),
  }),
  'csrf-active': () => z.strictObject({
    path: meta(z.optional(path), { description: 'A page with a POST form. Default /accounts/login/, then /admin/login/.' }),
  }),
  cors: () => z.strictObject({
    paths: meta(z.optional(paths), { description: 'URLs asked with a foreign Origin and Origin: null. Default [/, /api/].' }),
  }),
  'auth-required': () => z.strictObject({
    paths: meta(paths, { description: 'Endpoints that must refuse an anonymous GET (401, 403 or a redirect to login).' }),
  }),
  'static-assets': () => z.strictObject({
    page: meta(z.optional(path), { description: 'Page whose <link rel=stylesheet> and <script src> are checked. Default /.' }),
    staticUrl: meta(z.optional(path), { description: 'STATIC_URL: only assets under it are checked. Default /static/.' }),
    minMaxAge: meta(z.optional(z.number().check(z.int(), z.gte(0))), { description: 'Smallest Cache-Control max-age for hashed names, in seconds. Default 31536000 (one year).' }),
  }),
  health: () => z.strictObject({
    path: meta(z.optional(path), { description: 'Health endpoint. Default /health/.' }),
    json: meta(z.optional(jsonPathPredicates), { description: 'JSONPath → predicate, as in an http expect, e.g. { "$.status": ok, "$.database": ok }.' }),
  }),
  tls: () => z.strictObject({
    minDaysUntilExpiry: meta(z.optional(z.number().check(z.int(), z.gte(0))), { description: 'Fewest days the certificate must still be valid. Default 14.' }),
    allowLegacyProtocols: meta(z.optional(z.boolean()), { description: 'Accept a server that still offers TLS 1.0/1.1. Default false.' }),
  }),
  'performance-slo': () => z.strictObject({
    path: meta(z.optional(path), { description: 'Page measured. Default /.' }),
    p95: meta(z.optional(duration), { description: 'p95 latency must be below this. Default 200ms (the seed).' }),
    errorRate: meta(z.optional(ratioText), { description: 'Error rate must be below this. Default 0.1% (the seed), which needs ≥ 3000 samples to show.' }),
    samples: meta(z.optional(z.number().check(z.int(), z.gte(1), z.lte(100_000))), {
      description: 'Measured requests. Default: enough to show the error-rate bound (3000 for 0.1%, by the rule of three), at least 200.',
    }),
    concurrency: meta(z.optional(z.number().check(z.int(), z.gte(1), z.lte(256))), { description: 'Requests in flight at once. Default 10.' }),
    warmup: meta(z.optional(z.number().check(z.int(), z.gte(0), z.lte(1000))), { description: 'Unmeasured requests first. Default 5.' }),
  }),
  'postgres/ssl': () => z.strictObject({
    url: z.optional(databaseUrl),
  }),
  'postgres/least-privilege': () => z.strictObject({
    url: z.optional(databaseUrl),
    schemas: meta(z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))), { description: 'Schemas the role may own objects in. Default: any one schema (its own).' }),
  }),
  'postgres/slow-query-log': () => z.strictObject({
    url: z.optional(databaseUrl),
    max: meta(z.optional(duration), { description: 'log_min_duration_statement must be at most this (and on). Default 1s.' }),
  }),
  'postgres/statistics': () => z.strictObject({
    url: z.optional(databaseUrl),
    maxAgeDays: meta(z.optional(z.number().check(z.gte(0))), { description: 'Every table analyzed (ANALYZE or autovacuum) within this many days. Default 7.' }),
  }),
  'postgres/foreign-keys': () => z.strictObject({
    url: z.optional(databaseUrl),
    requireIndexes: meta(z.optional(z.boolean()), { description: 'Fail on a foreign key whose columns have no index. Default false (listed as notes).' }),
  }),
  'postgres/backups': () => z.strictObject({
    url: z.optional(databaseUrl),
    maxAgeHours: meta(z.optional(z.number().check(z.gte(0))), { description: 'The last WAL segment archived within this many hours. Default 26 (a daily schedule and slack).' }),
  }),
  'prometheus/alert-rule': () => z.strictObject({
    url: z.optional(prometheusUrl),
    auth: meta(z.optional(metricsAuth), { description: 'Credentials: { bearer } or { username, password }, from secrets. Default: defaults.metrics.auth.' }),
    matches: meta(regex, { description: 'Pattern for the rule name, labels, annotations or expression, e.g. "disk|filesystem" (case-insensitive; a leading (?i) is accepted).' }),
  }),
  'prometheus/target-up': () => z.strictObject({
    url: z.optional(prometheusUrl),
    auth: meta(z.optional(metricsAuth), { description: 'Credentials: { bearer } or { username, password }, from secrets. Default: defaults.metrics.auth.' }),
    job: meta(z.string().check(z.minLength(1)), { description: 'The scrape job whose targets must all be up.' }),
  }),
  'prometheus/slo': () => meta(
    z
      .strictObject({
        url: z.optional(prometheusUrl),
        auth: meta(z.optional(metricsAuth), { description: 'Credentials: { bearer } or { username, password }, from secrets. Default: defaults.metrics.auth.' }),
        objective: meta(z.enum(['availability', 'error-rate', 'latency']), { description: 'What is bounded.' }),
        window: meta(z.optional(duration), { description: 'The window the objective is measured over. Default 30d.' }),
        requests: meta(z.optional(selector), { description: 'Counter of all requests (availability, error-rate), e.g. http_requests_total{job="skyway"}.' }),
        errors: meta(z.optional(selector), { description: 'Counter of failed requests, e.g. http_requests_total{job="skyway",code=~"5.."}.' }),
        histogram: meta(z.optional(selector), { description: 'Latency histogram (latency), without _bucket, e.g. http_request_duration_seconds{job="skyway"}.' }),
        quantile: meta(z.optional(z.number().check(z.gt(0), z.lt(1))), { description: 'Latency quantile. Default 0.95.' }),
        min: meta(z.optional(ratioText), { description: 'availability: the smallest share of good requests. Default 99.9%.' }),
        max: meta(z.optional(z.union([z.number(), z.string()])), { description: 'error-rate: the largest share of failed requests (default 0.1%); latency: the slowest quantile (default 200ms).' }),
      })
      .check(
        z.superRefine((value, ctx) => {
          if (value.objective === 'latency' && value.histogram === undefined) ctx.addIssue({ code: 'custom', message: 'a latency objective needs histogram', path: ['histogram'] });
          if (value.objective !== 'latency') {
            for (const key of ['requests', 'errors'] as const) if (value[key] === undefined) ctx.addIssue({ code: 'custom', message: `an ${value.objective} objective needs ${key}`, path: [key] });
          }
          if (value.max !== undefined) {
            const ok = value.objective === 'latency' ? typeof value.max === 'string' && parseDuration(value.max) !== undefined : parseRatio(value.max) !== undefined;
            if (!ok) ctx.addIssue({ code: 'custom', message: value.objective === 'latency' ? 'expected a duration such as 200ms' : 'expected a percentage such as 0.1%', path: ['max'] });
          }
        }),
      ),
    // The refinement above, for the JSON Schema (src/manifest/json-schema.ts).
    {
      if: { properties: { objective: { const: 'latency' } } },
      then: { required: ['histogram'], properties: { max: { type: 'string', pattern: '^\\s*\\d+(?:\\.\\d+)?\\s*(?:ms|s|m|h|d)\\s*$' } } },
      else: { required: ['requests', 'errors'], properties: { max: { anyOf: [{ type: 'number' }, { type: 'string', pattern: '^\\s*\\d+(?:\\.\\d+)?\\s*%\\s*$' }] } } },
    },
  ),
  'alertmanager/receiver': () => z.strictObject({
    url: meta(z.optional(z.string().check(z.minLength(1))), { description: 'Alertmanager base URL. Default: defaults.metrics.alertmanager.' }),
    auth: meta(z.optional(metricsAuth), { description: 'Credentials: { bearer } or { username, password }, from secrets. Default: defaults.metrics.auth.' }),
    labels: meta(z.optional(z.record(z.string(), z.string())), { description: 'Labels of the alert to route, e.g. { severity: critical }. Default: none (the root route).' }),
  }),
} as const;

export type BuiltinName = keyof typeof PARAMS;
type ParamsSchema<Name extends BuiltinName> = ReturnType<(typeof PARAMS)[Name]>;
/** A built-in's `with:` values as parsed (every parameter optional unless required). */
export type BuiltinParams<Name extends BuiltinName> = z.infer<ParamsSchema<Name>>;
export const BUILTIN_NAMES = Object.keys(PARAMS) as [BuiltinName, ...BuiltinName[]];

const built = new Map<BuiltinName, z.ZodMiniType>();
/** The schema of a built-in's `with:`, built once. */
export function builtinParams<Name extends BuiltinName>(name: Name): ParamsSchema<Name> {
  let schema = built.get(name);
  if (schema === undefined) {
    schema = PARAMS[name]();
    built.set(name, schema);
  }
  return schema as ParamsSchema<Name>;
}

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
  const schema: z.ZodMiniType = builtinParams(name);
  const parsed = schema.safeParse(params);
  if (parsed.success) return [];
  const issues: ParamIssue[] = [];
  for (const issue of specificIssues(parsed.error.issues)) {
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
    const { $schema: _dialect, ...params } = z.toJSONSchema(builtinParams(name), { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
    return {
      if: { properties: { uses: { const: name } }, required: ['uses'] },
      then: { properties: { with: { ...params, description: `Parameters of ${name}; see "Built-in checks" in the README.` } } },
    };
  });
}
