// The readiness manifest, version 1, as a zod schema. This file is the single source
// of truth: the JSON Schema in schema/ is generated from it and the README reference
// describes it. Names are part of the public interface: add, never rename.
import { z } from 'zod';
import { BUILTIN_NAMES, validateBuiltinParams } from './builtins.ts';
import { duration, jsonPath, jsonPathPredicates, predicate, regex, scalar } from './primitives.ts';
import { metricsAuth } from './metrics-auth.ts';

export { duration, predicate, predicateMap, scalar, type Predicate, type PredicateMap, type Scalar } from './primitives.ts';

const severity = z.enum(['blocking', 'advisory']).meta({
  description: 'blocking items decide the verdict; advisory items are reported but never block.',
});

const headerMap = z.record(z.string(), z.string());

export const retry = z
  .strictObject({
    attempts: z.number().int().min(1).max(10).meta({ description: 'Total attempts, the first included.' }),
    backoff: duration.optional().meta({ description: 'Wait before the second attempt; doubles each time. Default 1s.' }),
  })
  .meta({ description: 'Retry on transport errors and 502/503/504. A pass after a retry is reported as flaky.' });

// ---------------------------------------------------------------- requests

export const requestMap = z.strictObject({
  method: z.string().regex(/^[A-Za-z]+$/, 'expected an HTTP method such as GET').optional(),
  url: z.string().min(1).meta({ description: 'A path on the target ("/health/") or an absolute URL.' }),
  headers: headerMap.optional(),
  query: z.record(z.string(), scalar).optional(),
  json: z.unknown().optional().meta({ description: 'A JSON body (sets content-type: application/json).' }),
  form: z.record(z.string(), scalar).optional().meta({ description: 'A url-encoded form body.' }),
  body: z.string().optional().meta({ description: 'A raw text body.' }),
  follow_redirects: z.boolean().optional().meta({ description: 'Follow up to 10 redirects on the hosts the manifest names. Default false.' }),
  timeout: duration.optional(),
});
export type RequestMap = z.infer<typeof requestMap>;

// "GET /path"; the path may hold {{ placeholders }}, which contain spaces.
const REQUEST_LINE = /^[A-Za-z]+\s+(?:\{\{[^}]*\}\}|\S)+$/;
export const request = z
  .union([
    z.string().regex(REQUEST_LINE, 'expected "METHOD path-or-url", for example "GET /health/"'),
    requestMap,
  ])
  .meta({ id: 'Request', description: '"METHOD path-or-url", or a map.' });
export type RequestSpec = z.infer<typeof request>;

// ---------------------------------------------------------------- expectations

export const cookieExpect = z.strictObject({
  exists: z.boolean().optional(),
  value: predicate.optional(),
  secure: z.boolean().optional(),
  httpOnly: z.boolean().optional(),
  sameSite: predicate.optional().meta({ description: 'Strict, Lax or None (case-insensitive).' }),
  path: predicate.optional(),
  domain: predicate.optional(),
  maxAge: predicate.optional(),
});
export type CookieExpect = z.infer<typeof cookieExpect>;

export const httpExpect = z.strictObject({
  status: predicate.optional(),
  headers: z.record(z.string(), predicate).optional().meta({ description: 'Header names are case-insensitive; a repeated single-value header fails.' }),
  body: predicate.optional(),
  json: jsonPathPredicates.optional().meta({ description: 'JSONPath ($.a.b, $.items[0].id) to predicate.' }),
  duration: predicate.optional().meta({ description: 'Total time of the request, e.g. { lt: 500ms }.' }),
  redirect: z
    .strictObject({ status: predicate.optional(), location: predicate.optional() })
    .optional()
    .meta({ description: 'The first response must be a redirect matching these.' }),
  cookies: z.record(z.string(), cookieExpect).optional(),
});
export type HttpExpect = z.infer<typeof httpExpect>;

// ---------------------------------------------------------------- check kinds

export const httpCheck = z.strictObject({ request, expect: httpExpect.optional() });

export const manualCheck = z.strictObject({
  owner: z.string().optional().meta({ description: 'Who signs this item off: a role of policy.roles when the manifest has a policy, else any name.' }),
  signers: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .meta({ description: 'Roles of policy.roles that must ALL sign this item. Default: [owner].' }),
  required: z.boolean().optional().meta({ description: 'If true, the item blocks the verdict while pending.' }),
  note: z.string().optional(),
});

