// Read what the CA needs from an issuer certificate: its subject name (the leaves'
// issuer name, byte for byte), key identifier, validity and CA-ness.
import { X509Certificate } from 'node:crypto';
import {
  childSpans, parseDer, childrenOf, contextChildren, isContext, oidOf, primitiveOf, bitStringBytes, timeOf,
  T, bytesOf, type Asn1,
} from './asn1.js';
import { keyIdentifier } from './extensions.js';
import { OID } from './oids.js';

export interface CertInfo {
  der: Buffer;
  x509: X509Certificate;
  subject: Asn1;            // subject Name node
  subjectDer: Buffer;       // exact subject Name DER
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;            // basicConstraints cA = TRUE
  keyUsageBits?: number;    // big-endian bit mask (bit 0 = 0x8000), when present
  keyId: Buffer;            // SKI if present, else SHA-1 of the public key bits
}

/** Parse certificate DER; throws a plain Error for anything malformed. */
export function readCertificate(der: Buffer): CertInfo {
  const x509 = new X509Certificate(der);
  const [tbsDer] = childSpans(der, 'certificate');
  if (!tbsDer) throw new Error('certificate: missing TBSCertificate');
  const spans = childSpans(tbsDer, 'TBSCertificate');
  const nodes = spans.map((s) => parseDer(s));
  const offset = nodes[0] && isContext(nodes[0], 0) ? 1 : 0;
  if (nodes.length < offset + 6) throw new Error('TBSCertificate: too few fields');
  const [notBefore, notAfter] = childrenOf(nodes[offset + 3], T.SEQUENCE, 'validity', 2);
  const spki = childrenOf(nodes[offset + 5], T.SEQUENCE, 'SubjectPublicKeyInfo', 2);
  const info: CertInfo = {
    der,
    x509,
    subject: nodes[offset + 4]!,
    subjectDer: spans[offset + 4]!,
    notBefore: timeOf(notBefore, 'notBefore'),
    notAfter: timeOf(notAfter, 'notAfter'),
    isCa: false,
    keyId: keyIdentifier(bitStringBytes(spki[1], 'subjectPublicKey')),
  };
  const extNode = nodes.slice(offset + 6).find((n) => isContext(n, 3));
  if (extNode) {
    const [list] = contextChildren(extNode, 3, 'extensions');
    for (const ext of childrenOf(list, T.SEQUENCE, 'extensions')) readExtension(ext, info);
  }
  return info;
}

function readExtension(ext: Asn1, info: CertInfo): void {
  const parts = childrenOf(ext, T.SEQUENCE, 'extension', 2);
  const id = oidOf(parts[0], 'extension id');
  const value = parseDer(bytesOf(primitiveOf(parts[parts.length - 1], T.OCTETSTRING, `extension ${id}`)));
  if (id === OID.basicConstraints) {
    const [ca] = childrenOf(value, T.SEQUENCE, 'basicConstraints');
    info.isCa = ca !== undefined && ca.type === T.BOOLEAN && ca.value !== '\x00';
  } else if (id === OID.subjectKeyIdentifier) {
    info.keyId = bytesOf(primitiveOf(value, T.OCTETSTRING, 'subjectKeyIdentifier'));
  } else if (id === OID.keyUsage) {
    const raw = primitiveOf(value, T.BITSTRING, 'keyUsage');
    info.keyUsageBits = ((raw.charCodeAt(1) || 0) << 8) | (raw.charCodeAt(2) || 0);
  }
}
