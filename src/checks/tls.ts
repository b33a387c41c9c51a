// The `tls` check: one handshake with SNI, what the certificate and the negotiated
// protocol say, and (when asked) whether TLS 1.0 and 1.1 are really refused.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import * as tls from 'node:tls';
import type { z } from 'zod/mini';
import type { BuiltinParams } from '../manifest/builtins.ts';
import { interpolate, MissingValueError } from '../manifest/interpolate.ts';
import type { tlsCheck } from '../manifest/schema.ts';
import { formatDuration } from '../manifest/units.ts';
import type { CheckContext, CheckRunner } from './context.ts';
import { describeChainProblem, describeWeakHandshake, opensslReason } from '../http/tls-errors.ts';
import { caFileProblem, targetTrust } from '../http/trust.ts';
import { evaluate, show } from './predicates.ts';
import { resultFromAssertions, type Assertion, type CheckResult, type Evidence } from './result.ts';

export type TlsCheck = z.infer<typeof tlsCheck>;
export type TlsExpect = NonNullable<TlsCheck['expect']>;
export type TlsBuiltinParams = BuiltinParams<'tls'>;

/** What an item without an `expect` block checks (the legacy probe only runs when asked). */
export const DEFAULT_TLS_EXPECT: TlsExpect = {
  chainValid: true,
  hostnameMatch: true,
  daysUntilExpiry: { gte: 14 },
  protocol: { in: ['TLSv1.2', 'TLSv1.3'] },
};

const DAY_MS = 24 * 60 * 60 * 1000;
const LEGACY_VERSIONS = ['TLSv1', 'TLSv1.1'] as const;

/** The `tls` built-in: the default expectations, a configurable expiry margin, legacy protocols refused unless allowed. */
export function tlsCheckFromBuiltin(params: TlsBuiltinParams = {}): TlsCheck {
  const expect: TlsExpect = { ...DEFAULT_TLS_EXPECT, daysUntilExpiry: { gte: params.minDaysUntilExpiry ?? 14 } };
  if (params.allowLegacyProtocols !== true) expect.legacyProtocols = false;
  return { expect };
}

export const runTlsCheck: CheckRunner<TlsCheck> = (spec, context) => runTlsCheckAt(spec, context, new Date());

