// DestinationRule loadBalancer.consistentHash → L7 destination policy (reference rule 85):
// the hash key, the algorithm with Envoy's defaults, what is dropped with a warning, and
// where it is carried (top level, port level, subset; rule 82).
import test from 'ava';
import type { L7ConsistentHash } from '../../../api/l7-model.js';
import type { L7Case } from './l7-builders.js';
import { dr, runCase, service } from './l7-builders.js';

const svcs = [service('reviews')];
const ORIGIN = 'DestinationRule default/r';
const LB = 'spec.trafficPolicy.loadBalancer';
const CH = `${LB}.consistentHash`;
const W = (path: string, message: string): RegExp => new RegExp(`^DestinationRule default/r: ${path.replace(/[.[\]]/g, '\\$&')}: ${message}$`);
const RING = { ringHash: { minimumRingSize: 1024 } };
const hashed = (key: L7ConsistentHash['key'], algorithm: L7ConsistentHash['algorithm'] = RING): L7ConsistentHash => ({ key, algorithm });
/** A case whose DR `reviews` has this top-level loadBalancer. */
const top = (title: string, loadBalancer: Record<string, unknown>, expected: L7ConsistentHash | undefined, more: Partial<L7Case> = {}): L7Case => ({
  title,
  objects: [...svcs, dr('r', 'default', { host: 'reviews', trafficPolicy: { loadBalancer } })],
  destination: { origins: [ORIGIN], subsets: [], ...(expected ? { trafficPolicy: { consistentHash: expected } } : {}) },
  ...more,
});
const X_USER = { httpHeaderName: 'x-user' };

const keyCases: L7Case[] = [
  top('rule 85: httpHeaderName hashes that header, lowercased; the default ring hash has 1024 entries',
    { consistentHash: { httpHeaderName: 'X-User' } }, hashed({ header: 'x-user' }), { noWarnings: true }),
  top('rule 85: httpCookie with path and ttl (a cookie is generated when missing)',
    { consistentHash: { httpCookie: { name: 'session', path: '/', ttl: '1h' } } }, hashed({ cookie: { name: 'session', path: '/', ttlMs: 3_600_000 } }), { noWarnings: true }),
  top('rule 85: httpCookie without a ttl: no cookie is generated',
    { consistentHash: { httpCookie: { name: 'session' } } }, hashed({ cookie: { name: 'session' } }), { noWarnings: true }),
  top('rule 85: httpCookie ttl 0s (a session cookie in Envoy) is reported and no cookie is generated',
    { consistentHash: { httpCookie: { name: 'session', ttl: '0s' } } }, hashed({ cookie: { name: 'session' } }),
    { warnings: [W(`${CH}.httpCookie.ttl`, '0s \\(a generated session cookie\\) is not supported by the waypoint: no cookie is generated')] }),
  top('rule 85: a malformed cookie ttl is reported and no cookie is generated',
    { consistentHash: { httpCookie: { name: 'session', ttl: 'an hour' } } }, hashed({ cookie: { name: 'session' } }),
    { warnings: [W(`${CH}.httpCookie.ttl`, 'not a valid duration: no cookie is generated')] }),
  top('rule 85: cookie attributes are reported',
    { consistentHash: { httpCookie: { name: 'session', attributes: [{ name: 'SameSite', value: 'Strict' }] } } }, hashed({ cookie: { name: 'session' } }),
    { warnings: [W(`${CH}.httpCookie.attributes`, 'not supported by the waypoint: ignored')] }),
  top('rule 85: useSourceIp hashes the client IP',
    { consistentHash: { useSourceIp: true } }, hashed({ sourceIp: true }), { noWarnings: true }),
  top('rule 85: httpQueryParameterName hashes that query parameter, as written',
    { consistentHash: { httpQueryParameterName: 'userId' } }, hashed({ queryParameter: 'userId' }), { noWarnings: true }),
];

