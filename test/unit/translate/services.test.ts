// Services and ServiceEntries → Services (translateService, translateServiceEntry, and
// buildModel's first-definition-wins rule for hostnames).
import test from 'ava';
import type { Service } from '../../../api/model.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import { buildModel } from '../../../controller/translate/build-model.js';
import { defaultMesh } from '../../../controller/translate/mesh.js';
import { translateService, translateServiceEntry } from '../../../controller/translate/services.js';
import { MemoryView, namespace, service, serviceEntry, viewOf, waypointGateway } from './builders.js';

interface Case {
  name: string;
  svc: KubeObject;
  objects?: KubeObject[];
  /** undefined: not sent. Otherwise the listed fields must equal these. */
  expected: Partial<Service> | undefined;
}

const wp = (ns: string, name: string): Service['waypoint'] => ({ namespace: ns, name, hostname: `${name}.${ns}.svc.cluster.local`, hbonePort: 15008 });
const useWp = (name: string): Record<string, string> => ({ 'istio.io/use-waypoint': name });

const cases: Case[] = [
  {
    name: 'hostname, name, namespace, kind',
    svc: service('reviews', { ns: 'shop', clusterIP: '10.96.0.10' }),
    expected: { name: 'reviews', namespace: 'shop', hostname: 'reviews.shop.svc.cluster.local', sourceKind: 'Service', resolution: '', subjectAltNames: [] },
  },
  { name: 'clusterIP only', svc: service('s', { clusterIP: '10.96.0.10' }), expected: { addresses: ['10.96.0.10'] } },
  { name: 'clusterIPs (dual stack) win over clusterIP', svc: service('s', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10', 'fd00:96::10'] }), expected: { addresses: ['10.96.0.10', 'fd00:96::10'] } },
  { name: 'headless (None): no VIPs', svc: service('s', { clusterIP: 'None', clusterIPs: ['None'] }), expected: { addresses: [] } },
  { name: 'no clusterIP yet: no VIPs', svc: service('s'), expected: { addresses: [] } },
  {
    name: 'ports: numeric, omitted, numeric-string and named targets',
    svc: service('s', { ports: [
      { name: 'http', port: 80, targetPort: 8080, appProtocol: 'http' },
      { name: 'plain', port: 9000 },
      { name: 'str', port: 9001, targetPort: '9101' },
      { name: 'named', port: 443, targetPort: 'https' },
    ] }),
    expected: { ports: [
      { servicePort: 80, targetPort: 8080, name: 'http', appProtocol: 'http' },
      { servicePort: 9000, targetPort: 9000, name: 'plain', appProtocol: '' },
      { servicePort: 9001, targetPort: 9101, name: 'str', appProtocol: '' },
      { servicePort: 443, targetPort: 0, name: 'named', appProtocol: '' },
    ] },
  },
  {
    name: 'UDP and SCTP ports skipped',
    svc: service('s', { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 's', port: 99, protocol: 'SCTP' }, { name: 'tcp', port: 53, protocol: 'TCP' }] }),
    expected: { ports: [{ servicePort: 53, targetPort: 53, name: 'tcp', appProtocol: '' }] },
  },
  { name: 'ExternalName skipped', svc: service('s', { type: 'ExternalName' }), expected: undefined },
  { name: 'waypoint from service label', svc: service('s', { labels: useWp('wp') }), objects: [waypointGateway('wp', 'default')], expected: { waypoint: wp('default', 'wp') } },
  { name: 'waypoint from namespace label', svc: service('s'), objects: [namespace('default', useWp('wp')), waypointGateway('wp', 'default', 'all')], expected: { waypoint: wp('default', 'wp') } },
  { name: 'service label none opts out of namespace waypoint', svc: service('s', { labels: useWp('none') }), objects: [namespace('default', useWp('wp')), waypointGateway('wp', 'default')], expected: { waypoint: null } },
  { name: 'waypoint-for workload does not take service traffic', svc: service('s', { labels: useWp('wp') }), objects: [waypointGateway('wp', 'default', 'workload')], expected: { waypoint: null } },
  { name: 'waypoint gateway missing', svc: service('s', { labels: useWp('wp') }), expected: { waypoint: null } },
];

