// Credentials for the Prometheus / Alertmanager HTTP API, shared by the metrics check
// and the prometheus/ and alertmanager/ built-ins.
import { z } from 'zod';

export const metricsAuth = z
  .strictObject({
    bearer: z.string().optional().meta({ description: 'A bearer token, e.g. "{{ secrets.PROMETHEUS_TOKEN }}".' }),
    username: z.string().optional(),
    password: z.string().optional().meta({ description: 'Basic auth; use "{{ secrets.NAME }}".' }),
  })
  .refine((auth) => (auth.bearer !== undefined) !== (auth.username !== undefined && auth.password !== undefined), {
    message: 'auth takes either bearer, or username and password',
  })
  .meta({
    id: 'MetricsAuth',
    description: 'Credentials for the Prometheus / Alertmanager HTTP API.',
    // The refinement above, for the JSON Schema (src/manifest/json-schema.ts).
    oneOf: [{ required: ['bearer'] }, { required: ['username', 'password'] }],
  });
export type MetricsAuth = z.infer<typeof metricsAuth>;
