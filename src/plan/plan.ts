// Validated manifest + run options → the plan: every item with its id, section,
// severity, timeouts and check spec resolved, and the target it runs against.
import type { z } from 'zod/mini';
import type { LoadedManifest, Position } from '../manifest/load.ts';
import { itemIds } from '../manifest/ids.ts';
import { isDataBuiltin as isDataBuiltinName, type BuiltinName } from '../manifest/builtins.ts';
import { interpolate, MissingValueError, type Scope, type TargetValues } from '../manifest/interpolate.ts';
import { references } from '../manifest/template.ts';
import { parseDuration } from '../manifest/units.ts';
import type {
  CheckKind,
  commandCheck,
  fileCheck,
  flowCheck,
  httpCheck,
  Item,
  loadCheck,
  manualCheck,
  metricsCheck,
  readyProbe,
  sqlCheck,
  tlsCheck,
  versionProbe,
} from '../manifest/schema.ts';
import type { Redactor } from '../util/redact.ts';

export type CheckSpec =
  | { kind: 'http'; http: z.infer<typeof httpCheck> }
  | { kind: 'tls'; tls: z.infer<typeof tlsCheck> }
  | { kind: 'load'; load: z.infer<typeof loadCheck> }
  | { kind: 'flow'; flow: z.infer<typeof flowCheck> }
  | { kind: 'command'; command: z.infer<typeof commandCheck> }
  | { kind: 'file'; file: z.infer<typeof fileCheck> }
  | { kind: 'sql'; sql: z.infer<typeof sqlCheck> }
  | { kind: 'metrics'; metrics: z.infer<typeof metricsCheck> }
  | { kind: 'uses'; uses: BuiltinName; with: Record<string, unknown> }
  | { kind: 'manual'; manual: z.infer<typeof manualCheck> };

export interface PlanItem {
  id: string;
  title: string;
  sections: string[];
  severity: 'blocking' | 'advisory';
  owner?: string;
  help?: string;
  location: Position;
  /** Limit on one attempt of the whole item. */
  timeoutMs: number;
  /** Default timeout of one request the item sends. */
  requestTimeoutMs: number;
  retry: { attempts: number; backoffMs: number };
  check: CheckSpec;
  /** The item talks to the staging target (so it cannot run when staging is down). */
  usesTarget: boolean;
  /** Lower-case host names the item sends requests to (the engine keeps measurements apart by host). */
  hosts?: string[];
  /** A measuring item (load, performance-slo): runs with nothing else in flight against its hosts. */
  exclusive?: boolean;
}

export interface TargetPlan {
  url?: URL;
  values?: TargetValues;
  /** Headers for every request to the target host, placeholders filled. */
  headers: Record<string, string>;
  caFile?: string;
  ready?: z.infer<typeof readyProbe>;
  version?: z.infer<typeof versionProbe>;
}

export interface Plan {
  manifestFile: string;
  target: TargetPlan;
  items: PlanItem[];
  limits: { concurrency: number; perHost: number; deadlineMs: number };
  /** Timeout of a request that no item owns (the readiness and version probes). */
  requestTimeoutMs: number;
  /** Hosts requests may reach: the target's and every absolute URL the manifest writes. */
  allowedHosts: Set<string>;
}

export interface PlanOptions {
  /** --url / the staging-url input; wins over target.url. */
  url?: string;
  env: Readonly<Record<string, string | undefined>>;
  git: { sha?: string; ref?: string };
  redactor: Redactor;
}

/** A plan cannot be made: said once, as a usage error (exit 2). */
export class PlanError extends Error {}

const DEFAULT_TIMEOUT_MS = 10_000;
const KIND_TIMEOUT_MS: Partial<Record<CheckKind, number>> = { load: 300_000, flow: 120_000, command: 300_000, sql: 60_000, metrics: 60_000 };
const TARGET_KINDS = new Set<CheckKind>(['http', 'tls', 'load', 'flow', 'uses']);
/** Built-ins that measure latency: other traffic to their host would skew what they report. */
const MEASURING_BUILTINS = new Set<BuiltinName>(['performance-slo']);

