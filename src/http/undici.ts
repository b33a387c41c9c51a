// The parts of undici readiness-gate uses, imported one by one: undici's index also
// loads fetch, WebSocket, caches, mocks and interceptors, which would be most of the
// bundle and of the start-up time while never running.
import AgentClass from 'undici/lib/dispatcher/agent.js';
import ClientClass from 'undici/lib/dispatcher/client.js';
import connector from 'undici/lib/core/connect.js';
import requestApi from 'undici/lib/api/api-request.js';
import type { buildConnector as BuildConnector, Dispatcher } from 'undici';
import { useBaselineWasmOnly } from '../util/wasm-tiering.ts';

export type { Dispatcher } from 'undici';
export const Agent = AgentClass;
export type Agent = InstanceType<typeof AgentClass>;
export const Client = ClientClass;
export type Client = InstanceType<typeof ClientClass>;

/**
 * undici's connector, which also keeps undici's parser on V8's baseline compiler (see
 * src/util/wasm-tiering.ts). undici compiles the parser on an HTTP/1 connection's socket the
 * moment a connector hands it over, so that is when the flag is set; an h2 connection
 * (chosen in the TLS handshake) has no use for the parser.
 */
export function buildConnector(options: BuildConnector.BuildOptions): BuildConnector.connector {
  const connect = connector(options);
  return (connectOptions, callback) =>
    connect(connectOptions, (...result) => {
      const [error, socket] = result;
      if (error === null && (socket as { alpnProtocol?: string | false }).alpnProtocol !== 'h2') useBaselineWasmOnly();
      callback(...result);
    });
}

/** undici's `dispatcher.request(options)` (the index adds it to every dispatcher). */
export function request(dispatcher: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return requestApi.call(dispatcher, options);
}
