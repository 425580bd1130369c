// DestinationRule connectionPool and outlierDetection → L7 destination policy (reference
// rules 86-88): the limits istiod applies, Istio's outlier defaults, the fields the
// waypoint does not implement, and where each setting is carried (rule 82).
import test from 'ava';
import type { L7OutlierDetection } from '../../../api/l7-model.js';
import type { L7Case } from './l7-builders.js';
import { dr, runCase, service } from './l7-builders.js';

const svcs = [service('reviews')];
const ORIGIN = 'DestinationRule default/r';
const TP = 'spec.trafficPolicy';
const W = (path: string, message: string): RegExp => new RegExp(`^DestinationRule default/r: ${path.replace(/[.[\]]/g, '\\$&')}: ${message}$`);
/** Istio's outlier detection defaults, with `o` on top. */
const outlier = (o: Partial<L7OutlierDetection> = {}): L7OutlierDetection => ({
  consecutive5xxErrors: 5, consecutiveGatewayErrors: 0, intervalMs: 10_000, baseEjectionTimeMs: 30_000, maxEjectionPercent: 10, minHealthPercent: 0, ...o,
});
/** A case whose DR `reviews` has this top-level trafficPolicy. */
const top = (title: string, trafficPolicy: Record<string, unknown>, expected: L7Case['destination'], more: Partial<L7Case> = {}): L7Case => ({
  title, objects: [...svcs, dr('r', 'default', { host: 'reviews', trafficPolicy })], destination: expected, ...more,
});
const policy = (trafficPolicy: Record<string, unknown>): L7Case['destination'] => ({ origins: [ORIGIN], subsets: [], trafficPolicy });

const connectionPoolCases: L7Case[] = [
  top('rule 86: every connectionPool limit the waypoint applies', {
    connectionPool: {
      tcp: { maxConnections: 10, connectTimeout: '250ms' },
      http: { http1MaxPendingRequests: 1, http2MaxRequests: 100, maxRequestsPerConnection: 1, maxRetries: 3, idleTimeout: '90s' },
    },
  }, policy({
    connectionPool: { maxConnections: 10, connectTimeoutMs: 250, http1MaxPendingRequests: 1, http2MaxRequests: 100, maxRequestsPerConnection: 1, maxRetries: 3, idleTimeoutMs: 90_000 },
  }), { noWarnings: true }),
  top('rule 86: the circuit-breaking task (maxConnections 1, http1MaxPendingRequests 1, maxRequestsPerConnection 1)', {
    connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } },
  }, policy({ connectionPool: { maxConnections: 1, http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } }), { noWarnings: true }),
  top('rule 86: 0 is unlimited, as istiod reads it (maxRequestsPerConnection 0, maxConnections 0)', {
    connectionPool: { tcp: { maxConnections: 0 }, http: { maxRequestsPerConnection: 0, http2MaxRequests: 0, maxRetries: 0, http1MaxPendingRequests: 0 } },
  }, policy({ connectionPool: {} }), { noWarnings: true }),
  top('rule 86: tcp.idleTimeout is the idle timeout when http.idleTimeout is unset', {
    connectionPool: { tcp: { idleTimeout: '5m' } },
  }, policy({ connectionPool: { idleTimeoutMs: 300_000 } }), { noWarnings: true }),
  top('rule 86: http.idleTimeout wins over tcp.idleTimeout, which is reported', {
    connectionPool: { tcp: { idleTimeout: '5m' }, http: { idleTimeout: '30s' } },
  }, policy({ connectionPool: { idleTimeoutMs: 30_000 } }), {
    warnings: [W(`${TP}.connectionPool.tcp.idleTimeout`, 'http\\.idleTimeout applies to HTTP connections; an idle timeout for TCP routes is not supported by the waypoint: ignored')],
  }),
  top('rule 86: tcp.idleTimeout 0s (no idle timeout) is reported and the default applies', {
    connectionPool: { tcp: { idleTimeout: '0s', maxConnections: 5 } },
  }, policy({ connectionPool: { maxConnections: 5 } }), {
    warnings: [W(`${TP}.connectionPool.tcp.idleTimeout`, '0s \\(no idle timeout\\) is not supported by the waypoint: its default \\(1 h\\) applies')],
  }),
  top('rule 86: fields the waypoint does not implement are reported one by one', {
    connectionPool: {
      tcp: { maxConnections: 2, tcpKeepalive: { time: '7200s' }, maxConnectionDuration: '1h' },
      http: { h2UpgradePolicy: 'UPGRADE', maxConcurrentStreams: 10 },
    },
  }, policy({ connectionPool: { maxConnections: 2 } }), {
    warnings: ['tcp.tcpKeepalive', 'tcp.maxConnectionDuration', 'http.h2UpgradePolicy', 'http.maxConcurrentStreams']
      .map((f) => W(`${TP}.connectionPool.${f}`, 'not supported by the waypoint: ignored')),
  }),
  top('rule 86: useClientProtocol true is reported', {
    connectionPool: { http: { useClientProtocol: true } },
  }, policy({ connectionPool: {} }), { warnings: [W(`${TP}.connectionPool.http.useClientProtocol`, 'not supported by the waypoint: ignored')] }),
  top('rule 86: unimplemented fields at values that change nothing are not reported', {
    connectionPool: { http: { h2UpgradePolicy: 'DEFAULT', useClientProtocol: false, maxConcurrentStreams: 0, maxRetries: 4 } },
  }, policy({ connectionPool: { maxRetries: 4 } }), { noWarnings: true }),
];

