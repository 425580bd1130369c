// The identity manager's state for /config_dump: one row per identity.
import type { IdentityEntry } from './identity-entry.js';
import { isCurrent } from './workload-certificate.js';

export interface IdentitySnapshot {
  identity: string;
  /** valid: a certificate is served; fetching: none yet, a request is in flight; failed: none, and the last request failed. */
  state: 'valid' | 'fetching' | 'failed';
  local: boolean;
  serial?: string;
  notBefore?: string;
  notAfter?: string;
  /** Next renewal (or retry) attempt. */
  rotatesAt?: string;
  lastError?: { code: string; message: string };
}

export function snapshotOf(entry: IdentityEntry, nowMs: number): IdentitySnapshot {
  const cert = entry.current && isCurrent(entry.current, nowMs) ? entry.current : undefined;
  const state = cert ? 'valid' : entry.pending ? 'fetching' : 'failed';
  const row: IdentitySnapshot = { identity: entry.spiffeId, state, local: entry.local };
  if (cert) {
    row.serial = cert.serial;
    row.notBefore = cert.notBefore.toISOString();
    row.notAfter = cert.notAfter.toISOString();
  }
  if (entry.timer && entry.timer.kind !== 'expire') row.rotatesAt = new Date(entry.timer.at).toISOString();
  if (entry.lastError) row.lastError = { code: entry.lastError.code, message: entry.lastError.message };
  return row;
}
