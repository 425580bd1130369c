// The certificate authority: turns a verified CSR into a leaf certificate for one
// SPIFFE identity and returns the chain [leaf, ...intermediates, root]. Everything
// fixed per issuer (name, key identifier, algorithm, constant extensions, chain PEM)
// is computed once here; per request only the CSR check, the TBS and one signature.
import { AmbitError } from '../../api/errors.js';
import { spiffeUri, type Identity } from '../../api/identity.js';
import type { Asn1 } from './asn1.js';
import type { CaMaterial } from './ca-material.js';
import { buildCertificate, type Signer } from './cert-build.js';
import { verifyCsrForIdentity, parseRequestedIdentity } from './csr-verify.js';
import {
  authorityKeyIdentifier, basicConstraints, extKeyUsage, keyIdentifier, keyUsage, KEY_USAGE, subjectAltName,
  subjectKeyIdentifier,
} from './extensions.js';
import type { GeneralName } from './general-name.js';
import { signatureAlgorithmFor } from './keys.js';
import { buildName } from './name.js';
import { OID } from './oids.js';
import { pemEncode } from './pem.js';
import { randomSerial } from './serial.js';
import { resolveTtlSeconds } from './ttl.js';

/** Backdating of notBefore, for clocks running behind ours. */
export const CLOCK_SKEW_SECONDS = 60;

export interface AuthorityOptions {
  trustDomain: string;
  /** Clock in ms since the epoch (tests). */
  now?: () => number;
}

/** A public key to certify: the SubjectPublicKeyInfo node and its key bits (for the SKI). */
export interface SubjectKey {
  spkiNode: Asn1;
  point: Uint8Array;
}

export class CertificateAuthority {
  readonly trustDomain: string;
  readonly source: CaMaterial['source'];
  /** The trust anchor (last of the chain), PEM. */
  readonly rootPem: string;
  /** Issuing certificate up to the root, PEM; appended to every leaf. */
  readonly issuerChainPem: readonly string[];
  /** Leaves never outlive any certificate above them. */
  readonly issuerNotAfter: Date;

  private readonly signer: Signer;
  private readonly issuerName: Asn1;
  private readonly fixedExtensions: Asn1[];
  private readonly emptySubject = buildName({});
  private readonly now: () => number;

  constructor(material: CaMaterial, opts: AuthorityOptions) {
    const issuer = material.chain[0];
    if (!issuer) throw new AmbitError('AMBIT_ERR_CA_ROOT', 'CA material has an empty certificate chain');
    this.trustDomain = opts.trustDomain;
    this.source = material.source;
    this.now = opts.now ?? Date.now;
    this.signer = { key: material.key, algorithm: signatureAlgorithmFor(material.key) };
    this.issuerName = issuer.subject;
    this.issuerChainPem = Object.freeze(material.chain.map((c) => pemEncode(c.der, 'CERTIFICATE')));
    this.rootPem = this.issuerChainPem[this.issuerChainPem.length - 1]!;
    this.issuerNotAfter = new Date(Math.min(...material.chain.map((c) => c.notAfter.getTime())));
    this.fixedExtensions = [
      keyUsage([KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment]),
      extKeyUsage([OID.serverAuth, OID.clientAuth]),
      basicConstraints(false),
      authorityKeyIdentifier(issuer.keyId),
    ];
  }

  /**
   * Check and sign a workload CSR: `identity` (spiffe:// URI or Identity) must be in
   * this trust domain and be the CSR's only SAN; `ttlSeconds` 0/undefined = 24 h.
   * Returns PEM [leaf, ...intermediates, root]. Throws AmbitError
   * AMBIT_ERR_CSR_INVALID / AMBIT_ERR_CA_TTL / AMBIT_ERR_CA_ROOT.
   */
  sign(csrPem: string, identity: Identity | string, ttlSeconds?: number): string[] {
    const id = this.checkIdentity(identity);
    const ttl = resolveTtlSeconds(ttlSeconds);
    const csr = verifyCsrForIdentity(csrPem, id);
    const leaf = this.issue({ spkiNode: csr.spkiNode, point: csr.spki.point }, [{ uri: spiffeUri(id) }], ttl);
    return [leaf, ...this.issuerChainPem];
  }

  /** The Identity a request names, if this CA may sign it (AMBIT_ERR_CSR_INVALID otherwise). */
  checkIdentity(identity: Identity | string): Identity {
    return parseRequestedIdentity(typeof identity === 'string' ? identity : spiffeUri(identity), this.trustDomain);
  }

  /**
   * Leaf certificate PEM for `key` with `names` as its only subject information (empty
   * subject, critical SAN). No policy checks: callers decide what may be certified.
   */
  issue(key: SubjectKey, names: readonly GeneralName[], ttlSeconds: number): string {
    const nowMs = this.now();
    const notAfterMs = Math.min(nowMs + ttlSeconds * 1000, this.issuerNotAfter.getTime());
    if (notAfterMs <= nowMs) {
      throw new AmbitError('AMBIT_ERR_CA_ROOT', `the CA certificate expired on ${this.issuerNotAfter.toISOString()}`);
    }
    const der = buildCertificate({
      serial: randomSerial(),
      issuer: this.issuerName,
      subject: this.emptySubject,
      notBefore: new Date(nowMs - CLOCK_SKEW_SECONDS * 1000),
      notAfter: new Date(notAfterMs),
      spki: key.spkiNode,
      extensions: [
        ...this.fixedExtensions,
        subjectKeyIdentifier(keyIdentifier(key.point)),
        subjectAltName(names, true),
      ],
    }, this.signer);
    return pemEncode(der, 'CERTIFICATE');
  }
}

export function createCertificateAuthority(material: CaMaterial, opts: AuthorityOptions): CertificateAuthority {
  return new CertificateAuthority(material, opts);
}
