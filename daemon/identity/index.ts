// The daemon's workload identities: certificates from the controller's CA.
export { IdentityManager, DEFAULT_ROTATE_AT, DEFAULT_FETCH_TIMEOUT_MS, type IdentityManagerOptions } from './identity-manager.js';
export { buildWorkloadCertificate, isCurrent, uriSans, type WorkloadCertificate } from './workload-certificate.js';
export type { CertificateFetcher } from './certificate-fetcher.js';
export { caFetcher, type CaFetcher, type CaFetcherOptions } from './ca-fetcher.js';
export { caError } from './ca-error.js';
export type { IdentitySnapshot } from './identity-snapshot.js';
export { localIdentities } from './local-identities.js';
export { backoffDelay, DEFAULT_BACKOFF, type Backoff } from './backoff.js';
export { nodeTimers, type Timers } from './scheduler.js';