export function buildPlan(loaded: LoadedManifest, options: PlanOptions): Plan {
  const { manifest } = loaded;
  const baseScope: Scope = { env: options.env, git: options.git, redactor: options.redactor };

  // Every secret the manifest names is read now, so it is redacted from the first byte of output.
  for (const secret of manifestSecrets(manifest)) {
    const value = options.env[secret];
    if (value !== undefined) options.redactor.add(value);
  }

  const target = planTarget(manifest.target, options, baseScope);
  const defaultsTimeout = ms(manifest.defaults?.timeout) ?? ms(manifest.target?.timeout) ?? DEFAULT_TIMEOUT_MS;
  const defaultRetry = manifest.defaults?.retry;

  const items: PlanItem[] = itemIds(manifest).items.map(({ item, id, sections, path }) => {
    const check = withDataSources(checkSpec(item), manifest);
    const requestTimeoutMs = ms(item.timeout) ?? defaultsTimeout;
    const retry = item.retry ?? defaultRetry;
    const planned: PlanItem = {
      id,
      title: item.title,
      sections,
      severity: item.severity ?? manifest.defaults?.severity ?? 'blocking',
      location: loaded.positionOf(path),
      timeoutMs: ms(item.timeout) ?? itemTimeout(check, requestTimeoutMs),
      requestTimeoutMs,
      retry: { attempts: retry?.attempts ?? 1, backoffMs: ms(retry?.backoff) ?? 1000 },
      check,
      usesTarget: TARGET_KINDS.has(check.kind) && !isDataBuiltin(check),
    };
    if (item.owner !== undefined) planned.owner = item.owner;
    if (item.help !== undefined) planned.help = item.help;
    return planned;
  });

  if (!target.url && items.some((item) => item.usesTarget && needsBaseUrl(item))) {
    throw new PlanError('no staging URL: set target.url in the manifest, or pass --url (the staging-url input in the action)');
  }

  const allowedHosts = new Set<string>();
  if (target.url) allowedHosts.add(target.url.hostname.toLowerCase());
  const targetScope: Scope = target.values ? { ...baseScope, target: target.values } : baseScope;
  for (const url of absoluteUrls(manifest, targetScope)) allowedHosts.add(url.hostname.toLowerCase());
  for (const item of items) {
    item.hosts = itemHosts(item, target.url, targetScope);
    item.exclusive = isMeasuring(item.check);
  }
  for (const host of dataSourceHosts(items, baseScope, options.redactor)) allowedHosts.add(host);

  return {
    manifestFile: loaded.file,
    target,
    items,
    limits: {
      concurrency: manifest.limits?.concurrency ?? 8,
      perHost: manifest.limits?.perHost ?? 6,
      deadlineMs: ms(manifest.limits?.deadline) ?? 600_000,
    },
    requestTimeoutMs: defaultsTimeout,
    allowedHosts,
  };
}

function planTarget(spec: LoadedManifest['manifest']['target'], options: PlanOptions, scope: Scope): TargetPlan {
  const plan: TargetPlan = { headers: {} };
  const text = options.url ?? (spec?.url !== undefined ? interpolateOrThrow(spec.url, scope, 'target.url') : undefined);
  if (text !== undefined && text !== '') {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new PlanError(`staging URL "${text}" is not a URL; write it with its scheme, e.g. https://staging.example.com`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PlanError(`staging URL "${text}" must be http or https`);
    plan.url = url;
    plan.values = { url: url.href.replace(/\/$/, ''), host: url.host, origin: url.origin };
  }
  // A missing staging key would fail every request the same way: say it once, as a usage error.
  const targetScope: Scope = plan.values ? { ...scope, target: plan.values } : scope;
  for (const [name, value] of Object.entries(spec?.headers ?? {})) plan.headers[name] = interpolateOrThrow(value, targetScope, `target.headers.${name}`);
  if (spec?.ca !== undefined) plan.caFile = spec.ca;
  if (spec?.ready !== undefined) plan.ready = spec.ready;
  if (spec?.version !== undefined) plan.version = spec.version;
  return plan;
}

function interpolateOrThrow(text: string, scope: Scope, where: string): string {
  try {
    return interpolate(text, scope);
  } catch (error) {
    if (error instanceof MissingValueError) throw new PlanError(`${where}: ${error.message}`);
    throw error;
  }
}

function checkSpec(item: Item): CheckSpec {
  if (item.http) return { kind: 'http', http: item.http };
  if (item.tls) return { kind: 'tls', tls: item.tls };
  if (item.load) return { kind: 'load', load: item.load };
  if (item.flow) return { kind: 'flow', flow: item.flow };
  if (item.command) return { kind: 'command', command: item.command };
  if (item.file) return { kind: 'file', file: item.file };
  if (item.sql) return { kind: 'sql', sql: item.sql };
  if (item.metrics) return { kind: 'metrics', metrics: item.metrics };
  if (item.uses) return { kind: 'uses', uses: item.uses, with: item.with ?? {} };
  return { kind: 'manual', manual: item.manual ?? {} };
}

function itemTimeout(check: CheckSpec, requestTimeoutMs: number): number {
  if (check.kind === 'command' && check.command.timeout) return (parseDuration(check.command.timeout) as number) + 5_000;
  if (check.kind === 'flow') return Math.max(KIND_TIMEOUT_MS.flow as number, requestTimeoutMs * (check.flow.steps.length + (check.flow.finally?.length ?? 0)));
  // Built-ins send a handful of requests each; give them room for several.
  if (check.kind === 'uses') return Math.max(60_000, requestTimeoutMs * 4);
  return KIND_TIMEOUT_MS[check.kind] ?? requestTimeoutMs;
}

function isMeasuring(check: CheckSpec): boolean {
  return check.kind === 'load' || (check.kind === 'uses' && MEASURING_BUILTINS.has(check.uses));
}

/**
 * The hosts an item sends requests to: the target's when it needs one, and every absolute URL it
 * writes. A load check names exactly its request's host, so it keeps only the traffic it measures apart.
 */
function itemHosts(item: PlanItem, targetUrl: URL | undefined, scope: Scope): string[] {
  const hosts = new Set<string>();
  if (item.check.kind === 'load' && isAbsolute(item.check.load.request)) {
    for (const url of absoluteUrls(item.check.load.request, scope)) hosts.add(url.hostname.toLowerCase());
    return [...hosts];
  }
  if (item.usesTarget && targetUrl) hosts.add(targetUrl.hostname.toLowerCase());
  for (const url of absoluteUrls(item.check, scope)) hosts.add(url.hostname.toLowerCase());
  return [...hosts];
}

/** A check that only writes absolute URLs (or is a tls check with its own host) needs no staging URL. */
function needsBaseUrl(item: PlanItem): boolean {
  const check = item.check;
  if (check.kind === 'sql' || check.kind === 'metrics' || isDataBuiltin(check)) return false;
  if (check.kind === 'tls') return check.tls.host === undefined;
  if (check.kind === 'http') return !isAbsolute(check.http.request);
  if (check.kind === 'load') return !isAbsolute(check.load.request);
  if (check.kind === 'flow') return check.flow.steps.some((step) => !isAbsolute(step.request));
  return true;
}

function isAbsolute(request: z.infer<typeof httpCheck>['request']): boolean {
  const url = typeof request === 'string' ? request.trim().split(/\s+/)[1] ?? '' : request.url;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
}

function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const entry of value) yield* strings(entry);
  else if (value !== null && typeof value === 'object') for (const entry of Object.values(value)) yield* strings(entry);
}

