// Throw-away certificates for the haproxy baseline, made with openssl in `dir`: a CA,
// a server certificate for haproxy B (b.local) and a client certificate for haproxy A,
// all ECDSA P-256 like the mesh's. haproxy wants certificate and key in one PEM file.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TestCerts {
  caFile: string;
  /** Server certificate + key (haproxy B's bind). */
  serverPem: string;
  /** Client certificate + key (haproxy A's server line). */
  clientPem: string;
  serverName: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
}

function leaf(dir: string, name: string, subject: string, ext: string, serial: string): string {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${subject}`]);
  writeFileSync(path.join(dir, `${name}.ext`), ext);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', serial, '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`]);
  const pem = path.join(dir, `${name}.pem`);
  writeFileSync(pem, readFileSync(path.join(dir, `${name}.crt`), 'utf8') + readFileSync(path.join(dir, `${name}.key`), 'utf8'));
  return pem;
}

export function makeTestCerts(dir: string): TestCerts {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-days', '2', '-subj', '/CN=ambit-bench-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const serverName = 'b.local';
  return {
    caFile: path.join(dir, 'ca.pem'),
    serverPem: leaf(dir, 'server', serverName, `subjectAltName=DNS:${serverName}\nextendedKeyUsage=serverAuth\n`, '2'),
    clientPem: leaf(dir, 'client', 'a.local', 'extendedKeyUsage=clientAuth\n', '3'),
    serverName,
  };
}
