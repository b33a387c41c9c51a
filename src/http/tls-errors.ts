// OpenSSL verification codes in words a user can act on. Shared by the HTTP client
// (a request that failed its handshake) and the tls check (a chain judged on purpose).
import type { X509Certificate } from 'node:crypto';

export const CHAIN_PROBLEMS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted CA (a self-signed root not in the trust store; for a private CA set tls.ca or target.ca)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'incomplete chain or untrusted CA (serve the missing intermediate; for a private CA set tls.ca or target.ca)',
  UNABLE_TO_GET_ISSUER_CERT: 'incomplete chain (an issuer certificate is missing)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'incomplete chain or untrusted CA (serve the missing intermediate; for a private CA set tls.ca or target.ca)',
  CERT_SIGNATURE_FAILURE: 'bad signature',
  CERT_REVOKED: 'revoked',
  CERT_UNTRUSTED: 'untrusted',
  CERT_REJECTED: 'rejected by the trust store',
  INVALID_CA: 'an intermediate is not a valid CA',
  INVALID_PURPOSE: 'not valid for server authentication',
  PATH_LENGTH_EXCEEDED: 'chain longer than a CA allows',
  CERT_CHAIN_TOO_LONG: 'chain too long',
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 'unreadable issuer key',
  ERROR_IN_CERT_NOT_BEFORE_FIELD: 'malformed validity dates',
  ERROR_IN_CERT_NOT_AFTER_FIELD: 'malformed validity dates',
  CA_MD_TOO_WEAK: 'signature algorithm too weak (SHA-1 or MD5)',
  EE_KEY_TOO_SMALL: 'key too small (under 2048 bits)',
  CA_KEY_TOO_SMALL: 'CA key too small (under 2048 bits)',
};

/** "self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)", or the code itself when it is not one of ours. */
export function describeChainError(code: string): string {
  const words = CHAIN_PROBLEMS[code];
  return words ? `${words} (${code})` : code;
}

/**
 * OpenSSL's answers for a certificate below the client's security level; UNSPECIFIED is what
 * Node reports for a SHA-1 signature or a 1024-bit key. The chain itself says which.
 */
const WEAKNESS_CODES = new Set(['UNSPECIFIED', 'CA_MD_TOO_WEAK', 'EE_KEY_TOO_SMALL', 'CA_KEY_TOO_SMALL']);

/** Smallest RSA/DSA key today's clients accept (OpenSSL security level 2). */
const MIN_KEY_BITS = 2048;

/** A chain problem in words, with the weakness named from the certificates when OpenSSL only says UNSPECIFIED. */
export function describeChainProblem(code: string, chain: readonly { raw: Buffer }[]): string {
  if (WEAKNESS_CODES.has(code)) {
    const weakness = weakCertificate(chain);
    if (weakness !== undefined) return weakness;
  }
  return describeChainError(code);
}

/**
 * The first weakness in the chain (leaf first): "signature algorithm too weak (SHA-1)",
 * "key too small (RSA 1024)", naming the issuer when it is not the leaf. A root's own
 * self-signature is not judged: clients trust the root itself, not its signature.
 */
export function weakCertificate(chain: readonly { raw: Buffer }[]): string | undefined {
  // node:crypto is loaded here, for a certificate to judge, not when the HTTP client loads (~10 ms).
  const { X509Certificate: Certificate } = process.getBuiltinModule('node:crypto');
  for (const [index, peer] of chain.entries()) {
    let cert: X509Certificate;
    try {
      cert = new Certificate(peer.raw);
    } catch {
      continue;
    }
    const where = index === 0 ? '' : ` in the issuer certificate ${cert.subject.split('\n').join(', ')}`;
    const hash = weakHash(cert.signatureAlgorithm ?? '');
    if (hash !== undefined && cert.subject !== cert.issuer) return `signature algorithm too weak (${hash})${where}`;
    const type = cert.publicKey.asymmetricKeyType ?? '';
    const bits = cert.publicKey.asymmetricKeyDetails?.modulusLength;
    if (/^(rsa|rsa-pss|dsa)$/.test(type) && bits !== undefined && bits < MIN_KEY_BITS) return `key too small (${type === 'dsa' ? 'DSA' : 'RSA'} ${bits})${where}`;
  }
  return undefined;
}

function weakHash(signatureAlgorithm: string): string | undefined {
  if (/sha-?1(?!\d)/i.test(signatureAlgorithm)) return 'SHA-1';
  if (/md5/i.test(signatureAlgorithm)) return 'MD5';
  return undefined;
}

/** Handshake failures that mean weak key exchange, in words; undefined for any other code. */
export function describeWeakHandshake(code: string): string | undefined {
  if (/DH_KEY_TOO_SMALL/.test(code)) return `the server's Diffie-Hellman key is too small (DH parameters under ${MIN_KEY_BITS} bits); serve ECDHE, or DH parameters of ${MIN_KEY_BITS} bits or more (${code})`;
  if (/EE_KEY_TOO_SMALL/.test(code)) return `the server's certificate key is too small (under ${MIN_KEY_BITS} bits) (${code})`;
  if (/CA_MD_TOO_WEAK/.test(code)) return `signature algorithm too weak (SHA-1 or MD5) in the server's certificate chain (${code})`;
  return undefined;
}

/** "408D…:error:0A00018A:SSL routines:tls_process_ske_dhe:dh key too small:…statem_clnt.c:2354:" → "dh key too small". */
export function opensslReason(message: string): string {
  const match = /^[0-9A-F]+:error:[0-9A-F]+:[^:]+:[^:]+:([^:]+)(?::|$)/.exec(message.trim());
  return match?.[1]?.trim() ?? message;
}
