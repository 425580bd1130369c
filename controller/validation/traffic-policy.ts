// DestinationRule TrafficPolicy: loadBalancer, connectionPool, outlierDetection, tls and
// portLevelSettings (semantics reference rules 82-89; VAL validateTrafficPolicy & co).
import { MS, parseDurationNs } from './duration.js';
import type { Field } from './field.js';
import { checkDuration, checkPortSelector } from './field-checks.js';
import { wildcardDomain } from './names.js';
import { ipAddress } from './network.js';

const SIMPLE_LB = ['UNSPECIFIED', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST'] as const;
const TLS_MODES = ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'] as const;
const H2_UPGRADE = ['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE'] as const;
const MAGLEV_MAX = 5000011;
const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;

export function validateTrafficPolicy(f: Field, opts: { portLevel?: boolean } = {}): void {
  if (!f.record()) return;
  const fields = opts.portLevel
    ? ['port', 'loadBalancer', 'connectionPool', 'outlierDetection', 'tls']
    : ['loadBalancer', 'connectionPool', 'outlierDetection', 'tls', 'portLevelSettings', 'tunnel', 'proxyProtocol'];
  f.knownKeys(fields);
  const set = fields.filter((k) => k !== 'port' && f.key(k).present);
  if (set.length === 0) f.error(opts.portLevel ? 'port traffic policy must have at least one field' : 'traffic policy must have at least one field');
  if (f.key('tunnel').present && f.key('proxyProtocol').present) f.error('tunnel and proxyProtocol must not be set together');
  validateLoadBalancer(f.key('loadBalancer'));
  const loc = f.key('loadBalancer').key('localityLbSetting');
  if ((loc.key('failover').size > 0 || loc.key('failoverPriority').size > 0) && !f.key('outlierDetection').present) {
    loc.warn('outlier detection policy must be provided for failover');
  }
  validateConnectionPool(f.key('connectionPool'));
  validateOutlierDetection(f.key('outlierDetection'));
  validateClientTls(f.key('tls'));
  if (opts.portLevel) {
    checkPortSelector(f.key('port'));
    if (!f.key('port').present) f.key('port').error('portTrafficPolicy must have valid port');
    return;
  }
  validateTunnel(f.key('tunnel'));
  const pp = f.key('proxyProtocol');
  if (pp.record()) {
    pp.knownKeys(['version']);
    if (pp.key('version').present) pp.key('version').oneOf(['V1', 'V2']);
  }
  const seen = new Map<number, number>();
  for (const [i, pls] of (f.key('portLevelSettings').list() ?? []).entries()) {
    if (!pls.present) {
      pls.error('port traffic policy may not be null');
      continue;
    }
    validateTrafficPolicy(pls, { portLevel: true });
    const n = pls.key('port').key('number').value;
    if (typeof n === 'number') {
      const prev = seen.get(n);
      if (prev !== undefined) pls.key('port').warn(`duplicate portLevelSettings for port ${n} (also at index ${prev}); only one applies`);
      else seen.set(n, i);
    }
  }
}

function validateLoadBalancer(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['simple', 'consistentHash', 'localityLbSetting', 'warmupDurationSecs', 'warmup']);
  if (f.key('simple').present && f.key('consistentHash').present) f.error('only one of simple or consistentHash may be set');
  const simple = f.key('simple').present ? f.key('simple').oneOf(SIMPLE_LB) : undefined;
  if (simple === 'LEAST_CONN') f.key('simple').warn('LEAST_CONN is a deprecated alias of LEAST_REQUEST');
  if (f.key('warmupDurationSecs').present) checkDuration(f.key('warmupDurationSecs'));
  validateConsistentHash(f.key('consistentHash'));
  validateWarmup(f.key('warmup'));
  const loc = f.key('localityLbSetting');
  if (loc.record()) {
    loc.knownKeys(['distribute', 'failover', 'failoverPriority', 'enabled']);
    loc.key('enabled').boolean();
    if (loc.key('distribute').size > 0 && loc.key('failover').size > 0) loc.error('can not simultaneously specify distribute and failover');
    for (const d of loc.key('distribute').list() ?? []) {
      if (!d.record()) continue;
      let sum = 0;
      for (const [, w] of d.key('to').entries() ?? []) sum += w.intInRange(0) ?? 0;
      if (d.key('to').present && sum !== 100) d.key('to').error(`total weight ${sum} != 100`);
    }
    loc.key('failoverPriority').strings({ nonEmpty: true });
  }
}

