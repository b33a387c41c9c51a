// The CheckContext a check runner gets from the pipeline, built by hand for tests: the
// caller's HttpClient, a fresh redactor, an env, and the staging URL when there is one.
import type { CheckContext } from '../src/checks/context.ts';
import type { HttpClient } from '../src/http/client.ts';
import { Redactor } from '../src/util/redact.ts';

export interface TestContextOptions {
  http: HttpClient;
  /** The staging URL; also fills {{ target.* }}. */
  baseUrl?: string;
  env?: Readonly<Record<string, string | undefined>>;
  workspace?: string;
  signal?: AbortSignal;
  requestTimeoutMs?: number;
  commandsAllowed?: CheckContext['commandsAllowed'];
  ca?: string;
  redactor?: Redactor;
}

export function checkContext(options: TestContextOptions): CheckContext {
  const redactor = options.redactor ?? new Redactor();
  const context: CheckContext = {
    http: options.http,
    scope: { env: options.env ?? {}, git: {}, redactor },
    redactor,
    signal: options.signal ?? new AbortController().signal,
    requestTimeoutMs: options.requestTimeoutMs ?? 5000,
    workspace: options.workspace ?? process.cwd(),
    commandsAllowed: options.commandsAllowed ?? { allowed: true },
  };
  if (options.baseUrl !== undefined) {
    const base = new URL(options.baseUrl);
    context.baseUrl = base;
    context.scope.target = { url: options.baseUrl, host: base.host, origin: base.origin };
  }
  if (options.ca !== undefined) context.ca = options.ca;
  return context;
}
