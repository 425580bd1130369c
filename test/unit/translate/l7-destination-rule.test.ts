// DestinationRule → L7 destination policy (reference §5): host resolution, lookup
// order, merging, subsets, load balancing and port-level settings (connectionPool and
// outlierDetection: l7-dr-resilience.test.ts; consistentHash: l7-dr-consistent-hash.test.ts).
import test from 'ava';
import type { L7Case } from './l7-builders.js';
import { T1, T2, T3, dr, fqdn, key, runCase, service, serviceEntry } from './l7-builders.js';

const svcs = [service('reviews'), service('ratings'), service('reviews', { ns: 'shop' }), service('reviews', { ns: 'istio-system' })];
const D = (name: string, ns = 'default'): string => `DestinationRule ${ns}/${name}`;
const v1v2 = [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }];

const cases: L7Case[] = [
  {
    title: 'rule 81: a short host resolves against the DestinationRule namespace',
    objects: [...svcs, dr('r', 'default', { host: 'reviews', subsets: v1v2 })],
    services: [key('reviews')],
    destination: { origins: [D('r')], subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
    noWarnings: true,
  },
  {
    title: 'rule 81: an FQDN host applies to that service only',
    objects: [...svcs, dr('r', 'shop', { host: fqdn('reviews', 'shop'), subsets: v1v2 })],
    services: [key('reviews', 'shop')],
  },
  {
    title: 'rule 81: a DestinationRule for a host that does not exist is ignored',
    objects: [...svcs, dr('r', 'default', { host: 'details', subsets: v1v2 })],
    services: [],
    warnings: [/^DestinationRule default\/r: spec\.host: host details\.default\.svc\.cluster\.local is not a known Service or ServiceEntry host: ignored$/],
  },
  {
    title: 'rule 81: a DestinationRule applies to a ServiceEntry host',
    objects: [serviceEntry('ext', 'default', { hosts: ['httpbin.org'], ports: [{ number: 80 }] }), dr('ext', 'default', { host: 'httpbin.org', trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } })],
    service: 'default/httpbin.org',
    destination: { origins: [D('ext')], subsets: [], trafficPolicy: { loadBalancer: 'RANDOM' } },
  },
  {
    title: 'rule 81: a DestinationRule in the service namespace wins over one in the root namespace',
    objects: [...svcs,
      dr('root', 'istio-system', { host: fqdn('reviews'), trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } }, T1),
      dr('own', 'default', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } }, T2)],
    destination: { origins: [D('own')], subsets: [], trafficPolicy: { loadBalancer: 'ROUND_ROBIN' } },
  },
  {
    title: 'rule 81: without one in the service namespace, the root namespace DestinationRule applies',
    objects: [...svcs, dr('root', 'istio-system', { host: fqdn('reviews'), subsets: v1v2 })],
    destination: { origins: [D('root', 'istio-system')], subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
  },
  {
    title: 'rule 81: a root-namespace wildcard DestinationRule applies to every service under it',
    objects: [...svcs, dr('all', 'istio-system', { host: '*.svc.cluster.local', trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } } })],
    services: [key('reviews'), key('reviews', 'istio-system'), key('ratings'), key('reviews', 'shop')].sort(),
  },
  {
    title: 'rule 81: the root namespace follows mesh.rootNamespace',
    objects: [...svcs, service('reviews', { ns: 'mesh-root' }), dr('root', 'mesh-root', { host: fqdn('reviews'), subsets: v1v2 })],
    mesh: { rootNamespace: 'mesh-root' },
    services: [key('reviews')],
  },
  {
    title: 'rule 81: a DestinationRule in a third namespace is not looked up for the service',
    objects: [...svcs, dr('elsewhere', 'shop', { host: fqdn('reviews'), subsets: v1v2 })],
    services: [],
    warnings: [/^DestinationRule shop\/elsewhere: spec\.host: waypoints look DestinationRules up in the service's namespace \(default\) and the root namespace \(istio-system\), not in shop: ignored$/],
  },
  {
    title: 'rule 81: an exact host wins over a wildcard host in the same namespace',
    objects: [...svcs,
      dr('wild', 'default', { host: '*.default.svc.cluster.local', trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } }, T1),
      dr('exact', 'default', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } }, T2)],
    destination: { origins: [D('exact')], subsets: [], trafficPolicy: { loadBalancer: 'ROUND_ROBIN' } },
  },
  {
    title: 'rule 83: several DestinationRules for one host merge oldest first',
    objects: [...svcs,
      dr('b', 'default', { host: 'reviews', subsets: [{ name: 'v2', labels: { version: 'v2' } }] }, T2),
      dr('a', 'default', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }, T1)],
    destination: { origins: [D('a'), D('b')], subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
    noWarnings: true,
  },
  {
    title: 'rule 83: the first definition of a subset name wins',
    objects: [...svcs,
      dr('new', 'default', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'new' } }] }, T2),
      dr('old', 'default', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'old' } }] }, T1)],
    destination: { origins: [D('old'), D('new')], subsets: [{ name: 'v1', labels: { version: 'old' } }] },
    warnings: [/^DestinationRule default\/new: spec\.subsets\[0\]\.name: subset "v1" is already defined by DestinationRule default\/old; the first definition wins: ignored$/],
  },
  {
    title: 'rule 83: the first top-level trafficPolicy wins whole',
    objects: [...svcs,
      dr('first', 'default', { host: 'reviews', trafficPolicy: { connectionPool: { tcp: { maxConnections: 1 } } } }, T1),
      dr('second', 'default', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } }, T2)],
    destination: { origins: [D('first'), D('second')], subsets: [], trafficPolicy: { connectionPool: { maxConnections: 1 } } },
    warnings: [/^DestinationRule default\/second: spec\.trafficPolicy: the host already has a top-level trafficPolicy from DestinationRule default\/first; the first one wins: ignored$/],
  },
  {
    title: 'rule 83: with equal timestamps, ns/name order decides',
    objects: [...svcs,
      dr('b', 'default', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } }, T3),
      dr('a', 'default', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } }, T3)],
    destination: { origins: [D('a'), D('b')], subsets: [], trafficPolicy: { loadBalancer: 'ROUND_ROBIN' } },
  },
  {
    title: 'rule 82: subset trafficPolicy is kept with the subset',
    objects: [...svcs, dr('r', 'default', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } },
      subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } }, { name: 'v2', labels: { version: 'v2' } }] })],
    destination: { origins: [D('r')], trafficPolicy: { loadBalancer: 'ROUND_ROBIN' },
      subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: 'RANDOM' } }, { name: 'v2', labels: { version: 'v2' } }] },
  },
  {
    title: 'rule 84: LEAST_CONN is an alias of LEAST_REQUEST',
    objects: [...svcs, dr('r', 'default', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'LEAST_CONN' } } })],
    destination: { origins: [D('r')], subsets: [], trafficPolicy: { loadBalancer: 'LEAST_REQUEST' } },
  },
  {
    title: 'rule 84: PASSTHROUGH',
    objects: [...svcs, dr('r', 'default', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'PASSTHROUGH' } } })],
    destination: { origins: [D('r')], subsets: [], trafficPolicy: { loadBalancer: 'PASSTHROUGH' } },
  },
  {
    title: 'rule 84: UNSPECIFIED leaves the load balancer to the default',
    objects: [...svcs, dr('s', 'default', { host: 'ratings', trafficPolicy: { loadBalancer: { simple: 'UNSPECIFIED' } }, subsets: v1v2.slice(0, 1) })],
    service: key('ratings'),
    destination: { origins: [D('s')], subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
  },
  {
    title: 'rule 82: portLevelSettings give each port its load balancer',
    objects: [...svcs, dr('r', 'default', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'RANDOM' },
      portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { simple: 'ROUND_ROBIN' } }, { port: { number: 9443 }, loadBalancer: { simple: 'LEAST_CONN' } }] } })],
    destination: { origins: [D('r')], subsets: [], trafficPolicy: { loadBalancer: 'RANDOM', portLevel: [{ port: 9080, loadBalancer: 'ROUND_ROBIN' }, { port: 9443, loadBalancer: 'LEAST_REQUEST' }] } },
  },
  {
    title: 'rule 82: a port-level entry without loadBalancer still overrides in full (default for that port)',
    objects: [...svcs, dr('r', 'default', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'RANDOM' }, portLevelSettings: [{ port: { number: 9080 }, tls: { mode: 'ISTIO_MUTUAL' } }] } })],
    destination: { origins: [D('r')], subsets: [], trafficPolicy: { loadBalancer: 'RANDOM', portLevel: [{ port: 9080 }] } },
  },
  {
    title: 'rule 82: a duplicate port-level entry is ignored (the first applies)',
    objects: [...svcs, dr('r', 'default', { host: 'reviews', trafficPolicy: { portLevelSettings: [
      { port: { number: 80 }, loadBalancer: { simple: 'RANDOM' } }, { port: { number: 80 }, loadBalancer: { simple: 'ROUND_ROBIN' } }] } })],
    destination: { origins: [D('r')], subsets: [], trafficPolicy: { portLevel: [{ port: 80, loadBalancer: 'RANDOM' }] } },
    warnings: [/spec\.trafficPolicy\.portLevelSettings\[1\]\.port: port 80 already has settings: ignored/],
  },
  {
    title: 'rule 81: a DestinationRule with a workloadSelector does not configure waypoints',
    objects: [...svcs, dr('r', 'default', { host: 'reviews', workloadSelector: { matchLabels: { app: 'client' } }, subsets: v1v2 })],
    services: [],
    warnings: [/^DestinationRule default\/r: spec\.workloadSelector: .*not waypoints: ignored$/],
  },
  {
    title: 'rule 82: a subset without labels gets an empty label map',
    objects: [...svcs, dr('r', 'default', { host: 'reviews', subsets: [{ name: 'all' }] })],
    destination: { origins: [D('r')], subsets: [{ name: 'all', labels: {} }] },
  },
];

for (const c of cases) test(c.title, (t) => runCase(t, c));