/** `consistentHash` (rule 85): one hash key, one algorithm, a prime maglev table. */
function validateConsistentHash(ch: Field): void {
  if (!ch.record()) return;
  ch.knownKeys(['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName', 'ringHash', 'maglev', 'minimumRingSize']);
  const keys = ['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'].filter((k) => ch.key(k).present);
  if (keys.length > 1) ch.error(`only one hash key may be set, found ${keys.join(', ')}`);
  // istiod accepts this but sets no hash policy: the ring spreads requests at random.
  if (keys.length === 0) ch.warn('no hash key (httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName): no session affinity');
  ch.key('httpHeaderName').nonEmptyString();
  ch.key('httpQueryParameterName').nonEmptyString();
  ch.key('useSourceIp').boolean();
  const cookie = ch.key('httpCookie');
  if (cookie.record()) {
    cookie.knownKeys(['name', 'path', 'ttl', 'attributes']);
    const name = cookie.key('name').string();
    if (name === undefined || name === '') cookie.key('name').error('name required for HttpCookie');
    if (cookie.key('ttl').present) checkDuration(cookie.key('ttl'), { minNs: 0n });
  }
  // istiod reads the deprecated field as a uint64: 0 is unset (no warning, no conflict).
  const mrs = ch.key('minimumRingSize');
  const legacy = mrs.present ? mrs.intInRange(0) : undefined;
  if (legacy !== undefined && legacy !== 0) {
    mrs.warn('consistent hash minimumRingSize is deprecated, use ringHash.minimumRingSize instead');
    if (ch.key('ringHash').present || ch.key('maglev').present) mrs.error('only one of minimumRingSize or maglev/ringHash can be specified');
  }
  if (ch.key('ringHash').present && ch.key('maglev').present) ch.error('only one of ringHash or maglev may be set');
  const ring = ch.key('ringHash');
  if (ring.record()) {
    ring.knownKeys(['minimumRingSize']);
    ring.key('minimumRingSize').intInRange(0);
  }
  const maglev = ch.key('maglev');
  if (maglev.record()) {
    maglev.knownKeys(['tableSize']);
    const ts = maglev.key('tableSize');
    const n = ts.present ? ts.integer() : 0;
    if (n === 0) ts.error('tableSize must be set for maglev');
    else if (n !== undefined) {
      if (n >= MAGLEV_MAX) ts.error(`tableSize must be less than ${MAGLEV_MAX} for maglev`);
      if (!isPrime(n)) ts.error(`tableSize ${n} must be a prime number for maglev`);
    }
  }
}

/** `warmup` (slow start): a duration is required; minimumPercent <= 100, aggression >= 1. */
function validateWarmup(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['duration', 'minimumPercent', 'aggression']);
  const d = f.key('duration');
  if (!d.present) d.error('duration is required');
  else checkDuration(d);
  const min = f.key('minimumPercent').number();
  if (min !== undefined && min > 100) f.key('minimumPercent').error('minimumPercent value should be less than or equal to 100');
  const aggression = f.key('aggression').number();
  if (aggression !== undefined && aggression < 1) f.key('aggression').error('aggression should be greater than or equal to 1');
}

/** Envoy's primality test (VAL isPrime). */
export function isPrime(x: number): boolean {
  if (x !== 0 && x < 4) return true;
  if (x % 2 === 0) return false;
  const limit = Math.floor(Math.sqrt(x));
  for (let f = 3; f <= limit; f += 2) if (x % f === 0) return false;
  return true;
}

/** A non-negative count that fits its proto field (istiod cannot decode a larger one). */
function checkCount(f: Field, max: number): void {
  const n = f.intInRange(0);
  if (n !== undefined && n > max) f.error(`must be at most ${max}, got ${n}`);
}

function validateConnectionPool(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['tcp', 'http']);
  if (!f.key('tcp').present && !f.key('http').present) f.error('connection pool must have at least one field');
  const http = f.key('http');
  if (http.record()) {
    http.knownKeys(['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries', 'idleTimeout', 'h2UpgradePolicy', 'useClientProtocol', 'maxConcurrentStreams']);
    for (const k of ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries', 'maxConcurrentStreams']) {
      checkCount(http.key(k), INT32_MAX);
    }
    if (http.key('idleTimeout').present) checkDuration(http.key('idleTimeout'));
    const policy = http.key('h2UpgradePolicy').present ? http.key('h2UpgradePolicy').oneOf(H2_UPGRADE) : undefined;
    if (policy === 'UPGRADE' && http.key('useClientProtocol').boolean() === true) http.error('useClientProtocol must not be true when h2UpgradePolicy is UPGRADE');
  }
  const tcp = f.key('tcp');
  if (tcp.record()) {
    tcp.knownKeys(['maxConnections', 'connectTimeout', 'tcpKeepalive', 'maxConnectionDuration', 'idleTimeout']);
    checkCount(tcp.key('maxConnections'), INT32_MAX);
    for (const k of ['connectTimeout', 'maxConnectionDuration']) if (tcp.key(k).present) checkDuration(tcp.key(k));
    // istiod skips tcp.idleTimeout when it is under 1ms: 0s disables the timeout.
    const idle = tcp.key('idleTimeout');
    const idleNs = typeof idle.value === 'string' ? parseDurationNs(idle.value) : undefined;
    if (idle.present && !(idleNs !== undefined && idleNs < MS)) checkDuration(idle);
    const ka = tcp.key('tcpKeepalive');
    if (ka.record()) {
      ka.knownKeys(['probes', 'time', 'interval']);
      checkCount(ka.key('probes'), UINT32_MAX);
      for (const k of ['time', 'interval']) if (ka.key(k).present) checkDuration(ka.key(k));
    }
  }
}

