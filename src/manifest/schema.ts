// The readiness manifest, version 1, as a zod schema. This file is the single source
// of truth: the JSON Schema in schema/ is generated from it and the README reference
// describes it. Names are part of the public interface: add, never rename.
import { z } from 'zod/mini';
import { BUILTIN_NAMES, validateBuiltinParams } from './builtins.ts';
import { duration, jsonPath, jsonPathPredicates, meta, predicate, regex, scalar } from './primitives.ts';
import { metricsAuth } from './metrics-auth.ts';

export { duration, predicate, predicateMap, scalar, type Predicate, type PredicateMap, type Scalar } from './primitives.ts';

const severity = meta(z.enum(['blocking', 'advisory']), {
  description: 'blocking items decide the verdict; advisory items are reported but never block.',
});

const headerMap = z.record(z.string(), z.string());

export const retry = meta(
  z.strictObject({
    attempts: meta(z.number().check(z.int(), z.gte(1), z.lte(10)), { description: 'Total attempts, the first included.' }),
    backoff: meta(z.optional(duration), { description: 'Wait before the second attempt; doubles each time. Default 1s.' }),
  }),
  { description: 'Retry on transport errors and 502/503/504. A pass after a retry is reported as flaky.' },
);

// ---------------------------------------------------------------- requests

export const requestMap = z.strictObject({
  method: z.optional(z.string().check(z.regex(/^[A-Za-z]+$/, 'expected an HTTP method such as GET'))),
  url: meta(z.string().check(z.minLength(1)), { description: 'A path on the target ("/health/") or an absolute URL.' }),
  headers: z.optional(headerMap),
  query: z.optional(z.record(z.string(), scalar)),
  json: meta(z.optional(z.unknown()), { description: 'A JSON body (sets content-type: application/json).' }),
  form: meta(z.optional(z.record(z.string(), scalar)), { description: 'A url-encoded form body.' }),
  body: meta(z.optional(z.string()), { description: 'A raw text body.' }),
  follow_redirects: meta(z.optional(z.boolean()), { description: 'Follow up to 10 redirects on the hosts the manifest names. Default false.' }),
  timeout: z.optional(duration),
});
export type RequestMap = z.infer<typeof requestMap>;

// "GET /path"; the path may hold {{ placeholders }}, which contain spaces.
const REQUEST_LINE = /^[A-Za-z]+\s+(?:\{\{[^}]*\}\}|\S)+$/;
export const request = meta(z.union([z.string().check(z.regex(REQUEST_LINE, 'expected "METHOD path-or-url", for example "GET /health/"')), requestMap]), {
  id: 'Request',
  description: '"METHOD path-or-url", or a map.',
});
export type RequestSpec = z.infer<typeof request>;

// ---------------------------------------------------------------- expectations

export const cookieExpect = z.strictObject({
  exists: z.optional(z.boolean()),
  value: z.optional(predicate),
  secure: z.optional(z.boolean()),
  httpOnly: z.optional(z.boolean()),
  sameSite: meta(z.optional(predicate), { description: 'Strict, Lax or None (case-insensitive).' }),
  path: z.optional(predicate),
  domain: z.optional(predicate),
  maxAge: z.optional(predicate),
});
export type CookieExpect = z.infer<typeof cookieExpect>;

export const httpExpect = z.strictObject({
  status: z.optional(predicate),
  headers: meta(z.optional(z.record(z.string(), predicate)), { description: 'Header names are case-insensitive; a repeated single-value header fails.' }),
  body: z.optional(predicate),
  json: meta(z.optional(jsonPathPredicates), { description: 'JSONPath ($.a.b, $.items[0].id) to predicate.' }),
  duration: meta(z.optional(predicate), { description: 'Total time of the request, e.g. { lt: 500ms }.' }),
  redirect: meta(z.optional(z.strictObject({ status: z.optional(predicate), location: z.optional(predicate) })), {
    description: 'The first response must be a redirect matching these.',
  }),
  cookies: z.optional(z.record(z.string(), cookieExpect)),
});
export type HttpExpect = z.infer<typeof httpExpect>;

