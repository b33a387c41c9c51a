// target.ca: one secure context per CA, kept for every connection, that trusts the CA and
// Node's default store and nothing else: a certificate from another private CA still fails.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { caFileProblem, targetTrust } from '../../src/http/trust.ts';
import { createCa, localhostCert, type PemPair } from '../../test-support/certs.ts';
import { startServer, type RunningServer } from '../../test-support/servers.ts';

let ours: PemPair;
let other: PemPair;
let staging: RunningServer;
let otherStaging: RunningServer;

beforeAll(async () => {
  ours = await createCa();
  other = await createCa();
  staging = await startServer((_req, res) => res.end('ok'), { tls: await localhostCert(ours) });
  otherStaging = await startServer((_req, res) => res.end('ok'), { tls: await localhostCert(other) });
});

afterAll(async () => {
  await staging.close();
  await otherStaging.close();
});

/** Whether a TLS handshake with staging verifies under these options. */
function handshake(options: { secureContext?: unknown }, port = staging.port): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...(options as object) }, () => {
      socket.end();
      resolve('verified');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('targetTrust', () => {
  test('no extra CA: no options, Node decides with its own bundle', async () => {
    expect(targetTrust(undefined)).toEqual({});
    expect(await handshake(targetTrust(undefined))).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  test('the CA that signed staging is trusted; another private CA is not', async () => {
    expect(await handshake(targetTrust(ours.cert))).toBe('verified');
    expect(await handshake(targetTrust(other.cert))).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  test('one context per CA, made once', () => {
    expect(targetTrust(ours.cert).secureContext).toBe(targetTrust(ours.cert).secureContext);
    expect(targetTrust(ours.cert).secureContext).not.toBe(targetTrust(other.cert).secureContext);
  });

  // The default store cannot be shown with a public root offline; a CA given to Node through
  // NODE_EXTRA_CA_CERTS joins the same store, so it stands in for Node's bundle here.
  test("the context keeps Node's default store: a CA in NODE_EXTRA_CA_CERTS is still trusted beside target.ca", async () => {
    const extra = join(tmpdir(), `readiness-trust-extra-${process.pid}.pem`);
    writeFileSync(extra, other.cert);
    const script = `
      import { connect } from 'node:tls';
      import { targetTrust } from ${JSON.stringify(join(import.meta.dirname, '../../src/http/trust.ts'))};
      const trust = targetTrust(process.env.OURS_CA);
      const verify = (port) => new Promise((resolve) => {
        const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...trust }, () => { socket.end(); resolve('verified'); });
        socket.once('error', (error) => resolve(error.code));
      });
      console.log(JSON.stringify([await verify(${staging.port}), await verify(${otherStaging.port})]));
    `;
    // Not spawnSync: the servers answer from this process.
    const child = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: extra, OURS_CA: ours.cert },
      timeout: 20_000,
    }).finally(() => rmSync(extra, { force: true }));
    expect({ stderr: child.stderr, out: child.stdout.trim() }).toEqual({ stderr: '', out: '["verified","verified"]' });
  });

  test('a server signed by neither is refused with the CA added', async () => {
    const third = await createCa();
    const stranger = await startServer((_req, res) => res.end('ok'), { tls: await localhostCert(third) });
    try {
      expect(await handshake(targetTrust(ours.cert), stranger.port)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    } finally {
      await stranger.close();
    }
  });
});

describe('caFileProblem', () => {
  const damaged = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';

  test('one or more certificates that parse: no problem', () => {
    expect(caFileProblem(ours.cert)).toBeUndefined();
    expect(caFileProblem(`# staging CAs\n${ours.cert}\n${other.cert}`)).toBeUndefined();
  });

  test('no certificate, or one that does not parse, is named', () => {
    expect(caFileProblem('')).toBe('holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
    expect(caFileProblem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')).toBe('holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
    expect(caFileProblem(damaged)).toBe('holds a certificate that does not parse');
    expect(caFileProblem(`${ours.cert}\n${damaged}`)).toBe('holds a certificate that does not parse (certificate 2 of 2)');
  });
});
