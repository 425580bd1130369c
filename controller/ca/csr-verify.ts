// The CA's admission rules for a CSR: the requested identity is a SPIFFE identity of
// this CA's trust domain, and the CSR names exactly that identity as its only SAN.
import { AmbitError } from '../../api/errors.js';
import { parseSpiffeUri, spiffeUri, type Identity } from '../../api/identity.js';
import { parseCsr, type ParsedCsr } from './csr-parse.js';

const URI_CHARS_RE = /^[\x21-\x7e]+$/;

/** The Identity a request names; AMBIT_ERR_CSR_INVALID unless it is ours to sign. */
export function parseRequestedIdentity(uri: string, trustDomain: string): Identity {
  const identity = URI_CHARS_RE.test(uri) ? parseSpiffeUri(uri) : undefined;
  if (!identity) {
    throw new AmbitError('AMBIT_ERR_CSR_INVALID',
      `requested identity ${JSON.stringify(uri)} is not of the form spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`);
  }
  if (identity.trustDomain !== trustDomain) {
    throw new AmbitError('AMBIT_ERR_CSR_INVALID',
      `requested identity ${uri} is in trust domain "${identity.trustDomain}"; this CA signs only "${trustDomain}"`);
  }
  return identity;
}

/** Parse and verify `pem`, and check its only SAN is `identity`. */
export function verifyCsrForIdentity(pem: string, identity: Identity): ParsedCsr {
  const csr = parseCsr(pem);
  const want = spiffeUri(identity);
  if (csr.uris.length === 0) {
    throw new AmbitError('AMBIT_ERR_CSR_INVALID', `certificate request has no URI subjectAltName (want ${want})`);
  }
  if (csr.uris.length > 1) {
    throw new AmbitError('AMBIT_ERR_CSR_INVALID',
      `certificate request has ${csr.uris.length} URI subjectAltNames (${csr.uris.join(', ')}); exactly one is allowed`);
  }
  if (csr.otherSans > 0) {
    throw new AmbitError('AMBIT_ERR_CSR_INVALID',
      'certificate request has non-URI subjectAltNames; only the SPIFFE URI is allowed');
  }
  if (csr.uris[0] !== want) {
    throw new AmbitError('AMBIT_ERR_CSR_INVALID',
      `certificate request SAN ${csr.uris[0]!} does not match the requested identity ${want}`);
  }
  return csr;
}
