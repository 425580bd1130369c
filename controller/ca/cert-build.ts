// Assemble and sign an X.509 v3 certificate: TBSCertificate built with forge.asn1,
// signed with node:crypto (the fast part), wrapped as Certificate DER.
import type { KeyObject } from 'node:crypto';
import { seq, tagged, smallInt, intBytes, time, toDer, bitString, derSequence, type Asn1 } from './asn1.js';
import { signWith, type SignatureAlgorithm } from './keys.js';

export interface CertificateSpec {
  serial: Buffer;          // INTEGER content bytes (see serial.ts)
  issuer: Asn1;            // issuer's subject Name
  subject: Asn1;           // Name (may be empty)
  notBefore: Date;
  notAfter: Date;
  spki: Asn1;              // SubjectPublicKeyInfo
  extensions: Asn1[];      // Extension nodes (extensions.ts)
}

export interface Signer {
  key: KeyObject;
  algorithm: SignatureAlgorithm;
}

/** Certificate DER. */
export function buildCertificate(spec: CertificateSpec, signer: Signer): Buffer {
  const algorithm = signer.algorithm.identifier();
  const tbs = toDer(seq(
    tagged(0, smallInt(2)), // version v3
    intBytes(spec.serial),
    algorithm,
    spec.issuer,
    seq(time(spec.notBefore), time(spec.notAfter)),
    spec.subject,
    spec.spki,
    tagged(3, seq(...spec.extensions)),
  ));
  const signature = signWith(signer.key, signer.algorithm, tbs);
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
  return derSequence(tbs, toDer(algorithm), toDer(bitString(signature)));
}
