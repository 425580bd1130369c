// The daemon's workload certificates: one per identity, fetched from the CA on demand
// or prefetched for local workloads, renewed at a fraction of their lifetime, retried
// with backoff while the old one is still valid, never served past notAfter.
//
// A connection never waits for a renewal: certificate() answers from the cache while
// the held certificate is valid, and only waits when there is none. Concurrent
// requests for one identity share a single CA round trip.
import type { Registry } from 'prom-client';
import { AmbitError } from '../../api/errors.js';
import { spiffeUri, type Identity } from '../../api/identity.js';
import type { Logger } from '../../api/log.js';
import { generateKeyAndCsr } from './workload-csr.js';
import { backoffDelay, DEFAULT_BACKOFF, type Backoff } from './backoff.js';
import { caError } from './ca-error.js';
import type { CertificateFetcher } from './certificate-fetcher.js';
import type { IdentityEntry } from './identity-entry.js';
import { createIdentityMetrics, type IdentityMetrics } from './identity-metrics.js';
import { snapshotOf, type IdentitySnapshot } from './identity-snapshot.js';
import { rotationTime } from './rotation.js';
import { nodeTimers, scheduleAt, type Timers } from './scheduler.js';
import { buildWorkloadCertificate, isCurrent, type WorkloadCertificate } from './workload-certificate.js';

export interface IdentityManagerOptions {
  /** This daemon's node (log context). */
  node: string;
  fetchCertificate: CertificateFetcher;
  log: Logger;
  /** Clock in ms since the epoch (tests). */
  now?: () => number;
  /** Timer functions (tests). */
  timers?: Timers;
  /** Fraction of the lifetime, from notBefore, at which to renew; default 0.5. */
  rotateAt?: number;
  /** Retry delays after a failed request; default 1 s doubling to 30 s. */
  backoff?: Backoff;
  /** A CA request that has not answered after this long fails; default 30 s. */
  fetchTimeoutMs?: number;
  /** Where to register the metrics; none: not exported. */
  registry?: Registry;
  /** Jitter source in [0, 1) (tests). */
  random?: () => number;
}

export const DEFAULT_ROTATE_AT = 0.5;
export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;

export class IdentityManager {
  readonly node: string;
  private readonly fetchCertificate: CertificateFetcher;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly rotateAt: number;
  private readonly backoff: Backoff;
  private readonly fetchTimeoutMs: number;
  private readonly random: () => number;
  private readonly metrics: IdentityMetrics;
  private readonly entries = new Map<string, IdentityEntry>();
  /** Fail the in-flight requests' timeouts at close. */
  private readonly aborts = new Set<(err: AmbitError) => void>();
  private closed = false;

  constructor(opts: IdentityManagerOptions) {
    this.node = opts.node;
    this.fetchCertificate = opts.fetchCertificate;
    this.log = opts.log.child({ node: opts.node });
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? nodeTimers;
    this.rotateAt = opts.rotateAt ?? DEFAULT_ROTATE_AT;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.fetchTimeoutMs = opts.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
    this.random = opts.random ?? Math.random;
    if (!(this.rotateAt > 0 && this.rotateAt < 1)) {
      throw new AmbitError('AMBIT_ERR_CONFIG', `rotateAt must be between 0 and 1 (exclusive), got ${this.rotateAt}`);
    }
    if (!(this.backoff.initialMs > 0 && this.backoff.maxMs >= this.backoff.initialMs)) {
      throw new AmbitError('AMBIT_ERR_CONFIG', `backoff needs 0 < initialMs <= maxMs, got ${this.backoff.initialMs}/${this.backoff.maxMs}`);
    }
    if (!(this.fetchTimeoutMs > 0)) throw new AmbitError('AMBIT_ERR_CONFIG', `fetchTimeoutMs must be positive, got ${this.fetchTimeoutMs}`);
    this.metrics = createIdentityMetrics(opts.registry, () => this.secondsLeft());
  }