// ---------------------------------------------------------------- check kinds

export const httpCheck = z.strictObject({ request, expect: z.optional(httpExpect) });

export const manualCheck = z.strictObject({
  owner: meta(z.optional(z.string()), { description: 'Who signs this item off: a role of policy.roles when the manifest has a policy, else any name.' }),
  signers: meta(z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))), {
    description: 'Roles of policy.roles that must ALL sign this item. Default: [owner].',
  }),
  required: meta(z.optional(z.boolean()), { description: 'If true, the item blocks the verdict while pending.' }),
  note: z.optional(z.string()),
});

export const tlsCheck = z.strictObject({
  host: meta(z.optional(z.string()), { description: 'Default: the target host.' }),
  port: meta(z.optional(z.number().check(z.int(), z.gte(1), z.lte(65535))), { description: 'Default: the target port, else 443.' }),
  ca: meta(z.optional(z.string()), { description: 'A PEM file of extra trusted CAs (private CA).' }),
  expect: z.optional(
    z.strictObject({
      chainValid: z.optional(z.boolean()),
      hostnameMatch: z.optional(z.boolean()),
      daysUntilExpiry: z.optional(predicate),
      protocol: z.optional(predicate),
      legacyProtocols: meta(z.optional(z.boolean()), { description: 'false: TLS 1.0 and 1.1 must be refused.' }),
    }),
  ),
});

const latency = z.strictObject({
  p50: z.optional(predicate),
  p90: z.optional(predicate),
  p95: z.optional(predicate),
  p99: z.optional(predicate),
  max: z.optional(predicate),
  mean: z.optional(predicate),
});

export const loadCheck = z.strictObject({
  request,
  samples: meta(z.optional(z.number().check(z.int(), z.gte(1), z.lte(100_000))), { description: 'Measured requests after warmup. Default 100.' }),
  concurrency: meta(z.optional(z.number().check(z.int(), z.gte(1), z.lte(256))), { description: 'Requests in flight at once. Default 1.' }),
  warmup: meta(z.optional(z.number().check(z.int(), z.gte(0), z.lte(1000))), { description: 'Unmeasured requests first. Default 5.' }),
  expect: z.optional(
    z.strictObject({
      status: z.optional(predicate),
      headers: z.optional(z.record(z.string(), predicate)),
      body: z.optional(predicate),
      latency: z.optional(latency),
      errorRate: meta(z.optional(predicate), { description: 'Share of samples that failed, e.g. { lt: 0.1% }.' }),
    }),
  ),
});

const CAPTURE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED_NAMES = ['env', 'secrets', 'target', 'cookies', 'git'];

export const capture = meta(
  z
    .strictObject({
      json: z.optional(jsonPath),
      header: z.optional(z.string()),
      cookie: z.optional(z.string()),
      regex: meta(z.optional(regex), { description: 'Group 1 (or the whole match) of this pattern in the body.' }),
    })
    .check(z.refine((spec) => Object.keys(spec).length === 1, { message: 'a capture takes exactly one of json, header, cookie, regex' })),
  { minProperties: 1, maxProperties: 1 },
);

export const flowStep = z.strictObject({
  name: z.optional(z.string()),
  request,
  expect: z.optional(httpExpect),
  capture: z.optional(
    z.record(
      meta(
        z.string().check(
          z.regex(CAPTURE_NAME, 'a capture name is a plain identifier'),
          z.refine((name) => !RESERVED_NAMES.includes(name), {
            message: `a capture cannot be named ${RESERVED_NAMES.join(', ')}`,
          }),
        ),
        { not: { enum: RESERVED_NAMES } },
      ),
      capture,
    ),
  ),
});
export type FlowStep = z.infer<typeof flowStep>;

