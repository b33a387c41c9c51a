// prometheus/* and alertmanager/* built-ins: what the monitoring a team already runs
// states through its HTTP API. Not loaded, not scraped, nothing in the window: never a pass.
import { parse as parseYaml } from 'yaml';
import type { BuiltinParams } from '../../manifest/builtins.ts';
import { formatDuration, formatPercent, parseDuration, parseRatio } from '../../manifest/units.ts';
import type { CheckContext } from '../context.ts';
import { judgeSeries, PROMETHEUS_URL_WHERE } from '../metrics.ts';
import { ApiError, apiErrorResult, getJson, prometheusData, resolveApi, type Api } from '../metrics/api.ts';
import { queryPrometheus } from '../metrics/query.ts';
import type { CheckResult, Evidence } from '../result.ts';
import { patternTest } from '../../util/pattern.ts';
import { firstAndMore, plural } from './words.ts';

type Body = (api: Api, evidence: Evidence) => Promise<CheckResult>;

async function withApi(name: string, url: string | undefined, auth: BuiltinParams<'prometheus/alert-rule'>['auth'], where: string, context: CheckContext, body: Body): Promise<CheckResult> {
  const resolved = resolveApi(name, url, auth, where, context);
  if (!resolved.ok) return resolved.result;
  const evidence: Evidence = {};
  try {
    return await body(resolved.api, evidence);
  } catch (error) {
    return apiErrorResult(error, evidence);
  }
}

const SHOWN_NAMES = 10;

function someNames(names: string[]): string {
  const unique = [...new Set(names)];
  return unique.length > SHOWN_NAMES ? `${unique.slice(0, SHOWN_NAMES).join(', ')}, … (${unique.length})` : unique.join(', ');
}

// ---------------------------------------------------------------- prometheus/alert-rule

interface AlertRule {
  name: string;
  query: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  health?: string;
  lastError?: string;
  type?: string;
}

/**
 * "(?i)disk|filesystem" (PCRE/Go spelling) matches case-insensitively anyway. Rule text comes
 * from the server, so the pattern runs on RE2 (linear time), like every manifest pattern.
 */
export function ruleMatcher(source: string): { source: string; test: (text: string) => boolean } {
  return { source, test: (text) => patternTest(source, text, { caseInsensitive: true }) };
}

/**
 * PASS when an alerting rule Prometheus has loaded matches `matches` (in its name, labels,
 * annotations or expression) and its health is ok. FAIL when none matches or every
 * matching rule errors; ERROR when the matching rules were not evaluated yet.
 */
export function runAlertRule(params: BuiltinParams<'prometheus/alert-rule'>, context: CheckContext): Promise<CheckResult> {
  return withApi('Prometheus', params.url, params.auth, PROMETHEUS_URL_WHERE, context, async (api, evidence) => {
    const data = prometheusData(await getJson(api, '/api/v1/rules', { type: 'alert' }, context, evidence)) as { groups?: { name: string; rules?: AlertRule[] }[] };
    const rules = (data.groups ?? []).flatMap((group) => (group.rules ?? []).filter((rule) => rule.type === undefined || rule.type === 'alerting').map((rule) => ({ ...rule, group: group.name })));
    const pattern = ruleMatcher(params.matches);
    evidence.facts = { 'alerting rules loaded': rules.length };
    if (rules.length === 0) {
      return { outcome: 'fail', summary: `Prometheus has no alerting rules loaded; add a rules file (rule_files) with an alert matching /${pattern.source}/`, evidence };
    }
    const matching = rules.filter((rule) => [rule.name, rule.query, ...Object.values(rule.labels ?? {}), ...Object.values(rule.annotations ?? {})].some((text) => pattern.test(text)));
    if (matching.length === 0) {
      evidence.notes = [`loaded alerting rules: ${someNames(rules.map((rule) => rule.name))}`];
      return { outcome: 'fail', summary: `no loaded alerting rule matches /${pattern.source}/i (${plural(rules.length, 'rule')} loaded); add one`, evidence };
    }
    evidence.output = matching.slice(0, SHOWN_NAMES).map((rule) => `${rule.group}/${rule.name} health=${rule.health ?? '?'}: ${rule.query}`).join('\n');
    const healthy = matching.filter((rule) => rule.health === 'ok');
    const broken = matching.filter((rule) => rule.health === 'err');
    if (broken.length > 0) evidence.notes = broken.map((rule) => `${rule.name}: ${rule.lastError ?? 'health err'}`);
    if (healthy.length > 0) return { outcome: 'pass', summary: `${someNames(healthy.map((rule) => rule.name))} loaded and evaluating (health ok)`, evidence };
    if (broken.length > 0) {
      const first = broken[0] as AlertRule;
      return { outcome: 'fail', summary: `${first.name} is loaded but fails to evaluate: ${first.lastError ?? 'health err'}`, evidence };
    }
    return { outcome: 'error', summary: `cannot tell yet: ${someNames(matching.map((rule) => rule.name))} not evaluated (health ${matching[0]?.health ?? 'unknown'})`, evidence };
  });
}

// ---------------------------------------------------------------- prometheus/target-up

