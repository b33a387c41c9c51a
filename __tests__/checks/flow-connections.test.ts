// A flow reuses one connection per origin across its steps: counted by the server's own
// 'connection' events (TLS, as staging is, and plain HTTP).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runFlowCheck } from '../../src/checks/flow.ts';
import { HttpClient } from '../../src/http/client.ts';
import { createCa, localhostCert, type PemPair } from '../../test-support/certs.ts';
import { checkContext } from '../../test-support/check-context.ts';
import { startServer, type RunningServer } from '../../test-support/servers.ts';

let ca: PemPair;
const servers: RunningServer[] = [];

beforeAll(async () => {
  ca = await createCa();
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function countingServer(tls: boolean): Promise<{ server: RunningServer; connections: () => number }> {
  let connections = 0;
  const server = await startServer(
    (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url, token: 'abc' }));
    },
    tls ? { tls: await localhostCert(ca) } : {},
  );
  server.server.on(tls ? 'secureConnection' : 'connection', () => connections++);
  servers.push(server);
  return { server, connections: () => connections };
}

describe('flow connections', () => {
  test.each([
    ['https', true],
    ['http', false],
  ])('a 4-step flow over %s opens one connection', async (_name, tls) => {
    const { server, connections } = await countingServer(tls);
    const http = new HttpClient({ perHost: 6, ...(tls ? { ca: ca.cert } : {}) });
    try {
      const result = await runFlowCheck(
        {
          steps: [
            { request: 'GET /login/', capture: { token: { json: '$.token' } } },
            { request: { method: 'POST', url: '/login/', body: 'token={{ token }}' } },
            { request: 'GET /bookings/' },
            { request: 'GET /bookings/1/' },
          ],
        },
        checkContext({ http, baseUrl: server.url, ...(tls ? { ca: ca.cert } : {}) }),
      );
      expect(result.outcome).toBe('pass');
      expect(connections()).toBe(1);
    } finally {
      await http.close();
    }
  });
});
