import { afterAll, describe, expect, test } from '@jest/globals';
import { request } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { createCa, expiredCert, expiringCert, issueCert, localhostCert, selfSignedCert, wrongHostCert, type PemPair } from '../../test-support/certs.ts';
import { startServer, type RunningServer } from '../../test-support/servers.ts';

const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function serve(pair: PemPair): Promise<RunningServer> {
  const server = await startServer((_req, res) => res.end('hello over tls'), { tls: pair });
  servers.push(server);
  return server;
}

/** GET https://<hostname>:port/ trusting `ca`; resolves with the body or the TLS error code. */
function get(port: number, ca: string | undefined, hostname = 'localhost'): Promise<{ body?: string; code?: string; protocol?: string }> {
  return new Promise((resolve) => {
    const req = request({ hostname, port, path: '/', ca, agent: false, timeout: 5000 }, (res) => {
      const protocol = (res.socket as import('node:tls').TLSSocket).getProtocol() ?? undefined;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ body, ...(protocol ? { protocol } : {}) }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code ?? error.message }));
    req.end();
  });
}

describe('test-support certificates', () => {
  let ca: PemPair;

  test('a CA is a CA and issues leaves with the requested SANs', async () => {
    ca = await createCa({ commonName: 'Skyway test CA' });
    const caCert = new X509Certificate(ca.cert);
    expect(caCert.ca).toBe(true);
    expect(caCert.subject).toContain('CN=Skyway test CA');

    const leaf = new X509Certificate((await localhostCert(ca)).cert);
    expect(leaf.ca).toBe(false);
    expect(leaf.subject).toBe('CN=localhost');
    expect(leaf.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(leaf.checkIssued(caCert)).toBe(true);
    expect(leaf.verify(caCert.publicKey)).toBe(true);
    const days = (Date.parse(leaf.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThan(91);
  });

  test('a client trusting the CA connects to localhost and 127.0.0.1', async () => {
    const server = await serve(await localhostCert(ca));
    await expect(get(server.port, ca.cert)).resolves.toEqual({ body: 'hello over tls', protocol: 'TLSv1.3' });
    await expect(get(server.port, ca.cert, '127.0.0.1')).resolves.toMatchObject({ body: 'hello over tls' });
    // Without the CA the same server is untrusted.
    await expect(get(server.port, undefined)).resolves.toEqual({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  test('an expired certificate fails with CERT_HAS_EXPIRED', async () => {
    const server = await serve(await expiredCert(ca));
    await expect(get(server.port, ca.cert)).resolves.toEqual({ code: 'CERT_HAS_EXPIRED' });
  });

  test('an expiring certificate is still valid and ends when asked', async () => {
    const pair = await expiringCert(ca, 10);
    const days = Math.floor((Date.parse(new X509Certificate(pair.cert).validTo) - Date.now()) / 86_400_000);
    expect(days).toBe(10);
    const server = await serve(pair);
    await expect(get(server.port, ca.cert)).resolves.toMatchObject({ body: 'hello over tls' });
  });

  test('a certificate for another host fails with ERR_TLS_CERT_ALTNAME_INVALID', async () => {
    const server = await serve(await wrongHostCert(ca));
    await expect(get(server.port, ca.cert)).resolves.toEqual({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  test('a self-signed certificate fails with DEPTH_ZERO_SELF_SIGNED_CERT', async () => {
    const pair = await selfSignedCert({ hosts: ['localhost', '127.0.0.1'] });
    expect(new X509Certificate(pair.cert).ca).toBe(false);
    const server = await serve(pair);
    await expect(get(server.port, ca.cert)).resolves.toEqual({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    // Trusting the certificate itself makes it work: the key and the cert belong together.
    await expect(get(server.port, pair.cert)).resolves.toMatchObject({ body: 'hello over tls' });
  });

  test('RSA keys work for the CA and the leaf, and an RSA leaf under an EC CA', async () => {
    const rsaCa = await createCa({ keyType: 'rsa' });
    const rsaLeaf = await issueCert(rsaCa, { hosts: ['localhost'], keyType: 'rsa' });
    expect(new X509Certificate(rsaLeaf.cert).publicKey.asymmetricKeyType).toBe('rsa');
    const server = await serve(rsaLeaf);
    await expect(get(server.port, rsaCa.cert)).resolves.toMatchObject({ body: 'hello over tls' });

    const mixed = await serve(await localhostCert(ca, { keyType: 'rsa' }));
    await expect(get(mixed.port, ca.cert)).resolves.toMatchObject({ body: 'hello over tls' });
  });

  test('an RSA server can be limited to TLS 1.2', async () => {
    const server = await startServer((_req, res) => res.end('old'), { tls: { ...(await localhostCert(ca, { keyType: 'rsa' })), maxVersion: 'TLSv1.2' } });
    servers.push(server);
    await expect(get(server.port, ca.cert)).resolves.toEqual({ body: 'old', protocol: 'TLSv1.2' });
  });
});

describe('test-support servers', () => {
  test('listens on 127.0.0.1 and close() does not wait for keep-alive clients', async () => {
    const server = await startServer((req, res) => res.end(`${req.method} ${req.url}`));
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const response = await fetch(`${server.url}/path?q=1`, { signal: AbortSignal.timeout(5000) });
    expect(await response.text()).toBe('GET /path?q=1');
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(fetch(server.url, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
  });
});
