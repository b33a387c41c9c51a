// Credentials for the Prometheus / Alertmanager HTTP API, shared by the metrics check
// and the prometheus/ and alertmanager/ built-ins.
import { z } from 'zod/mini';
import { meta } from './primitives.ts';

export const metricsAuth = meta(
  z
    .strictObject({
      bearer: meta(z.optional(z.string()), { description: 'A bearer token, e.g. "{{ secrets.PROMETHEUS_TOKEN }}".' }),
      username: z.optional(z.string()),
      password: meta(z.optional(z.string()), { description: 'Basic auth; use "{{ secrets.NAME }}".' }),
    })
    .check(
      z.refine((auth) => (auth.bearer !== undefined) !== (auth.username !== undefined && auth.password !== undefined), {
        message: 'auth takes either bearer, or username and password',
      }),
    ),
  {
    id: 'MetricsAuth',
    description: 'Credentials for the Prometheus / Alertmanager HTTP API.',
    // The refinement above, for the JSON Schema (src/manifest/json-schema.ts).
    oneOf: [{ required: ['bearer'] }, { required: ['username', 'password'] }],
  },
);
export type MetricsAuth = z.infer<typeof metricsAuth>;