export const flowCheck = z.strictObject({
  steps: z.array(flowStep).check(z.minLength(1)),
  finally: meta(z.optional(z.array(flowStep)), { description: 'Always run after the steps, with their captures.' }),
});

export const commandCheck = z.strictObject({
  run: meta(z.string().check(z.minLength(1)), { description: 'A shell command, run in the workspace.' }),
  timeout: z.optional(duration),
  cwd: z.optional(z.string()),
  env: z.optional(z.record(z.string(), z.string())),
  expect: z.optional(z.strictObject({ exitCode: z.optional(predicate), output: z.optional(predicate) })),
});

export const fileCheck = z.strictObject({
  path: z.string().check(z.minLength(1)),
  exists: z.optional(z.boolean()),
  contains: z.optional(z.string()),
  matches: z.optional(regex),
});

export const sqlCheck = z.strictObject({
  url: meta(z.optional(z.string()), { description: 'postgres://USER:PASSWORD@HOST:5432/DB?sslmode=verify-full, usually "{{ secrets.STAGING_DATABASE_URL }}". Default: defaults.sql.url, then target.database.' }),
  query: meta(z.string().check(z.minLength(1)), { description: 'One SQL statement, run in a READ ONLY transaction that is rolled back.' }),
  timeout: meta(z.optional(duration), { description: 'Statement timeout: the server cancels a longer query. Default: the timeout of one request (10s).' }),
  expect: z.optional(
    z.strictObject({
      rows: meta(z.optional(predicate), { description: 'The number of rows, e.g. 0 or { gte: 1 }. Without it an empty result is an error.' }),
      json: meta(z.optional(jsonPathPredicates), { description: 'JSONPath over the rows (an array of objects, e.g. $[0].n) to predicate.' }),
    }),
  ),
});

export const metricsCheck = z.strictObject({
  url: meta(z.optional(z.string()), { description: 'Prometheus base URL, e.g. "{{ env.PROMETHEUS_URL }}". Default: defaults.metrics.url.' }),
  query: meta(z.string().check(z.minLength(1)), { description: 'A PromQL expression.' }),
  range: meta(
    z.optional(
      z.strictObject({
        window: meta(duration, { description: 'How far back from now, e.g. 1h.' }),
        step: meta(z.optional(duration), { description: 'Resolution. Default: window / 60.' }),
      }),
    ),
    { description: 'A range query: every sample of every series is judged. Default: an instant query.' },
  ),
  auth: z.optional(metricsAuth),
  timeout: z.optional(duration),
  expect: z.optional(
    z.strictObject({
      value: meta(z.optional(predicate), { description: 'Every value of every series must hold, e.g. { gte: 0.999 }.' }),
      series: meta(z.optional(predicate), { description: 'The number of series, e.g. { gte: 1 }.' }),
    }),
  ),
});

// ---------------------------------------------------------------- items and sections

/** The keys that name what an item checks; an item has exactly one. */
/** Marks a custom issue that is about a key, so its position is the key's, not the value's. */
export const AT_KEY = { at: 'key' } as const;

