// Istio's plug-in CA convention: a directory holding ca-cert.pem (the issuing
// certificate), ca-key.pem (its key), root-cert.pem and cert-chain.pem (ca-cert up to
// the root). Loaded and checked as one chain so a bad bundle fails at start-up.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { caRootError, readCertificateFile, readCertificates, readPrivateKey } from './ca-files.js';
import type { CaMaterial } from './ca-material.js';
import type { CertInfo } from './cert-info.js';
import { KEY_USAGE } from './extensions.js';
import { signatureAlgorithmFor } from './keys.js';
import { checkRoot } from './root-store.js';

export const CACERTS_FILES = {
  caCert: 'ca-cert.pem',
  caKey: 'ca-key.pem',
  rootCert: 'root-cert.pem',
  certChain: 'cert-chain.pem',
} as const;

/** The plug-in CA in `dir`, or undefined when `dir` holds none of the cacerts files. */
export function loadPluginCa(dir: string, now = new Date()): CaMaterial | undefined {
  const files = {
    caCert: path.join(dir, CACERTS_FILES.caCert),
    caKey: path.join(dir, CACERTS_FILES.caKey),
    rootCert: path.join(dir, CACERTS_FILES.rootCert),
    certChain: path.join(dir, CACERTS_FILES.certChain),
  };
  const present = Object.values(files).filter((f) => existsSync(f));
  if (present.length === 0) return undefined;
  const missing = Object.values(files).find((f) => !existsSync(f));
  if (missing) throw caRootError(missing, `file is missing (plug-in CA dir ${dir} holds only ${present.map((f) => path.basename(f)).join(', ')})`);

  const caCert = readCertificateFile(files.caCert);
  const key = readPrivateKey(files.caKey);
  const root = readCertificateFile(files.rootCert);
  const chainFile = readCertificates(files.certChain);

  try {
    signatureAlgorithmFor(key);
  } catch (err) {
    throw caRootError(files.caKey, (err as Error).message, err);
  }
  if (!caCert.x509.checkPrivateKey(key)) throw caRootError(files.caKey, `does not match ${files.caCert}`);
  if (!caCert.isCa) throw caRootError(files.caCert, 'is not a CA certificate (basicConstraints cA is not set)');
  if (caCert.keyUsageBits !== undefined && (caCert.keyUsageBits & (0x8000 >> KEY_USAGE.keyCertSign)) === 0) {
    throw caRootError(files.caCert, 'keyUsage does not allow keyCertSign');
  }
  checkRoot(root, files.rootCert, now);

  // [ca-cert, ...cert-chain, root], without repeats: cert-chain usually starts with
  // ca-cert and ends with the root, but either may be left out.
  const chain: CertInfo[] = [caCert];
  for (const cert of [...chainFile, root]) {
    if (!cert.der.equals(chain[chain.length - 1]!.der)) chain.push(cert);
  }
  const rootAt = chain.findIndex((c) => c.der.equals(root.der));
  if (rootAt !== chain.length - 1) {
    throw caRootError(files.certChain, `${files.rootCert} appears before the end of the chain`);
  }
  for (let i = 0; i < chain.length - 1; i++) {
    const child = chain[i]!;
    const parent = chain[i + 1]!;
    if (!child.x509.checkIssued(parent.x509) || !child.x509.verify(parent.x509.publicKey)) {
      throw caRootError(files.certChain,
        `"${child.x509.subject.replace(/\n/g, ', ')}" is not signed by "${parent.x509.subject.replace(/\n/g, ', ')}"; ` +
        `the chain from ${CACERTS_FILES.caCert} does not lead to ${CACERTS_FILES.rootCert}`);
    }
    if (child.notAfter.getTime() <= now.getTime()) {
      throw caRootError(i === 0 ? files.caCert : files.certChain, `certificate "${child.x509.subject}" expired on ${child.notAfter.toISOString()}`);
    }
  }
  return { source: 'plugin', chain, key };
}
