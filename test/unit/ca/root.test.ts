import test from 'ava';
import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isAmbitError } from '../../../api/errors.js';
import { createCertificateAuthority } from '../../../controller/ca/authority.js';
import { generateKeyPair } from '../../../controller/ca/keys.js';
import { loadCaMaterial } from '../../../controller/ca/root.js';
import { ROOT_CERT_FILE, ROOT_KEY_FILE } from '../../../controller/ca/root-store.js';
import { generateKeyAndCsr } from '../../../controller/ca/csr-create.js';
import { tempDir } from './support.js';

const TD = 'cluster.local';

function spkiHex(material: ReturnType<typeof loadCaMaterial>): string {
  return createPublicKey(material.key).export({ format: 'der', type: 'spki' }).toString('hex');
}

test('first start creates root-cert.pem and root-key.pem (0600); later starts reload the same root and key', (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const stateDir = path.join(dir, 'state');
  const first = loadCaMaterial({ stateDir, trustDomain: TD });
  t.is(first.source, 'self-signed');
  t.true(existsSync(path.join(stateDir, ROOT_CERT_FILE)));
  t.is(statSync(path.join(stateDir, ROOT_KEY_FILE)).mode & 0o777, 0o600);
  const certBytes = readFileSync(path.join(stateDir, ROOT_CERT_FILE));

  const second = loadCaMaterial({ stateDir, trustDomain: TD });
  t.deepEqual(second.chain[0]!.der, first.chain[0]!.der);
  t.is(spkiHex(second), spkiHex(first));
  t.deepEqual(readFileSync(path.join(stateDir, ROOT_CERT_FILE)), certBytes, 'files are not rewritten');

  // A certificate issued before the restart still chains to the reloaded root.
  const uri = 'spiffe://cluster.local/ns/a/sa/b';
  const before = createCertificateAuthority(first, { trustDomain: TD }).sign(generateKeyAndCsr(uri).csrPem, uri);
  t.is(before[1], createCertificateAuthority(second, { trustDomain: TD }).rootPem);
});

test('two state dirs get two different roots', (t) => {
  const a = tempDir();
  const b = tempDir();
  t.teardown(() => { a.cleanup(); b.cleanup(); });
  t.not(spkiHex(loadCaMaterial({ stateDir: a.dir, trustDomain: TD })), spkiHex(loadCaMaterial({ stateDir: b.dir, trustDomain: TD })));
});

function brokenState(t: { teardown: (f: () => void) => void }, breakIt: (dir: string) => void): string {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  loadCaMaterial({ stateDir: dir, trustDomain: TD });
  breakIt(dir);
  return dir;
}

const BROKEN: { name: string; breakIt: (dir: string) => void; file: string; message: RegExp }[] = [
  { name: 'garbled root-cert.pem', file: ROOT_CERT_FILE, message: /no PEM CERTIFICATE block/,
    breakIt: (dir) => writeFileSync(path.join(dir, ROOT_CERT_FILE), 'garbage') },
  { name: 'root-cert.pem with a corrupt certificate', file: ROOT_CERT_FILE, message: /could not be parsed/,
    breakIt: (dir) => writeFileSync(path.join(dir, ROOT_CERT_FILE),
      '-----BEGIN CERTIFICATE-----\nMIIBAjCBqaADAgECAhA=\n-----END CERTIFICATE-----\n') },
  { name: 'garbled root-key.pem', file: ROOT_KEY_FILE, message: /not a readable unencrypted PEM private key/,
    breakIt: (dir) => writeFileSync(path.join(dir, ROOT_KEY_FILE), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n') },
  { name: 'root-key.pem missing while root-cert.pem exists', file: ROOT_KEY_FILE, message: /missing while root-cert\.pem exists/,
    breakIt: (dir) => unlinkSync(path.join(dir, ROOT_KEY_FILE)) },
  { name: 'root-cert.pem missing while root-key.pem exists', file: ROOT_CERT_FILE, message: /missing while root-key\.pem exists/,
    breakIt: (dir) => unlinkSync(path.join(dir, ROOT_CERT_FILE)) },
  { name: 'root-key.pem from another key pair', file: ROOT_KEY_FILE, message: /does not match/,
    breakIt: (dir) => writeFileSync(path.join(dir, ROOT_KEY_FILE),
      generateKeyPair().privateKey.export({ format: 'pem', type: 'pkcs8' })) },
];

for (const c of BROKEN) {
  test(`AMBIT_ERR_CA_ROOT naming the file: ${c.name}`, (t) => {
    const dir = brokenState(t, c.breakIt);
    const err = t.throws(() => loadCaMaterial({ stateDir: dir, trustDomain: TD }));
    t.true(isAmbitError(err, 'AMBIT_ERR_CA_ROOT'), String(err));
    t.true(err.message.includes(path.join(dir, c.file)), err.message);
    t.regex(err.message, c.message);
  });
}

test('an unwritable state dir is AMBIT_ERR_CA_ROOT', (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  writeFileSync(path.join(dir, 'file'), 'x');
  const err = t.throws(() => loadCaMaterial({ stateDir: path.join(dir, 'file', 'state'), trustDomain: TD }));
  t.true(isAmbitError(err, 'AMBIT_ERR_CA_ROOT'), String(err));
});

test('a plug-in dir without cacerts files falls back to the self-signed root', (t) => {
  const state = tempDir();
  const plugin = tempDir();
  t.teardown(() => { state.cleanup(); plugin.cleanup(); });
  const m = loadCaMaterial({ stateDir: state.dir, pluginDir: plugin.dir, trustDomain: TD });
  t.is(m.source, 'self-signed');
  t.true(existsSync(path.join(state.dir, ROOT_CERT_FILE)));
});
