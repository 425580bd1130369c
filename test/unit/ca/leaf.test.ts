import test from 'ava';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { createCertificateAuthority } from '../../../controller/ca/authority.js';
import { readCertificate } from '../../../controller/ca/cert-info.js';
import { generateKeyAndCsr } from '../../../controller/ca/csr-create.js';
import { parseCsr } from '../../../controller/ca/csr-parse.js';
import { ipBytes } from '../../../controller/ca/general-name.js';
import { pemDecodeOne } from '../../../controller/ca/pem.js';
import { createSelfSignedRoot } from '../../../controller/ca/root-create.js';
import { issueServingCertificate } from '../../../controller/ca/serving-cert.js';
import { isAmbitError } from '../../../api/errors.js';
import { opensslText, opensslVerify, tempDir } from './support.js';

const URI = 'spiffe://cluster.local/ns/default/sa/httpbin';
const root = createSelfSignedRoot({ trustDomain: 'cluster.local' });
const rootInfo = readCertificate(root.certDer);
const ca = createCertificateAuthority({ source: 'self-signed', chain: [rootInfo], key: root.key }, { trustDomain: 'cluster.local' });
const { csrPem } = generateKeyAndCsr(URI);

test('the chain is [leaf, root] and the leaf is signed by the root', (t) => {
  const chain = ca.sign(csrPem, URI);
  t.is(chain.length, 2);
  t.is(chain[1], ca.rootPem);
  const leaf = new X509Certificate(chain[0]!);
  const rootX = new X509Certificate(chain[1]!);
  t.true(leaf.verify(rootX.publicKey));
  t.true(leaf.checkIssued(rootX));
  t.is(leaf.subjectAltName, `URI:${URI}`);
  t.is(readCertificate(leaf.raw).subjectDer.toString('hex'), '3000', 'the identity lives in the SAN; the subject is empty');
  t.false(leaf.ca);
  t.deepEqual([...(leaf.keyUsage ?? [])].sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
});

test('the leaf certifies the CSR key', (t) => {
  const leaf = new X509Certificate(ca.sign(csrPem, URI)[0]!);
  t.deepEqual(leaf.publicKey.export({ format: 'der', type: 'spki' }), parseCsr(csrPem).spki.der);
});

test('openssl accepts the chain and shows the required extensions and criticality', (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const [leaf, rootPem] = ca.sign(csrPem, URI) as [string, string];
  const verified = opensslVerify(dir, rootPem, [], leaf);
  t.true(verified.ok, verified.output);
  const text = opensslText(dir, leaf);
  t.regex(text, /X509v3 Subject Alternative Name: critical\s+URI:spiffe:\/\/cluster\.local\/ns\/default\/sa\/httpbin\s/);
  t.regex(text, /X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment\s/);
  t.regex(text, /X509v3 Extended Key Usage:\s+TLS Web Server Authentication, TLS Web Client Authentication/);
  t.regex(text, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
  t.regex(text, /Signature Algorithm: ecdsa-with-SHA256/);
  // AKI = the root's SKI; SKI = SHA-1 of the leaf's public key bits.
  const hex = (b: Buffer): string => [...b].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(':');
  t.regex(text, new RegExp(`X509v3 Authority Key Identifier:\\s+(keyid:)?${hex(rootInfo.keyId)}`));
  const point = parseCsr(csrPem).spki.point;
  t.regex(text, new RegExp(`X509v3 Subject Key Identifier:\\s+${hex(createHash('sha1').update(point).digest())}`));
});

test('serial numbers are positive, 128-bit random and distinct', (t) => {
  const serials = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const leaf = pemDecodeOne(ca.sign(csrPem, URI)[0]!, ['CERTIFICATE']);
    serials.add(new X509Certificate(leaf).serialNumber);
  }
  t.is(serials.size, 20);
  for (const s of serials) {
    t.true(s.length <= 34 && s.length >= 2, s); // ≤ 17 content bytes
    t.true(BigInt(`0x${s}`) > 0n);
  }
});

test('the self-signed root: CN Ambit Root CA, O = trust domain, CA, ~10 years', (t) => {
  const x = new X509Certificate(ca.rootPem);
  t.true(x.ca);
  t.regex(x.subject, /CN=Ambit Root CA/);
  t.regex(x.subject, /O=cluster\.local/);
  t.is(x.subject, x.issuer);
  const years = (new Date(x.validTo).getTime() - new Date(x.validFrom).getTime()) / (365.25 * 86400_000);
  t.true(years > 9.9 && years < 10.1, String(years));
});

test('issueServingCertificate: DNS and IP SANs, usable as a TLS chain', (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const serving = issueServingCertificate(ca, { dnsNames: ['ambit-controller.ambit-system.svc'], ipAddresses: ['127.0.0.1', '::1'] });
  const leafPem = serving.certChainPem.slice(0, serving.certChainPem.indexOf('-----END CERTIFICATE-----') + 26);
  const leaf = new X509Certificate(leafPem);
  t.is(leaf.subjectAltName, 'DNS:ambit-controller.ambit-system.svc, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  t.true(leaf.checkPrivateKey(createPrivateKey(serving.privateKeyPem)));
  t.true(opensslVerify(dir, serving.rootPem, [], leafPem).ok);
  const err = t.throws(() => issueServingCertificate(ca, {}));
  t.true(isAmbitError(err, 'AMBIT_ERR_CONFIG'));
});

test('ipBytes encodes IPv4 and IPv6 (with ::, and an embedded IPv4 tail)', (t) => {
  t.is(ipBytes('10.1.2.3').toString('hex'), '0a010203');
  t.is(ipBytes('::1').toString('hex'), `${'0'.repeat(31)}1`);
  t.is(ipBytes('fd00:10::5').toString('hex'), 'fd000010000000000000000000000005');
  t.is(ipBytes('::ffff:10.1.2.3').toString('hex'), '00000000000000000000ffff0a010203');
  t.is(ipBytes('2001:db8:1:2:3:4:5:6').toString('hex'), '20010db8000100020003000400050006');
  t.throws(() => ipBytes('not-an-ip'));
});
