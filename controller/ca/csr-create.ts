// Create a PKCS#10 CSR for a workload identity: empty subject, the SPIFFE URI as the
// only subjectAltName, signed with the workload's key. Used by the node daemon (and
// tests); pure apart from the signature's randomness.
import type { KeyObject } from 'node:crypto';
import { spiffeUri, type Identity } from '../../api/identity.js';
import { seq, set, oid, smallInt, tagged, toDer, parseDer, bitString, derSequence } from './asn1.js';
import { subjectAltName } from './extensions.js';
import { generateKeyPair, signatureAlgorithmFor, signWith, spkiOf } from './keys.js';
import { buildName } from './name.js';
import type { GeneralName } from './general-name.js';
import { OID } from './oids.js';
import { pemEncode } from './pem.js';

export const CSR_PEM_LABEL = 'CERTIFICATE REQUEST';

/** CSR PEM for `identity` (an Identity or its spiffe:// URI), signed by `privateKey`. */
export function createCsr(privateKey: KeyObject, identity: Identity | string): string {
  const uri = typeof identity === 'string' ? identity : spiffeUri(identity);
  return createCsrWithSans(privateKey, [{ uri }]);
}

/**
 * CSR PEM with arbitrary subjectAltName entries (none: no extensionRequest at all).
 * The CA only accepts exactly one URI; this exists for tests and tooling.
 */
export function createCsrWithSans(privateKey: KeyObject, sans: readonly GeneralName[]): string {
  const attributes = sans.length === 0 ? [] : [
    seq(oid(OID.extensionRequest), set(seq(subjectAltName(sans, false)))),
  ];
  const info = toDer(seq(
    smallInt(0),
    buildName({}),
    parseDer(spkiOf(privateKey)),
    tagged(0, attributes),
  ));
  const algorithm = signatureAlgorithmFor(privateKey);
  const signature = signWith(privateKey, algorithm, info);
  return pemEncode(derSequence(info, toDer(algorithm.identifier()), toDer(bitString(signature))), CSR_PEM_LABEL);
}

export interface KeyAndCsr {
  privateKey: KeyObject;
  privateKeyPem: string;  // PKCS#8
  csrPem: string;
}

/** A fresh P-256 key and its CSR for `identity`. */
export function generateKeyAndCsr(identity: Identity | string): KeyAndCsr {
  const { privateKey } = generateKeyPair();
  return {
    privateKey,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    csrPem: createCsr(privateKey, identity),
  };
}
