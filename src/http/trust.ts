// The certificates a connection to the target trusts: Node's bundle, plus target.ca when the
// staging certificate is signed by a private CA. Made into one TLS secure context per CA and
// kept: Node parses every trusted certificate (about 150) whenever a context is made, about
// 15 ms, and a `ca` option on tls.connect makes a new one for every connection.
// node:tls itself (about 10 ms to load) is taken only then: a run against http staging never
// needs it, and undici loads it only for https.
import type { SecureContext } from 'node:tls';

const contexts = new Map<string, SecureContext>();

/** TLS options for a connection to the target: nothing to add without an extra CA. */
export function targetTrust(ca: string | undefined): { secureContext?: SecureContext } {
  if (!ca) return {};
  let context = contexts.get(ca);
  if (context === undefined) {
    const { createSecureContext, getCACertificates } = process.getBuiltinModule('node:tls');
    context = createSecureContext({ ca: [...getCACertificates('default'), ca] });
    contexts.set(ca, context);
  }
  return { secureContext: context };
}
