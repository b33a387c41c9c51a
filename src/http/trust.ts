// The certificates a connection to the target trusts: Node's default store (its bundle, plus
// NODE_EXTRA_CA_CERTS), plus target.ca when the staging certificate is signed by a private CA.
// Made into one TLS secure context per CA and kept, because a `ca` option on tls.connect makes
// a new context for every connection.
// The CA is added to the context's own copy of the default store, not passed as `ca`: a `ca`
// list replaces the store, so it would have to repeat every default certificate, and Node
// parses each of those PEMs again (10 ms with Node's ~120, 27 ms on a machine whose
// NODE_EXTRA_CA_CERTS is the system bundle). Adding one certificate takes under 1 ms.
// node:tls itself (about 10 ms to load) is taken only here: a run against http staging never
// needs it, and undici loads it only for https.
import type { SecureContext } from 'node:tls';

const contexts = new Map<string, SecureContext>();

/** TLS options for a connection to the target: nothing to add without an extra CA. */
export function targetTrust(ca: string | undefined): { secureContext?: SecureContext } {
  if (!ca) return {};
  let context = contexts.get(ca);
  if (context === undefined) {
    context = process.getBuiltinModule('node:tls').createSecureContext();
    // Every certificate in the PEM text; text that is not a certificate adds nothing, and the
    // handshake then fails on the chain (as a `ca` list would).
    (context.context as { addCACert(pem: string): void }).addCACert(ca);
    contexts.set(ca, context);
  }
  return { secureContext: context };
}