interface Target {
  labels: Record<string, string>;
  scrapePool?: string;
  scrapeUrl?: string;
  health: string;
  lastError?: string;
}

/** PASS when every active scrape target of `job` is up. FAIL when one is down; ERROR when the job has none. */
export function runTargetUp(params: BuiltinParams<'prometheus/target-up'>, context: CheckContext): Promise<CheckResult> {
  return withApi('Prometheus', params.url, params.auth, PROMETHEUS_URL_WHERE, context, async (api, evidence) => {
    const data = prometheusData(await getJson(api, '/api/v1/targets', { state: 'active' }, context, evidence)) as { activeTargets?: Target[] };
    const all = data.activeTargets ?? [];
    const targets = all.filter((target) => target.labels.job === params.job || target.scrapePool === params.job);
    if (targets.length === 0) {
      const jobs = someNames(all.map((target) => target.labels.job ?? target.scrapePool ?? '?'));
      return { outcome: 'error', summary: `Prometheus scrapes no target of job "${params.job}"${jobs ? ` (jobs: ${jobs})` : ''}; check the job name or scrape_configs`, evidence };
    }
    evidence.output = targets.slice(0, 20).map((target) => `${target.labels.instance ?? target.scrapeUrl ?? '?'} ${target.health}${target.lastError ? `: ${target.lastError}` : ''}`).join('\n');
    evidence.facts = { targets: targets.length, up: targets.filter((target) => target.health === 'up').length };
    const down = targets.filter((target) => target.health === 'down');
    if (down.length > 0) {
      const problems = down.map((target) => `${target.labels.instance ?? target.scrapeUrl ?? '?'} is down${target.lastError ? ` (${target.lastError})` : ''}`);
      return { outcome: 'fail', summary: `${down.length} of ${plural(targets.length, 'target')} of job ${params.job} down: ${firstAndMore(problems)}`, evidence };
    }
    const unknown = targets.filter((target) => target.health !== 'up');
    if (unknown.length > 0) return { outcome: 'error', summary: `cannot tell yet: ${plural(unknown.length, 'target')} of job ${params.job} not scraped yet`, evidence };
    return { outcome: 'pass', summary: `${plural(targets.length, 'target')} of job ${params.job} up`, evidence };
  });
}

// ---------------------------------------------------------------- prometheus/slo

/** `metric{labels}` → `metric_bucket{labels}`. */
function bucketSelector(histogram: string): string {
  const brace = histogram.indexOf('{');
  return brace < 0 ? `${histogram.trim()}_bucket` : `${histogram.slice(0, brace).trim()}_bucket${histogram.slice(brace)}`;
}

/** The PromQL of an objective over a window, and the bound its one value must keep. */
export function sloQuery(params: BuiltinParams<'prometheus/slo'>): { query: string; bound: string; check: (value: number) => boolean; show: (value: number) => string } {
  const window = params.window ?? '30d';
  const errorRatio = `(sum(increase(${params.errors}[${window}])) or vector(0)) / sum(increase(${params.requests}[${window}]))`;
  switch (params.objective) {
    case 'availability': {
      const min = parseRatio(params.min ?? '99.9%') as number;
      return { query: `1 - (${errorRatio})`, bound: `≥ ${formatPercent(min)}`, check: (value) => value >= min, show: formatPercent };
    }
    case 'error-rate': {
      const max = parseRatio(params.max ?? '0.1%') as number;
      return { query: errorRatio, bound: `≤ ${formatPercent(max)}`, check: (value) => value <= max, show: formatPercent };
    }
    case 'latency': {
      const maxMs = parseDuration(String(params.max ?? '200ms')) as number;
      const quantile = params.quantile ?? 0.95;
      return {
        query: `histogram_quantile(${quantile}, sum by (le) (rate(${bucketSelector(params.histogram ?? '')}[${window}])))`,
        bound: `≤ ${formatDuration(maxMs)}`,
        check: (value) => value * 1000 <= maxMs,
        show: (value) => formatDuration(value * 1000),
      };
    }
  }
}

/**
 * An objective over a window from a counter pair (availability, error-rate) or a
 * histogram (latency quantile): PASS within the bound, FAIL beyond it, ERROR when the
 * window holds no series or no requests.
 */
export function runSlo(params: BuiltinParams<'prometheus/slo'>, context: CheckContext): Promise<CheckResult> {
  return withApi('Prometheus', params.url, params.auth, PROMETHEUS_URL_WHERE, context, async (api, evidence) => {
    const slo = sloQuery(params);
    const window = params.window ?? '30d';
    const series = await queryPrometheus(api, slo.query, undefined, context, evidence);
    const judged = judgeSeries(series, undefined, evidence);
    if (judged.outcome === 'error') return judged;
    const value = series[0]?.samples[0]?.[1] ?? Number.NaN;
    if (!Number.isFinite(value)) return { outcome: 'error', summary: `no ${params.objective} over the last ${window}: the query returned ${value}`, evidence };
    const what = params.objective === 'latency' ? `p${Math.round((params.quantile ?? 0.95) * 100)} latency` : params.objective;
    evidence.facts = { ...evidence.facts, [what]: slo.show(value), window };
    if (!slo.check(value)) return { outcome: 'fail', summary: `${what} over the last ${window} is ${slo.show(value)}, expected ${slo.bound}`, evidence };
    return { outcome: 'pass', summary: `${what} over the last ${window}: ${slo.show(value)} (${slo.bound})`, evidence };
  });
}