export const tlsCheck = z.strictObject({
  host: z.string().optional().meta({ description: 'Default: the target host.' }),
  port: z.number().int().min(1).max(65535).optional().meta({ description: 'Default: the target port, else 443.' }),
  ca: z.string().optional().meta({ description: 'A PEM file of extra trusted CAs (private CA).' }),
  expect: z
    .strictObject({
      chainValid: z.boolean().optional(),
      hostnameMatch: z.boolean().optional(),
      daysUntilExpiry: predicate.optional(),
      protocol: predicate.optional(),
      legacyProtocols: z.boolean().optional().meta({ description: 'false: TLS 1.0 and 1.1 must be refused.' }),
    })
    .optional(),
});

const latency = z.strictObject({
  p50: predicate.optional(),
  p90: predicate.optional(),
  p95: predicate.optional(),
  p99: predicate.optional(),
  max: predicate.optional(),
  mean: predicate.optional(),
});

export const loadCheck = z.strictObject({
  request,
  samples: z.number().int().min(1).max(100_000).optional().meta({ description: 'Measured requests after warmup. Default 100.' }),
  concurrency: z.number().int().min(1).max(256).optional().meta({ description: 'Requests in flight at once. Default 1.' }),
  warmup: z.number().int().min(0).max(1000).optional().meta({ description: 'Unmeasured requests first. Default 5.' }),
  expect: z
    .strictObject({
      status: predicate.optional(),
      headers: z.record(z.string(), predicate).optional(),
      body: predicate.optional(),
      latency: latency.optional(),
      errorRate: predicate.optional().meta({ description: 'Share of samples that failed, e.g. { lt: 0.1% }.' }),
    })
    .optional(),
});

const CAPTURE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED_NAMES = ['env', 'secrets', 'target', 'cookies', 'git'];

export const capture = z
  .strictObject({
    json: jsonPath.optional(),
    header: z.string().optional(),
    cookie: z.string().optional(),
    regex: regex.optional().meta({ description: 'Group 1 (or the whole match) of this pattern in the body.' }),
  })
  .refine((spec) => Object.keys(spec).length === 1, { message: 'a capture takes exactly one of json, header, cookie, regex' })
  .meta({ minProperties: 1, maxProperties: 1 });

export const flowStep = z.strictObject({
  name: z.string().optional(),
  request,
  expect: httpExpect.optional(),
  capture: z
    .record(
      z
        .string()
        .regex(CAPTURE_NAME, 'a capture name is a plain identifier')
        .refine((name) => !RESERVED_NAMES.includes(name), {
          message: `a capture cannot be named ${RESERVED_NAMES.join(', ')}`,
        })
        .meta({ not: { enum: RESERVED_NAMES } }),
      capture,
    )
    .optional(),
});
export type FlowStep = z.infer<typeof flowStep>;

export const flowCheck = z.strictObject({
  steps: z.array(flowStep).min(1),
  finally: z.array(flowStep).optional().meta({ description: 'Always run after the steps, with their captures.' }),
});

export const commandCheck = z.strictObject({
  run: z.string().min(1).meta({ description: 'A shell command, run in the workspace.' }),
  timeout: duration.optional(),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  expect: z.strictObject({ exitCode: predicate.optional(), output: predicate.optional() }).optional(),
});

export const fileCheck = z.strictObject({
  path: z.string().min(1),
  exists: z.boolean().optional(),
  contains: z.string().optional(),
  matches: regex.optional(),
});

export const sqlCheck = z.strictObject({
  url: z.string().optional().meta({ description: 'postgres://USER:PASSWORD@HOST:5432/DB?sslmode=verify-full, usually "{{ secrets.STAGING_DATABASE_URL }}". Default: defaults.sql.url, then target.database.' }),
  query: z.string().min(1).meta({ description: 'One SQL statement, run in a READ ONLY transaction that is rolled back.' }),
  timeout: duration.optional().meta({ description: 'Statement timeout: the server cancels a longer query. Default: the timeout of one request (10s).' }),
  expect: z
    .strictObject({
      rows: predicate.optional().meta({ description: 'The number of rows, e.g. 0 or { gte: 1 }. Without it an empty result is an error.' }),
      json: jsonPathPredicates.optional().meta({ description: 'JSONPath over the rows (an array of objects, e.g. $[0].n) to predicate.' }),
    })
    .optional(),
});

export const metricsCheck = z.strictObject({
  url: z.string().optional().meta({ description: 'Prometheus base URL, e.g. "{{ env.PROMETHEUS_URL }}". Default: defaults.metrics.url.' }),
  query: z.string().min(1).meta({ description: 'A PromQL expression.' }),
  range: z
    .strictObject({
      window: duration.meta({ description: 'How far back from now, e.g. 1h.' }),
      step: duration.optional().meta({ description: 'Resolution. Default: window / 60.' }),
    })
    .optional()
    .meta({ description: 'A range query: every sample of every series is judged. Default: an instant query.' }),
  auth: metricsAuth.optional(),
  timeout: duration.optional(),
  expect: z
    .strictObject({
      value: predicate.optional().meta({ description: 'Every value of every series must hold, e.g. { gte: 0.999 }.' }),
      series: predicate.optional().meta({ description: 'The number of series, e.g. { gte: 1 }.' }),
    })
    .optional(),
});

