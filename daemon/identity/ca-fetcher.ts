// The production CertificateFetcher: the controller's CertificateService over TLS gRPC,
// authenticated with the node's bootstrap token (read per call, so it may rotate).
import { spiffeUri, type Identity } from '../../api/identity.js';
import { caClient, requestCertificate } from '../controller-connection.js';
import { caError } from './ca-error.js';
import type { CertificateFetcher } from './certificate-fetcher.js';

export interface CaFetcher extends CertificateFetcher {
  /** Close the gRPC channel. */
  close(): void;
}

export interface CaFetcherOptions {
  /** Requested lifetime in seconds; 0/absent = the CA's default (24 h). */
  ttlSeconds?: number;
}

export function caFetcher(address: string, rootPem: string, token: () => string, opts: CaFetcherOptions = {}): CaFetcher {
  const client = caClient(address, rootPem);
  const fetch = async (identity: Identity, csrPem: string): Promise<string[]> => {
    const id = spiffeUri(identity);
    try {
      return await requestCertificate(client, token(), { csr: csrPem, identity: id, validityDuration: opts.ttlSeconds });
    } catch (err) {
      throw caError(err, id);
    }
  };
  return Object.assign(fetch, { close: () => client.close() });
}
