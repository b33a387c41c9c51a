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
    // Every certificate in the PEM text. Text that is not one would add nothing in silence, so
    // the file is checked when it is read (caFileProblem below).
    (context.context as { addCACert(pem: string): void }).addCACert(ca);
    contexts.set(ca, context);
  }
  return { secureContext: context };
}

// OpenSSL's TRUSTED CERTIFICATE form is accepted by Node's store too; X509Certificate does not
// read it, so those are counted and left to the handshake.
const PEM_CERTIFICATE = /-----BEGIN (TRUSTED )?CERTIFICATE-----[^-]*-----END \1CERTIFICATE-----/g;

/**
 * Why `text` cannot serve as extra trusted CAs, or undefined when it can. Node adds the
 * certificates it can parse and ignores the rest without a word, so a damaged file would
 * otherwise show up only as "unable to verify" on the staging chain.
 */
export function caFileProblem(text: string): string | undefined {
  const blocks = [...text.matchAll(PEM_CERTIFICATE)];
  if (blocks.length === 0) return 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)';
  const { X509Certificate } = process.getBuiltinModule('node:crypto');
  for (const [index, [block, trusted]] of blocks.entries()) {
    if (trusted !== undefined) continue;
    try {
      new X509Certificate(block);
    } catch {
      return blocks.length === 1 ? 'holds a certificate that does not parse' : `holds a certificate that does not parse (certificate ${index + 1} of ${blocks.length})`;
    }
  }
  return undefined;
}