// ---------------------------------------------------------------- items and sections

/** The keys that name what an item checks; an item has exactly one. */
/** Marks a custom issue that is about a key, so its position is the key's, not the value's. */
export const AT_KEY = { at: 'key' } as const;

export const CHECK_KINDS = ['http', 'tls', 'load', 'flow', 'command', 'file', 'sql', 'metrics', 'uses', 'manual'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export const item = z
  .strictObject({
    title: z.string().min(1),
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._/-]*$/, 'an id is lowercase letters, digits and . _ / -')
      .optional()
      .meta({ description: 'Stable id; default: a slug of the title.' }),
    severity: severity.optional(),
    owner: z.string().optional(),
    help: z.string().optional().meta({ description: 'What to do when this fails; shown with the failure.' }),
    timeout: duration.optional(),
    retry: retry.optional(),
    http: httpCheck.optional(),
    tls: tlsCheck.optional(),
    load: loadCheck.optional(),
    flow: flowCheck.optional(),
    command: commandCheck.optional(),
    file: fileCheck.optional(),
    sql: sqlCheck.optional().meta({ description: 'A read-only PostgreSQL query and its expected rows.' }),
    metrics: metricsCheck.optional().meta({ description: 'A Prometheus query and its expected values.' }),
    uses: z.enum(BUILTIN_NAMES).optional().meta({ description: 'A built-in check.' }),
    with: z.record(z.string(), z.unknown()).optional().meta({ description: 'Parameters of the built-in check.' }),
    manual: manualCheck.optional(),
  })
  .superRefine((value, ctx) => {
    const kinds = CHECK_KINDS.filter((kind) => value[kind] !== undefined);
    if (kinds.length === 0) {
      ctx.addIssue({ code: 'custom', message: `an item needs one check: ${CHECK_KINDS.join(', ')}`, path: [] });
    } else if (kinds.length > 1) {
      ctx.addIssue({ code: 'custom', message: `an item has exactly one check, found ${kinds.join(' and ')}`, path: [kinds[1] as string], params: AT_KEY });
    }
    if (value.with !== undefined && value.uses === undefined) {
      ctx.addIssue({ code: 'custom', message: '`with` gives parameters to a built-in check; add `uses`', path: ['with'], params: AT_KEY });
    }
    if (value.uses !== undefined) {
      for (const issue of validateBuiltinParams(value.uses, value.with ?? {})) {
        ctx.addIssue({ code: 'custom', message: issue.message, path: ['with', ...issue.path], ...(issue.unknownKey ? { params: AT_KEY } : {}) });
      }
    }
   })
  .meta({
    id: 'Item',
    description: 'A checklist line and the one check that verifies it.',
    // The refinements above, for the JSON Schema (src/manifest/json-schema.ts).
    oneOf: CHECK_KINDS.map((kind) => ({ required: [kind] })),
    dependentRequired: { with: ['uses'] },
  });
export type Item = z.infer<typeof item>;

export const subsection = z.strictObject({
  title: z.string().min(1),
  items: z.array(item).min(1),
});

export const section = z
  .strictObject({
    title: z.string().min(1),
    items: z.array(item).optional(),
    sections: z.array(subsection).optional().meta({ description: 'Sub-sections (### in the report).' }),
  })
  .refine((value) => (value.items?.length ?? 0) + (value.sections?.length ?? 0) > 0, {
    message: 'a section needs items or sections',
  })
  .meta({ anyOf: ['items', 'sections'].map((key) => ({ required: [key], properties: { [key]: { type: 'array', minItems: 1 } } })) });
export type Section = z.infer<typeof section>;

// ---------------------------------------------------------------- target and top level

export const readyProbe = z.strictObject({
  request,
  expect: httpExpect.optional(),
  timeout: duration.optional().meta({ description: 'How long to keep trying. Default 5m.' }),
  interval: duration.optional().meta({ description: 'Wait between tries. Default 5s.' }),
});

export const versionProbe = z
  .strictObject({
    request,
    json: jsonPath.optional().meta({ description: 'JSONPath of the served version, e.g. $.commit' }),
    header: z.string().optional().meta({ description: 'Header carrying the served version.' }),
    equals: z.string().min(1).meta({ description: 'Usually "{{ git.sha }}".' }),
  })
  .refine((value) => (value.json === undefined) !== (value.header === undefined), {
    message: 'a version probe reads exactly one of json or header',
  })
  .meta({ oneOf: [{ required: ['json'] }, { required: ['header'] }] });