for (const c of cases) {
  test(`service: ${c.name}`, (t) => {
    const s = translateService(new MemoryView(c.objects ?? []), c.svc);
    if (c.expected === undefined) {
      t.is(s, undefined);
      return;
    }
    if (!s) return t.fail('service not sent');
    for (const [k, v] of Object.entries(c.expected)) t.deepEqual(s[k as keyof Service], v, k);
  });
}

interface SeCase { name: string; spec: Record<string, unknown>; expected: Partial<Service>[] }

const seCases: SeCase[] = [
  {
    name: 'one Service per host with addresses, ports, resolution',
    spec: { hosts: ['api.example.com', 'www.example.com'], addresses: ['240.0.0.1'], ports: [{ number: 443, name: 'https', protocol: 'TLS' }], resolution: 'DNS' },
    expected: ['api.example.com', 'www.example.com'].map((hostname) => ({
      name: 'ext', namespace: 'egress', hostname, addresses: ['240.0.0.1'], sourceKind: 'ServiceEntry', resolution: 'DNS', waypoint: null,
      ports: [{ servicePort: 443, targetPort: 443, name: 'https', appProtocol: 'tls' }],
    })),
  },
  {
    name: 'targetPort, subjectAltNames, default resolution NONE',
    spec: { hosts: ['db.internal'], ports: [{ number: 5432, name: 'pg', protocol: 'TCP', targetPort: 15432 }], subjectAltNames: ['spiffe://cluster.local/ns/db/sa/pg'] },
    expected: [{ hostname: 'db.internal', resolution: 'NONE', addresses: [], subjectAltNames: ['spiffe://cluster.local/ns/db/sa/pg'], ports: [{ servicePort: 5432, targetPort: 15432, name: 'pg', appProtocol: 'tcp' }] }],
  },
  { name: 'no hosts: nothing', spec: { ports: [{ number: 80 }] }, expected: [] },
];

for (const c of seCases) {
  test(`serviceentry: ${c.name}`, (t) => {
    const out = translateServiceEntry(serviceEntry('ext', 'egress', c.spec));
    t.is(out.length, c.expected.length);
    c.expected.forEach((e, i) => {
      const s = out[i];
      if (!s) return t.fail(`missing service ${i}`);
      for (const [k, v] of Object.entries(e)) t.deepEqual(s[k as keyof Service], v, `${i}.${k}`);
    });
  });
}

interface DupCase { name: string; objects: KubeObject[]; expected: { hostname: string; namespace: string; name: string }[]; warning?: RegExp }

const dupCases: DupCase[] = [
  {
    name: 'duplicate host in one namespace: first ServiceEntry (by name) wins, with a warning',
    objects: [
      serviceEntry('b-second', 'egress', { hosts: ['api.example.com'], ports: [{ number: 80 }] }),
      serviceEntry('a-first', 'egress', { hosts: ['api.example.com'], ports: [{ number: 443 }] }),
    ],
    expected: [{ hostname: 'api.example.com', namespace: 'egress', name: 'a-first' }],
    warning: /ServiceEntry egress\/b-second: host api\.example\.com is already defined in namespace egress; the first definition wins/,
  },
  {
    name: 'ServiceEntry for a Kubernetes Service hostname: the Service wins',
    objects: [service('web', { ns: 'shop' }), serviceEntry('se', 'shop', { hosts: ['web.shop.svc.cluster.local'], ports: [{ number: 80 }] })],
    expected: [{ hostname: 'web.shop.svc.cluster.local', namespace: 'shop', name: 'web' }],
    warning: /ServiceEntry shop\/se: host web\.shop\.svc\.cluster\.local is already defined/,
  },
  {
    name: 'same host in two namespaces: both kept, no warning',
    objects: [serviceEntry('se', 'a', { hosts: ['api.example.com'] }), serviceEntry('se', 'b', { hosts: ['api.example.com'] })],
    expected: [{ hostname: 'api.example.com', namespace: 'a', name: 'se' }, { hostname: 'api.example.com', namespace: 'b', name: 'se' }],
  },
];

for (const c of dupCases) {
  test(`buildModel services: ${c.name}`, (t) => {
    const model = buildModel(viewOf(...c.objects), defaultMesh());
    t.deepEqual(model.services.map((s) => ({ hostname: s.hostname, namespace: s.namespace, name: s.name })), c.expected);
    if (c.warning) {
      const re = c.warning;
      t.true(model.warnings.some((w) => re.test(w)), JSON.stringify(model.warnings));
    } else t.deepEqual(model.warnings, []);
  });
}
