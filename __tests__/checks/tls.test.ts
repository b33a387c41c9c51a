import { describe, expect, test, beforeAll, afterAll } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckContext } from '../../src/checks/context.ts';
import { runTlsCheck, runTlsCheckAt, tlsCheckFromBuiltin, type TlsCheck } from '../../src/checks/tls.ts';
import { HttpClient } from '../../src/http/client.ts';
import { Redactor } from '../../src/util/redact.ts';
import { createCa, expiredCert, expiringCert, localhostCert, selfSignedCert, wrongHostCert, type PemPair } from '../../test-support/certs.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../test-support/servers.ts';
import { checkContext } from '../../test-support/check-context.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

let ca: PemPair;
let workspace: string;
const http = new HttpClient({ perHost: 2 });
const redactor = new Redactor();
const servers: RunningServer[] = [];
const rawServers: { server: Server; sockets: Set<Socket> }[] = [];

beforeAll(async () => {
  ca = await createCa({ commonName: 'tls check test CA' });
  workspace = await mkdtemp(join(tmpdir(), 'readiness-tls-'));
  await writeFile(join(workspace, 'ca.pem'), ca.cert);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  for (const { server, sockets } of rawServers) {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
  await http.close();
  await rm(workspace, { recursive: true, force: true });
});

function context(overrides: Partial<CheckContext> = {}): CheckContext {
  return { ...checkContext({ http, workspace, redactor }), ...overrides };
}

async function serveTls(pair: PemPair, tls: Omit<NonNullable<ServerOptions['tls']>, 'cert' | 'key'> = {}): Promise<RunningServer> {
  const server = await startServer((_req, res) => res.end('ok'), { tls: { ...pair, ...tls } });
  servers.push(server);
  return server;
}

/** A raw TCP server on loopback; its sockets are destroyed in afterAll. */
async function serveTcp(onConnection: (socket: Socket, index: number) => void): Promise<number> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket, count++);
  });
  rawServers.push({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The check against localhost:port trusting the test CA from a file in the workspace. */
function atLocalhost(port: number, expect?: TlsCheck['expect']): TlsCheck {
  return { host: 'localhost', port, ca: 'ca.pem', ...(expect ? { expect } : {}) };
}

describe('tls check: certificates', () => {
  test('a valid chain from a CA given as a file passes with every fact', async () => {
    const server = await serveTls(await localhostCert(ca));
    const result = await runTlsCheck(atLocalhost(server.port), context());

    expect(result.outcome).toBe('pass');
    expect(result.summary).toMatch(/^TLSv1\.3, certificate valid for 89 more days \(until \d{4}-\d\d-\d\d\), issued by CN=tls check test CA$/);
    const facts = result.evidence.facts ?? {};
    expect(facts).toMatchObject({
      host: 'localhost',
      port: server.port,
      protocol: 'TLSv1.3',
      subject: 'CN=localhost',
      issuer: 'CN=tls check test CA',
      sans: 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
      daysUntilExpiry: 89,
      chain: 'CN=localhost → CN=tls check test CA',
      chainValid: true,
      hostnameMatch: true,
    });
    expect(facts.cipher).toMatch(/^TLS_/);
    expect(facts.validFrom).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(Date.parse(facts.validTo as string) - Date.now()).toBeGreaterThan(89 * DAY_MS);
    expect(facts.authorizationError).toBeUndefined();
    expect(result.evidence.request).toBe(`TLS handshake with localhost:${server.port} (SNI localhost)`);
    expect(result.evidence.notes).toEqual(['extra trusted CAs from tls.ca (ca.pem)']);
    expect(result.evidence.assertions?.map((a) => [a.subject, a.ok])).toEqual([
      ['certificate chain', true],
      ['hostname localhost', true],
      ['days until expiry', true],
      ['protocol', true],
    ]);
  });

  test('the CA from target.ca and the port from an https target URL work too', async () => {
    const server = await serveTls(await localhostCert(ca));
    const result = await runTlsCheck({}, context({ baseUrl: new URL(`https://localhost:${server.port}/app/`), ca: ca.cert }));
    expect(result.outcome).toBe('pass');
    expect(result.evidence.facts).toMatchObject({ host: 'localhost', port: server.port, chainValid: true, protocol: 'TLSv1.3' });
    expect(result.evidence.notes).toEqual(['extra trusted CAs from target.ca']);
  });

  test('without the private CA the chain is untrusted, and the message says how to fix it', async () => {
    const server = await serveTls(await localhostCert(ca));
    const result = await runTlsCheck({ host: 'localhost', port: server.port }, context());
    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe(
      'certificate chain: expected valid, got incomplete chain or untrusted CA (serve the missing intermediate; for a private CA set tls.ca or target.ca) (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
    );
    expect(result.evidence.facts).toMatchObject({ authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', chainValid: false, hostnameMatch: true });
  });

  test('an expired certificate fails on the chain and on the days left', async () => {
    const server = await serveTls(await expiredCert(ca));
    const result = await runTlsCheck(atLocalhost(server.port), context());
    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe('certificate chain: expected valid, got expired (CERT_HAS_EXPIRED) (+1 more)');
    const days = result.evidence.assertions?.find((a) => a.subject === 'days until expiry');
    expect(days).toMatchObject({ ok: false, expected: '≥ 14' });
    // It ended a day (and a few ms) ago: the floor of the days left is -2.
    expect(days?.actual).toMatch(/^-2 \(expired \d{4}-/);
    expect(result.evidence.facts).toMatchObject({ daysUntilExpiry: -2, chainValid: false, authorizationError: 'CERT_HAS_EXPIRED' });
  });

  test('a certificate expiring in 5 days fails { gte: 14 } with the number of days', async () => {
    const server = await serveTls(await expiringCert(ca, 5));
    const result = await runTlsCheck(atLocalhost(server.port, { daysUntilExpiry: { gte: 14 } }), context());
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(/^days until expiry: expected ≥ 14, got 5 \(valid until \d{4}-\d\d-\d\dT/);
    expect(result.evidence.assertions).toHaveLength(1);
  });

  test('the clock is injectable: 80 days from now a 90-day certificate has 9 days left', async () => {
    const server = await serveTls(await localhostCert(ca));
    const later = new Date(Date.now() + 80 * DAY_MS);
    const result = await runTlsCheckAt(atLocalhost(server.port), context(), later);
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(/^days until expiry: expected ≥ 14, got 9 /);
  });

  test('a certificate for another host fails the hostname while the chain is valid', async () => {
    const server = await serveTls(await wrongHostCert(ca));
    const result = await runTlsCheck(atLocalhost(server.port), context());
    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe(
      'hostname localhost: expected listed in the certificate, got not listed (ERR_TLS_CERT_ALTNAME_INVALID); the certificate names DNS:wrong.example',
    );
    const chain = result.evidence.assertions?.find((a) => a.subject === 'certificate chain');
    expect(chain).toMatchObject({ ok: true, actual: 'valid' });
    expect(result.evidence.facts).toMatchObject({ chainValid: true, hostnameMatch: false, authorizationError: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  test('a self-signed certificate fails the chain with DEPTH_ZERO_SELF_SIGNED_CERT; the hostname still matches', async () => {
    const server = await serveTls(await selfSignedCert({ hosts: ['localhost', '127.0.0.1'] }));
    const result = await runTlsCheck(atLocalhost(server.port), context());
    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe('certificate chain: expected valid, got self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(result.evidence.facts).toMatchObject({ chainValid: false, hostnameMatch: true, subject: 'CN=localhost', issuer: 'CN=localhost' });
  });

  test('an IP address target is checked against IP SANs, without SNI', async () => {
    const server = await serveTls(await localhostCert(ca));
    const result = await runTlsCheck({ host: '127.0.0.1', port: server.port, ca: 'ca.pem' }, context());
    expect(result.outcome).toBe('pass');
    expect(result.evidence.request).toBe(`TLS handshake with 127.0.0.1:${server.port}`);
  });

  test('the protocol predicate is evaluated against the negotiated version', async () => {
    const server = await serveTls(await localhostCert(ca), { maxVersion: 'TLSv1.2' });
    const result = await runTlsCheck(atLocalhost(server.port, { protocol: 'TLSv1.3' }), context());
    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe('protocol: expected "TLSv1.3", got "TLSv1.2"');
  });
});

describe('tls check: legacy protocols', () => {
  test('a server that offers TLS 1.0 and 1.1 fails legacyProtocols: false', async () => {
    // SECLEVEL=0 on the server too: OpenSSL 3 will not negotiate TLS 1.0/1.1 otherwise.
    const server = await serveTls(await localhostCert(ca, { keyType: 'rsa' }), { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
    const result = await runTlsCheck(atLocalhost(server.port, { legacyProtocols: false }), context());
    expect(result.outcome).toBe('fail');
    expect(result.summary).toBe('legacy protocols (TLS 1.0, 1.1): expected refused, got TLSv1 offered, TLSv1.1 offered');
    expect(result.evidence.facts).toMatchObject({ 'legacy TLSv1': 'offered', 'legacy TLSv1.1': 'offered', protocol: 'TLSv1.3' });
  });

  test('a modern-only server passes legacyProtocols: false (the server refuses)', async () => {
    const server = await serveTls(await localhostCert(ca));
    const result = await runTlsCheck(atLocalhost(server.port, { legacyProtocols: false }), context());
    expect(result.outcome).toBe('pass');
    expect(result.summary).toMatch(/, TLSv1 refused, TLSv1\.1 refused$/);
    expect(result.evidence.facts).toMatchObject({ 'legacy TLSv1': 'refused', 'legacy TLSv1.1': 'refused' });
  });

  test('a probe without an answer is inconclusive: the item is an error, never a pass', async () => {
    const upstream = await serveTls(await localhostCert(ca));
    // The first connection (the main handshake) reaches the TLS server; the probes hang.
    const port = await serveTcp((socket, index) => {
      if (index > 0) return;
      const forward = connect(upstream.port, '127.0.0.1');
      forward.on('error', () => socket.destroy());
      socket.pipe(forward).pipe(socket);
    });
    const result = await runTlsCheck(atLocalhost(port, { legacyProtocols: false }), context({ requestTimeoutMs: 500 }));
    expect(result.outcome).toBe('error');
    expect(result.summary).toBe('could not tell whether TLSv1 is offered (no answer within 500ms) or TLSv1.1 is offered (no answer within 500ms)');
    expect(result.evidence.facts).toMatchObject({ 'legacy TLSv1': 'inconclusive: no answer within 500ms', chainValid: true });
  });
});

describe('tls check: no handshake', () => {
  test('a closed port is an error naming host:port', async () => {
    const port = await serveTcp(() => undefined);
    const closing = rawServers.at(-1)?.server;
    await new Promise<void>((resolve) => closing?.close(() => resolve()));
    const result = await runTlsCheck({ host: '127.0.0.1', port }, context());
    expect(result.outcome).toBe('error');
    expect(result.summary).toBe(`TLS handshake with 127.0.0.1:${port} failed: connection refused (ECONNREFUSED): nothing listens on that port`);
    expect(result.retryable).toBe(true);
  });

  test('plain HTTP on the port is an error that says so', async () => {
    const server = await startServer((_req, res) => res.end('not tls'));
    servers.push(server);
    const result = await runTlsCheck({ host: '127.0.0.1', port: server.port }, context());
    expect(result.outcome).toBe('error');
    expect(result.summary).toContain(`TLS handshake with 127.0.0.1:${server.port} failed: the server did not answer with TLS (ERR_SSL_WRONG_VERSION_NUMBER)`);
    expect(result.summary).toContain('plain HTTP');
  });

  test('a server that accepts TCP and never answers is an error at the timeout', async () => {
    const port = await serveTcp(() => undefined);
    const started = Date.now();
    const result = await runTlsCheck({ host: '127.0.0.1', port }, context({ requestTimeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.outcome).toBe('error');
    expect(result.summary).toMatch(new RegExp(`^TLS handshake with 127\\.0\\.0\\.1:${port} failed: no TLS answer within 300ms`));
  });

  test('an aborted item does not connect', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await runTlsCheck({ host: '127.0.0.1', port: 9 }, context({ signal: controller.signal }));
    expect(result.outcome).toBe('error');
    expect(result.summary).toContain('stopped');
  });

  test('an http:// target without tls.host is skipped with the reason', async () => {
    const result = await runTlsCheck({}, context({ baseUrl: new URL('http://127.0.0.1:8000/') }));
    expect(result).toEqual({
      outcome: 'skip',
      summary: 'the target is http://127.0.0.1:8000; TLS checks need an https target or tls.host',
      evidence: {},
    });
  });

  test('a CA file whose certificate cannot be parsed is an error naming the file, not a chain failure', async () => {
    await writeFile(join(workspace, 'broken.pem'), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
    const server = await serveTls(await localhostCert(ca));
    const result = await runTlsCheck({ host: 'localhost', port: server.port, ca: 'broken.pem', expect: { chainValid: true } }, context());
    expect(result).toMatchObject({ outcome: 'error', summary: 'the CA file tls.ca "broken.pem" holds a certificate that does not parse' });
  });

  test('a missing CA file is an error naming the file', async () => {
    const result = await runTlsCheck({ host: '127.0.0.1', port: 9, ca: 'nope.pem' }, context());
    expect(result).toMatchObject({ outcome: 'error', summary: 'cannot read the CA file tls.ca "nope.pem": ENOENT' });
  });
});

describe('tlsCheckFromBuiltin', () => {
  test('defaults: 14 days, legacy protocols refused', () => {
    expect(tlsCheckFromBuiltin({})).toEqual({
      expect: { chainValid: true, hostnameMatch: true, daysUntilExpiry: { gte: 14 }, protocol: { in: ['TLSv1.2', 'TLSv1.3'] }, legacyProtocols: false },
    });
  });

  test('parameters set the margin and allow legacy protocols (no probe)', () => {
    const check = tlsCheckFromBuiltin({ minDaysUntilExpiry: 30, allowLegacyProtocols: true });
    expect(check.expect?.daysUntilExpiry).toEqual({ gte: 30 });
    expect(check.expect).not.toHaveProperty('legacyProtocols');
  });
});