function validateOutlierDetection(f: Field): void {
  if (!f.record()) return;
  f.knownKeys([
    'splitExternalLocalOriginErrors', 'consecutiveLocalOriginFailures', 'consecutiveGatewayErrors', 'consecutive5xxErrors',
    'interval', 'baseEjectionTime', 'maxEjectionPercent', 'minHealthPercent', 'consecutiveErrors',
  ]);
  const deprecated = f.key('consecutiveErrors').integer();
  if (deprecated !== undefined && deprecated !== 0) {
    f.key('consecutiveErrors').warn('outlier detection consecutiveErrors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead');
  }
  for (const k of ['consecutiveLocalOriginFailures', 'consecutiveGatewayErrors', 'consecutive5xxErrors']) checkCount(f.key(k), UINT32_MAX);
  const split = f.key('splitExternalLocalOriginErrors').boolean() ?? false;
  const local = f.key('consecutiveLocalOriginFailures').value;
  if (!split && typeof local === 'number' && local > 0) {
    f.key('consecutiveLocalOriginFailures').error('consecutiveLocalOriginFailures is specified, but splitExternalLocalOriginErrors is not true');
  }
  for (const k of ['interval', 'baseEjectionTime']) if (f.key(k).present) checkDuration(f.key(k));
  f.key('maxEjectionPercent').intInRange(0, 100);
  f.key('minHealthPercent').intInRange(0, 100);
}

function validateClientTls(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['mode', 'clientCertificate', 'privateKey', 'caCertificates', 'credentialName', 'subjectAltNames', 'sni', 'insecureSkipVerify', 'caCrl']);
  const mode = f.key('mode').present ? f.key('mode').oneOf(TLS_MODES) : 'DISABLE';
  const str = (k: string): string => f.key(k).string() ?? '';
  f.key('subjectAltNames').strings({ nonEmpty: true });
  const skip = f.key('insecureSkipVerify').boolean() ?? false;
  if (skip && mode === 'SIMPLE' && (str('caCertificates') !== '' || str('credentialName') !== '' || f.key('subjectAltNames').present)) {
    f.error('cannot specify caCertificates or credentialName or subjectAltNames when insecureSkipVerify is set true');
  }
  if (skip && mode === 'MUTUAL' && (str('caCertificates') !== '' || f.key('subjectAltNames').present)) {
    f.error('cannot specify caCertificates or subjectAltNames when insecureSkipVerify is set true');
  }
  if ((mode === 'SIMPLE' || mode === 'MUTUAL') && str('credentialName') !== '') {
    if (['clientCertificate', 'caCertificates', 'privateKey', 'caCrl'].some((k) => str(k) !== '')) {
      f.error('cannot specify client certificates or CA certificate or CA CRL if credentialName is set');
    }
    return;
  }
  if (mode === 'MUTUAL') {
    if (str('clientCertificate') === '') f.key('clientCertificate').error('client certificate required for mutual tls');
    if (str('privateKey') === '') f.key('privateKey').error('private key required for mutual tls');
  }
}

function validateTunnel(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['protocol', 'targetHost', 'targetPort']);
  const p = f.key('protocol').string();
  if (p !== undefined && p !== '' && p !== 'CONNECT' && p !== 'POST') f.key('protocol').error('tunnel protocol must be "CONNECT" or "POST"');
  const host = f.key('targetHost').requiredString();
  if (host !== undefined && wildcardDomain(host) !== undefined && ipAddress(host) !== undefined) f.key('targetHost').error(`tunnel target host must be a valid FQDN or IP address: ${host}`);
  const port = f.key('targetPort');
  if (!port.present) port.error('tunnel target port is required');
  else port.intInRange(1, 65535);
}
