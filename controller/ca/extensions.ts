// X.509 v3 extension builders (RFC 5280 §4.2). Each returns one Extension node:
// SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }.
import { createHash } from 'node:crypto';
import { seq, oid, bool, octets, toDer, bitString, tagged, binary, type Asn1 } from './asn1.js';
import { generalName, type GeneralName } from './general-name.js';
import { OID } from './oids.js';

function extension(id: string, critical: boolean, value: Asn1): Asn1 {
  const parts = [oid(id)];
  if (critical) parts.push(bool(true));
  parts.push(octets(toDer(value)));
  return seq(...parts);
}

/** keyUsage bits, numbered as in RFC 5280 (digitalSignature = 0). */
export const KEY_USAGE = {
  digitalSignature: 0,
  keyEncipherment: 2,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

export function keyUsage(bits: readonly number[]): Asn1 {
  let mask = 0;
  for (const b of bits) mask |= 0x8000 >> b;
  const bytes = mask & 0xff ? [mask >> 8, mask & 0xff] : [mask >> 8];
  // DER: trailing zero bits of the last byte are "unused".
  const last = bytes[bytes.length - 1]!;
  let unused = 0;
  while (unused < 8 && last !== 0 && (last & (1 << unused)) === 0) unused++;
  return extension(OID.keyUsage, true, bitString(Uint8Array.from(bytes), unused));
}

export function extKeyUsage(purposes: readonly string[]): Asn1 {
  return extension(OID.extKeyUsage, false, seq(...purposes.map(oid)));
}

export function basicConstraints(ca: boolean): Asn1 {
  return extension(OID.basicConstraints, true, ca ? seq(bool(true)) : seq());
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(publicKeyBits: Uint8Array): Buffer {
  return createHash('sha1').update(publicKeyBits).digest();
}

export function subjectKeyIdentifier(keyId: Uint8Array): Asn1 {
  return extension(OID.subjectKeyIdentifier, false, octets(keyId));
}

export function authorityKeyIdentifier(keyId: Uint8Array): Asn1 {
  return extension(OID.authorityKeyIdentifier, false, seq(tagged(0, binary(keyId))));
}

/** Critical when the subject is empty (RFC 5280 §4.2.1.6), as Istio's workload certs. */
export function subjectAltName(names: readonly GeneralName[], critical: boolean): Asn1 {
  return extension(OID.subjectAltName, critical, seq(...names.map(generalName)));
}
