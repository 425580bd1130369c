// A TLS serving certificate for the controller's own gRPC endpoint (port 15012),
// issued by the mesh CA so daemons verify it with the same root they trust for
// workloads. DNS and IP SANs only; fresh P-256 key each time.
import { AmbitError } from '../../api/errors.js';
import type { CertificateAuthority } from './authority.js';
import type { GeneralName } from './general-name.js';
import { generateKeyPair, importP256Spki, spkiOf } from './keys.js';
import { parseDer } from './asn1.js';
import { DEFAULT_TTL_SECONDS } from './ttl.js';

export interface ServingCertOptions {
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  ttlSeconds?: number;
}

export interface ServingCert {
  privateKeyPem: string;  // PKCS#8
  certChainPem: string;   // leaf, intermediates, root: concatenated PEM for tls/grpc
  rootPem: string;
}

export function issueServingCertificate(ca: CertificateAuthority, opts: ServingCertOptions): ServingCert {
  const names: GeneralName[] = [
    ...(opts.dnsNames ?? []).map((dns) => ({ dns })),
    ...(opts.ipAddresses ?? []).map((ip) => ({ ip })),
  ];
  if (names.length === 0) {
    throw new AmbitError('AMBIT_ERR_CONFIG', 'a serving certificate needs at least one DNS name or IP address');
  }
  const { privateKey } = generateKeyPair();
  const spki = importP256Spki(spkiOf(privateKey));
  let leaf: string;
  try {
    leaf = ca.issue({ spkiNode: parseDer(spki.der), point: spki.point }, names, opts.ttlSeconds ?? DEFAULT_TTL_SECONDS);
  } catch (err) {
    if (err instanceof AmbitError) throw err;
    throw new AmbitError('AMBIT_ERR_CONFIG', `cannot issue the serving certificate: ${(err as Error).message}`, { cause: err });
  }
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    certChainPem: [leaf, ...ca.issuerChainPem].join(''),
    rootPem: ca.rootPem,
  };
}
