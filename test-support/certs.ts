// Certificates for real TLS servers in tests, benchmarks and the demo: a private CA,
// leaves it signs (valid, expired, expiring, wrong host) and self-signed leaves.
// Everything comes back as PEM, ready for node:tls / node:https options.
import { createPrivateKey, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import type * as X509 from '@peculiar/x509';
import './reflect-metadata.ts';

// Loaded after the Reflect shim: a static import could be evaluated before it (Jest links
// CommonJS packages first), and @peculiar/x509 throws without it.
const x509: typeof X509 = await import('@peculiar/x509');

x509.cryptoProvider.set(webcrypto);

// Web Crypto types live in node:crypto's webcrypto namespace (no DOM lib here).
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type EcKeyGenParams = webcrypto.EcKeyGenParams;
type EcdsaParams = webcrypto.EcdsaParams;
type RsaHashedKeyGenParams = webcrypto.RsaHashedKeyGenParams;

export type KeyType = 'ec' | 'rsa';

export interface PemPair {
  cert: string;
  /** PKCS#8 private key. */
  key: string;
}

export interface CertOptions {
  /** DNS names and IP addresses; the first is also the subject CN. */
  hosts: string[];
  notBefore?: Date;
  notAfter?: Date;
  /** Default 'ec' (P-256, fast); 'rsa' is RSA 2048. */
  keyType?: KeyType;
  /** RSA key size when keyType is 'rsa' (1024 makes a key too small for today's clients). */
  rsaBits?: number;
  /** The hash the CA signs this certificate with; default SHA-256 ('SHA-1' makes a weak signature). */
  signatureHash?: 'SHA-1' | 'SHA-256';
}

export interface CaOptions {
  commonName?: string;
  notBefore?: Date;
  notAfter?: Date;
  keyType?: KeyType;
}

/** What the test servers usually answer for. */
export const LOCALHOST_HOSTS = ['localhost', '127.0.0.1', '::1'];
const DAY_MS = 24 * 60 * 60 * 1000;

const EC: EcKeyGenParams & EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const RSA: RsaHashedKeyGenParams = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };

function algorithm(keyType: KeyType = 'ec'): EcKeyGenParams | RsaHashedKeyGenParams {
  return keyType === 'rsa' ? RSA : EC;
}

async function generateKeys(keyType?: KeyType, rsaBits?: number): Promise<CryptoKeyPair> {
  const params = keyType === 'rsa' && rsaBits !== undefined ? { ...RSA, modulusLength: rsaBits } : algorithm(keyType);
  return webcrypto.subtle.generateKey(params, true, ['sign', 'verify']);
}

async function keyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

// Valid from an hour ago, so clock skew between processes never makes a fresh cert "not yet valid".
function validity(options: { notBefore?: Date; notAfter?: Date }, days: number): { notBefore: Date; notAfter: Date } {
  const notBefore = options.notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  return { notBefore, notAfter: options.notAfter ?? new Date(Date.now() + days * DAY_MS) };
}

function leafExtensions(hosts: string[], keyType: KeyType | undefined): X509.Extension[] {
  const names = hosts.map((host) => ({ type: isIP(host) ? ('ip' as const) : ('dns' as const), value: host }));
  // RSA key exchange (TLS 1.0/1.1 ciphers) needs keyEncipherment; ECDSA only signs.
  const usage = keyType === 'rsa' ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment : x509.KeyUsageFlags.digitalSignature;
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usage, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(names),
  ];
}

function subject(hosts: string[]): X509.JsonName {
  const first = hosts[0];
  if (first === undefined) throw new Error('a certificate needs at least one host');
  return [{ CN: [first] }];
}

/** A certificate authority (cA=true, keyCertSign|cRLSign), valid for ten years by default. */
export async function createCa(options: CaOptions = {}): Promise<PemPair> {
  const keys = await generateKeys(options.keyType);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [options.commonName ?? 'readiness-gate test CA'] }],
    keys,
    signingAlgorithm: algorithm(options.keyType),
    ...validity(options, 3650),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

/** A server certificate for `hosts`, signed by `ca` (any PEM CA, e.g. from createCa). Default 90 days. */
export async function issueCert(ca: PemPair, options: CertOptions): Promise<PemPair> {
  const caCert = new x509.X509Certificate(ca.cert);
  // The CA's key type decides the signature algorithm, whatever the leaf's key type is.
  const caKeyAlgorithm = algorithm(createPrivateKey(ca.key).asymmetricKeyType === 'rsa' ? 'rsa' : 'ec');
  const caAlgorithm = options.signatureHash ? { ...caKeyAlgorithm, hash: options.signatureHash } : caKeyAlgorithm;
  const signingKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(ca.key), caAlgorithm, false, ['sign']);
  const keys = await generateKeys(options.keyType, options.rsaBits);
  const cert = await x509.X509CertificateGenerator.create({
    subject: subject(options.hosts),
    issuer: caCert.subject,
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: caAlgorithm,
    ...validity(options, 90),
    extensions: [
      ...leafExtensions(options.hosts, options.keyType),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

/** A self-signed server certificate (not a CA): clients reject it with DEPTH_ZERO_SELF_SIGNED_CERT. */
export async function selfSignedCert(options: CertOptions): Promise<PemPair> {
  const keys = await generateKeys(options.keyType);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: subject(options.hosts),
    keys,
    signingAlgorithm: algorithm(options.keyType),
    ...validity(options, 90),
    extensions: leafExtensions(options.hosts, options.keyType),
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

// ---------------------------------------------------------------- presets

interface PresetOptions {
  keyType?: KeyType;
}

/** Valid for localhost, 127.0.0.1 and ::1 for 90 days. */
export function localhostCert(ca: PemPair, options: PresetOptions = {}): Promise<PemPair> {
  return issueCert(ca, { ...options, hosts: LOCALHOST_HOSTS });
}

/** For localhost, but expired yesterday (valid for the 30 days before). */
export function expiredCert(ca: PemPair, options: PresetOptions = {}): Promise<PemPair> {
  const now = Date.now();
  return issueCert(ca, { ...options, hosts: LOCALHOST_HOSTS, notBefore: new Date(now - 31 * DAY_MS), notAfter: new Date(now - DAY_MS) });
}

/** For localhost, expiring `days` days from now (plus an hour, so a floor of the days left gives `days`). */
export function expiringCert(ca: PemPair, days: number, options: PresetOptions = {}): Promise<PemPair> {
  return issueCert(ca, { ...options, hosts: LOCALHOST_HOSTS, notAfter: new Date(Date.now() + days * DAY_MS + 60 * 60 * 1000) });
}

/** Valid and trusted, but only for wrong.example: connecting as localhost fails the host check. */
export function wrongHostCert(ca: PemPair, options: PresetOptions = {}): Promise<PemPair> {
  return issueCert(ca, { ...options, hosts: ['wrong.example'] });
}