export const CHECK_KINDS = ['http', 'tls', 'load', 'flow', 'command', 'file', 'sql', 'metrics', 'uses', 'manual'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export const item = meta(
  z
    .strictObject({
      title: z.string().check(z.minLength(1)),
      id: meta(z.optional(z.string().check(z.regex(/^[a-z0-9][a-z0-9._/-]*$/, 'an id is lowercase letters, digits and . _ / -'))), {
        description: 'Stable id; default: a slug of the title.',
      }),
      severity: z.optional(severity),
      owner: z.optional(z.string()),
      help: meta(z.optional(z.string()), { description: 'What to do when this fails; shown with the failure.' }),
      timeout: z.optional(duration),
      retry: z.optional(retry),
      http: z.optional(httpCheck),
      tls: z.optional(tlsCheck),
      load: z.optional(loadCheck),
      flow: z.optional(flowCheck),
      command: z.optional(commandCheck),
      file: z.optional(fileCheck),
      sql: meta(z.optional(sqlCheck), { description: 'A read-only PostgreSQL query and its expected rows.' }),
      metrics: meta(z.optional(metricsCheck), { description: 'A Prometheus query and its expected values.' }),
      uses: meta(z.optional(z.enum(BUILTIN_NAMES)), { description: 'A built-in check.' }),
      with: meta(z.optional(z.record(z.string(), z.unknown())), { description: 'Parameters of the built-in check.' }),
      manual: z.optional(manualCheck),
    })
    .check(z.superRefine((value, ctx) => {
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
    })),
  {
    id: 'Item',
    description: 'A checklist line and the one check that verifies it.',
    // The refinements above, for the JSON Schema (src/manifest/json-schema.ts).
    oneOf: CHECK_KINDS.map((kind) => ({ required: [kind] })),
    dependentRequired: { with: ['uses'] },
  },
);
export type Item = z.infer<typeof item>;

export const subsection = z.strictObject({
  title: z.string().check(z.minLength(1)),
  items: z.array(item).check(z.minLength(1)),
});

export const section = meta(
  z
    .strictObject({
      title: z.string().check(z.minLength(1)),
      items: z.optional(z.array(item)),
      sections: meta(z.optional(z.array(subsection)), { description: 'Sub-sections (### in the report).' }),
    })
    .check(
      z.refine((value) => (value.items?.length ?? 0) + (value.sections?.length ?? 0) > 0, {
        message: 'a section needs items or sections',
      }),
    ),
  { anyOf: ['items', 'sections'].map((key) => ({ required: [key], properties: { [key]: { type: 'array', minItems: 1 } } })) },
);
export type Section = z.infer<typeof section>;

// ---------------------------------------------------------------- target and top level

export const readyProbe = z.strictObject({
  request,
  expect: z.optional(httpExpect),
  timeout: meta(z.optional(duration), { description: 'How long to keep trying. Default 5m.' }),
  interval: meta(z.optional(duration), { description: 'Wait between tries. Default 5s.' }),
});

export const versionProbe = meta(
  z
    .strictObject({
      request,
      json: meta(z.optional(jsonPath), { description: 'JSONPath of the served version, e.g. $.commit' }),
      header: meta(z.optional(z.string()), { description: 'Header carrying the served version.' }),
      equals: meta(z.string().check(z.minLength(1)), { description: 'Usually "{{ git.sha }}".' }),
    })
    .check(
      z.refine((value) => (value.json === undefined) !== (value.header === undefined), {
        message: 'a version probe reads exactly one of json or header',
      }),
    ),
  { oneOf: [{ required: ['json'] }, { required: ['header'] }] },
);

export const target = z.strictObject({
  url: meta(z.optional(z.string()), { description: 'Staging base URL. --url / the staging-url input override it.' }),
  headers: meta(z.optional(headerMap), { description: 'Sent with every request to the target host.' }),
  timeout: z.optional(duration),
  ca: meta(z.optional(z.string()), { description: 'PEM file of extra trusted CAs for the target.' }),
  ready: z.optional(readyProbe),
  version: z.optional(versionProbe),
  database: meta(z.optional(z.string()), { description: 'The staging database URL (postgres://…) for sql checks and postgres/ built-ins, after defaults.sql.url.' }),
});

export const limits = z.strictObject({
  concurrency: meta(z.optional(z.number().check(z.int(), z.gte(1), z.lte(64))), { description: 'Items run at once. Default 8.' }),
  perHost: meta(z.optional(z.number().check(z.int(), z.gte(1), z.lte(64))), { description: 'Connections per host. Default 6.' }),
  deadline: meta(z.optional(duration), { description: 'Whole run, after which unfinished items are errors. Default 10m.' }),
});

export const defaults = z.strictObject({
  timeout: z.optional(duration),
  severity: z.optional(severity),
  retry: z.optional(retry),
  sql: z.optional(z.strictObject({ url: meta(z.optional(z.string()), { description: 'Database URL of every sql check and postgres/ built-in that sets none.' }) })),
  metrics: z.optional(
    z.strictObject({
      url: meta(z.optional(z.string()), { description: 'Prometheus base URL of every metrics check and prometheus/ built-in that sets none.' }),
      alertmanager: meta(z.optional(z.string()), { description: 'Alertmanager base URL for alertmanager/receiver.' }),
      auth: z.optional(metricsAuth),
    }),
  ),
});

// ---------------------------------------------------------------- policy and waivers

const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const TEAM = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/;

export const role = meta(
  z
    .strictObject({
      users: z.optional(z.array(z.string().check(z.regex(GITHUB_LOGIN, 'expected a GitHub login, e.g. alice')))),
      teams: z.optional(z.array(z.string().check(z.regex(TEAM, 'expected a team as org/team-slug, e.g. acme/sre')))),
    })
    .check(z.refine((value) => (value.users?.length ?? 0) + (value.teams?.length ?? 0) > 0, { message: 'a role needs users or teams' })),
  {
    description: 'Who holds a role: GitHub users and/or org teams (org/team-slug).',
    anyOf: ['users', 'teams'].map((key) => ({ required: [key], properties: { [key]: { type: 'array', minItems: 1 } } })),
  },
);

export const policy = meta(
  z.strictObject({
    roles: meta(z.optional(z.record(z.string().check(z.minLength(1)), role)), { description: 'Role name → who may sign for it.' }),
    signOff: z.optional(
      z.strictObject({
        via: meta(z.optional(z.enum(['review', 'review+command'])), { description: 'review: approving PR reviews sign; review+command: never-edited `/readiness sign <id>` PR comments sign too. Default review.' }),
        invalidateOnPush: meta(z.optional(z.boolean()), { description: 'A sign-off counts only for the head commit it was given on. Default true.' }),
        distinctPeople: meta(z.optional(z.boolean()), { description: 'One person cannot sign for two roles of the same item. Default false.' }),
      }),
    ),
    waivers: z.optional(
      z.strictObject({
        approvers: meta(z.array(z.string().check(z.minLength(1))).check(z.minLength(1)), { description: 'Roles whose approving review activates a waiver.' }),
        maxDays: meta(z.optional(z.number().check(z.int(), z.gte(1), z.lte(366))), { description: 'Latest expiry, in days from today. Default 30.' }),
      }),
    ),
  }),
  { description: 'Who signs manual items and approves waivers. Read from the base branch on pull requests.' },
);
export type Policy = z.infer<typeof policy>;

export const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const waiver = meta(
  z.strictObject({
    item: meta(z.string().check(z.minLength(1)), { description: 'Id of the waived item.' }),
    // `pattern` is the JSON Schema form of trim() then minLength(1): something besides spaces.
    reason: meta(z.string().check(z.trim(), z.minLength(1)), { description: 'Why, with a ticket reference.', pattern: '\\S' }),
    expires: meta(
      z
        .string()
        .check(
          z.regex(DATE, 'expected a date as YYYY-MM-DD'),
          z.refine((text) => !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text), { message: 'not a calendar date' }),
        ),
      { description: 'First day the waiver no longer applies (YYYY-MM-DD, UTC), at most policy.waivers.maxDays ahead.' },
    ),
  }),
  { description: 'A failing item that does not block until it expires, once a waiver approver approves the PR.' },
);
export type Waiver = z.infer<typeof waiver>;

export const manifest = meta(
  z.strictObject({
    version: z.literal(1),
    policy: z.optional(policy),
    waivers: z.optional(z.array(waiver)),
    target: z.optional(target),
    defaults: z.optional(defaults),
    limits: z.optional(limits),
    sections: z.array(section).check(z.minLength(1)),
  }),
  { title: 'readiness-gate manifest', description: 'Production-readiness checklist run by readiness-gate.' },
);
export type Manifest = z.infer<typeof manifest>;