  /**
   * The certificate for `identity`: the held one while valid (even while it is being
   * renewed), else the result of a CA request shared with concurrent callers. Rejects
   * with an AmbitError (the CA's refusal code, or AMBIT_ERR_CERT_FETCH).
   */
  certificate(identity: Identity): Promise<WorkloadCertificate> {
    if (this.closed) return Promise.reject(closedError());
    const entry = this.entryFor(identity);
    entry.retired = false;
    const cert = this.valid(entry);
    return cert ? Promise.resolve(cert) : this.fetch(entry);
  }

  /** The held certificate for `identity` if it is valid now. */
  cached(identity: Identity): WorkloadCertificate | undefined {
    const entry = this.entries.get(spiffeUri(identity));
    return entry ? this.valid(entry) : undefined;
  }

  /**
   * The identities of the workloads on this node: fetch those without a certificate
   * (or a request or retry under way); forget every other identity, once its request
   * in flight (if any) has settled.
   */
  setLocalIdentities(identities: readonly Identity[]): void {
    if (this.closed) return;
    const wanted = new Map(identities.map((id) => [spiffeUri(id), id]));
    for (const entry of [...this.entries.values()]) {
      if (wanted.has(entry.spiffeId)) continue;
      entry.local = false;
      if (entry.pending) entry.retired = true;
      else this.forget(entry);
    }
    for (const identity of wanted.values()) {
      const entry = this.entryFor(identity);
      entry.local = true;
      entry.retired = false;
      if (!this.valid(entry) && !entry.pending && !entry.timer) this.refresh(entry);
    }
  }

  /** The trust anchors of the certificates held now (PEM, deduplicated), if any. */
  rootsPem(): string | undefined {
    const roots = new Set<string>();
    for (const entry of this.entries.values()) {
      const cert = this.valid(entry);
      if (cert) roots.add(cert.rootsPem);
    }
    return roots.size === 0 ? undefined : [...roots].join('');
  }

  /** One row per identity, sorted, for /config_dump. */
  snapshot(): IdentitySnapshot[] {
    const now = this.now();
    return [...this.entries.values()].map((e) => snapshotOf(e, now)).sort((a, b) => a.identity.localeCompare(b.identity));
  }

  /** Stop every timer; requests in flight are failed, no new ones are made. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.entries.values()) this.cancelTimer(entry);
    for (const abort of [...this.aborts]) abort(closedError());
    this.metrics.detach();
  }

  private entryFor(identity: Identity): IdentityEntry {
    const spiffeId = spiffeUri(identity);
    let entry = this.entries.get(spiffeId);
    if (!entry) {
      entry = { identity: { ...identity }, spiffeId, local: false, retired: false, failures: 0 };
      this.entries.set(spiffeId, entry);
    }
    return entry;
  }

  /** The held certificate if valid; an expired one is dropped here. */
  private valid(entry: IdentityEntry): WorkloadCertificate | undefined {
    const cert = entry.current;
    if (!cert) return undefined;
    if (isCurrent(cert, this.now())) return cert;
    entry.current = undefined;
    this.log.warn({ identity: entry.spiffeId, serial: cert.serial, notAfter: cert.notAfter.toISOString() },
      'workload certificate expired and is no longer served');
    return undefined;
  }

  private fetch(entry: IdentityEntry): Promise<WorkloadCertificate> {
    if (entry.pending) return entry.pending;
    this.cancelTimer(entry); // a scheduled renewal or retry happens now
    const pending = this.request(entry).then((cert) => {
      this.succeeded(entry, cert);
      return cert;
    }, (err: unknown) => {
      const error = caError(err, entry.spiffeId);
      this.failed(entry, error);
      throw error;
    });
    entry.pending = pending;
    return pending;
  }

  /** A background fetch: the outcome is recorded by succeeded/failed. */
  private refresh(entry: IdentityEntry): void {
    this.fetch(entry).catch(() => undefined);
  }

  private async request(entry: IdentityEntry): Promise<WorkloadCertificate> {
    const { privateKeyPem, csrPem } = generateKeyAndCsr(entry.identity); // a fresh P-256 key per certificate
    const chain = await this.withTimeout(this.fetchCertificate(entry.identity, csrPem), entry.spiffeId);
    return buildWorkloadCertificate(entry.identity, privateKeyPem, chain);
  }

