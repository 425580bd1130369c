// Key handling with node:crypto: P-256 key generation, fast public-key import from an
// SPKI, and the X.509 signature algorithm that goes with an issuer key.
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { childrenOf, oidOf, bitStringBytes, parseDer, T, seq, oid, nullNode, type Asn1 } from './asn1.js';
import { OID } from './oids.js';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A fresh ECDSA P-256 key pair (the only key type Ambit issues certificates for). */
export function generateKeyPair(): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

export function spkiOf(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ format: 'der', type: 'spki' });
}

export interface EcSpki {
  der: Buffer;            // the whole SubjectPublicKeyInfo
  point: Buffer;          // subjectPublicKey bits: the EC point
  publicKey: KeyObject;
}

/**
 * Parse a P-256 SubjectPublicKeyInfo and import it. Uncompressed points go through
 * JWK import, which is about twice as fast as OpenSSL 3's DER decoder (createPublicKey
 * with format 'der' costs ~200 µs here) and still checks the point is on the curve.
 */
export function importP256Spki(der: Buffer, node: Asn1 = parseDer(der)): EcSpki {
  const [algorithm, bits] = childrenOf(node, T.SEQUENCE, 'SubjectPublicKeyInfo', 2);
  const [algOid, curve] = childrenOf(algorithm, T.SEQUENCE, 'SubjectPublicKeyInfo algorithm', 1);
  if (oidOf(algOid, 'public key algorithm') !== OID.ecPublicKey) throw new Error('public key is not an EC key');
  if (oidOf(curve, 'EC curve') !== OID.prime256v1) throw new Error('EC key is not on curve P-256');
  const point = bitStringBytes(bits, 'public key');
  let publicKey: KeyObject;
  if (point.length === 65 && point[0] === 4) {
    publicKey = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33).toString('base64url'),
      },
      format: 'jwk',
    });
  } else {
    publicKey = createPublicKey({ key: der, format: 'der', type: 'spki' });
  }
  return { der, point, publicKey };
}

export interface SignatureAlgorithm {
  /** AlgorithmIdentifier node for the certificate. */
  identifier: () => Asn1;
  /** Digest name for crypto.sign. */
  hash: 'sha256' | 'sha384';
}

/** The signature algorithm an issuer key signs with; throws for unsupported keys. */
export function signatureAlgorithmFor(key: KeyObject): SignatureAlgorithm {
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return { identifier: () => seq(oid(OID.ecdsaWithSha256)), hash: 'sha256' };
    if (curve === 'secp384r1') return { identifier: () => seq(oid(OID.ecdsaWithSha384)), hash: 'sha384' };
    throw new Error(`unsupported EC curve ${curve ?? 'unknown'} (want P-256 or P-384)`);
  }
  if (key.asymmetricKeyType === 'rsa') {
    return { identifier: () => seq(oid(OID.sha256WithRsa), nullNode()), hash: 'sha256' };
  }
  throw new Error(`unsupported key type ${key.asymmetricKeyType ?? 'unknown'} (want EC or RSA)`);
}

/** Sign `data` (DER signatures for ECDSA, PKCS#1 v1.5 for RSA). */
export function signWith(key: KeyObject, alg: SignatureAlgorithm, data: Buffer): Buffer {
  return sign(alg.hash, data, key);
}
