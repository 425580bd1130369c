// Validation of DestinationRule loadBalancer, connectionPool and outlierDetection
// (reference rules 82, 85-87; VAL validateLoadBalancer, validateConnectionPool,
// validateOutlierDetection, ValidateLocalityLbSetting):
// each case is one top-level trafficPolicy (or, where said, a port-level or subset one)
// and the exact errors (and, where given, warnings) it gets.
import test from 'ava';
import { validateResource } from '../../../controller/validation/validate.js';
import { errors, obj, warnings } from './build.js';

interface Case {
  title: string;
  /** `spec.trafficPolicy`, unless `spec` is given. */
  policy?: Record<string, unknown>;
  spec?: Record<string, unknown>;
  errors: string[];
  /** Each must be among the warnings. */
  warnings?: string[];
  /** None of these may be among the warnings. */
  notWarnings?: string[];
}

function findings(c: Case): { errors: string[]; warnings: string[] } {
  const f = validateResource(obj('networking.istio.io/v1', 'DestinationRule', 'r', 'default', c.spec ?? { host: 'reviews', trafficPolicy: c.policy }));
  return { errors: errors(f), warnings: warnings(f) };
}

const CP = 'spec.trafficPolicy.connectionPool';
const OD = 'spec.trafficPolicy.outlierDetection';
const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;
const LB = 'spec.trafficPolicy.loadBalancer';
const CH = `${LB}.consistentHash`;
const DEPRECATED_RING = `${CH}.minimumRingSize: consistent hash minimumRingSize is deprecated, use ringHash.minimumRingSize instead`;
const NO_KEY = `${CH}: no hash key (httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName): no session affinity`;
const hash = (c: Record<string, unknown>): Record<string, unknown> => ({ loadBalancer: { consistentHash: c } });
const pool = (p: Record<string, unknown>): Record<string, unknown> => ({ connectionPool: p });
const outlier = (o: Record<string, unknown>): Record<string, unknown> => ({ outlierDetection: o });

const loadBalancerCases: Case[] = [
  {
    title: 'rule 85: each hash key and algorithm at a valid value',
    policy: { loadBalancer: { consistentHash: { httpCookie: { name: 'u', path: '/', ttl: '0s' }, ringHash: { minimumRingSize: 4096 } } },
      portLevelSettings: [{ port: { number: 80 }, loadBalancer: { consistentHash: { useSourceIp: true, maglev: { tableSize: 65537 } } } }] },
    errors: [],
  },
  { title: 'rule 85: simple and consistentHash together', policy: { loadBalancer: { simple: 'RANDOM', consistentHash: { useSourceIp: true } } }, errors: [`${LB}: only one of simple or consistentHash may be set`] },
  {
    title: 'rule 85: two hash keys',
    policy: hash({ httpHeaderName: 'x-user', httpQueryParameterName: 'u' }),
    errors: [`${CH}: only one hash key may be set, found httpHeaderName, httpQueryParameterName`],
  },
  { title: 'rule 85: no hash key warns (istiod sets no hash policy)', policy: hash({ maglev: { tableSize: 251 } }), errors: [], warnings: [NO_KEY] },
  { title: 'rule 85: a cookie needs a name', policy: hash({ httpCookie: { ttl: '10s' } }), errors: [`${CH}.httpCookie.name: name required for HttpCookie`] },
  { title: 'rule 85: a malformed cookie ttl', policy: hash({ httpCookie: { name: 'u', ttl: 'soon' } }), errors: [`${CH}.httpCookie.ttl: "soon" is not a valid duration (use forms like 1s, 500ms, 1m30s)`] },
  { title: 'rule 85: maglev tableSize must be prime', policy: hash({ useSourceIp: true, maglev: { tableSize: 1000 } }), errors: [`${CH}.maglev.tableSize: tableSize 1000 must be a prime number for maglev`] },
  {
    title: 'rule 85: maglev tableSize must be below 5000011',
    policy: hash({ useSourceIp: true, maglev: { tableSize: 5000011 } }),
    errors: [`${CH}.maglev.tableSize: tableSize must be less than 5000011 for maglev`],
  },
  { title: 'rule 85: maglev needs a tableSize', policy: hash({ useSourceIp: true, maglev: {} }), errors: [`${CH}.maglev.tableSize: tableSize must be set for maglev`] },
  {
    title: 'rule 85: ringHash and maglev together',
    policy: hash({ useSourceIp: true, ringHash: { minimumRingSize: 1024 }, maglev: { tableSize: 251 } }),
    errors: [`${CH}: only one of ringHash or maglev may be set`],
  },
  { title: 'rule 85: the deprecated minimumRingSize warns', policy: hash({ useSourceIp: true, minimumRingSize: 2048 }), errors: [], warnings: [DEPRECATED_RING] },
  {
    title: 'rule 85: the deprecated minimumRingSize with an algorithm',
    policy: hash({ useSourceIp: true, minimumRingSize: 2048, ringHash: { minimumRingSize: 1024 } }),
    errors: [`${CH}.minimumRingSize: only one of minimumRingSize or maglev/ringHash can be specified`],
  },
  {
    title: 'rule 85: minimumRingSize 0 is unset to istiod: no warning and no conflict',
    policy: hash({ useSourceIp: true, minimumRingSize: 0, maglev: { tableSize: 251 } }),
    errors: [],
    notWarnings: [DEPRECATED_RING],
  },
  {
    title: 'rule 85: a port-level and a subset consistentHash are checked at their path',
    spec: { host: 'reviews', trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, loadBalancer: { consistentHash: { httpCookie: {} } } }] },
      subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: { consistentHash: { useSourceIp: true, maglev: { tableSize: 9 } } } } }] },
    errors: [
      'spec.trafficPolicy.portLevelSettings[0].loadBalancer.consistentHash.httpCookie.name: name required for HttpCookie',
      'spec.subsets[0].trafficPolicy.loadBalancer.consistentHash.maglev.tableSize: tableSize 9 must be a prime number for maglev',
    ],
  },
  { title: 'VAL validateLoadBalancer: warmup at valid values', policy: { loadBalancer: { warmup: { duration: '60s', minimumPercent: 10, aggression: 1.5 } } }, errors: [] },
  {
    title: 'VAL validateLoadBalancer: warmup needs a duration; minimumPercent <= 100, aggression >= 1',
    policy: { loadBalancer: { warmup: { minimumPercent: 101, aggression: 0.5 } } },
    errors: [
      `${LB}.warmup.duration: duration is required`,
      `${LB}.warmup.minimumPercent: minimumPercent value should be less than or equal to 100`,
      `${LB}.warmup.aggression: aggression should be greater than or equal to 1`,
    ],
  },
  { title: 'VAL validateLoadBalancer: a warmup duration below 1ms', policy: { loadBalancer: { warmup: { duration: '0s' } } }, errors: [`${LB}.warmup.duration: duration "0s" must be at least 1ms`] },
];

