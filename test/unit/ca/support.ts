// Shared by the CA tests: temp dirs, openssl, and an openssl-made plug-in CA
// (root + intermediate in Istio's cacerts layout).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function tempDir(prefix = 'ambit-ca-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Run openssl; stdout+stderr as text; throws with the output when it fails. */
export function openssl(args: string[], cwd?: string): string {
  try {
    return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr ?? ''}${e.stdout ?? ''}${e.message}`);
  }
}

/** `openssl verify` outcome: true when it prints "OK". */
export function opensslVerify(dir: string, root: string, intermediates: string[], leaf: string): { ok: boolean; output: string } {
  writeFileSync(path.join(dir, 'v-root.pem'), root);
  writeFileSync(path.join(dir, 'v-untrusted.pem'), intermediates.join(''));
  writeFileSync(path.join(dir, 'v-leaf.pem'), leaf);
  const args = ['verify', '-CAfile', 'v-root.pem'];
  if (intermediates.length > 0) args.push('-untrusted', 'v-untrusted.pem');
  args.push('v-leaf.pem');
  try {
    const output = openssl(args, dir);
    return { ok: /v-leaf\.pem: OK/.test(output), output };
  } catch (err) {
    return { ok: false, output: (err as Error).message };
  }
}

export function opensslText(dir: string, certPem: string): string {
  writeFileSync(path.join(dir, 't-cert.pem'), certPem);
  return openssl(['x509', '-in', 't-cert.pem', '-noout', '-text'], dir);
}

export interface PluginCaFiles {
  dir: string;
  rootPem: string;
  intermediatePem: string;
}

/**
 * Write Istio cacerts into `dir`: a root and an intermediate signed by it, ca-key.pem
 * the intermediate's key, cert-chain.pem = intermediate + root (Istio's layout).
 */
export function makePluginCa(dir: string, opts: { keyType?: 'ec' | 'rsa'; intermediateDays?: number } = {}): PluginCaFiles {
  const genKey = (file: string): void => {
    if (opts.keyType === 'rsa') openssl(['genrsa', '-out', file, '2048'], dir);
    else openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file], dir);
  };
  writeFileSync(path.join(dir, 'ca.ext'), [
    '[v3_ca]',
    'basicConstraints = critical, CA:TRUE',
    'keyUsage = critical, keyCertSign, cRLSign, digitalSignature',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '',
  ].join('\n'));
  genKey('root.key');
  openssl(['req', '-x509', '-new', '-key', 'root.key', '-sha256', '-days', '3650', '-subj', '/O=Istio/CN=Test Root CA',
    '-extensions', 'v3_ca', '-config', 'ca.ext', '-out', 'root-cert.pem'], dir);
  genKey('ca-key.pem');
  openssl(['req', '-new', '-key', 'ca-key.pem', '-subj', '/O=Istio/CN=Test Intermediate CA/L=cluster1', '-out', 'ca.csr'], dir);
  openssl(['x509', '-req', '-in', 'ca.csr', '-CA', 'root-cert.pem', '-CAkey', 'root.key', '-CAcreateserial', '-sha256',
    '-days', String(opts.intermediateDays ?? 730), '-extfile', 'ca.ext', '-extensions', 'v3_ca', '-out', 'ca-cert.pem'], dir);
  const rootPem = readFileSync(path.join(dir, 'root-cert.pem'), 'utf8');
  const intermediatePem = readFileSync(path.join(dir, 'ca-cert.pem'), 'utf8');
  writeFileSync(path.join(dir, 'cert-chain.pem'), intermediatePem + rootPem);
  return { dir, rootPem, intermediatePem };
}
