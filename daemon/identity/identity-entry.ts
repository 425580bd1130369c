// What the manager keeps per identity (keyed by spiffe id).
import type { Identity } from '../../api/identity.js';
import type { AmbitError } from '../../api/errors.js';
import type { Cancel } from './scheduler.js';
import type { WorkloadCertificate } from './workload-certificate.js';

export interface IdentityEntry {
  identity: Identity;
  spiffeId: string;
  /** The certificate served; swapped in one assignment on renewal. */
  current?: WorkloadCertificate;
  /** The CA request in flight, shared by everyone who waits for it. */
  pending?: Promise<WorkloadCertificate>;
  /** The next scheduled renewal, retry or expiry. */
  timer?: { at: number; kind: 'rotate' | 'retry' | 'expire'; cancel: Cancel };
  /** A workload of this node has the identity (prefetched, retried while it has no certificate). */
  local: boolean;
  /** No longer wanted, but a request is in flight: forget it once that settles. */
  retired: boolean;
  /** Failed requests since the last success. */
  failures: number;
  lastError?: AmbitError;
}
