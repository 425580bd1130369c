// The node daemon's certificate requests: a fresh P-256 key and a PKCS#10 CSR with an
// empty subject and the SPIFFE URI as the only subjectAltName — the one shape the CA
// accepts. Encoded here with a few lines of DER rather than the controller's ASN.1
// toolkit (node-forge), which would cost the daemon ~10 MB of memory for this alone.
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { spiffeUri, type Identity } from '../../api/identity.js';

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const group = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) group.unshift(0x80 | (v & 0x7f));
    bytes.push(...group);
  }
  return tlv(0x06, Buffer.from(bytes));
}

const SEQUENCE = 0x30;
const SET = 0x31;
const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

/** CSR (DER) for `uri`, signed with `privateKey` (P-256, ECDSA with SHA-256). */
export function workloadCsrDer(privateKey: KeyObject, uri: string): Buffer {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const generalNames = tlv(SEQUENCE, tlv(0x86, Buffer.from(uri, 'ascii'))); // [6] IMPLICIT IA5String
  const extensions = tlv(SEQUENCE, tlv(SEQUENCE, oid(OID_SUBJECT_ALT_NAME), tlv(0x04, generalNames)));
  const attributes = tlv(0xa0, tlv(SEQUENCE, oid(OID_EXTENSION_REQUEST), tlv(SET, extensions)));
  const info = tlv(SEQUENCE, tlv(0x02, Buffer.from([0])), tlv(SEQUENCE), spki, attributes);
  const signature = sign('sha256', info, privateKey); // DER-encoded ECDSA signature
  return tlv(SEQUENCE, info, tlv(SEQUENCE, oid(OID_ECDSA_WITH_SHA256)), tlv(0x03, Buffer.from([0]), signature));
}

function pem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export interface KeyAndCsr {
  privateKey: KeyObject;
  /** PKCS#8 */
  privateKeyPem: string;
  csrPem: string;
}

/** A fresh P-256 key and its CSR for `identity`. */
export function generateKeyAndCsr(identity: Identity | string): KeyAndCsr {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const uri = typeof identity === 'string' ? identity : spiffeUri(identity);
  return {
    privateKey,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    csrPem: pem(workloadCsrDer(privateKey, uri), 'CERTIFICATE REQUEST'),
  };
}