const unusableCases: L7Case[] = [
  top('rule 85: no hash key: the default load balancer applies',
    { consistentHash: { maglev: { tableSize: 65537 } } }, undefined,
    { warnings: [W(CH, 'no hash key \\(one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName\\): consistentHash ignored')] }),
  top('rule 85: two hash keys (a oneof in Istio): the default load balancer applies',
    { consistentHash: { httpHeaderName: 'x-user', useSourceIp: true } }, undefined,
    { warnings: [W(CH, 'only one hash key may be set, found httpHeaderName, useSourceIp: consistentHash ignored')] }),
  top('rule 85: useSourceIp false hashes nothing',
    { consistentHash: { useSourceIp: false } }, undefined, { warnings: [W(`${CH}.useSourceIp`, 'only true hashes the source IP: consistentHash ignored')] }),
  top('rule 85: an empty header name',
    { consistentHash: { httpHeaderName: '' } }, undefined, { warnings: [W(`${CH}.httpHeaderName`, 'must be a non-empty string: consistentHash ignored')] }),
  top('rule 85: an empty query parameter name',
    { consistentHash: { httpQueryParameterName: '' } }, undefined, { warnings: [W(`${CH}.httpQueryParameterName`, 'must be a non-empty string: consistentHash ignored')] }),
  top('rule 85: a cookie without a name',
    { consistentHash: { httpCookie: { ttl: '10s' } } }, undefined, { warnings: [W(`${CH}.httpCookie.name`, 'a cookie needs a name: consistentHash ignored')] }),
  top('rule 85: an unusable consistentHash with simple leaves the load balancer to the default',
    { simple: 'ROUND_ROBIN', consistentHash: {} }, undefined, { warnings: [W(`${LB}.simple`, 'only one of simple or consistentHash may be set; consistentHash applies: ignored')] }),
];

const algorithmCases: L7Case[] = [
  top('rule 85: maglev with its tableSize',
    { consistentHash: { ...X_USER, maglev: { tableSize: 251 } } }, hashed({ header: 'x-user' }, { maglev: { tableSize: 251 } }), { noWarnings: true }),
  top('rule 85: maglev without a tableSize gets 65537',
    { consistentHash: { ...X_USER, maglev: {} } }, hashed({ header: 'x-user' }, { maglev: { tableSize: 65537 } }), { noWarnings: true }),
  top('rule 85: maglev tableSize 0 gets 65537',
    { consistentHash: { ...X_USER, maglev: { tableSize: 0 } } }, hashed({ header: 'x-user' }, { maglev: { tableSize: 65537 } }), { noWarnings: true }),
  top('rule 85: a maglev tableSize that is not prime falls back to 65537',
    { consistentHash: { ...X_USER, maglev: { tableSize: 1000 } } }, hashed({ header: 'x-user' }, { maglev: { tableSize: 65537 } }),
    { warnings: [W(`${CH}.maglev.tableSize`, 'must be a prime below 5000011: the default \\(65537\\) applies')] }),
  top('rule 85: a maglev tableSize of 5000011 or more falls back to 65537',
    { consistentHash: { ...X_USER, maglev: { tableSize: 5000011 } } }, hashed({ header: 'x-user' }, { maglev: { tableSize: 65537 } }),
    { warnings: [W(`${CH}.maglev.tableSize`, 'must be a prime below 5000011: the default \\(65537\\) applies')] }),
  top('rule 85: ringHash with its minimumRingSize',
    { consistentHash: { ...X_USER, ringHash: { minimumRingSize: 4096 } } }, hashed({ header: 'x-user' }, { ringHash: { minimumRingSize: 4096 } }), { noWarnings: true }),
  top('rule 85: ringHash without a minimumRingSize gets 1024',
    { consistentHash: { ...X_USER, ringHash: {} } }, hashed({ header: 'x-user' }), { noWarnings: true }),
  top('rule 85: a ring above Envoy\'s maximum is capped',
    { consistentHash: { ...X_USER, ringHash: { minimumRingSize: 10_000_000 } } }, hashed({ header: 'x-user' }, { ringHash: { minimumRingSize: 8_388_608 } }),
    { warnings: [W(`${CH}.ringHash.minimumRingSize`, 'above Envoy\'s maximum ring size: 8388608 applies')] }),
  top('rule 85: a negative ring size falls back to 1024',
    { consistentHash: { ...X_USER, ringHash: { minimumRingSize: -1 } } }, hashed({ header: 'x-user' }),
    { warnings: [W(`${CH}.ringHash.minimumRingSize`, 'not a non-negative integer: Envoy\'s default \\(1024\\) applies')] }),
  top('rule 85: the deprecated top-level minimumRingSize is a ring hash',
    { consistentHash: { ...X_USER, minimumRingSize: 2048 } }, hashed({ header: 'x-user' }, { ringHash: { minimumRingSize: 2048 } }), { noWarnings: true }),
  top('rule 85: the deprecated minimumRingSize 0 is unset',
    { consistentHash: { ...X_USER, minimumRingSize: 0, maglev: { tableSize: 251 } } }, hashed({ header: 'x-user' }, { maglev: { tableSize: 251 } }), { noWarnings: true }),
  top('rule 85: the deprecated minimumRingSize with maglev: maglev applies',
    { consistentHash: { ...X_USER, minimumRingSize: 2048, maglev: { tableSize: 251 } } }, hashed({ header: 'x-user' }, { maglev: { tableSize: 251 } }),
    { warnings: [W(`${CH}.minimumRingSize`, 'only one of minimumRingSize or maglev/ringHash may be set: ignored')] }),
  top('rule 85: ringHash and maglev together (a oneof in Istio): the ring hash applies',
    { consistentHash: { ...X_USER, ringHash: { minimumRingSize: 512 }, maglev: { tableSize: 251 } } }, hashed({ header: 'x-user' }, { ringHash: { minimumRingSize: 512 } }),
    { warnings: [W(`${CH}.maglev`, 'only one of ringHash or maglev may be set: ignored')] }),
];