/** runTlsCheck with the clock as an argument, so expiry margins are testable. */
export async function runTlsCheckAt(spec: TlsCheck, context: CheckContext, now: Date): Promise<CheckResult> {
  let endpoint: Endpoint;
  let ca: string | undefined;
  try {
    const resolved = resolveEndpoint(spec, context);
    if ('skip' in resolved) return { outcome: 'skip', summary: resolved.skip, evidence: {} };
    endpoint = resolved;
    ca = await extraCa(spec, context);
  } catch (error) {
    if (error instanceof SetupError || error instanceof MissingValueError) return { outcome: 'error', summary: error.message, evidence: {} };
    throw error;
  }

  const { host, port } = endpoint;
  const where = hostPort(host, port);
  const request = `TLS handshake with ${where}${isIP(host) ? '' : ` (SNI ${host})`}`;
  const base: tls.ConnectionOptions = { host, port, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) };
  const notes = ca ? [`extra trusted CAs from ${spec.ca !== undefined ? `tls.ca (${spec.ca})` : 'target.ca'}`] : [];

  let observed: Observed;
  const started = performance.now();
  try {
    // Node's roots and the extra CA as one context, made once per CA (src/http/trust.ts).
    observed = await handshake(base, context, observe, () => targetTrust(ca));
  } catch (error) {
    if (!(error instanceof HandshakeError)) throw error;
    return {
      outcome: 'error',
      summary: `TLS handshake with ${where} failed: ${handshakeProblem(error, host, context.requestTimeoutMs)}`,
      evidence: { request, facts: { host, port, error: error.code } },
      retryable: RETRYABLE_CODES.has(error.code),
    };
  }
  const handshakeMs = Math.round(performance.now() - started);

  const leaf = observed.chain[0];
  if (!leaf) return { outcome: 'error', summary: `${where} completed the handshake without presenting a certificate`, evidence: { request } };

  const expect = spec.expect ?? DEFAULT_TLS_EXPECT;
  const probes = expect.legacyProtocols !== undefined ? await Promise.all(LEGACY_VERSIONS.map((version) => probeLegacy(base, version, context))) : [];

  const validTo = new Date(leaf.valid_to);
  const days = Math.floor((validTo.getTime() - now.getTime()) / DAY_MS);
  const identityError = tls.checkServerIdentity(host, leaf);
  // Node checks the host name only after the chain verified, so this code means the chain is fine.
  const chainError = observed.authorizationError === 'ERR_TLS_CERT_ALTNAME_INVALID' ? undefined : observed.authorizationError;
  const chainValid = observed.authorized || chainError === undefined;

  const facts: Record<string, string | number | boolean> = {
    host,
    port,
    protocol: observed.protocol,
    cipher: observed.cipher,
    subject: distinguishedName(leaf.subject),
    issuer: distinguishedName(leaf.issuer),
    sans: leaf.subjectaltname ?? '',
    validFrom: isoDate(leaf.valid_from),
    validTo: isoDate(leaf.valid_to),
    daysUntilExpiry: days,
    chain: observed.chain.map((cert) => distinguishedName(cert.subject)).join(' → '),
    chainValid,
    hostnameMatch: identityError === undefined,
    handshakeMs,
  };
  if (observed.authorizationError !== undefined) facts.authorizationError = observed.authorizationError;
  for (const probe of probes) facts[`legacy ${probe.version}`] = probeFact(probe);

  const assertions: Assertion[] = [];
  if (expect.chainValid !== undefined) {
    assertions.push({
      subject: 'certificate chain',
      expected: expect.chainValid ? 'valid' : 'invalid',
      actual: chainError === undefined ? 'valid' : describeChainProblem(chainError, observed.chain),
      ok: chainValid === expect.chainValid,
    });
  }
  if (expect.hostnameMatch !== undefined) {
    assertions.push({
      subject: `hostname ${host}`,
      expected: expect.hostnameMatch ? 'listed in the certificate' : 'not listed in the certificate',
      actual: identityError === undefined ? 'listed' : `not listed (${identityCode(identityError)}); the certificate names ${leaf.subjectaltname ?? facts.subject}`,
      ok: (identityError === undefined) === expect.hostnameMatch,
    });
  }
  if (expect.daysUntilExpiry !== undefined) {
    const result = evaluate(expect.daysUntilExpiry, days);
    const until = `${days < 0 ? 'expired' : 'valid until'} ${isoDate(leaf.valid_to)}`;
    assertions.push({ subject: 'days until expiry', expected: result.expected, actual: `${days} (${until})`, ok: result.ok });
  }
  if (expect.protocol !== undefined) {
    assertions.push({ subject: 'protocol', ...evaluate(expect.protocol, observed.protocol), actual: show(observed.protocol) });
  }

  const evidence: Evidence = { request, facts };
  const legacy = expect.legacyProtocols === undefined ? undefined : legacyAssertion(probes, expect.legacyProtocols);
  if (legacy?.assertion) assertions.push(legacy.assertion);
  if (legacy?.inconclusive) notes.push(legacy.inconclusive);
  if (notes.length > 0) evidence.notes = notes;

  const result = resultFromAssertions(assertions, evidence, passSummary(observed.protocol, days, validTo, facts.issuer as string, probes));
  // An undecided probe never passes: without a failure elsewhere the item could not be evaluated.
  if (result.outcome === 'pass' && legacy?.inconclusive) return { ...result, outcome: 'error', summary: legacy.inconclusive };
  return result;
}

// ---------------------------------------------------------------- where to connect

interface Endpoint {
  host: string;
  port: number;
}

/** A problem with the check's own settings, said as is. */
class SetupError extends Error {}

