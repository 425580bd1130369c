import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isAmbitError } from '../../../api/errors.js';
import { createCertificateAuthority } from '../../../controller/ca/authority.js';
import { generateKeyAndCsr } from '../../../controller/ca/csr-create.js';
import { loadCaMaterial } from '../../../controller/ca/root.js';
import { ROOT_CERT_FILE } from '../../../controller/ca/root-store.js';
import { makePluginCa, opensslText, opensslVerify, tempDir, type PluginCaFiles } from './support.js';

const TD = 'cluster.local';
const URI = 'spiffe://cluster.local/ns/bookinfo/sa/reviews';

function setup(t: { teardown: (f: () => void) => void }, opts?: Parameters<typeof makePluginCa>[1]): PluginCaFiles & { state: string } {
  const plugin = tempDir();
  const state = tempDir();
  t.teardown(() => { plugin.cleanup(); state.cleanup(); });
  return { ...makePluginCa(plugin.dir, opts), state: state.dir };
}

function load(ca: PluginCaFiles & { state: string }): ReturnType<typeof loadCaMaterial> {
  return loadCaMaterial({ stateDir: ca.state, pluginDir: ca.dir, trustDomain: TD });
}

function pemEqual(a: string | undefined, b: string): boolean {
  return a !== undefined && new X509Certificate(a).raw.equals(new X509Certificate(b).raw);
}

test('plug-in cacerts (openssl root + intermediate): chain is [leaf, intermediate, root] and verifies', (t) => {
  const files = setup(t);
  const material = load(files);
  t.is(material.source, 'plugin');
  t.false(existsSync(path.join(files.state, ROOT_CERT_FILE)), 'no self-signed root is created');
  const ca = createCertificateAuthority(material, { trustDomain: TD });
  const chain = ca.sign(generateKeyAndCsr(URI).csrPem, URI);
  t.is(chain.length, 3);
  t.true(pemEqual(chain[1], files.intermediatePem));
  t.true(pemEqual(chain[2], files.rootPem));
  t.true(pemEqual(ca.rootPem, files.rootPem));
  const leaf = new X509Certificate(chain[0]!);
  t.is(leaf.issuer, new X509Certificate(files.intermediatePem).subject);
  const verified = opensslVerify(files.dir, files.rootPem, [files.intermediatePem], chain[0]!);
  t.true(verified.ok, verified.output);
  // Without the intermediate the leaf must not verify: it really is signed by ca-cert.
  t.false(opensslVerify(files.dir, files.rootPem, [], chain[0]!).ok);
});

test('leaf lifetime is capped by the intermediate, not only the root', (t) => {
  const files = setup(t, { intermediateDays: 2 });
  const ca = createCertificateAuthority(load(files), { trustDomain: TD });
  const leaf = new X509Certificate(ca.sign(generateKeyAndCsr(URI).csrPem, URI, 30 * 86400)[0]!);
  t.is(new Date(leaf.validTo).getTime(), new Date(new X509Certificate(files.intermediatePem).validTo).getTime());
});

test('an RSA plug-in CA signs with sha256WithRSAEncryption and openssl verifies', (t) => {
  const files = setup(t, { keyType: 'rsa' });
  const chain = createCertificateAuthority(load(files), { trustDomain: TD }).sign(generateKeyAndCsr(URI).csrPem, URI);
  t.regex(opensslText(files.dir, chain[0]!), /Signature Algorithm: sha256WithRSAEncryption/);
  const verified = opensslVerify(files.dir, files.rootPem, [files.intermediatePem], chain[0]!);
  t.true(verified.ok, verified.output);
});

test('cert-chain.pem holding only the intermediate still yields [leaf, intermediate, root]', (t) => {
  const files = setup(t);
  writeFileSync(path.join(files.dir, 'cert-chain.pem'), files.intermediatePem);
  const chain = createCertificateAuthority(load(files), { trustDomain: TD }).sign(generateKeyAndCsr(URI).csrPem, URI);
  t.is(chain.length, 3);
  t.true(pemEqual(chain[2], files.rootPem));
});

const BROKEN: { name: string; file: string; message: RegExp; breakIt: (f: PluginCaFiles) => void }[] = [
  { name: 'ca-key.pem missing', file: 'ca-key.pem', message: /file is missing/,
    breakIt: (f) => unlinkSync(path.join(f.dir, 'ca-key.pem')) },
  { name: 'cert-chain.pem missing', file: 'cert-chain.pem', message: /file is missing/,
    breakIt: (f) => unlinkSync(path.join(f.dir, 'cert-chain.pem')) },
  { name: 'garbled ca-cert.pem', file: 'ca-cert.pem', message: /no PEM CERTIFICATE block/,
    breakIt: (f) => writeFileSync(path.join(f.dir, 'ca-cert.pem'), 'not a cert') },
  { name: 'garbled ca-key.pem', file: 'ca-key.pem', message: /private key/,
    breakIt: (f) => writeFileSync(path.join(f.dir, 'ca-key.pem'), 'not a key') },
  { name: 'ca-key.pem of another CA', file: 'ca-key.pem', message: /does not match/,
    breakIt: (f) => writeFileSync(path.join(f.dir, 'ca-key.pem'), readFileSync(path.join(f.dir, 'root.key'))) },
  { name: 'root-cert.pem is the intermediate (not self-signed)', file: 'root-cert.pem', message: /not a self-signed root/,
    breakIt: (f) => writeFileSync(path.join(f.dir, 'root-cert.pem'), f.intermediatePem) },
];

for (const c of BROKEN) {
  test(`plug-in cacerts refused with AMBIT_ERR_CA_ROOT naming the file: ${c.name}`, (t) => {
    const files = setup(t);
    c.breakIt(files);
    const err = t.throws(() => load(files));
    t.true(isAmbitError(err, 'AMBIT_ERR_CA_ROOT'), String(err));
    t.true(err.message.includes(path.join(files.dir, c.file)), err.message);
    t.regex(err.message, c.message);
  });
}

test('a cert-chain that does not lead to root-cert.pem is refused', (t) => {
  const files = setup(t);
  const other = tempDir();
  t.teardown(other.cleanup);
  const foreign = makePluginCa(other.dir);
  writeFileSync(path.join(files.dir, 'root-cert.pem'), foreign.rootPem);
  const err = t.throws(() => load(files));
  t.true(isAmbitError(err, 'AMBIT_ERR_CA_ROOT'), String(err));
  t.true(err.message.includes(path.join(files.dir, 'cert-chain.pem')), err.message);
});
