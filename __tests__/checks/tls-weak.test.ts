// Certificates and key exchanges that today's clients refuse as too weak: the tls check
// names the weakness ("signature algorithm too weak (SHA-1)", "key too small (RSA 1024)"),
// never an OpenSSL code such as UNSPECIFIED. Certificates are generated here; the DH
// parameters come from openssl.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { runTlsCheck } from '../../src/checks/tls.ts';
import { HttpClient } from '../../src/http/client.ts';
import { createCa, issueCert, LOCALHOST_HOSTS, type PemPair } from '../../test-support/certs.ts';
import { checkContext } from '../../test-support/check-context.ts';

let ca: PemPair;
const http = new HttpClient({ perHost: 1 });
const servers: tls.Server[] = [];

beforeAll(async () => {
  ca = await createCa({ commonName: 'weak tls test CA', keyType: 'rsa' });
});

afterAll(async () => {
  for (const server of servers) server.close();
  await http.close();
});

/** A TLS server that will use weak material (OpenSSL's security level 0 lets it load it). */
async function serve(options: tls.TlsOptions): Promise<number> {
  const server = tls.createServer({ ciphers: 'DEFAULT@SECLEVEL=0', ...options }, (socket) => socket.end());
  server.on('tlsClientError', () => undefined);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

async function check(port: number) {
  const context = { ...checkContext({ http }), ca: ca.cert };
  return runTlsCheck({ host: 'localhost', port, expect: { chainValid: true, hostnameMatch: true } }, context);
}

describe('tls check: weak certificates', () => {
  test('a SHA-1 signature says so', async () => {
    const port = await serve(await issueCert(ca, { hosts: LOCALHOST_HOSTS, keyType: 'rsa', signatureHash: 'SHA-1' }));
    const result = await check(port);
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(/^certificate chain: expected valid, got signature algorithm too weak \(SHA-1\)/);
    expect(result.summary).not.toContain('UNSPECIFIED');
  });

  test('an RSA 1024 key says so', async () => {
    const port = await serve(await issueCert(ca, { hosts: LOCALHOST_HOSTS, keyType: 'rsa', rsaBits: 1024 }));
    const result = await check(port);
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(/^certificate chain: expected valid, got key too small \(RSA 1024\)/);
    expect(result.summary).not.toContain('UNSPECIFIED');
  });

  test('a 1024-bit Diffie-Hellman key exchange is named, not a raw OpenSSL line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'readiness-dh-'));
    try {
      const file = join(dir, 'dh1024.pem');
      await promisify(execFile)('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'dh_paramgen_prime_len:1024', '-out', file]);
      const cert = await issueCert(ca, { hosts: LOCALHOST_HOSTS, keyType: 'rsa' });
      // Only finite-field DHE on TLS 1.2, so the server's 1024-bit group is what the client gets.
      const port = await serve({ ...cert, dhparam: await readFile(file), ciphers: 'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384@SECLEVEL=0', maxVersion: 'TLSv1.2' });
      const result = await check(port);
      expect(result.outcome).toBe('error');
      expect(result.summary).toMatch(/failed: the server's Diffie-Hellman key is too small \(DH parameters under 2048 bits\); serve ECDHE/);
      expect(result.summary).not.toMatch(/error:[0-9A-F]{8}:SSL routines/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