const connectionPoolCases: Case[] = [
  {
    title: 'rule 86: every field at a valid value',
    policy: pool({
      tcp: { maxConnections: 100, connectTimeout: '30ms', tcpKeepalive: { probes: 3, time: '7200s', interval: '75s' }, maxConnectionDuration: '1h', idleTimeout: '1h' },
      http: { http1MaxPendingRequests: 1, http2MaxRequests: 1000, maxRequestsPerConnection: 10, maxRetries: 3, idleTimeout: '1h', h2UpgradePolicy: 'UPGRADE', maxConcurrentStreams: 100 },
    }),
    errors: [],
  },
  { title: 'rule 86: an empty connectionPool', policy: pool({}), errors: [`${CP}: connection pool must have at least one field`] },
  {
    title: 'rule 86: negative limits',
    policy: pool({ tcp: { maxConnections: -1 }, http: { http1MaxPendingRequests: -1, http2MaxRequests: -2, maxRequestsPerConnection: -3, maxRetries: -4, maxConcurrentStreams: -5 } }),
    errors: [
      `${CP}.http.http1MaxPendingRequests: must be >= 0, got -1`, `${CP}.http.http2MaxRequests: must be >= 0, got -2`,
      `${CP}.http.maxRequestsPerConnection: must be >= 0, got -3`, `${CP}.http.maxRetries: must be >= 0, got -4`,
      `${CP}.http.maxConcurrentStreams: must be >= 0, got -5`, `${CP}.tcp.maxConnections: must be >= 0, got -1`,
    ],
  },
  { title: 'rule 86: limits of 0 (unlimited)', policy: pool({ tcp: { maxConnections: 0 }, http: { maxRequestsPerConnection: 0, http2MaxRequests: 0 } }), errors: [] },
  { title: 'rule 86: the int32 maximum fits', policy: pool({ tcp: { maxConnections: INT32_MAX } }), errors: [] },
  {
    title: 'rule 86: a limit past int32 cannot be decoded by istiod',
    policy: pool({ tcp: { maxConnections: INT32_MAX + 1 }, http: { http2MaxRequests: 2 ** 40 } }),
    errors: [`${CP}.http.http2MaxRequests: must be at most ${INT32_MAX}, got ${2 ** 40}`, `${CP}.tcp.maxConnections: must be at most ${INT32_MAX}, got ${INT32_MAX + 1}`],
  },
  { title: 'rule 86: a non-integer limit', policy: pool({ http: { maxRetries: 1.5 } }), errors: [`${CP}.http.maxRetries: must be an integer, got number 1.5`] },
  { title: 'rule 86: connectTimeout below 1ms', policy: pool({ tcp: { connectTimeout: '0s' } }), errors: [`${CP}.tcp.connectTimeout: duration "0s" must be at least 1ms`] },
  {
    title: 'rule 86: connectTimeout finer than ms',
    policy: pool({ tcp: { connectTimeout: '1500us' } }),
    errors: [`${CP}.tcp.connectTimeout: duration "1500us": only durations to ms precision are supported`],
  },
  { title: 'rule 86: http.idleTimeout 0s', policy: pool({ http: { idleTimeout: '0s' } }), errors: [`${CP}.http.idleTimeout: duration "0s" must be at least 1ms`] },
  { title: 'rule 86: tcp.idleTimeout 0s disables the timeout (istiod skips it)', policy: pool({ tcp: { idleTimeout: '0s' } }), errors: [] },
  { title: 'rule 86: tcp.idleTimeout under 1ms is skipped as istiod does', policy: pool({ tcp: { idleTimeout: '500us' } }), errors: [] },
  {
    title: 'rule 86: tcp.idleTimeout of 1ms or more is checked',
    policy: pool({ tcp: { idleTimeout: '1500us' } }),
    errors: [`${CP}.tcp.idleTimeout: duration "1500us": only durations to ms precision are supported`],
  },
  { title: 'rule 86: a malformed tcp.idleTimeout', policy: pool({ tcp: { idleTimeout: '1 hour' } }), errors: [`${CP}.tcp.idleTimeout: "1 hour" is not a valid duration (use forms like 1s, 500ms, 1m30s)`] },
  { title: 'rule 86: maxConnectionDuration below 1ms', policy: pool({ tcp: { maxConnectionDuration: '0s' } }), errors: [`${CP}.tcp.maxConnectionDuration: duration "0s" must be at least 1ms`] },
  {
    title: 'rule 86: tcpKeepalive durations and probes',
    policy: pool({ tcp: { tcpKeepalive: { probes: -1, time: '0s', interval: '10us' } } }),
    errors: [
      `${CP}.tcp.tcpKeepalive.probes: must be >= 0, got -1`, `${CP}.tcp.tcpKeepalive.time: duration "0s" must be at least 1ms`,
      `${CP}.tcp.tcpKeepalive.interval: duration "10us" must be at least 1ms`,
    ],
  },
  {
    title: 'rule 86: useClientProtocol with h2UpgradePolicy UPGRADE',
    policy: pool({ http: { h2UpgradePolicy: 'UPGRADE', useClientProtocol: true } }),
    errors: [`${CP}.http: useClientProtocol must not be true when h2UpgradePolicy is UPGRADE`],
  },
  {
    title: 'rule 86: an unknown h2UpgradePolicy',
    policy: pool({ http: { h2UpgradePolicy: 'ALWAYS' } }),
    errors: [`${CP}.http.h2UpgradePolicy: must be one of DEFAULT, DO_NOT_UPGRADE, UPGRADE, got "ALWAYS"`],
  },
];