const outlierCases: L7Case[] = [
  top('rule 87: an empty outlierDetection turns it on with Istio\'s defaults', { outlierDetection: {} }, policy({ outlierDetection: outlier() }), { noWarnings: true }),
  top('rule 87: every field as written', {
    outlierDetection: { consecutive5xxErrors: 1, consecutiveGatewayErrors: 2, interval: '1s', baseEjectionTime: '3m', maxEjectionPercent: 100, minHealthPercent: 50 },
  }, policy({ outlierDetection: outlier({ consecutive5xxErrors: 1, consecutiveGatewayErrors: 2, intervalMs: 1000, baseEjectionTimeMs: 180_000, maxEjectionPercent: 100, minHealthPercent: 50 }) }),
  { noWarnings: true }),
  top('rule 87: consecutive5xxErrors 0 disables 5xx ejection (a UInt32Value: 0 is not unset)', {
    outlierDetection: { consecutive5xxErrors: 0, consecutiveGatewayErrors: 3 },
  }, policy({ outlierDetection: outlier({ consecutive5xxErrors: 0, consecutiveGatewayErrors: 3 }) })),
  top('rule 87: maxEjectionPercent 0 is unset to istiod: the default 10 applies, reported', {
    outlierDetection: { maxEjectionPercent: 0 },
  }, policy({ outlierDetection: outlier() }), {
    warnings: [W(`${TP}.outlierDetection.maxEjectionPercent`, '0 is treated as unset, as istiod does: the default \\(10\\) applies')],
  }),
  top('rule 87: the deprecated consecutiveErrors is reported and not used', {
    outlierDetection: { consecutiveErrors: 1 },
  }, policy({ outlierDetection: outlier() }), {
    warnings: [W(`${TP}.outlierDetection.consecutiveErrors`, 'deprecated and not used by istiod \\(use consecutive5xxErrors or consecutiveGatewayErrors\\): ignored')],
  }),
  top('rule 87: local-origin error splitting is reported and ignored', {
    outlierDetection: { splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 2 },
  }, policy({ outlierDetection: outlier() }), {
    warnings: ['splitExternalLocalOriginErrors', 'consecutiveLocalOriginFailures'].map((f) => W(`${TP}.outlierDetection.${f}`, 'not supported by the waypoint: ignored')),
  }),
  top('rule 87: sub-millisecond durations round up to whole milliseconds', {
    outlierDetection: { interval: '1.5ms', baseEjectionTime: '0.5s' },
  }, policy({ outlierDetection: outlier({ intervalMs: 2, baseEjectionTimeMs: 500 }) })),
];

const placementCases: L7Case[] = [
  top('rule 82: port-level entries carry their own connectionPool and outlierDetection', {
    connectionPool: { tcp: { maxConnections: 100 } },
    outlierDetection: { consecutive5xxErrors: 7 },
    portLevelSettings: [
      { port: { number: 9080 }, connectionPool: { http: { http2MaxRequests: 5 } } },
      { port: { number: 9443 }, outlierDetection: { interval: '2s' }, loadBalancer: { simple: 'RANDOM' } },
    ],
  }, policy({
    connectionPool: { maxConnections: 100 },
    outlierDetection: outlier({ consecutive5xxErrors: 7 }),
    portLevel: [
      { port: 9080, connectionPool: { http2MaxRequests: 5 } },
      { port: 9443, loadBalancer: 'RANDOM', outlierDetection: outlier({ intervalMs: 2000 }) },
    ],
  }), { noWarnings: true }),
  top('rule 82: a port-level warning names the port-level path', {
    portLevelSettings: [{ port: { number: 80 }, connectionPool: { tcp: { tcpKeepalive: {} } } }],
  }, policy({ portLevel: [{ port: 80, connectionPool: {} }] }), {
    warnings: [W(`${TP}.portLevelSettings[0].connectionPool.tcp.tcpKeepalive`, 'not supported by the waypoint: ignored')],
  }),
  {
    title: 'rule 82: a subset trafficPolicy (and its portLevelSettings) carries its own connectionPool and outlierDetection',
    objects: [...svcs, dr('r', 'default', {
      host: 'reviews',
      trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 } } },
      subsets: [
        {
          name: 'v1', labels: { version: 'v1' },
          trafficPolicy: {
            outlierDetection: { consecutiveGatewayErrors: 1 },
            portLevelSettings: [{ port: { number: 9080 }, connectionPool: { http: { maxRetries: 1 } } }],
          },
        },
        { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { connectionPool: { http: { maxConcurrentStreams: 4 } } } },
      ],
    })],
    destination: {
      origins: [ORIGIN],
      trafficPolicy: { connectionPool: { maxConnections: 100 } },
      subsets: [
        { name: 'v1', labels: { version: 'v1' }, trafficPolicy: { outlierDetection: outlier({ consecutiveGatewayErrors: 1 }), portLevel: [{ port: 9080, connectionPool: { maxRetries: 1 } }] } },
        // Set but with nothing the waypoint applies: still replaces the top-level pool, as in istiod.
        { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { connectionPool: {} } },
      ],
    },
    warnings: [W('spec.subsets[1].trafficPolicy.connectionPool.http.maxConcurrentStreams', 'not supported by the waypoint: ignored')],
  },
  top('rule 86: a connectionPool next to a tunnel: the pool applies, the tunnel is reported', {
    tunnel: { targetHost: 'proxy.example', targetPort: 3128 }, connectionPool: { tcp: { maxConnections: 3 } },
  }, policy({ connectionPool: { maxConnections: 3 } }), { warnings: [W(TP, 'tunnel not applied by the waypoint yet: ignored')] }),
];

for (const c of [...connectionPoolCases, ...outlierCases, ...placementCases]) test(c.title, (t) => runCase(t, c));