// ---------------------------------------------------------------- alertmanager/receiver

interface Route {
  receiver?: string;
  match?: Record<string, string>;
  match_re?: Record<string, string>;
  matchers?: string[];
  continue?: boolean;
  routes?: Route[];
}

interface Receiver {
  name: string;
  [integration: string]: unknown;
}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|(.*?))\s*$/;

function routeMatches(route: Route, labels: Record<string, string>): boolean {
  const value = (name: string) => labels[name] ?? '';
  // Alertmanager's own patterns are RE2 (Go) and anchored; run them on RE2 too.
  const anchored = (source: string) => ({ test: (text: string) => patternTest(`^(?:${source})$`, text) });
  for (const [name, wanted] of Object.entries(route.match ?? {})) if (value(name) !== wanted) return false;
  for (const [name, source] of Object.entries(route.match_re ?? {})) if (!anchored(source).test(value(name))) return false;
  for (const text of route.matchers ?? []) {
    const parsed = MATCHER.exec(text);
    if (!parsed) throw new ApiError(`Alertmanager route matcher ${JSON.stringify(text)} is not understood`);
    const [, name = '', op, quoted, bare] = parsed;
    const operand = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '');
    const actual = value(name);
    const ok = op === '=' ? actual === operand : op === '!=' ? actual !== operand : op === '=~' ? anchored(operand).test(actual) : !anchored(operand).test(actual);
    if (!ok) return false;
  }
  return true;
}

/** Alertmanager's routing: the deepest matching routes (children in order, `continue` goes on), receivers inherited. */
export function routeReceivers(route: Route, labels: Record<string, string>, inherited?: string): string[] {
  const receiver = route.receiver ?? inherited;
  const found: string[] = [];
  for (const child of route.routes ?? []) {
    if (!routeMatches(child, labels)) continue;
    found.push(...routeReceivers(child, labels, receiver));
    if (!child.continue) break;
  }
  return found.length > 0 ? found : receiver !== undefined ? [receiver] : [];
}

/** The integrations of a receiver: email_configs, slack_configs, webhook_configs, … with entries. */
function integrations(receiver: Receiver | undefined): string[] {
  if (!receiver) return [];
  return Object.entries(receiver)
    .filter(([key, value]) => key.endsWith('_configs') && Array.isArray(value) && value.length > 0)
    .map(([key]) => key.replace(/_configs$/, ''));
}

/**
 * Routes an alert with `labels` through Alertmanager's loaded configuration: PASS when it
 * reaches a receiver with at least one integration, FAIL when only null receivers (no
 * integration) get it.
 */
export function runAlertmanagerReceiver(params: BuiltinParams<'alertmanager/receiver'>, context: CheckContext): Promise<CheckResult> {
  return withApi('Alertmanager', params.url, params.auth, 'with: { url } or defaults.metrics.alertmanager', context, async (api, evidence) => {
    const status = (await getJson(api, '/api/v2/status', {}, context, evidence)) as { config?: { original?: string } };
    const original = status.config?.original;
    if (typeof original !== 'string') throw new ApiError('Alertmanager /api/v2/status has no config.original; is this an Alertmanager (v0.16 or later)?');
    const config = parseYaml(original) as { route?: Route; receivers?: Receiver[] };
    if (!config?.route) throw new ApiError('the Alertmanager configuration has no route');
    const labels = params.labels ?? {};
    const names = [...new Set(routeReceivers(config.route, labels))];
    const shownLabels = Object.keys(labels).length ? `{${Object.entries(labels).map(([key, value]) => `${key}="${value}"`).join(', ')}}` : 'without labels';
    const described = names.map((name) => {
      const kinds = integrations(config.receivers?.find((receiver) => receiver.name === name));
      return { name, kinds };
    });
    evidence.facts = { labels: shownLabels };
    evidence.output = described.map(({ name, kinds }) => `${name}: ${kinds.length ? kinds.join(', ') : 'no integration (a null receiver)'}`).join('\n');
    const real = described.filter((receiver) => receiver.kinds.length > 0);
    if (real.length === 0) {
      const which = names.length ? names.join(', ') : 'no receiver';
      return { outcome: 'fail', summary: `alerts ${shownLabels} route to ${which}, which notifies nobody; give the receiver an email_configs, slack_configs, pagerduty_configs or webhook_configs entry`, evidence };
    }
    const nulls = described.filter((receiver) => receiver.kinds.length === 0);
    if (nulls.length > 0) evidence.notes = [`also routed to ${nulls.map((receiver) => receiver.name).join(', ')}, which notifies nobody`];
    return { outcome: 'pass', summary: `alerts ${shownLabels} route to ${real.map(({ name, kinds }) => `${name} (${kinds.join(', ')})`).join(', ')}`, evidence };
  });
}
