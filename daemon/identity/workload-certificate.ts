// A workload certificate as the daemon holds it: key, chain and roots in PEM, the
// leaf's serial and validity, and a TLS 1.3 SecureContext built once. Building one
// checks the CA's answer: the leaf certifies exactly `identity`, matches the key, and
// every certificate is signed by the next one up to a self-signed root.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import tls from 'node:tls';
import { AmbitError } from '../../api/errors.js';
import { spiffeUri, type Identity } from '../../api/identity.js';

export interface WorkloadCertificate {
  identity: Identity;
  spiffeId: string;
  /** PKCS#8 private key, PEM. */
  keyPem: string;
  /** PEM chain, leaf first, root last. */
  chainPem: string[];
  /** The trust anchor: the last certificate of the chain, PEM. */
  rootsPem: string;
  /** Leaf serial number, upper-case hex (as node:crypto prints it). */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** key + leaf/intermediates + roots as CA, TLS 1.3 only. */
  secureContext: tls.SecureContext;
}

/** Validate `chainPem` (as the CA returned it) for `identity` and `keyPem`; throws AMBIT_ERR_CERT_FETCH. */
export function buildWorkloadCertificate(identity: Identity, keyPem: string, chainPem: readonly string[]): WorkloadCertificate {
  const spiffeId = spiffeUri(identity);
  const unusable = (why: string, cause?: unknown): AmbitError =>
    new AmbitError('AMBIT_ERR_CERT_FETCH', `the CA returned an unusable chain for ${spiffeId}: ${why}`, { cause });
  if (chainPem.length < 2) throw unusable(`expected leaf..root, got ${chainPem.length} certificate(s)`);
  const pems = chainPem.map((p) => `${p.trim()}\n`);
  let certs: X509Certificate[];
  try {
    certs = pems.map((p) => new X509Certificate(p));
  } catch (err) {
    throw unusable(`a certificate does not parse (${(err as Error).message})`, err);
  }
  const leaf = certs[0]!;
  const root = certs[certs.length - 1]!;
  const uris = uriSans(leaf);
  if (uris.length !== 1 || uris[0] !== spiffeId) throw unusable(`the leaf names ${uris.join(', ') || 'no URI'}`);
  if (!leaf.checkPrivateKey(createPrivateKey(keyPem))) throw unusable('the leaf does not match the private key');
  for (let i = 0; i + 1 < certs.length; i++) {
    const [child, parent] = [certs[i]!, certs[i + 1]!];
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) throw unusable(`certificate ${i} is not signed by certificate ${i + 1}`);
  }
  if (!root.checkIssued(root) || !root.verify(root.publicKey)) throw unusable('the last certificate is not a self-signed root');

  const rootsPem = pems[pems.length - 1]!;
  let secureContext: tls.SecureContext;
  try {
    secureContext = tls.createSecureContext({
      key: keyPem,
      cert: pems.slice(0, -1).join(''), // leaf + intermediates; the peer has the root
      ca: rootsPem,
      minVersion: 'TLSv1.3',
    });
  } catch (err) {
    throw unusable(`TLS rejects it (${(err as Error).message})`, err);
  }
  return {
    identity: { ...identity },
    spiffeId,
    keyPem,
    chainPem: pems,
    rootsPem,
    serial: leaf.serialNumber,
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
    secureContext,
  };
}

/**
 * Served until `notAfter`. `notBefore` is not checked: the CA backdates it for clock
 * skew, and a daemon clock further behind would otherwise refetch in a loop.
 */
export function isCurrent(cert: WorkloadCertificate, nowMs: number): boolean {
  return nowMs < cert.notAfter.getTime();
}

/** The URI subjectAltNames of a certificate (node prints them as "URI:<uri>, DNS:..."). */
export function uriSans(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '').split(', ').filter((n) => n.startsWith('URI:')).map((n) => n.slice(4));
}
