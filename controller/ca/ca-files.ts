// Reading CA files from disk; every failure is AMBIT_ERR_CA_ROOT naming the file.
import { readFileSync } from 'node:fs';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { AmbitError } from '../../api/errors.js';
import { readCertificate, type CertInfo } from './cert-info.js';
import { pemDecodeAll } from './pem.js';

export function caRootError(file: string, problem: string, cause?: unknown): AmbitError {
  return new AmbitError('AMBIT_ERR_CA_ROOT', `${file}: ${problem}`, cause === undefined ? undefined : { cause });
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw caRootError(file, code === 'ENOENT' ? 'file is missing' : `cannot be read (${code ?? String(err)})`, err);
  }
}

/** All certificates of a PEM file, in order (at least one). */
export function readCertificates(file: string): CertInfo[] {
  const text = readText(file);
  let blocks;
  try {
    blocks = pemDecodeAll(text).filter((b) => b.label === 'CERTIFICATE');
  } catch (err) {
    throw caRootError(file, `garbled PEM (${(err as Error).message})`, err);
  }
  if (blocks.length === 0) throw caRootError(file, 'contains no PEM CERTIFICATE block');
  return blocks.map((b, i) => {
    try {
      return readCertificate(b.der);
    } catch (err) {
      throw caRootError(file, `certificate #${i + 1} could not be parsed (${(err as Error).message})`, err);
    }
  });
}

export function readCertificateFile(file: string): CertInfo {
  const certs = readCertificates(file);
  if (certs.length !== 1) throw caRootError(file, `expected one certificate, found ${certs.length}`);
  return certs[0]!;
}

/** A PEM private key (PKCS#8, SEC1 "EC PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY"). */
export function readPrivateKey(file: string): KeyObject {
  const text = readText(file);
  try {
    return createPrivateKey(text);
  } catch (err) {
    throw caRootError(file, 'is not a readable unencrypted PEM private key', err);
  }
}
