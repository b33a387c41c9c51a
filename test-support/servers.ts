// Real HTTP(S) servers for tests, benchmarks and the demo: loopback only, an ephemeral
// port, and a close() that also drops keep-alive connections so nothing hangs.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { SecureVersion } from 'node:tls';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ServerOptions {
  tls?: { cert: string; key: string; ca?: string; minVersion?: SecureVersion; maxVersion?: SecureVersion; ciphers?: string };
  /** Interface to listen on. Default 127.0.0.1; keep it a loopback address. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
}

export interface RunningServer {
  /** http(s)://127.0.0.1:PORT (IPv6 hosts in brackets), no trailing slash. */
  url: string;
  port: number;
  host: string;
  server: Server;
  close(): Promise<void>;
}

export async function startServer(handler: Handler, options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = options.tls ? createHttpsServer(options.tls, handler) : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    host,
    server,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** A free TCP port on loopback (bound and released) for a server started by another program. */
export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