const outlierCases: Case[] = [
  {
    title: 'rule 87: every field at a valid value',
    policy: outlier({ consecutive5xxErrors: 7, consecutiveGatewayErrors: 0, interval: '5m', baseEjectionTime: '15m', maxEjectionPercent: 100, minHealthPercent: 0 }),
    errors: [],
  },
  { title: 'rule 87: an empty outlierDetection is valid (Istio defaults)', policy: outlier({}), errors: [] },
  {
    title: 'rule 87: negative error counts',
    policy: outlier({ consecutive5xxErrors: -1, consecutiveGatewayErrors: -2 }),
    errors: [`${OD}.consecutiveGatewayErrors: must be >= 0, got -2`, `${OD}.consecutive5xxErrors: must be >= 0, got -1`],
  },
  { title: 'rule 87: the uint32 maximum fits consecutive5xxErrors', policy: outlier({ consecutive5xxErrors: UINT32_MAX }), errors: [] },
  {
    title: 'rule 87: an error count past uint32',
    policy: outlier({ consecutive5xxErrors: UINT32_MAX + 1 }),
    errors: [`${OD}.consecutive5xxErrors: must be at most ${UINT32_MAX}, got ${UINT32_MAX + 1}`],
  },
  { title: 'rule 87: interval 0s', policy: outlier({ interval: '0s' }), errors: [`${OD}.interval: duration "0s" must be at least 1ms`] },
  { title: 'rule 87: baseEjectionTime below 1ms', policy: outlier({ baseEjectionTime: '999us' }), errors: [`${OD}.baseEjectionTime: duration "999us" must be at least 1ms`] },
  {
    title: 'rule 87: percentages out of 0..100',
    policy: outlier({ maxEjectionPercent: 101, minHealthPercent: -1 }),
    errors: [`${OD}.maxEjectionPercent: must be in range 0..100, got 101`, `${OD}.minHealthPercent: must be in range 0..100, got -1`],
  },
  {
    title: 'rule 87: the deprecated consecutiveErrors warns',
    policy: outlier({ consecutiveErrors: 5 }),
    errors: [],
    warnings: [`${OD}.consecutiveErrors: outlier detection consecutiveErrors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead`],
  },
  {
    title: 'rule 87: consecutiveErrors 0 is unset to istiod: no warning, and a negative one is not an error',
    policy: { outlierDetection: { consecutiveErrors: 0 }, portLevelSettings: [{ port: { number: 80 }, outlierDetection: { consecutiveErrors: -1 } }] },
    errors: [],
    warnings: [`spec.trafficPolicy.portLevelSettings[0].outlierDetection.consecutiveErrors: outlier detection consecutiveErrors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead`],
    notWarnings: [`${OD}.consecutiveErrors: outlier detection consecutiveErrors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead`],
  },
  {
    title: 'rule 87: consecutiveLocalOriginFailures needs splitExternalLocalOriginErrors',
    policy: outlier({ consecutiveLocalOriginFailures: 3 }),
    errors: [`${OD}.consecutiveLocalOriginFailures: consecutiveLocalOriginFailures is specified, but splitExternalLocalOriginErrors is not true`],
  },
  { title: 'rule 87: consecutiveLocalOriginFailures with splitExternalLocalOriginErrors', policy: outlier({ splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 3 }), errors: [] },
  {
    title: 'rule 87: locality failover without outlierDetection warns',
    policy: { loadBalancer: { localityLbSetting: { failover: [{ from: 'us-east', to: 'us-west' }] } } },
    errors: [],
    warnings: ['spec.trafficPolicy.loadBalancer.localityLbSetting: outlier detection policy must be provided for failover'],
  },
  {
    title: 'rule 87: locality failoverPriority with outlierDetection does not warn',
    policy: { loadBalancer: { localityLbSetting: { failoverPriority: ['topology.kubernetes.io/region'] } }, outlierDetection: {} },
    errors: [],
    notWarnings: ['spec.trafficPolicy.loadBalancer.localityLbSetting: outlier detection policy must be provided for failover'],
  },
];

