// OpenSSL verification codes in words a user can act on. Shared by the HTTP client
// (a request that failed its handshake) and the tls check (a chain judged on purpose).

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
};

/** "self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)", or the code itself when it is not one of ours. */
export function describeChainError(code: string): string {
  const words = CHAIN_PROBLEMS[code];
  return words ? `${words} (${code})` : code;
}
