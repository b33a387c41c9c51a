// Shared by the built-in checks' tests: a check context aimed at a local server, and the
// parameters every built-in is run with against the Django lab.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { CheckContext } from '../../../src/checks/context.ts';
import { runBuiltinCheck } from '../../../src/checks/builtin/index.ts';
import type { CheckResult } from '../../../src/checks/result.ts';
import { HttpClient } from '../../../src/http/client.ts';
import { TARGET_BUILTIN_NAMES as BUILTIN_NAMES, type TargetBuiltinName as BuiltinName } from '../../../src/manifest/builtins.ts';
import type { Redactor } from '../../../src/util/redact.ts';
import { localhostCert, type PemPair } from '../../../test-support/certs.ts';
import { startServer } from '../../../test-support/servers.ts';
import { checkContext } from '../../../test-support/check-context.ts';

export const LAB_PASSWORD = 'lab-password';

export interface Target {
  url: string;
  caCert: string;
}

export interface TestContext {
  context: CheckContext;
  redactor: Redactor;
  close(): Promise<void>;
}

/** A context as the engine builds it: one client trusting the target's CA, limited to its host. */
export function contextFor(target: Target, overrides: Partial<CheckContext> = {}, env: Record<string, string> = { LAB_PASSWORD }): TestContext {
  const baseUrl = new URL(target.url);
  const http = new HttpClient({ perHost: 6, ca: target.caCert, allowedHosts: new Set([baseUrl.hostname]) });
  // A generous request timeout: on a busy machine a local answer can take seconds, and an
  // outcome must not depend on machine speed (a test about timeouts sets its own).
  const context: CheckContext = { ...checkContext({ http, baseUrl: target.url, env, signal: AbortSignal.timeout(60_000), ca: target.caCert, requestTimeoutMs: 30_000 }), ...overrides };
  return { context, redactor: context.redactor, close: () => http.close() };
}

/** What every built-in is given against the lab (and the demo): the seed's defaults, a login, small load samples. */
export function labParams(httpPort: number): Record<BuiltinName, Record<string, unknown>> {
  return {
    'django/debug-off': {},
    'django/allowed-hosts': {},
    'https-redirect': { httpPort },
    hsts: {},
    nosniff: { paths: ['/', '/api/'] },
    'frame-options': { paths: ['/', '/accounts/login/'] },
    'secure-cookies': { login: { path: '/accounts/login/', username: 'smoke', password: '{{ secrets.LAB_PASSWORD }}' } },
    'csrf-active': {},
    cors: {},
    'auth-required': { paths: ['/api/bookings/', '/admin/'] },
    'static-assets': {},
    health: { json: { '$.status': 'ok' } },
    tls: {},
    // 20 samples can show an error rate under 20% (rule of three), not the seed's 0.1%. The
    // p95 bound is above any request timeout, so no machine is too slow to pass it: a test that
    // wants the latency bound to fail sets its own (and a lab delay above it).
    'performance-slo': { samples: 20, concurrency: 5, warmup: 5, p95: '60s', errorRate: '20%' },
  };
}

/** Every built-in against one target, concurrently (as the engine runs items). */
export async function runAll(context: CheckContext, params: Record<BuiltinName, Record<string, unknown>>): Promise<Record<BuiltinName, CheckResult>> {
  const entries = await Promise.all(BUILTIN_NAMES.map(async (name) => [name, await runBuiltinCheck(name, params[name], context)] as const));
  return Object.fromEntries(entries) as Record<BuiltinName, CheckResult>;
}

/** The names whose outcome is `outcome`, sorted. */
export function withOutcome(results: Record<BuiltinName, CheckResult>, outcome: CheckResult['outcome']): BuiltinName[] {
  return BUILTIN_NAMES.filter((name) => results[name].outcome === outcome).sort();
}

/** "name: outcome — summary" lines, for a readable failure message. */
export function describeResults(results: Record<BuiltinName, CheckResult>): string {
  return BUILTIN_NAMES.map((name) => `${name}: ${results[name].outcome} — ${results[name].summary}`).join('\n');
}

/** A reply of a hand-written server: status, raw header lines (repeats allowed), body. */
export interface Canned {
  status: number;
  headers?: [string, string][];
  body?: string;
}

/** An https server (and a plain-http one) on loopback answering from `route`; for shapes the lab does not have. */
export async function startCanned(ca: PemPair, route: (method: string, path: string, headers: IncomingHttpHeaders, listener: 'https' | 'http') => Canned) {
  const serve = (listener: 'https' | 'http') => (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const { status, headers = [], body = '' } = route(req.method ?? 'GET', req.url ?? '/', req.headers, listener);
      res.writeHead(status, [...headers, ['Content-Length', String(Buffer.byteLength(body))]].flat());
      res.end(body);
    });
  };
  const https = await startServer(serve('https'), { tls: await localhostCert(ca) });
  const http = await startServer(serve('http'));
  return {
    url: `https://localhost:${https.port}`,
    httpPort: http.port,
    caCert: ca.cert,
    close: () => Promise.all([https.close(), http.close()]).then(() => undefined),
  };
}