const placementCases: L7Case[] = [
  top('rule 85: consistentHash with simple (a oneof in Istio): consistentHash applies',
    { simple: 'RANDOM', consistentHash: { useSourceIp: true } }, hashed({ sourceIp: true }),
    { warnings: [W(`${LB}.simple`, 'only one of simple or consistentHash may be set; consistentHash applies: ignored')] }),
  top('rule 85: localityLbSetting next to consistentHash is still reported',
    { consistentHash: X_USER, localityLbSetting: { enabled: true } }, hashed({ header: 'x-user' }),
    { warnings: [W(LB, 'localityLbSetting not supported by the waypoint yet: ignored')] }),
  {
    title: 'rule 82: port-level consistentHash is carried with its port, next to the top-level simple',
    objects: [...svcs, dr('r', 'default', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' },
      portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { consistentHash: { httpCookie: { name: 'u', ttl: '30s' } } } }] } })],
    destination: { origins: [ORIGIN], subsets: [], trafficPolicy: { loadBalancer: 'ROUND_ROBIN',
      portLevel: [{ port: 9080, consistentHash: hashed({ cookie: { name: 'u', ttlMs: 30_000 } }) }] } },
    noWarnings: true,
  },
  {
    title: 'rule 82: a subset consistentHash is carried with the subset; the warning names its path',
    objects: [...svcs, dr('r', 'default', { host: 'reviews', subsets: [
      { name: 'v1', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: { consistentHash: { httpQueryParameterName: 'q', maglev: { tableSize: 7 } } } } },
      { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { consistentHash: { useSourceIp: false } } } }] })],
    destination: { origins: [ORIGIN], subsets: [
      { name: 'v1', labels: { version: 'v1' }, trafficPolicy: { consistentHash: hashed({ queryParameter: 'q' }, { maglev: { tableSize: 7 } }) } },
      { name: 'v2', labels: { version: 'v2' } }] },
    warnings: [W('spec.subsets[1].trafficPolicy.loadBalancer.consistentHash.useSourceIp', 'only true hashes the source IP: consistentHash ignored')],
  },
];

for (const c of [...keyCases, ...unusableCases, ...algorithmCases, ...placementCases]) test(c.title, (t) => runCase(t, c));