function manifestSecrets(manifest: unknown): Set<string> {
  const names = new Set<string>();
  for (const text of strings(manifest)) for (const ref of references(text)) if (ref.namespace === 'secrets') names.add(ref.name);
  return names;
}

/** Absolute http(s) URLs written in the manifest (after env placeholders are filled). */
function absoluteUrls(manifest: unknown, scope: Scope): URL[] {
  const urls: URL[] = [];
  for (const text of strings(manifest)) {
    const candidate = text.trim().replace(/^[A-Za-z]+\s+/, '');
    if (!/^https?:\/\//i.test(candidate)) continue;
    try {
      urls.push(new URL(interpolate(candidate, scope)));
    } catch {
      // Placeholders that only a flow fills, or not a URL: no host to allow.
    }
  }
  return urls;
}

function ms(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDuration(text);
}

// ---------------------------------------------------------------- data sources (sql, metrics)

/** postgres/, prometheus/ and alertmanager/ built-ins read a database or monitoring API, not staging. */
function isDataBuiltin(check: CheckSpec): boolean {
  return check.kind === 'uses' && isDataBuiltinName(check.uses);
}

/**
 * The connection an item does not write itself comes from the manifest's defaults:
 * defaults.sql.url then target.database for the database, defaults.metrics for
 * Prometheus and Alertmanager. Resolved here so a runner gets one complete spec.
 */
function withDataSources(check: CheckSpec, manifest: LoadedManifest['manifest']): CheckSpec {
  const database = manifest.defaults?.sql?.url ?? manifest.target?.database;
  const metrics = manifest.defaults?.metrics;
  const fill = <T extends { url?: string; auth?: unknown }>(spec: T, url: string | undefined, auth: unknown): T => ({
    ...spec,
    ...(spec.url === undefined && url !== undefined ? { url } : {}),
    ...('auth' in spec || auth === undefined ? {} : { auth }),
  });
  if (check.kind === 'sql') return { kind: 'sql', sql: { ...check.sql, ...(check.sql.url === undefined && database !== undefined ? { url: database } : {}) } };
  if (check.kind === 'metrics') return { kind: 'metrics', metrics: fill(check.metrics, metrics?.url, metrics?.auth) };
  if (check.kind !== 'uses' || !isDataBuiltinName(check.uses)) return check;
  const params = check.with as { url?: string; auth?: unknown };
  if (check.uses.startsWith('postgres/')) return { ...check, with: params.url === undefined && database !== undefined ? { ...params, url: database } : params };
  const url = check.uses.startsWith('alertmanager/') ? metrics?.alertmanager : metrics?.url;
  return { ...check, with: fill(params, url, metrics?.auth) };
}

/**
 * Hosts of the Prometheus/Alertmanager URLs the items read (requests may go there), and
 * the password of every database URL registered with the redactor before anything runs.
 * A URL whose placeholder has no value adds nothing: its item skips at run time.
 */
function dataSourceHosts(items: PlanItem[], scope: Scope, redactor: Redactor): string[] {
  const hosts: string[] = [];
  for (const { check } of items) {
    const template = check.kind === 'sql' ? check.sql.url : check.kind === 'metrics' ? check.metrics.url : isDataBuiltin(check) ? (check as { with: { url?: unknown } }).with.url : undefined;
    if (typeof template !== 'string') continue;
    let url: URL;
    try {
      url = new URL(interpolate(template, scope).trim());
    } catch {
      continue;
    }
    if (url.password !== '') {
      redactor.add(url.password);
      redactor.add(decodeURIComponent(url.password));
    }
    if (url.protocol === 'http:' || url.protocol === 'https:') hosts.push(url.hostname.toLowerCase());
  }
  return hosts;
}
