// DestinationRule connectionPool and outlierDetection → L7 (reference rules 86-88), as
// istiod turns them into Envoy cluster settings (CLU applyConnectionPool,
// applyOutlierDetection). Each is carried where it was written (top level, port level,
// subset); the waypoint merges them (rule 82). The waypoint counts the limits for all of
// its clients together, as a shared Envoy waypoint does (ambiguity F).
//
// - connectionPool: a limit only when > 0 (istiod cannot tell 0 from unset, so 0 means
//   unlimited). `http.idleTimeout`, else `tcp.idleTimeout`, closes idle upstream
//   connections. A pool that is set but has nothing the waypoint applies is carried as
//   `{}`, so that it still replaces a pool from a level above it, as in istiod.
// - outlierDetection: Istio's defaults are filled in for what is unset. The counters are
//   wrappers, so an explicit 0 disables; `maxEjectionPercent` is used only when > 0
//   (else Envoy's 10).
import type { L7ConnectionPool, L7OutlierDetection } from '../../../api/l7-model.js';
import type { Rec } from './common.js';
import { durationMs, int, rec, str } from './common.js';
import type { Warn } from './vs-actions.js';

const UNSUPPORTED = 'not supported by the waypoint: ignored';

/** Envoy's and Istio's outlier detection defaults. */
const OUTLIER_DEFAULTS: Readonly<L7OutlierDetection> = Object.freeze({
  consecutive5xxErrors: 5,
  consecutiveGatewayErrors: 0,
  intervalMs: 10_000,
  baseEjectionTimeMs: 30_000,
  maxEjectionPercent: 10,
  minHealthPercent: 0,
});

type PoolLimit = Exclude<keyof L7ConnectionPool, 'connectTimeoutMs' | 'idleTimeoutMs'>;
const TCP_LIMITS: readonly PoolLimit[] = ['maxConnections'];
const HTTP_LIMITS: readonly PoolLimit[] = ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries'];
const TCP_UNSUPPORTED = ['tcpKeepalive', 'maxConnectionDuration'];
const HTTP_UNSUPPORTED = ['h2UpgradePolicy', 'useClientProtocol', 'maxConcurrentStreams'];
const OUTLIER_UNSUPPORTED = ['splitExternalLocalOriginErrors', 'consecutiveLocalOriginFailures'];

/** A value that changes something: not absent, null, false, 0 or the enum's DEFAULT. */
function effective(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false && v !== 0 && v !== 'DEFAULT';
}

function warnUnsupported(r: Rec, keys: readonly string[], path: string, warn: Warn): void {
  for (const k of keys) if (effective(r[k])) warn(`${path}.${k}`, UNSUPPORTED);
}

function positiveInt(v: unknown): number | undefined {
  const n = int(v);
  return n !== undefined && n > 0 ? n : undefined;
}

/** A duration in ms; undefined when absent or malformed. */
function ms(v: unknown): number | undefined {
  const s = str(v);
  return s === undefined ? undefined : durationMs(s);
}

function copyLimits(from: Rec | undefined, keys: readonly PoolLimit[], out: L7ConnectionPool): void {
  for (const k of keys) {
    const n = positiveInt(from?.[k]);
    if (n !== undefined) out[k] = n;
  }
}

/** The upstream idle timeout: `http.idleTimeout`, else `tcp.idleTimeout` (istiod's fallback). */
function idleTimeout(http: Rec | undefined, tcp: Rec | undefined, path: string, warn: Warn): number | undefined {
  const httpMs = ms(http?.idleTimeout);
  const tcpMs = ms(tcp?.idleTimeout);
  if (httpMs !== undefined && httpMs > 0) {
    if (tcpMs !== undefined) warn(`${path}.tcp.idleTimeout`, `http.idleTimeout applies to HTTP connections; an idle timeout for TCP routes is ${UNSUPPORTED}`);
    return httpMs;
  }
  if (tcpMs === 0) warn(`${path}.tcp.idleTimeout`, '0s (no idle timeout) is not supported by the waypoint: its default (1 h) applies');
  return tcpMs !== undefined && tcpMs > 0 ? tcpMs : undefined;
}

/** `connectionPool` (rule 86); undefined when not set. */
export function connectionPool(v: unknown, path: string, warn: Warn): L7ConnectionPool | undefined {
  const cp = rec(v);
  if (!cp) return undefined;
  const tcp = rec(cp.tcp);
  const http = rec(cp.http);
  const out: L7ConnectionPool = {};
  copyLimits(tcp, TCP_LIMITS, out);
  const connect = ms(tcp?.connectTimeout);
  if (connect !== undefined && connect > 0) out.connectTimeoutMs = connect;
  copyLimits(http, HTTP_LIMITS, out);
  const idle = idleTimeout(http, tcp, path, warn);
  if (idle !== undefined) out.idleTimeoutMs = idle;
  if (tcp) warnUnsupported(tcp, TCP_UNSUPPORTED, `${path}.tcp`, warn);
  if (http) warnUnsupported(http, HTTP_UNSUPPORTED, `${path}.http`, warn);
  return out;
}

/** A count that is a UInt32Value in Istio: absent (or malformed) → the default, 0 stays 0. */
function counter(v: unknown, fallback: number): number {
  const n = int(v);
  return n !== undefined && n >= 0 ? n : fallback;
}

function percent(v: unknown, fallback: number, opts: { zeroIsUnset: boolean }): number {
  const n = int(v);
  if (n === undefined || n < 0 || n > 100 || (opts.zeroIsUnset && n === 0)) return fallback;
  return n;
}

function durationOr(v: unknown, fallback: number): number {
  const n = ms(v);
  return n !== undefined && n > 0 ? n : fallback;
}

/** `outlierDetection` (rule 87) with Istio's defaults filled in; undefined when not set. */
export function outlierDetection(v: unknown, path: string, warn: Warn): L7OutlierDetection | undefined {
  const od = rec(v);
  if (!od) return undefined;
  if (effective(od.consecutiveErrors)) warn(`${path}.consecutiveErrors`, 'deprecated and not used by istiod (use consecutive5xxErrors or consecutiveGatewayErrors): ignored');
  warnUnsupported(od, OUTLIER_UNSUPPORTED, path, warn);
  if (od.maxEjectionPercent === 0) warn(`${path}.maxEjectionPercent`, `0 is treated as unset, as istiod does: the default (${OUTLIER_DEFAULTS.maxEjectionPercent}) applies`);
  return {
    consecutive5xxErrors: counter(od.consecutive5xxErrors, OUTLIER_DEFAULTS.consecutive5xxErrors),
    consecutiveGatewayErrors: counter(od.consecutiveGatewayErrors, OUTLIER_DEFAULTS.consecutiveGatewayErrors),
    intervalMs: durationOr(od.interval, OUTLIER_DEFAULTS.intervalMs),
    baseEjectionTimeMs: durationOr(od.baseEjectionTime, OUTLIER_DEFAULTS.baseEjectionTimeMs),
    maxEjectionPercent: percent(od.maxEjectionPercent, OUTLIER_DEFAULTS.maxEjectionPercent, { zeroIsUnset: true }),
    minHealthPercent: percent(od.minHealthPercent, OUTLIER_DEFAULTS.minHealthPercent, { zeroIsUnset: false }),
  };
}
