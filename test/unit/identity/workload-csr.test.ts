// The daemon's own CSR encoder produces what the controller's ASN.1 toolkit does, and
// what the CA and openssl accept.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCsr } from '../../../controller/ca/csr-create.js';
import { verifyCsrForIdentity } from '../../../controller/ca/csr-verify.js';
import { generateKeyAndCsr, workloadCsrDer } from '../../../daemon/identity/workload-csr.js';

const ID = { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'sleep' };
const URI = 'spiffe://cluster.local/ns/default/sa/sleep';

/** The certificationRequestInfo (first element of the outer SEQUENCE), which carries no randomness. */
function requestInfo(der: Buffer): Buffer {
  let i = 1;
  const first = der[i]!;
  i += first < 0x80 ? 1 : 1 + (first & 0x7f);
  const lenByte = der[i + 1]!;
  const lenBytes = lenByte < 0x80 ? 0 : lenByte & 0x7f;
  let len = lenByte;
  if (lenBytes > 0) {
    len = 0;
    for (let k = 0; k < lenBytes; k++) len = len * 256 + der[i + 2 + k]!;
  }
  return der.subarray(i, i + 2 + lenBytes + len);
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

test('same request info as the controller toolkit builds for the same key', (t) => {
  const { privateKey, csrPem } = generateKeyAndCsr(ID);
  const reference = pemToDer(createCsr(privateKey, ID));
  t.deepEqual(requestInfo(pemToDer(csrPem)), requestInfo(reference));
  t.deepEqual(requestInfo(workloadCsrDer(privateKey, URI)), requestInfo(reference));
});

test('the CA accepts it for that identity: one URI SAN, valid signature', (t) => {
  const { csrPem } = generateKeyAndCsr(URI);
  t.deepEqual(verifyCsrForIdentity(csrPem, ID).uris, [URI]);
});

test('openssl verifies the signature', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ambit-csr-'));
  try {
    const file = path.join(dir, 'req.pem');
    writeFileSync(file, generateKeyAndCsr(ID).csrPem);
    const out = execFileSync('openssl', ['req', '-in', file, '-noout', '-verify', '-text'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    t.regex(out, /URI:spiffe:\/\/cluster\.local\/ns\/default\/sa\/sleep/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
