// Outlier detection (rule 87) for the endpoints of one destination, pure: the caller
// passes the clock. Each try's outcome is recorded against its endpoint:
//  - a 5xx response, or a failure without one (connect failure, reset, timeout: Envoy
//    counts these as 503 unless it splits local-origin errors, which Istio does not),
//    adds to the consecutive-5xx count; 502/503/504 and those failures also add to the
//    consecutive-gateway-error count; anything else resets both;
//  - reaching `consecutive5xxErrors` or `consecutiveGatewayErrors` (0 = off) ejects the
//    endpoint at once, unless `maxEjectionPercent` of the endpoints are already out
//    (one endpoint can always be ejected);
//  - an ejected endpoint stays out `baseEjectionTime` × its number of ejections (at most
//    300 s, Envoy's max_ejection_time), and returns at the first sweep (every `interval`,
//    counted from the first record) after that; unlike Envoy the multiplier does not
//    shrink again while the endpoint stays healthy;
//  - ejected endpoints are not picked, unless fewer than `minHealthPercent` of the
//    endpoints are healthy (then all are, Envoy's panic mode; Istio's default 0 keeps it off).
import type { L7OutlierDetection } from '../../api/l7-model.js';

/** Envoy's max_ejection_time default (Istio does not set it): the longest one ejection lasts, unless the base is longer. */
export const MAX_EJECTION_TIME_MS = 300_000;

export type Observed = { status: number } | { failure: 'connect-failure' | 'reset' | 'timeout' };

interface HostState {
  consecutive5xx: number;
  consecutiveGateway: number;
  ejections: number;
  /** Back in service from this time (ms); undefined = not ejected. */
  returnsAt?: number;
}

export class OutlierDetector {
  private readonly hosts = new Map<string, HostState>();
  private epoch: number | undefined;

  /** Records one try's outcome; true when it ejected the endpoint. `size`: the destination's endpoint count. */
  record(host: string, observed: Observed, settings: L7OutlierDetection, size: number, now: number): boolean {
    this.epoch ??= now;
    const state = this.hosts.get(host) ?? { consecutive5xx: 0, consecutiveGateway: 0, ejections: 0 };
    this.hosts.set(host, state);
    const status = 'status' in observed ? observed.status : 503;
    if (status >= 500 && status <= 599) state.consecutive5xx++;
    else state.consecutive5xx = 0;
    if (status === 502 || status === 503 || status === 504) state.consecutiveGateway++;
    else state.consecutiveGateway = 0;
    if (this.isEjected(host, now)) return false;
    const by5xx = settings.consecutive5xxErrors > 0 && state.consecutive5xx >= settings.consecutive5xxErrors;
    const byGateway = settings.consecutiveGatewayErrors > 0 && state.consecutiveGateway >= settings.consecutiveGatewayErrors;
    if (!by5xx && !byGateway) return false;
    const out = this.ejectedCount(now);
    if (out > 0 && ((out + 1) / Math.max(1, size)) * 100 > settings.maxEjectionPercent) return false;
    state.ejections++;
    state.consecutive5xx = 0;
    state.consecutiveGateway = 0;
    const outFor = Math.min(settings.baseEjectionTimeMs * state.ejections, Math.max(MAX_EJECTION_TIME_MS, settings.baseEjectionTimeMs));
    state.returnsAt = this.nextSweep(now + outFor, settings.intervalMs);
    return true;
  }

  isEjected(host: string, now: number): boolean {
    const at = this.hosts.get(host)?.returnsAt;
    return at !== undefined && now < at;
  }

  /** The endpoints to pick from: the ones not ejected, or all of them in panic mode (or when none is left with panic off: none). */
  healthy<E>(endpoints: readonly E[], id: (e: E) => string, settings: L7OutlierDetection, now: number): E[] {
    const ok = endpoints.filter((e) => !this.isEjected(id(e), now));
    if (ok.length === endpoints.length) return ok;
    const healthyPercent = endpoints.length === 0 ? 100 : (ok.length / endpoints.length) * 100;
    if (settings.minHealthPercent > 0 && healthyPercent < settings.minHealthPercent) return [...endpoints];
    return ok;
  }

  /** Ejected endpoints and their ejection counts (for the config dump and metrics). */
  ejected(now: number): { host: string; ejections: number; returnsAt: number }[] {
    return [...this.hosts].filter(([, s]) => s.returnsAt !== undefined && now < s.returnsAt).map(([host, s]) => ({ host, ejections: s.ejections, returnsAt: s.returnsAt! }));
  }

  private ejectedCount(now: number): number {
    let n = 0;
    for (const s of this.hosts.values()) if (s.returnsAt !== undefined && now < s.returnsAt) n++;
    return n;
  }

  /** The first sweep at or after `t` (sweeps every `interval` from the first record). */
  private nextSweep(t: number, interval: number): number {
    const epoch = this.epoch ?? t;
    if (interval <= 0) return t;
    return epoch + Math.ceil((t - epoch) / interval) * interval;
  }
}