export const target = z.strictObject({
  url: z.string().optional().meta({ description: 'Staging base URL. --url / the staging-url input override it.' }),
  headers: headerMap.optional().meta({ description: 'Sent with every request to the target host.' }),
  timeout: duration.optional(),
  ca: z.string().optional().meta({ description: 'PEM file of extra trusted CAs for the target.' }),
  ready: readyProbe.optional(),
  version: versionProbe.optional(),
  database: z.string().optional().meta({ description: 'The staging database URL (postgres://…) for sql checks and postgres/ built-ins, after defaults.sql.url.' }),
});

export const limits = z.strictObject({
  concurrency: z.number().int().min(1).max(64).optional().meta({ description: 'Items run at once. Default 8.' }),
  perHost: z.number().int().min(1).max(64).optional().meta({ description: 'Connections per host. Default 6.' }),
  deadline: duration.optional().meta({ description: 'Whole run, after which unfinished items are errors. Default 10m.' }),
});

export const defaults = z.strictObject({
  timeout: duration.optional(),
  severity: severity.optional(),
  retry: retry.optional(),
  sql: z
    .strictObject({ url: z.string().optional().meta({ description: 'Database URL of every sql check and postgres/ built-in that sets none.' }) })
    .optional(),
  metrics: z
    .strictObject({
      url: z.string().optional().meta({ description: 'Prometheus base URL of every metrics check and prometheus/ built-in that sets none.' }),
      alertmanager: z.string().optional().meta({ description: 'Alertmanager base URL for alertmanager/receiver.' }),
      auth: metricsAuth.optional(),
    })
    .optional(),
});

// ---------------------------------------------------------------- policy and waivers

const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const TEAM = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/;

export const role = z
  .strictObject({
    users: z.array(z.string().regex(GITHUB_LOGIN, 'expected a GitHub login, e.g. alice')).optional(),
    teams: z.array(z.string().regex(TEAM, 'expected a team as org/team-slug, e.g. acme/sre')).optional(),
  })
  .refine((value) => (value.users?.length ?? 0) + (value.teams?.length ?? 0) > 0, { message: 'a role needs users or teams' })
  .meta({
    description: 'Who holds a role: GitHub users and/or org teams (org/team-slug).',
    anyOf: ['users', 'teams'].map((key) => ({ required: [key], properties: { [key]: { type: 'array', minItems: 1 } } })),
  });

export const policy = z
  .strictObject({
    roles: z.record(z.string().min(1), role).optional().meta({ description: 'Role name → who may sign for it.' }),
    signOff: z
      .strictObject({
        via: z.enum(['review', 'review+command']).optional().meta({ description: 'review: approving PR reviews sign; review+command: never-edited `/readiness sign <id>` PR comments sign too. Default review.' }),
        invalidateOnPush: z.boolean().optional().meta({ description: 'A sign-off counts only for the head commit it was given on. Default true.' }),
        distinctPeople: z.boolean().optional().meta({ description: 'One person cannot sign for two roles of the same item. Default false.' }),
      })
      .optional(),
    waivers: z
      .strictObject({
        approvers: z.array(z.string().min(1)).min(1).meta({ description: 'Roles whose approving review activates a waiver.' }),
        maxDays: z.number().int().min(1).max(366).optional().meta({ description: 'Latest expiry, in days from today. Default 30.' }),
      })
      .optional(),
  })
  .meta({ description: 'Who signs manual items and approves waivers. Read from the base branch on pull requests.' });
export type Policy = z.infer<typeof policy>;

export const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const waiver = z
  .strictObject({
    item: z.string().min(1).meta({ description: 'Id of the waived item.' }),
    // `pattern` is the JSON Schema form of trim().min(1): something besides spaces.
    reason: z.string().trim().min(1).meta({ description: 'Why, with a ticket reference.', pattern: '\\S' }),
    expires: z
      .string()
      .regex(DATE, 'expected a date as YYYY-MM-DD')
      .refine((text) => !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text), { message: 'not a calendar date' })
      .meta({ description: 'First day the waiver no longer applies (YYYY-MM-DD, UTC), at most policy.waivers.maxDays ahead.' }),
  })
  .meta({ description: 'A failing item that does not block until it expires, once a waiver approver approves the PR.' });
export type Waiver = z.infer<typeof waiver>;

export const manifest = z
  .strictObject({
    version: z.literal(1),
    policy: policy.optional(),
    waivers: z.array(waiver).optional(),
    target: target.optional(),
    defaults: defaults.optional(),
    limits: limits.optional(),
    sections: z.array(section).min(1),
  })
  .meta({ title: 'readiness-gate manifest', description: 'Production-readiness checklist run by readiness-gate.' });
export type Manifest = z.infer<typeof manifest>;
