// Parse a PEM PKCS#10 CSR and verify its self-signature. Every failure is an
// AmbitError AMBIT_ERR_CSR_INVALID saying what was wrong.
import { verify } from 'node:crypto';
import { AmbitError } from '../../api/errors.js';
import {
  childSpans, parseDer, childrenOf, contextChildren, oidOf, primitiveOf, bitStringBytes, bytesOf, isContext, T,
  type Asn1,
} from './asn1.js';
import { importP256Spki, type EcSpki } from './keys.js';
import { OID } from './oids.js';
import { pemDecodeOne } from './pem.js';

export interface ParsedCsr {
  spki: EcSpki;           // the requester's P-256 public key
  spkiNode: Asn1;         // the same SubjectPublicKeyInfo as a node, for the certificate
  uris: string[];         // URI subjectAltNames, in order
  otherSans: number;      // subjectAltNames of any other kind (DNS, IP, email…)
}

const CSR_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'];
const URI_TAG = 6;

export function parseCsr(pem: string): ParsedCsr {
  let der: Buffer;
  try {
    der = pemDecodeOne(pem, CSR_LABELS);
  } catch (err) {
    throw invalid(`not a PEM certificate request: ${message(err)}`, err);
  }
  let fields: ParsedCsr;
  let info: Buffer;
  let signature: Buffer;
  try {
    const parts = childSpans(der, 'CSR');
    if (parts.length !== 3) throw new Error(`CSR: expected 3 elements, found ${parts.length}`);
    info = parts[0]!;
    const [algOid] = childrenOf(parseDer(parts[1]!), T.SEQUENCE, 'signature algorithm', 1);
    const algorithm = oidOf(algOid, 'signature algorithm');
    if (algorithm !== OID.ecdsaWithSha256) throw new Error(`unsupported signature algorithm ${algorithm} (want ecdsa-with-SHA256)`);
    signature = bitStringBytes(parseDer(parts[2]!), 'signature');
    // CertificationRequestInfo ::= SEQUENCE { version, subject, subjectPKInfo, [0] attributes }
    const infoParts = childSpans(info, 'CertificationRequestInfo');
    // attributes is mandatory in PKCS#10 but some tools omit it when empty: read it as "no SAN".
    if (infoParts.length !== 3 && infoParts.length !== 4) {
      throw new Error(`CertificationRequestInfo: expected 4 elements, found ${infoParts.length}`);
    }
    if (primitiveOf(parseDer(infoParts[0]!), T.INTEGER, 'CSR version') !== '\x00') throw new Error('CSR version must be 0 (v1)');
    childrenOf(parseDer(infoParts[1]!), T.SEQUENCE, 'subject');
    const spkiNode = parseDer(infoParts[2]!);
    const sans = infoParts[3] ? readSans(parseDer(infoParts[3])) : { uris: [], otherSans: 0 };
    fields = { spki: importP256Spki(infoParts[2]!, spkiNode), spkiNode, ...sans };
  } catch (err) {
    throw invalid(`malformed certificate request: ${message(err)}`, err);
  }
  let valid: boolean;
  try {
    valid = verify('sha256', info, fields.spki.publicKey, signature);
  } catch {
    valid = false; // OpenSSL rejecting a malformed signature encoding: same verdict
  }
  if (!valid) throw invalid('certificate request signature does not verify against its public key');
  return fields;
}

function readSans(attributes: Asn1): { uris: string[]; otherSans: number } {
  const result = { uris: [] as string[], otherSans: 0 };
  let seen = false;
  for (const attr of contextChildren(attributes, 0, 'CSR attributes')) {
    const [type, values] = childrenOf(attr, T.SEQUENCE, 'CSR attribute', 2);
    if (oidOf(type, 'attribute type') !== OID.extensionRequest) continue;
    for (const extensions of childrenOf(values, T.SET, 'extensionRequest values')) {
      for (const ext of childrenOf(extensions, T.SEQUENCE, 'requested extensions')) {
        const parts = childrenOf(ext, T.SEQUENCE, 'requested extension', 2);
        if (oidOf(parts[0], 'extension id') !== OID.subjectAltName) continue;
        if (seen) throw new Error('more than one subjectAltName extension');
        seen = true;
        const names = parseDer(bytesOf(primitiveOf(parts[parts.length - 1], T.OCTETSTRING, 'subjectAltName value')));
        for (const name of childrenOf(names, T.SEQUENCE, 'subjectAltName')) {
          if (isContext(name, URI_TAG) && typeof name.value === 'string') result.uris.push(name.value);
          else result.otherSans++;
        }
      }
    }
  }
  return result;
}

function invalid(text: string, cause?: unknown): AmbitError {
  return new AmbitError('AMBIT_ERR_CSR_INVALID', text, cause === undefined ? undefined : { cause });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
