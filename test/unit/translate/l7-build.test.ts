// buildL7Configs: assembly of routes and destination policy per service, ordering,
// VirtualService vs Gateway API conflicts (rule 58), warning format and wire shape.
import test from 'ava';
import { l7ConfigProblem } from '../../../daemon/state/l7-config-check.js';
import type { L7Case } from './l7-builders.js';
import { backend, build, dr, fqdn, httpRoute, key, runCase, service, serviceEntry, svcParent, to, vs } from './l7-builders.js';

const svcs = [service('reviews'), service('ratings'), service('reviews-v1'), service('b', { ns: 'a' }), service('a', { ns: 'z' })];

const cases: L7Case[] = [
  {
    title: 'no L7 resources: no configs and no warnings',
    objects: [...svcs, serviceEntry('ext', 'egress', { hosts: ['api.example.com'] })],
    services: [],
    noWarnings: true,
  },
  {
    title: 'configs are sorted by service key; only services with routes or a policy get one',
    objects: [...svcs,
      vs('z', 'z', { hosts: ['a'], http: [{ route: [to('a')] }] }),
      dr('b', 'a', { host: 'b', subsets: [{ name: 'v1', labels: { v: '1' } }] }),
      vs('r', 'default', { hosts: ['reviews'], http: [{ route: [to('reviews')] }] })],
    services: [key('b', 'a'), key('reviews'), key('a', 'z')],
  },
  {
    title: 'routes and destination policy of one service share one config',
    objects: [...svcs,
      vs('r', 'default', { hosts: ['reviews'], http: [{ route: [to('reviews', { subset: 'v1' })] }] }),
      dr('r', 'default', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] })],
    services: [key('reviews')],
    table: { kind: 'VirtualService', origins: ['VirtualService default/r'] },
    destination: { origins: ['DestinationRule default/r'], subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
    noWarnings: true,
  },
  {
    title: 'rule 58: a VirtualService and an HTTPRoute for one service: the HTTPRoute is used, with a warning',
    objects: [...svcs,
      vs('r', 'default', { hosts: ['reviews'], http: [{ route: [to('reviews')] }] }),
      httpRoute('h', 'default', { parentRefs: [svcParent('reviews')], rules: [{ backendRefs: [backend('reviews-v1', 80)] }] })],
    table: { kind: 'HTTPRoute', origins: ['HTTPRoute default/h'] },
    warnings: [/^VirtualService default\/r: spec\.hosts: service default\/reviews\.default\.svc\.cluster\.local also has Gateway API routes \(HTTPRoute default\/h\); mixing both is undefined, the Gateway API routes are used/],
  },
  {
    title: 'rule 58: the VirtualService still applies to its other services',
    objects: [...svcs,
      vs('r', 'default', { hosts: ['reviews', 'ratings'], http: [{ route: [to('ratings')] }] }),
      httpRoute('h', 'default', { parentRefs: [svcParent('reviews')], rules: [{ backendRefs: [backend('reviews-v1', 80)] }] })],
    service: key('ratings'),
    table: { kind: 'VirtualService' },
  },
  {
    title: 'a destination policy only (no routes) for a service',
    objects: [...svcs, dr('r', 'default', { host: 'ratings', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } })],
    service: key('ratings'),
    destination: { origins: ['DestinationRule default/r'], subsets: [], trafficPolicy: { loadBalancer: 'ROUND_ROBIN' } },
  },
];

for (const c of cases) test(c.title, (t) => runCase(t, c));

test('routes-only config has no destination field and vice versa', (t) => {
  const out = build([...svcs, vs('r', 'default', { hosts: ['reviews'], http: [{ route: [to('reviews')] }] }), dr('d', 'default', { host: 'ratings' })]);
  const reviews = out.configs.find((c) => c.service === key('reviews'));
  const ratings = out.configs.find((c) => c.service === key('ratings'));
  t.false(reviews !== undefined && 'destination' in reviews);
  t.false(ratings !== undefined && 'routes' in ratings);
});

test('every warning names the resource kind, namespace/name and the field', (t) => {
  const out = build([...svcs,
    vs('r', 'default', { hosts: ['reviews', 'nope'], http: [{ match: [{ sourceLabels: { a: 'b' } }], route: [to('reviews')] }, { route: [to('reviews')], fault: { abort: { httpStatus: 500 } } }] }),
    dr('d', 'default', { host: 'nope' }),
    httpRoute('h', 'default', { parentRefs: [svcParent('ratings')], rules: [{ backendRefs: [backend('gone', 80)] }] })]);
  t.true(out.warnings.length >= 5, JSON.stringify(out.warnings));
  for (const w of out.warnings) t.regex(w, /^(VirtualService|DestinationRule|HTTPRoute) default\/[a-z]+: spec\.[A-Za-z0-9[\].]+: \S/);
});

test('the built configs are plain JSON the daemon receipt check accepts', (t) => {
  const out = build([...svcs,
    serviceEntry('ext', 'egress', { hosts: ['api.example.com'] }),
    vs('r', 'default', { hosts: ['reviews'], http: [
      { match: [{ uri: { prefix: '/a' }, headers: { x: {} }, withoutHeaders: { y: { exact: '1' } }, queryParams: { q: { regex: '.+' } } }], rewrite: { uri: '/b' }, timeout: '2s',
        route: [to('reviews', { subset: 'v1', weight: 90, headers: { request: { set: { a: 'b' } } } }), to('reviews', { subset: 'v2', weight: 10 })] },
      { match: [{ uri: { exact: '/r' } }], redirect: { uri: '/s', derivePort: 'FROM_REQUEST_PORT' } },
      { directResponse: { status: 404, body: { string: 'no' } } },
    ], tcp: [{ match: [{ port: 9000 }], route: [to('ratings')] }] }),
    vs('e', 'default', { hosts: ['api.example.com'], http: [{ route: [to('api.example.com')] }] }),
    dr('r', 'default', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'RANDOM' }, portLevelSettings: [{ port: { number: 80 }, loadBalancer: { simple: 'ROUND_ROBIN' } }] },
      subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: { simple: 'LEAST_CONN' } } }, { name: 'v2', labels: { version: 'v2' } }] }),
    httpRoute('h', 'default', { parentRefs: [svcParent('ratings', { port: 80 })], rules: [
      { matches: [{ path: { type: 'PathPrefix', value: '/x' } }], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }], backendRefs: [backend('reviews-v1', 80), backend('gone', 80)] },
      { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }] },
    ] })]);
  t.is(out.configs.length, 3);
  for (const c of out.configs) {
    t.deepEqual(JSON.parse(JSON.stringify(c)), c, c.service);
    t.is(l7ConfigProblem(JSON.parse(JSON.stringify(c)), c.service), undefined, c.service);
  }
  t.deepEqual(out.configs.map((c) => c.service), ['default/ratings.default.svc.cluster.local', key('reviews'), 'egress/api.example.com'].sort());
});

test('a wildcard VirtualService gives every covered service the same routes', (t) => {
  const out = build([...svcs, vs('all', 'default', { hosts: ['*.default.svc.cluster.local'], http: [{ route: [to('reviews')] }] })]);
  t.deepEqual(out.configs.map((c) => c.service), [key('ratings'), key('reviews'), key('reviews-v1')].sort());
  for (const c of out.configs) t.deepEqual(c.routes?.http[0]?.action, { route: [{ host: fqdn('reviews'), weight: 100 }] });
});