  private succeeded(entry: IdentityEntry, cert: WorkloadCertificate): void {
    entry.pending = undefined;
    this.metrics.issued.inc();
    if (this.closed) return;
    if (entry.retired) {
      this.forget(entry);
      return;
    }
    const replaced = entry.current;
    entry.current = cert;
    entry.failures = 0;
    entry.lastError = undefined;
    const rotatesAt = rotationTime(cert, this.rotateAt, this.now());
    this.schedule(entry, rotatesAt, 'rotate');
    this.log.info({
      identity: entry.spiffeId, serial: cert.serial, notAfter: cert.notAfter.toISOString(),
      rotatesAt: new Date(rotatesAt).toISOString(), replaced: replaced?.serial,
    }, replaced ? 'workload certificate renewed' : 'workload certificate issued');
  }

  private failed(entry: IdentityEntry, err: AmbitError): void {
    entry.pending = undefined;
    if (this.closed) return;
    entry.failures++;
    entry.lastError = err;
    this.metrics.failures.inc({ code: err.code });
    const fields = { identity: entry.spiffeId, code: err.code, err: err.message, failures: entry.failures };
    if (entry.retired) {
      this.log.info(fields, 'certificate request failed for an identity no longer on this node');
      this.forget(entry);
      return;
    }
    const cert = this.valid(entry);
    if (!cert && !entry.local) {
      this.log.warn(fields, 'certificate request failed'); // on demand: the caller has the error; the next one asks again
      return;
    }
    const retryAt = this.now() + backoffDelay(this.backoff, entry.failures, this.random);
    if (cert && retryAt >= cert.notAfter.getTime()) this.schedule(entry, cert.notAfter.getTime(), 'expire');
    else this.schedule(entry, retryAt, 'retry');
    this.log.warn({ ...fields, retryAt: new Date(retryAt).toISOString(), serving: cert?.serial }, 'certificate request failed; will retry');
  }

  /** The held certificate's notAfter has passed: drop it; local identities keep retrying. */
  private expire(entry: IdentityEntry): void {
    const cert = this.valid(entry);
    if (cert) {
      this.schedule(entry, cert.notAfter.getTime(), 'expire');
    } else if (entry.local) {
      this.schedule(entry, this.now() + backoffDelay(this.backoff, entry.failures, this.random), 'retry');
    }
  }

  private schedule(entry: IdentityEntry, at: number, kind: 'rotate' | 'retry' | 'expire'): void {
    this.cancelTimer(entry);
    const cancel = scheduleAt(this.timers, this.now, at, () => {
      entry.timer = undefined;
      if (this.closed) return;
      if (kind === 'expire') this.expire(entry);
      else this.refresh(entry);
    });
    entry.timer = { at, kind, cancel };
  }

  private cancelTimer(entry: IdentityEntry): void {
    entry.timer?.cancel();
    entry.timer = undefined;
  }

  private forget(entry: IdentityEntry): void {
    this.cancelTimer(entry);
    this.entries.delete(entry.spiffeId);
    this.log.debug({ identity: entry.spiffeId }, 'identity forgotten');
  }

  private withTimeout<T>(work: Promise<T>, spiffeId: string): Promise<T> {
    let reject!: (err: AmbitError) => void;
    const failed = new Promise<never>((_resolve, rej) => { reject = rej; });
    const cancel = scheduleAt(this.timers, this.now, this.now() + this.fetchTimeoutMs, () => reject(
      new AmbitError('AMBIT_ERR_CERT_FETCH', `the CA did not answer for ${spiffeId} within ${this.fetchTimeoutMs} ms`)));
    const abort = (err: AmbitError): void => {
      cancel();
      reject(err);
    };
    this.aborts.add(abort);
    return Promise.race([work, failed]).finally(() => {
      cancel();
      this.aborts.delete(abort);
    });
  }

  private *secondsLeft(): Iterable<[string, number]> {
    const now = this.now();
    for (const entry of this.entries.values()) {
      const cert = entry.current;
      if (cert && isCurrent(cert, now)) yield [entry.spiffeId, (cert.notAfter.getTime() - now) / 1000];
    }
  }
}

function closedError(): AmbitError {
  return new AmbitError('AMBIT_ERR_CERT_FETCH', 'the identity manager is closed');
}