function resolveEndpoint(spec: TlsCheck, context: CheckContext): Endpoint | { skip: string } {
  const named = spec.host === undefined ? undefined : stripBrackets(interpolate(spec.host, context.scope));
  const target = context.baseUrl;
  // Another host than the target's: the target's port says nothing about it.
  if (named !== undefined && named.toLowerCase() !== stripBrackets(target?.hostname ?? '')) return { host: named, port: spec.port ?? 443 };
  if (!target) throw new SetupError('no host to check: set tls.host, or a target URL');
  const host = stripBrackets(target.hostname);
  if (spec.port !== undefined) return { host, port: spec.port };
  if (target.protocol !== 'https:') {
    if (named !== undefined) return { host, port: 443 };
    return { skip: `the target is ${target.origin}; TLS checks need an https target or tls.host` };
  }
  return { host, port: target.port === '' ? 443 : Number(target.port) };
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The CA trusted beside Node's default store (with NODE_EXTRA_CA_CERTS): tls.ca, else target.ca. */
async function extraCa(spec: TlsCheck, context: CheckContext): Promise<string | undefined> {
  let extra = context.ca;
  if (spec.ca !== undefined) {
    const name = interpolate(spec.ca, context.scope);
    try {
      extra = await readFile(resolvePath(context.workspace, name), 'utf8');
    } catch (error) {
      throw new SetupError(`cannot read the CA file tls.ca "${name}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    const problem = caFileProblem(extra);
    if (problem !== undefined) throw new SetupError(`the CA file tls.ca "${name}" ${problem}`);
  }
  if (extra === undefined || extra.trim() === '') return undefined;
  return extra;
}

// ---------------------------------------------------------------- handshakes

interface Observed {
  authorized: boolean;
  /** The OpenSSL (or Node) code, e.g. DEPTH_ZERO_SELF_SIGNED_CERT. */
  authorizationError?: string;
  protocol: string;
  cipher: string;
  /** Leaf first, as far as the server's chain (or the verified chain) goes. */
  chain: tls.PeerCertificate[];
}

function observe(socket: tls.TLSSocket): Observed {
  const observed: Observed = {
    authorized: socket.authorized,
    protocol: socket.getProtocol() ?? 'unknown',
    cipher: socket.getCipher().name,
    chain: peerChain(socket.getPeerCertificate(true)),
  };
  // Typed as Error, but Node sets the code as a string.
  const reason = socket.authorizationError as unknown;
  if (typeof reason === 'string') observed.authorizationError = reason;
  else if (reason instanceof Error) observed.authorizationError = (reason as NodeJS.ErrnoException).code ?? reason.message;
  return observed;
}

/** Walks issuerCertificate from the leaf; a root points to itself, so stop on a repeat. */
function peerChain(leaf: tls.DetailedPeerCertificate): tls.PeerCertificate[] {
  const chain: tls.PeerCertificate[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = leaf;
  while (cert?.fingerprint256 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  return chain;
}

class HandshakeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** One handshake: read what is needed at secureConnect, then always destroy the socket. */
function handshake<T>(options: tls.ConnectionOptions, context: CheckContext, read: (socket: tls.TLSSocket) => T, trust: () => tls.ConnectionOptions = () => ({})): Promise<T> {
  const { signal, requestTimeoutMs } = context;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(new HandshakeError('ABORTED', 'the check was stopped before the handshake'));
      return;
    }
    let settled = false;
    let socket: tls.TLSSocket | undefined;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket?.destroy();
      settle();
    };
    const onAbort = () => finish(() => reject(new HandshakeError('ABORTED', 'the check was stopped (its time is up or the run was cancelled)')));
    const timer = setTimeout(() => finish(() => reject(new HandshakeError('TIMEOUT', `no answer within ${formatDuration(requestTimeoutMs)}`))), requestTimeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      socket = tls.connect({ ...options, ...trust() });
    } catch (error) {
      // Bad options (an unusable CA PEM) throw before any connection.
      finish(() => reject(new HandshakeError((error as NodeJS.ErrnoException).code ?? 'ERR_TLS_OPTIONS', (error as Error).message)));
      return;
    }
    const connected = socket;
    connected.on('error', (error: NodeJS.ErrnoException) => finish(() => reject(new HandshakeError(error.code ?? 'ERROR', error.message))));
    connected.once('secureConnect', () => {
      try {
        const value = read(connected);
        finish(() => resolve(value));
      } catch (error) {
        finish(() => reject(error instanceof Error ? error : new Error(String(error))));
      }
    });
  });
}

const RETRYABLE_CODES = new Set(['TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const NOT_TLS_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_RECORD_LAYER_FAILURE']);

/** Why the main handshake could not happen, in words a user can act on (the code kept). */
function handshakeProblem(error: HandshakeError, host: string, timeoutMs: number): string {
  const { code } = error;
  if (code === 'TIMEOUT') return `no TLS answer within ${formatDuration(timeoutMs)} (is the port firewalled, or the server stuck?)`;
  if (code === 'ABORTED') return error.message;
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED): nothing listens on that port';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host name ${host} does not resolve (${code})`;
  if (code === 'ECONNRESET') return 'the server closed the connection during the handshake (ECONNRESET)';
  if (NOT_TLS_CODES.has(code)) return `the server did not answer with TLS (${code}); is it plain HTTP on this port? Use the HTTPS port or an https:// target`;
  const weak = describeWeakHandshake(code);
  if (weak !== undefined) return weak;
  if (/ALERT_PROTOCOL_VERSION|ALERT_HANDSHAKE_FAILURE|UNSUPPORTED_PROTOCOL|NO_SHARED_CIPHER/.test(code)) {
    return `the server accepts no protocol or cipher a current client offers (TLS 1.2 or 1.3) (${code})`;
  }
  // OpenSSL's own line carries addresses and source paths: keep its reason only.
  return `${opensslReason(firstLine(error.message))} (${code})`;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? text;
}

// ---------------------------------------------------------------- legacy protocol probe

interface Probe {
  version: (typeof LEGACY_VERSIONS)[number];
  state: 'refused' | 'offered' | 'inconclusive';
  /** The error code behind refused / inconclusive. */
  detail?: string;
}

// Only the server saying no counts as "refused"; anything else (a client-side refusal such as
// ERR_SSL_NO_PROTOCOLS_AVAILABLE, a timeout) leaves the question open.
const REFUSAL = /ALERT_PROTOCOL_VERSION|ALERT_HANDSHAKE_FAILURE/;

async function probeLegacy(base: tls.ConnectionOptions, version: Probe['version'], context: CheckContext): Promise<Probe> {
  // Node's default security level will not offer TLS 1.0/1.1 (or their SHA-1 signatures);
  // without SECLEVEL=0 the client refuses on its own and "not offered" is a false pass.
  const options: tls.ConnectionOptions = { ...base, minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' };
  try {
    await handshake(options, context, () => undefined);
    return { version, state: 'offered' };
  } catch (error) {
    if (!(error instanceof HandshakeError)) throw error;
    if (error.code === 'ECONNRESET' || REFUSAL.test(error.code)) return { version, state: 'refused', detail: error.code };
    const why = error.code === 'TIMEOUT' || error.code === 'ABORTED' ? error.message : error.code;
    return { version, state: 'inconclusive', detail: why };
  }
}

function probeFact(probe: Probe): string {
  return probe.state === 'inconclusive' ? `inconclusive: ${probe.detail ?? 'unknown'}` : probe.state;
}

/** The legacy assertion when the probes decide it, else a note saying why they could not. */
function legacyAssertion(probes: Probe[], wanted: boolean): { assertion?: Assertion; inconclusive?: string } {
  const offered = probes.filter((probe) => probe.state === 'offered');
  const open = probes.filter((probe) => probe.state === 'inconclusive');
  const actual = probes.map((probe) => `${probe.version} ${probeFact(probe)}`).join(', ');
  const subject = 'legacy protocols (TLS 1.0, 1.1)';
  const inconclusive =
    open.length > 0 ? `could not tell whether ${open.map((probe) => `${probe.version} is offered (${probe.detail ?? 'unknown'})`).join(' or ')}` : undefined;
  // One offered version decides "offered"; "refused" needs every probe to have an answer.
  if (offered.length > 0 || open.length === 0) {
    const assertion = { subject, expected: wanted ? 'offered' : 'refused', actual, ok: wanted === offered.length > 0 };
    return inconclusive ? { assertion, inconclusive } : { assertion };
  }
  return inconclusive ? { inconclusive } : {};
}

// ---------------------------------------------------------------- words

// OpenSSL verify codes (as Node reports them) in plain words; the code is always kept.
function identityCode(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? error.message;
}

/** "CN=localhost, O=Acme" from Node's subject/issuer object (CN and O, else every field). */
function distinguishedName(name: tls.Certificate | undefined): string {
  if (!name) return '';
  const fields = name as unknown as Record<string, string | string[] | undefined>;
  const keys = ['CN', 'O'].filter((key) => fields[key] !== undefined);
  const shown = keys.length > 0 ? keys : Object.keys(fields);
  return shown.map((key) => `${key}=${[fields[key]].flat().join('+')}`).join(', ');
}

function isoDate(text: string): string {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

function passSummary(protocol: string, days: number, validTo: Date, issuer: string, probes: Probe[]): string {
  const legacy = probes.map((probe) => `, ${probe.version} ${probe.state}`).join('');
  return `${protocol}, certificate valid for ${days} more days (until ${validTo.toISOString().slice(0, 10)}), issued by ${issuer}${legacy}`;
}
