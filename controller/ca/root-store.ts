// The self-signed root, persisted in the controller's state dir on first start
// (root-cert.pem, root-key.pem mode 0600) and reloaded, unchanged, afterwards.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { caRootError, readCertificateFile, readPrivateKey } from './ca-files.js';
import type { CaMaterial } from './ca-material.js';
import { readCertificate, type CertInfo } from './cert-info.js';
import { pemEncode } from './pem.js';
import { createSelfSignedRoot } from './root-create.js';

export const ROOT_CERT_FILE = 'root-cert.pem';
export const ROOT_KEY_FILE = 'root-key.pem';

export function loadOrCreateSelfSignedRoot(stateDir: string, trustDomain: string, now = new Date()): CaMaterial {
  const certFile = path.join(stateDir, ROOT_CERT_FILE);
  const keyFile = path.join(stateDir, ROOT_KEY_FILE);
  const haveCert = existsSync(certFile);
  const haveKey = existsSync(keyFile);
  if (!haveCert && !haveKey) return create(stateDir, certFile, keyFile, trustDomain, now);
  if (!haveCert || !haveKey) {
    const [missing, present] = haveCert ? [keyFile, certFile] : [certFile, keyFile];
    throw caRootError(missing, `file is missing while ${path.basename(present)} exists; restore it, or remove ` +
      `${path.basename(present)} to generate a new root (certificates issued under the old root stop verifying)`);
  }
  const cert = readCertificateFile(certFile);
  const key = readPrivateKey(keyFile);
  checkRoot(cert, certFile, now);
  if (!cert.x509.checkPrivateKey(key)) throw caRootError(keyFile, `does not match ${certFile}`);
  return { source: 'self-signed', chain: [cert], key };
}

function create(stateDir: string, certFile: string, keyFile: string, trustDomain: string, now: Date): CaMaterial {
  const root = createSelfSignedRoot({ trustDomain, now });
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    // Key first, cert last: a present cert means a complete pair. Each via rename,
    // so a crash never leaves a half-written file.
    writeAtomic(keyFile, root.key.export({ format: 'pem', type: 'pkcs8' }).toString(), 0o600);
    writeAtomic(certFile, pemEncode(root.certDer, 'CERTIFICATE'), 0o644);
  } catch (err) {
    throw caRootError(stateDir, `cannot persist the self-signed root (${(err as Error).message})`, err);
  }
  return { source: 'self-signed', chain: [readCertificate(root.certDer)], key: root.key };
}

function writeAtomic(file: string, data: string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  rmSync(tmp, { force: true }); // a leftover would keep its old mode
  writeFileSync(tmp, data, { mode, flag: 'wx' });
  renameSync(tmp, file);
}

/** The checks a usable root passes; shared with the plug-in loader. */
export function checkRoot(cert: CertInfo, file: string, now: Date): void {
  if (!cert.isCa) throw caRootError(file, 'is not a CA certificate (basicConstraints cA is not set)');
  if (cert.notAfter.getTime() <= now.getTime()) throw caRootError(file, `expired on ${cert.notAfter.toISOString()}`);
  if (!cert.x509.checkIssued(cert.x509) || !cert.x509.verify(cert.x509.publicKey)) {
    throw caRootError(file, 'is not a self-signed root certificate');
  }
}
