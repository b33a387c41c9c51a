// The parts of undici readiness-gate uses, imported one by one: undici's index also
// loads fetch, WebSocket, caches, mocks and interceptors, which would be most of the
// bundle and of the start-up time while never running.
import AgentClass from 'undici/lib/dispatcher/agent.js';
import ClientClass from 'undici/lib/dispatcher/client.js';
import connector from 'undici/lib/core/connect.js';
import requestApi from 'undici/lib/api/api-request.js';
import type { Dispatcher } from 'undici';

export type { Dispatcher } from 'undici';
export const Agent = AgentClass;
export type Agent = InstanceType<typeof AgentClass>;
export const Client = ClientClass;
export type Client = InstanceType<typeof ClientClass>;
export const buildConnector = connector;

/** undici's `dispatcher.request(options)` (the index adds it to every dispatcher). */
export function request(dispatcher: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return requestApi.call(dispatcher, options);
}
