// target.ca: one secure context per CA, kept for every connection, that trusts the CA and
// Node's bundle and nothing else: a certificate from another private CA still fails.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { connect } from 'node:tls';
import { targetTrust } from '../../src/http/trust.ts';
import { createCa, localhostCert, type PemPair } from '../../test-support/certs.ts';
import { startServer, type RunningServer } from '../../test-support/servers.ts';

let ours: PemPair;
let other: PemPair;
let staging: RunningServer;

beforeAll(async () => {
  ours = await createCa();
  other = await createCa();
  staging = await startServer((_req, res) => res.end('ok'), { tls: await localhostCert(ours) });
});

afterAll(async () => {
  await staging.close();
});

/** Whether a TLS handshake with staging verifies under these options. */
function handshake(options: { secureContext?: unknown }): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: staging.port, servername: 'localhost', ...(options as object) }, () => {
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
});
