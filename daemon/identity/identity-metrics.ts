// Prometheus metrics of the identity manager. Metrics already on the registry are
// re-used (several managers may share one in tests); the expiry gauge is computed at
// scrape time from every manager attached to that registry.
import { Counter, Gauge, type Registry } from 'prom-client';

/** Seconds left per spiffe id, as one manager sees them now. */
export type ExpirySource = () => Iterable<[spiffeId: string, secondsLeft: number]>;

export interface IdentityMetrics {
  issued: Counter;
  failures: Counter<'code'>;
  /** Stop reporting this manager's certificates. */
  detach(): void;
}

const sources = new WeakMap<Registry, Set<ExpirySource>>();

export function createIdentityMetrics(registry: Registry | undefined, expiry: ExpirySource): IdentityMetrics {
  const registers = registry ? [registry] : [];
  const issued = reuse(registry, 'ambit_certificates_issued_total', Counter) ??
    new Counter({ name: 'ambit_certificates_issued_total', help: 'Workload certificates obtained from the CA', registers });
  const failures = reuse(registry, 'ambit_certificate_fetch_failures_total', Counter<'code'>) ??
    new Counter({
      name: 'ambit_certificate_fetch_failures_total', help: 'Failed certificate requests, by error code', labelNames: ['code'], registers,
    });
  if (!registry) return { issued, failures, detach: () => undefined };

  let attached = sources.get(registry);
  if (!attached) {
    const set = (attached = new Set());
    sources.set(registry, set);
    new Gauge({
      name: 'ambit_certificate_expiry_seconds',
      help: 'Seconds until the workload certificate held for an identity expires',
      labelNames: ['identity'],
      registers,
      collect() {
        this.reset();
        for (const source of set) for (const [identity, seconds] of source()) this.set({ identity }, seconds);
      },
    });
  }
  attached.add(expiry);
  const mine = attached;
  return { issued, failures, detach: () => mine.delete(expiry) };
}

function reuse<T>(registry: Registry | undefined, name: string, kind: new (...args: never[]) => T): T | undefined {
  const existing = registry?.getSingleMetric(name);
  return existing instanceof kind ? existing : undefined;
}
