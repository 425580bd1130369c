import test from 'ava';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isAmbitError } from '../../../api/errors.js';
import { parseSpiffeUri, type Identity } from '../../../api/identity.js';
import { createCsr, createCsrWithSans, generateKeyAndCsr } from '../../../controller/ca/csr-create.js';
import { parseCsr } from '../../../controller/ca/csr-parse.js';
import { parseRequestedIdentity, verifyCsrForIdentity } from '../../../controller/ca/csr-verify.js';
import { generateKeyPair } from '../../../controller/ca/keys.js';
import { pemDecodeOne, pemEncode } from '../../../controller/ca/pem.js';
import { openssl, tempDir } from './support.js';

const TD = 'cluster.local';
const URI = 'spiffe://cluster.local/ns/default/sa/httpbin';
const ID: Identity = parseSpiffeUri(URI)!;
const { privateKey } = generateKeyPair();
const VALID = createCsr(privateKey, ID);

/** Flip one bit of the CSR's DER at the offset `at` picks. */
function tamper(pem: string, at: (der: Buffer) => number): string {
  const der = Buffer.from(pemDecodeOne(pem, ['CERTIFICATE REQUEST']));
  const i = at(der);
  der[i] = der[i]! ^ 0x01;
  return pemEncode(der, 'CERTIFICATE REQUEST');
}

/** The whole admission path: identity in our trust domain, then the CSR against it. */
function admit(pem: string, identity: string): void {
  verifyCsrForIdentity(pem, parseRequestedIdentity(identity, TD));
}

test('a CSR made by createCsr parses: P-256 key, the URI SAN, valid self-signature', (t) => {
  const csr = parseCsr(VALID);
  t.deepEqual(csr.uris, [URI]);
  t.is(csr.otherSans, 0);
  t.is(csr.spki.publicKey.asymmetricKeyType, 'ec');
  t.is(csr.spki.point.length, 65);
  t.notThrows(() => admit(VALID, URI));
  t.notThrows(() => admit(createCsr(privateKey, URI), URI), 'identity may be given as a URI string');
});

test('generateKeyAndCsr: PKCS#8 key whose public half is the CSR key', (t) => {
  const { privateKeyPem, csrPem, privateKey: key } = generateKeyAndCsr(ID);
  t.regex(privateKeyPem, /-----BEGIN PRIVATE KEY-----/);
  const fromCsr = parseCsr(csrPem).spki.publicKey.export({ format: 'jwk' });
  const fromKey = createPublicKey(key).export({ format: 'jwk' });
  t.is(fromCsr.x, fromKey.x);
  t.is(fromCsr.y, fromKey.y);
});

test('openssl verifies the CSR createCsr makes and shows the URI SAN', (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  writeFileSync(path.join(dir, 'req.pem'), VALID);
  const out = openssl(['req', '-in', 'req.pem', '-noout', '-verify', '-text'], dir);
  t.regex(out, new RegExp(`URI:${URI}`));
  t.regex(out, /ecdsa-with-SHA256/);
});

test('a CSR made by openssl (non-empty subject) is accepted', (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'k.pem'], dir);
  openssl(['req', '-new', '-key', 'k.pem', '-subj', '/O=cluster.local', '-addext', `subjectAltName=URI:${URI}`,
    '-out', 'req.pem'], dir);
  t.notThrows(() => admit(readFileSync(path.join(dir, 'req.pem'), 'utf8'), URI));
});

const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;

const REFUSED: { name: string; csr: () => string; identity?: string; message: RegExp }[] = [
  { name: 'garbage text', csr: () => 'hello, I am a certificate request', message: /not a PEM certificate request/ },
  { name: 'empty string', csr: () => '', message: /not a PEM certificate request/ },
  { name: 'a certificate instead of a CSR', csr: () => VALID.replace(/CERTIFICATE REQUEST/g, 'CERTIFICATE'),
    message: /not a PEM certificate request/ },
  { name: 'PEM armour around junk', csr: () => pemEncode(Buffer.from('not DER at all, just text'), 'CERTIFICATE REQUEST'),
    message: /malformed certificate request/ },
  { name: 'invalid base64 body', csr: () => '-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n',
    message: /not a PEM certificate request.*base64/ },
  { name: 'truncated DER', csr: () => pemEncode(pemDecodeOne(VALID, ['CERTIFICATE REQUEST']).subarray(0, 100), 'CERTIFICATE REQUEST'),
    message: /malformed certificate request/ },
  { name: 'trailing bytes after the CSR',
    csr: () => pemEncode(Buffer.concat([pemDecodeOne(VALID, ['CERTIFICATE REQUEST']), Buffer.from([0, 0])]), 'CERTIFICATE REQUEST'),
    message: /malformed certificate request/ },
  { name: 'bad signature (last byte of the signature flipped)', csr: () => tamper(VALID, (der) => der.length - 1),
    message: /signature does not verify/ },
  { name: 'signed content changed (one byte of the SAN URI flipped)',
    csr: () => tamper(VALID, (der) => der.indexOf('httpbin') + 2), message: /signature does not verify/ },
  { name: 'public key not on the curve (one byte of the EC point flipped)',
    csr: () => tamper(VALID, (der) => der.indexOf(parseCsr(VALID).spki.point) + 20), message: /malformed certificate request/ },
  { name: 'no SAN', csr: () => createCsrWithSans(privateKey, []), message: /no URI subjectAltName/ },
  { name: 'two URI SANs', csr: () => createCsrWithSans(privateKey, [{ uri: URI }, { uri: 'spiffe://cluster.local/ns/default/sa/other' }]),
    message: /2 URI subjectAltNames.*exactly one/ },
  { name: 'URI plus DNS SAN', csr: () => createCsrWithSans(privateKey, [{ uri: URI }, { dns: 'httpbin.default.svc' }]),
    message: /non-URI subjectAltNames/ },
  { name: 'only a DNS SAN', csr: () => createCsrWithSans(privateKey, [{ dns: 'httpbin.default.svc' }]),
    message: /no URI subjectAltName/ },
  { name: 'SAN is another identity', csr: () => createCsr(privateKey, 'spiffe://cluster.local/ns/default/sa/admin'),
    message: /SAN spiffe:\/\/cluster.local\/ns\/default\/sa\/admin does not match the requested identity/ },
  { name: 'foreign trust domain', csr: () => createCsr(privateKey, 'spiffe://evil.example/ns/default/sa/httpbin'),
    identity: 'spiffe://evil.example/ns/default/sa/httpbin', message: /trust domain "evil.example".*only "cluster.local"/ },
  { name: 'non-SPIFFE identity', csr: () => createCsr(privateKey, 'https://example.com/httpbin'),
    identity: 'https://example.com/httpbin', message: /not of the form spiffe:/ },
  { name: 'identity with a space', csr: () => VALID, identity: 'spiffe://cluster.local/ns/default/sa/http bin',
    message: /not of the form spiffe:/ },
  { name: 'RSA key', csr: () => createCsr(rsa, ID), message: /unsupported signature algorithm/ },
  { name: 'P-384 key', csr: () => createCsr(p384, ID), message: /unsupported signature algorithm/ },
];

for (const c of REFUSED) {
  test(`refused with AMBIT_ERR_CSR_INVALID: ${c.name}`, (t) => {
    const err = t.throws(() => admit(c.csr(), c.identity ?? URI));
    t.true(isAmbitError(err, 'AMBIT_ERR_CSR_INVALID'), `got ${String(err)}`);
    t.regex(err.message, c.message);
  });
}