const placementCases: Case[] = [
  {
    title: 'rule 82: port-level connectionPool and outlierDetection are checked at their path',
    policy: { portLevelSettings: [{ port: { number: 80 }, connectionPool: { tcp: { maxConnections: -1 } }, outlierDetection: { interval: '0s' } }] },
    errors: [
      'spec.trafficPolicy.portLevelSettings[0].connectionPool.tcp.maxConnections: must be >= 0, got -1',
      'spec.trafficPolicy.portLevelSettings[0].outlierDetection.interval: duration "0s" must be at least 1ms',
    ],
  },
  {
    title: 'rule 82: a subset policy and its port-level entries are checked at their path',
    spec: {
      host: 'reviews',
      subsets: [{
        name: 'v1', labels: { version: 'v1' },
        trafficPolicy: {
          outlierDetection: { maxEjectionPercent: 200 },
          portLevelSettings: [{ port: { number: 9080 }, connectionPool: { http: { idleTimeout: '0s' } } }],
        },
      }],
    },
    errors: [
      'spec.subsets[0].trafficPolicy.outlierDetection.maxEjectionPercent: must be in range 0..100, got 200',
      'spec.subsets[0].trafficPolicy.portLevelSettings[0].connectionPool.http.idleTimeout: duration "0s" must be at least 1ms',
    ],
  },
  {
    title: 'rule 82: a port-level locality failover needs that entry\'s outlierDetection',
    policy: { portLevelSettings: [{ port: { number: 80 }, loadBalancer: { localityLbSetting: { failover: [{ from: 'a', to: 'b' }] } } }] },
    errors: [],
    warnings: ['spec.trafficPolicy.portLevelSettings[0].loadBalancer.localityLbSetting: outlier detection policy must be provided for failover'],
  },
];

for (const c of [...loadBalancerCases, ...connectionPoolCases, ...outlierCases, ...placementCases]) {
  test(c.title, (t) => {
    const got = findings(c);
    t.deepEqual(got.errors, c.errors);
    for (const w of c.warnings ?? []) t.true(got.warnings.includes(w), `missing warning ${w} in ${JSON.stringify(got.warnings, null, 1)}`);
    for (const w of c.notWarnings ?? []) t.false(got.warnings.includes(w), `unexpected warning ${w}`);
  });
}
