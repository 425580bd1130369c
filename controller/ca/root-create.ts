// A fresh self-signed root CA: ECDSA P-256, CN "Ambit Root CA", O = trust domain.
import type { KeyObject } from 'node:crypto';
import { parseDer } from './asn1.js';
import { buildCertificate } from './cert-build.js';
import {
  basicConstraints, keyUsage, KEY_USAGE, keyIdentifier, subjectKeyIdentifier, authorityKeyIdentifier,
} from './extensions.js';
import { generateKeyPair, importP256Spki, signatureAlgorithmFor, spkiOf } from './keys.js';
import { buildName } from './name.js';
import { randomSerial } from './serial.js';

export const ROOT_COMMON_NAME = 'Ambit Root CA';
export const ROOT_VALIDITY_YEARS = 10;
const SKEW_MS = 60_000;

export interface NewRoot {
  certDer: Buffer;
  key: KeyObject;
}

export function createSelfSignedRoot(opts: { trustDomain: string; now?: Date; validityYears?: number }): NewRoot {
  const now = opts.now ?? new Date();
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + (opts.validityYears ?? ROOT_VALIDITY_YEARS));
  const { privateKey } = generateKeyPair();
  const spki = importP256Spki(spkiOf(privateKey));
  const keyId = keyIdentifier(spki.point);
  const name = buildName({ organization: opts.trustDomain, commonName: ROOT_COMMON_NAME });
  const certDer = buildCertificate({
    serial: randomSerial(),
    issuer: name,
    subject: name,
    notBefore: new Date(now.getTime() - SKEW_MS),
    notAfter,
    spki: parseDer(spki.der),
    extensions: [
      basicConstraints(true),
      keyUsage([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign]),
      subjectKeyIdentifier(keyId),
      authorityKeyIdentifier(keyId),
    ],
  }, { key: privateKey, algorithm: signatureAlgorithmFor(privateKey) });
  return { certDer, key: privateKey };
}
