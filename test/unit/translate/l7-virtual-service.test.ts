// VirtualService → L7 route tables (reference §4): binding, host resolution, matches,
// actions, delegates and tcp routes.
import test from 'ava';
import type { L7Destination, L7HttpMatch, L7HttpRoute } from '../../../api/l7-model.js';
import type { L7Case } from './l7-builders.js';
import { T1, T2, T3, fqdn, key, runCase, service, serviceEntry, to, vs } from './l7-builders.js';

const svcs = [service('reviews'), service('ratings'), service('reviews', { ns: 'shop' })];
const REVIEWS = fqdn('reviews');
const ID = 'VirtualService default/r';

const dest = (host: string, weight = 100, extra: Partial<L7Destination> = {}): L7Destination => ({ host, weight, ...extra });
const route = (name: string, matches: L7HttpMatch[], destinations: L7Destination[] = [dest(REVIEWS)], extra: Partial<L7HttpRoute> = {}): L7HttpRoute =>
  ({ name, matches, action: { route: destinations }, ...extra });
/** A VS `r` in default for host reviews with these http routes. */
const vsHttp = (http: unknown[], extra: Record<string, unknown> = {}): ReturnType<typeof vs> => vs('r', 'default', { hosts: ['reviews'], http, ...extra });
/** One http route with this match list, routed to reviews. */
const withMatch = (...match: unknown[]): ReturnType<typeof vs> => vsHttp([{ match, route: [to('reviews')] }]);

const cases: L7Case[] = [
  // ---- binding and host resolution ----
  {
    title: 'rule 54: short host resolves against the VirtualService namespace',
    objects: [...svcs, vsHttp([{ route: [to('reviews')] }])],
    services: [key('reviews')],
    http: [route(`${ID}#0`, [])],
    table: { kind: 'VirtualService', origins: [ID] },
    noWarnings: true,
  },
  {
    title: 'rule 54: a short host in another namespace does not bind the same-named service elsewhere',
    objects: [service('reviews'), vs('r', 'other', { hosts: ['reviews'], http: [{ route: [to('reviews')] }] })],
    services: [],
    warnings: [/^VirtualService other\/r: spec\.hosts\[0\]: host reviews\.other\.svc\.cluster\.local is not a known Service or ServiceEntry host: ignored$/],
  },
  {
    title: 'rule 54: an FQDN host binds the service in its own namespace',
    objects: [...svcs, vs('r', 'other', { hosts: [REVIEWS], http: [{ route: [to(REVIEWS)] }] })],
    services: [key('reviews')],
    http: [route('VirtualService other/r#0', [])],
  },
  {
    title: 'rule 54: short destination host resolves against the VirtualService namespace',
    objects: [...svcs, vs('r', 'shop', { hosts: [REVIEWS], http: [{ route: [to('ratings')] }] })],
    http: [route('VirtualService shop/r#0', [], [dest(fqdn('ratings', 'shop'))])],
  },
  {
    title: 'rule 54: a ServiceEntry host binds the ServiceEntry service',
    objects: [serviceEntry('ext', 'egress', { hosts: ['api.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }] }),
      vs('ext', 'default', { hosts: ['api.example.com'], http: [{ route: [to('api.example.com')], timeout: '3s' }] })],
    service: 'egress/api.example.com',
    services: ['egress/api.example.com'],
    http: [route('VirtualService default/ext#0', [], [dest('api.example.com')], { timeoutMs: 3000 })],
  },
  {
    title: 'rule 54: a wildcard host binds every service under it',
    objects: [...svcs, vs('all', 'default', { hosts: ['*.default.svc.cluster.local'], http: [{ route: [to('reviews')] }] })],
    services: [key('ratings'), key('reviews')],
  },
  {
    title: 'rule 55: gateways omitted or empty bind the VirtualService to the mesh',
    objects: [...svcs, vsHttp([{ route: [to('reviews')] }], { gateways: [] })],
    services: [key('reviews')],
  },
  {
    title: 'rule 55: gateways listing mesh bind the VirtualService to the mesh',
    objects: [...svcs, vsHttp([{ route: [to('reviews')] }], { gateways: ['istio-system/ingress', 'mesh'] })],
    services: [key('reviews')],
  },
  {
    title: 'rule 55: gateways without mesh do not bind the VirtualService to the mesh',
    objects: [...svcs, vsHttp([{ route: [to('reviews')] }], { gateways: ['istio-system/ingress'] })],
    services: [],
    noWarnings: true,
  },
  {
    title: 'rule 55: a delegate VirtualService (no hosts) binds no service',
    objects: [...svcs, vs('d', 'default', { http: [{ route: [to('reviews')] }] })],
    services: [],
    noWarnings: true,
  },
  {
    title: 'rule 57: several mesh VirtualServices for one host are not merged: the oldest wins',
    objects: [...svcs,
      vs('a', 'default', { hosts: ['reviews'], http: [{ route: [to('reviews', { subset: 'v2' })] }] }, T2),
      vs('b', 'default', { hosts: ['reviews'], http: [{ route: [to('reviews', { subset: 'v1' })] }] }, T1)],
    http: [route('VirtualService default/b#0', [], [dest(REVIEWS, 100, { subset: 'v1' })])],
    table: { origins: ['VirtualService default/b'] },
    warnings: [/^VirtualService default\/a: spec\.hosts\[0\]: service default\/reviews\.default\.svc\.cluster\.local is already routed by VirtualService default\/b .*not merged/],
  },
  {
    title: 'rule 57: with the same creationTimestamp, ns/name order decides',
    objects: [...svcs,
      vs('b', 'default', { hosts: ['reviews'], http: [{ route: [to('reviews', { subset: 'v2' })] }] }, T1),
      vs('a', 'default', { hosts: ['reviews'], http: [{ route: [to('reviews', { subset: 'v1' })] }] }, T1)],
    table: { origins: ['VirtualService default/a'] },
    warnings: [/^VirtualService default\/b: spec\.hosts\[0\]: .*already routed by VirtualService default\/a/],
  },
  {
    title: 'rule 57: an exact host wins over an older wildcard host',
    objects: [...svcs,
      vs('wild', 'default', { hosts: ['*.default.svc.cluster.local'], http: [{ route: [to('ratings')] }] }, T1),
      vs('exact', 'default', { hosts: ['reviews'], http: [{ route: [to('reviews')] }] }, T2)],
    table: { origins: ['VirtualService default/exact'] },
    warnings: [/^VirtualService default\/wild: spec\.hosts\[0\]: service default\/reviews/],
  },
  {
    title: 'rule 57: a VirtualService that loses one host still applies to its other hosts',
    objects: [...svcs,
      vs('two', 'default', { hosts: ['reviews', 'ratings'], http: [{ route: [to('ratings')] }] }, T2),
      vs('one', 'default', { hosts: ['reviews'], http: [{ route: [to('reviews')] }] }, T1)],
    service: key('ratings'),
    table: { origins: ['VirtualService default/two'] },
  },

  // ---- matching ----
  {
    title: 'rule 59: http routes keep list order; unnamed routes are named after the VirtualService and index',
    objects: [...svcs, vsHttp([
      { name: 'first', match: [{ uri: { prefix: '/a' } }], route: [to('ratings')] },
      { match: [{ uri: { prefix: '/b' } }], route: [to('reviews')] },
      { route: [to('reviews', { subset: 'v1' })] },
    ])],
    http: [
      route('first', [{ path: { prefix: '/a' } }], [dest(fqdn('ratings'))]),
      route(`${ID}#1`, [{ path: { prefix: '/b' } }]),
      route(`${ID}#2`, [], [dest(REVIEWS, 100, { subset: 'v1' })]),
    ],
    noWarnings: true,
  },
  {
    title: 'rule 59: match entries are ORed (one L7 match each) and keep their names',
    objects: [...svcs, withMatch({ name: 'api', uri: { prefix: '/api' } }, { method: { exact: 'POST' } })],
    http: [route(`${ID}#0`, [{ name: 'api', path: { prefix: '/api' } }, { method: { exact: 'POST' } }])],
  },
  {
    title: 'rule 61: uri exact, prefix and regex',
    objects: [...svcs, withMatch({ uri: { exact: '/e' } }, { uri: { prefix: '/p' } }, { uri: { regex: '/r/[0-9]+' } })],
    http: [route(`${ID}#0`, [{ path: { exact: '/e' } }, { path: { prefix: '/p' } }, { path: { regex: '/r/[0-9]+' } }])],
  },
  {
    title: 'rule 61: ignoreUriCase',
    objects: [...svcs, withMatch({ uri: { prefix: '/Api' }, ignoreUriCase: true })],
    http: [route(`${ID}#0`, [{ path: { prefix: '/Api' }, ignorePathCase: true }])],
  },
  {
    title: 'rule 65: method, authority and scheme are string matches',
    objects: [...svcs, withMatch({ method: { exact: 'GET' }, authority: { prefix: 'reviews' }, scheme: { regex: 'https?' } })],
    http: [route(`${ID}#0`, [{ method: { exact: 'GET' }, authority: { prefix: 'reviews' }, scheme: { regex: 'https?' } }])],
  },
  {
    title: 'rule 62: header exact, prefix and regex; names lowercased',
    objects: [...svcs, withMatch({ headers: { 'End-User': { exact: 'jason' }, 'x-p': { prefix: 'a' }, 'user-agent': { regex: '.*Chrome.*' } } })],
    http: [route(`${ID}#0`, [{ headers: [
      { name: 'end-user', match: { exact: 'jason' } },
      { name: 'x-p', match: { prefix: 'a' } },
      { name: 'user-agent', match: { regex: '.*Chrome.*' } },
    ] }])],
  },
  {
    title: 'rule 62: a header with {} (or an empty prefix) must only be present; pseudo-headers allowed',
    objects: [...svcs, withMatch({ headers: { 'x-debug': {}, 'x-any': { prefix: '' }, ':method': { exact: 'GET' } } })],
    http: [route(`${ID}#0`, [{ headers: [{ name: 'x-debug' }, { name: 'x-any' }, { name: ':method', match: { exact: 'GET' } }] }])],
  },
  {
    title: 'rule 62: the keys uri, scheme, method and authority are ignored in the headers map',
    objects: [...svcs, withMatch({ headers: { method: { exact: 'GET' }, 'x-a': { exact: '1' } } })],
    http: [route(`${ID}#0`, [{ headers: [{ name: 'x-a', match: { exact: '1' } }] }])],
    warnings: [/^VirtualService default\/r: spec\.http\[0\]\.match\[0\]\.headers\.method: the key "method" is ignored/],
  },
  {
    title: 'rule 63: withoutHeaders inverts the condition; {} means the header is absent',
    objects: [...svcs, withMatch({ withoutHeaders: { 'end-user': { exact: 'jason' }, 'x-canary': {} } })],
    http: [route(`${ID}#0`, [{ headers: [{ name: 'end-user', match: { exact: 'jason' }, invert: true }, { name: 'x-canary', invert: true }] }])],
  },
  {
    title: 'rule 63: headers and withoutHeaders in one entry',
    objects: [...svcs, withMatch({ headers: { a: { exact: '1' } }, withoutHeaders: { b: { regex: 'x.*' } } })],
    http: [route(`${ID}#0`, [{ headers: [{ name: 'a', match: { exact: '1' } }, { name: 'b', match: { regex: 'x.*' }, invert: true }] }])],
  },
  {
    title: 'rule 64: queryParams exact (empty value), regex and presence',
    objects: [...svcs, withMatch({ queryParams: { key: { exact: '' }, id: { regex: '\\d+$' }, flag: {} } })],
    http: [route(`${ID}#0`, [{ queryParams: [{ name: 'key', match: { exact: '' } }, { name: 'id', match: { regex: '\\d+$' } }, { name: 'flag' }] }])],
  },
  {
    title: 'rule 65: port and sourceNamespace',
    objects: [...svcs, withMatch({ port: 9080, sourceNamespace: 'frontend' })],
    http: [route(`${ID}#0`, [{ port: 9080, sourceNamespace: 'frontend' }])],
  },
  {
    title: 'rule 66: a match entry using sourceLabels is dropped; the others stay',
    objects: [...svcs, withMatch({ sourceLabels: { app: 'productpage' }, uri: { prefix: '/a' } }, { uri: { prefix: '/b' } })],
    http: [route(`${ID}#0`, [{ path: { prefix: '/b' } }])],
    warnings: [/^VirtualService default\/r: spec\.http\[0\]\.match\[0\]: uses sourceLabels, which waypoints do not support/],
  },
  {
    title: 'rule 66: a route whose only entries use sourceLabels never matches and is dropped',
    objects: [...svcs, vsHttp([
      { match: [{ sourceLabels: { app: 'productpage' } }], route: [to('reviews', { subset: 'v2' })] },
      { route: [to('reviews', { subset: 'v1' })] },
    ])],
    http: [route(`${ID}#1`, [], [dest(REVIEWS, 100, { subset: 'v1' })])],
    warnings: [/^VirtualService default\/r: spec\.http\[0\]: no match entry applies on a waypoint: the route never matches and is skipped$/],
  },
  {
    title: 'rule 65: a match entry for gateways only is dropped; one listing mesh is kept',
    objects: [...svcs, withMatch({ gateways: ['ingress'], uri: { prefix: '/gw' } }, { gateways: ['ingress', 'mesh'], uri: { prefix: '/mesh' } })],
    http: [route(`${ID}#0`, [{ path: { prefix: '/mesh' } }])],
    warnings: [/spec\.http\[0\]\.match\[0\]: applies only to gateways ingress, not to the mesh/],
  },
  {
    title: 'rule 59: a route without match is a catch-all (no match entries)',
    objects: [...svcs, vsHttp([{ route: [to('reviews')] }, { match: [{ uri: { prefix: '/x' } }], route: [to('ratings')] }])],
    http: [route(`${ID}#0`, []), route(`${ID}#1`, [{ path: { prefix: '/x' } }], [dest(fqdn('ratings'))])],
  },

  // ---- actions ----
  {
    title: 'rule 71: a single destination without weight gets weight 100',
    objects: [...svcs, vsHttp([{ route: [to('reviews')] }])],
    http: [route(`${ID}#0`, [], [dest(REVIEWS, 100)])],
  },
  {
    title: 'rule 71: a single destination gets everything whatever its weight',
    objects: [...svcs, vsHttp([{ route: [to('reviews', { weight: 0 })] }])],
    http: [route(`${ID}#0`, [], [dest(REVIEWS, 100)])],
  },
  {
    title: 'rule 71: weights are relative and kept as written',
    objects: [...svcs, vsHttp([{ route: [to('reviews', { subset: 'v1', weight: 3 }), to('reviews', { subset: 'v2', weight: 1 })] }])],
    http: [route(`${ID}#0`, [], [dest(REVIEWS, 3, { subset: 'v1' }), dest(REVIEWS, 1, { subset: 'v2' })])],
  },
  {
    title: 'rule 71: with several destinations an unset weight counts as 0',
    objects: [...svcs, vsHttp([{ route: [to('reviews', { subset: 'v1', weight: 100 }), to('reviews', { subset: 'v2' })] }])],
    http: [route(`${ID}#0`, [], [dest(REVIEWS, 100, { subset: 'v1' }), dest(REVIEWS, 0, { subset: 'v2' })])],
  },
  {
    title: 'rule 72: destination port and subset are kept',
    objects: [...svcs, vsHttp([{ route: [to('ratings', { port: 9080, subset: 'v3' })] }])],
    http: [route(`${ID}#0`, [], [dest(fqdn('ratings'), 100, { port: 9080, subset: 'v3' })])],
  },
  {
    title: 'rule 79: per-destination headers',
    objects: [...svcs, vsHttp([{ route: [
      to('reviews', { subset: 'v1', weight: 50, headers: { request: { set: { 'x-v': '1' } } } }),
      to('reviews', { subset: 'v2', weight: 50, headers: { response: { remove: ['x-internal'] } } }),
    ] }])],
    http: [route(`${ID}#0`, [], [
      dest(REVIEWS, 50, { subset: 'v1', headers: { request: { set: { 'x-v': '1' } } } }),
      dest(REVIEWS, 50, { subset: 'v2', headers: { response: { remove: ['x-internal'] } } }),
    ])],
  },
  {
    title: 'rule 79: route headers set/add/remove on request and response; empty parts dropped',
    objects: [...svcs, vsHttp([{ route: [to('reviews')], headers: {
      request: { set: { 'x-a': '1' }, add: { 'x-b': '2' }, remove: ['x-c'] },
      response: { set: {}, add: { 'x-d': '4' } },
    } }])],
    http: [route(`${ID}#0`, [], [dest(REVIEWS)], { headers: {
      request: { set: { 'x-a': '1' }, add: { 'x-b': '2' }, remove: ['x-c'] },
      response: { add: { 'x-d': '4' } },
    } })],
  },
  {
    title: 'rule 79: an :authority header set stays a header operation',
    objects: [...svcs, vsHttp([{ route: [to('reviews')], headers: { request: { set: { ':authority': 'example.com' } } } }])],
    http: [route(`${ID}#0`, [], [dest(REVIEWS)], { headers: { request: { set: { ':authority': 'example.com' } } } })],
  },
  {
    title: 'rule 67: rewrite uri',
    objects: [...svcs, vsHttp([{ match: [{ uri: { prefix: '/one' } }], rewrite: { uri: '/ip' }, route: [to('reviews')] }])],
    http: [route(`${ID}#0`, [{ path: { prefix: '/one' } }], [dest(REVIEWS)], { rewrite: { uri: '/ip' } })],
  },
  {
    title: 'rule 67: uriRegexRewrite becomes uriRegex',
    objects: [...svcs, vsHttp([{ rewrite: { uriRegexRewrite: { match: '^/v1/(.*)$', rewrite: '/v2/\\1' } }, route: [to('reviews')] }])],
    http: [route(`${ID}#0`, [], [dest(REVIEWS)], { rewrite: { uriRegex: { pattern: '^/v1/(.*)$', substitution: '/v2/\\1' } } })],
  },
  {
    title: 'rule 68: rewrite authority',
    objects: [...svcs, vsHttp([{ rewrite: { authority: 'new.example.com' }, route: [to('reviews')] }])],
    http: [route(`${ID}#0`, [], [dest(REVIEWS)], { rewrite: { authority: 'new.example.com' } })],
  },
  {
    title: 'rule 69: redirect defaults to 301',
    objects: [...svcs, vsHttp([{ redirect: { uri: '/v2', authority: 'new.example.com' } }])],
    http: [{ name: `${ID}#0`, matches: [], action: { redirect: { status: 301, uri: '/v2', authority: 'new.example.com' } } }],
  },
  {
    title: 'rule 69: redirectCode, scheme and port',
    objects: [...svcs, vsHttp([{ redirect: { redirectCode: 308, scheme: 'https', port: 8443 } }])],
    http: [{ name: `${ID}#0`, matches: [], action: { redirect: { status: 308, scheme: 'https', port: 8443 } } }],
  },
  {
    title: 'rule 69: derivePort FROM_PROTOCOL_DEFAULT and FROM_REQUEST_PORT',
    objects: [...svcs, vsHttp([
      { match: [{ uri: { exact: '/a' } }], redirect: { scheme: 'https', derivePort: 'FROM_PROTOCOL_DEFAULT' } },
      { redirect: { authority: 'b', derivePort: 'FROM_REQUEST_PORT' } },
    ])],
    http: [
      { name: `${ID}#0`, matches: [{ path: { exact: '/a' } }], action: { redirect: { status: 301, scheme: 'https', port: 'protocol-default' } } },
      { name: `${ID}#1`, matches: [], action: { redirect: { status: 301, authority: 'b', port: 'request-port' } } },
    ],
  },
  {
    title: 'rule 69: prefixRewrite replaces the matched prefix',
    objects: [...svcs, vsHttp([{ match: [{ uri: { prefix: '/old' } }], redirect: { prefixRewrite: '/new' } }])],
    http: [{ name: `${ID}#0`, matches: [{ path: { prefix: '/old' } }], action: { redirect: { status: 301, prefix: '/new' } } }],
  },
  {
    title: 'rule 70: directResponse with a string body',
    objects: [...svcs, vsHttp([{ directResponse: { status: 418, body: { string: 'teapot' } } }])],
    http: [{ name: `${ID}#0`, matches: [], action: { directResponse: { status: 418, body: 'teapot' } } }],
  },
  {
    title: 'rule 70: directResponse bytes are base64-decoded',
    objects: [...svcs, vsHttp([{ directResponse: { status: 503, body: { bytes: Buffer.from('down for maintenance').toString('base64') } } }])],
    http: [{ name: `${ID}#0`, matches: [], action: { directResponse: { status: 503, body: 'down for maintenance' } } }],
    noWarnings: true,
  },
  {
    title: 'rule 70: directResponse without a body; headers still apply',
    objects: [...svcs, vsHttp([{ directResponse: { status: 204 }, headers: { response: { set: { 'x-r': 'y' } } } }])],
    http: [{ name: `${ID}#0`, matches: [], action: { directResponse: { status: 204 } }, headers: { response: { set: { 'x-r': 'y' } } } }],
  },
  {
    title: 'rule 73: timeout becomes timeoutMs',
    objects: [...svcs, vsHttp([
      { match: [{ uri: { prefix: '/a' } }], timeout: '1.5s', route: [to('reviews')] },
      { match: [{ uri: { prefix: '/b' } }], timeout: '250ms', route: [to('reviews')] },
      { timeout: '1m', route: [to('reviews')] },
    ])],
    http: [
      route(`${ID}#0`, [{ path: { prefix: '/a' } }], [dest(REVIEWS)], { timeoutMs: 1500 }),
      route(`${ID}#1`, [{ path: { prefix: '/b' } }], [dest(REVIEWS)], { timeoutMs: 250 }),
      route(`${ID}#2`, [], [dest(REVIEWS)], { timeoutMs: 60000 }),
    ],
  },
  {
    title: 'rule 73: timeout 0s means no timeout',
    objects: [...svcs, vsHttp([{ timeout: '0s', route: [to('reviews')] }])],
    http: [route(`${ID}#0`, [])],
  },
  {
    title: 'rule 78: corsPolicy is reported and ignored (mirrors: l7-mirror.test.ts)',
    objects: [...svcs, vsHttp([{ route: [to('reviews')], corsPolicy: { allowOrigins: [{ exact: 'a' }] } }])],
    http: [route(`${ID}#0`, [])],
    warnings: [/^VirtualService default\/r: spec\.http\[0\]: corsPolicy not supported by the waypoint yet: ignored$/],
  },
  {
    title: 'odd input: a route with no usable destination is skipped with a warning',
    objects: [...svcs, vsHttp([{ route: [{ destination: {} }] }, { route: [to('ratings')] }])],
    http: [route(`${ID}#1`, [], [dest(fqdn('ratings'))])],
    warnings: [/^VirtualService default\/r: spec\.http\[0\]\.route\[0\]\.destination: destination without a host: skipped$/],
  },

  // ---- tcp / tls ----
  {
    title: 'rule 80: tcp route with a port match and weighted destinations',
    objects: [...svcs, vs('r', 'default', { hosts: ['reviews'], tcp: [{ match: [{ port: 31400 }], route: [to('reviews', { subset: 'v1', weight: 80 }), to('reviews', { subset: 'v2', weight: 20 })] }] })],
    http: [],
    tcp: [{ name: `${ID}#tcp0`, matches: [{ port: 31400 }], route: [dest(REVIEWS, 80, { subset: 'v1' }), dest(REVIEWS, 20, { subset: 'v2' })] }],
  },
  {
    title: 'rule 80: tcp destinationSubnets and sourceNamespace; no match is a catch-all',
    objects: [...svcs, vs('r', 'default', { hosts: ['reviews'], tcp: [
      { match: [{ destinationSubnets: ['10.0.0.0/8'], sourceNamespace: 'front' }], route: [to('reviews', { port: 9000 })] },
      { route: [to('ratings')] },
    ] })],
    tcp: [
      { name: `${ID}#tcp0`, matches: [{ destinationSubnets: ['10.0.0.0/8'], sourceNamespace: 'front' }], route: [dest(REVIEWS, 100, { port: 9000 })] },
      { name: `${ID}#tcp1`, matches: [], route: [dest(fqdn('ratings'))] },
    ],
  },
  {
    title: 'rule 66: a tcp route whose only entries use sourceLabels is dropped',
    objects: [...svcs, vs('r', 'default', { hosts: ['reviews'], tcp: [{ match: [{ sourceLabels: { app: 'x' } }], route: [to('reviews')] }, { route: [to('ratings')] }] })],
    tcp: [{ name: `${ID}#tcp1`, matches: [], route: [dest(fqdn('ratings'))] }],
    warnings: [/spec\.tcp\[0\]\.match\[0\]: uses sourceLabels/, /spec\.tcp\[0\]: no match entry applies/],
  },
  {
    title: 'rule 80: tls routes are reported and ignored',
    objects: [...svcs, vs('r', 'default', { hosts: ['reviews'], http: [{ route: [to('reviews')] }], tls: [{ match: [{ sniHosts: ['reviews'] }], route: [to('reviews')] }] })],
    http: [route(`${ID}#0`, [])],
    tcp: [],
    warnings: [/^VirtualService default\/r: spec\.tls: tls routes are not supported by the waypoint: ignored$/],
  },
  {
    title: 'rule 80: a VirtualService with only tls routes gives the service no route table',
    objects: [...svcs, vs('r', 'default', { hosts: ['reviews'], tls: [{ match: [{ sniHosts: ['reviews'] }], route: [to('reviews')] }] })],
    services: [],
  },
];

for (const c of cases) test(c.title, (t) => runCase(t, c));

// ---- delegates ----

/** Root VS for reviews delegating `/api` (or the given match) to default/d. */
const root = (rootRoute: Record<string, unknown>, ...more: unknown[]): ReturnType<typeof vs> =>
  vs('root', 'default', { hosts: ['reviews'], http: [rootRoute, ...more] });
const delegate = (http: unknown[], ns = 'default', name = 'd'): ReturnType<typeof vs> => vs(name, ns, { http });
const ROOT = 'VirtualService default/root';
const DEL = 'VirtualService default/d';

const delegateCases: L7Case[] = [
  {
    title: 'delegate: the delegate routes are inlined at the position of the root route, in order',
    objects: [...svcs,
      root({ match: [{ uri: { prefix: '/api' } }], delegate: { name: 'd' } }, { route: [to('reviews', { subset: 'v1' })] }),
      delegate([{ match: [{ uri: { prefix: '/api/v2' } }], route: [to('reviews', { subset: 'v2' })] }, { route: [to('ratings')] }])],
    http: [
      route(`${DEL}#0`, [{ path: { prefix: '/api/v2' } }], [dest(REVIEWS, 100, { subset: 'v2' })]),
      route(`${DEL}#1`, [{ path: { prefix: '/api' } }], [dest(fqdn('ratings'))]),
      route(`${ROOT}#1`, [], [dest(REVIEWS, 100, { subset: 'v1' })]),
    ],
    table: { origins: [ROOT, DEL] },
    noWarnings: true,
  },
  {
    title: 'delegate: other conditions are ANDed (root header + delegate method)',
    objects: [...svcs,
      root({ match: [{ uri: { prefix: '/api' }, headers: { 'x-team': { exact: 'a' } } }], delegate: { name: 'd' } }),
      delegate([{ match: [{ method: { exact: 'POST' }, headers: { 'x-b': {} } }], route: [to('reviews')] }])],
    http: [route(`${DEL}#0`, [{ path: { prefix: '/api' }, method: { exact: 'POST' }, headers: [{ name: 'x-team', match: { exact: 'a' } }, { name: 'x-b' }] }])],
  },
  {
    title: 'delegate: a delegate uri outside the root prefix conflicts: the delegate route is dropped',
    objects: [...svcs,
      root({ match: [{ uri: { prefix: '/api' } }], delegate: { name: 'd' } }),
      delegate([{ match: [{ uri: { prefix: '/other' } }], route: [to('ratings')] }, { match: [{ uri: { exact: '/api/x' } }], route: [to('reviews')] }])],
    http: [route(`${DEL}#1`, [{ path: { exact: '/api/x' } }])],
    warnings: [/^VirtualService default\/d: spec\.http\[0\]\.match: the matches conflict with the root route VirtualService default\/root spec\.http\[0\]/],
  },
  {
    title: 'delegate: a regex on either side conflicts with a root uri condition',
    objects: [...svcs,
      root({ match: [{ uri: { regex: '/api/.*' } }], delegate: { name: 'd' } }),
      delegate([{ match: [{ uri: { prefix: '/api/v1' } }], route: [to('reviews')] }])],
    services: [],
    warnings: [/the matches conflict/],
  },
  {
    title: 'delegate: a delegate entry is merged with every root entry it fits',
    objects: [...svcs,
      root({ match: [{ uri: { prefix: '/a' } }, { uri: { prefix: '/b' } }, { port: 9080 }], delegate: { name: 'd' } }),
      delegate([{ match: [{ uri: { prefix: '/b/x' } }], route: [to('reviews')] }])],
    http: [route(`${DEL}#0`, [{ path: { prefix: '/b/x' } }, { path: { prefix: '/b/x' }, port: 9080 }])],
  },
  {
    title: 'delegate: a root route without match passes the delegate matches through',
    objects: [...svcs, root({ delegate: { name: 'd' } }), delegate([{ match: [{ uri: { exact: '/x' } }], route: [to('reviews')] }])],
    http: [route(`${DEL}#0`, [{ path: { exact: '/x' } }])],
  },
  {
    title: 'delegate: headers and timeout come from the delegate route, else from the root route',
    objects: [...svcs,
      root({ delegate: { name: 'd' }, timeout: '5s', headers: { request: { set: { 'x-root': '1' } } } }),
      delegate([{ route: [to('reviews')], timeout: '1s' }, { route: [to('ratings')], headers: { request: { set: { 'x-leaf': '1' } } } }])],
    http: [
      route(`${DEL}#0`, [], [dest(REVIEWS)], { timeoutMs: 1000, headers: { request: { set: { 'x-root': '1' } } } }),
      route(`${DEL}#1`, [], [dest(fqdn('ratings'))], { timeoutMs: 5000, headers: { request: { set: { 'x-leaf': '1' } } } }),
    ],
  },
  {
    title: 'delegate: route and match names join as root--delegate',
    objects: [...svcs,
      root({ name: 'api', match: [{ name: 'm', uri: { prefix: '/api' } }], delegate: { name: 'd' } }),
      delegate([{ name: 'v2', match: [{ name: 'n', uri: { prefix: '/api/v2' } }], route: [to('reviews')] }, { route: [to('reviews')] }])],
    http: [
      route('api--v2', [{ name: 'm--n', path: { prefix: '/api/v2' } }]),
      route('api', [{ name: 'm', path: { prefix: '/api' } }]),
    ],
  },
  {
    title: 'delegate: a delegate in another namespace resolves short destination hosts against its own namespace',
    objects: [...svcs,
      root({ delegate: { name: 'd', namespace: 'shop' } }),
      delegate([{ route: [to('reviews')] }], 'shop')],
    http: [route('VirtualService shop/d#0', [], [dest(fqdn('reviews', 'shop'))])],
    table: { origins: [ROOT, 'VirtualService shop/d'] },
  },
  {
    title: 'delegate: a missing delegate skips the root route with a warning',
    objects: [...svcs, root({ match: [{ uri: { prefix: '/api' } }], delegate: { name: 'nope' } }, { route: [to('reviews')] })],
    http: [route(`${ROOT}#1`, [])],
    warnings: [/^VirtualService default\/root: spec\.http\[0\]\.delegate: delegate VirtualService default\/nope does not exist: the route is skipped$/],
  },
  {
    title: 'delegate: a referenced VirtualService with hosts is not a delegate',
    objects: [...svcs, root({ delegate: { name: 'other' } }, { route: [to('reviews')] }), vs('other', 'default', { hosts: ['ratings'], http: [{ route: [to('ratings')] }] })],
    http: [route(`${ROOT}#1`, [])],
    warnings: [/spec\.http\[0\]\.delegate: VirtualService default\/other has hosts, so it is not a delegate/],
  },
  {
    title: 'delegate: only one level of delegation',
    objects: [...svcs, root({ delegate: { name: 'd' } }),
      delegate([{ delegate: { name: 'd2' } }, { route: [to('reviews')] }]),
      delegate([{ route: [to('ratings')] }], 'default', 'd2')],
    http: [route(`${DEL}#1`, [])],
    warnings: [/^VirtualService default\/d: spec\.http\[0\]\.delegate: only one level of delegation is supported/],
  },
  {
    title: 'delegate: a delegate entry with a different port than the root conflicts',
    objects: [...svcs, root({ match: [{ port: 80 }], delegate: { name: 'd' } }), delegate([{ match: [{ port: 81 }], route: [to('reviews')] }, { match: [{ port: 80, uri: { exact: '/' } }], route: [to('reviews')] }])],
    http: [route(`${DEL}#1`, [{ port: 80, path: { exact: '/' } }])],
  },
  {
    title: 'delegate: a presence-only delegate header keeps the root condition',
    objects: [...svcs, root({ match: [{ headers: { 'x-a': { prefix: 'v' } } }], delegate: { name: 'd' } }), delegate([{ match: [{ headers: { 'x-a': {} } }], route: [to('reviews')] }])],
    http: [route(`${DEL}#0`, [{ headers: [{ name: 'x-a', match: { prefix: 'v' } }] }])],
  },
  {
    title: 'delegate: the root rewrite applies to delegate routes',
    objects: [...svcs, root({ match: [{ uri: { prefix: '/api' } }], rewrite: { uri: '/' }, delegate: { name: 'd' } }), delegate([{ route: [to('reviews')] }])],
    http: [route(`${DEL}#0`, [{ path: { prefix: '/api' } }], [dest(REVIEWS)], { rewrite: { uri: '/' } })],
  },
  {
    title: 'delegate: the delegate VirtualService itself stays unbound when its root is not on the mesh',
    objects: [...svcs, vs('root', 'default', { hosts: ['reviews'], gateways: ['ingress'], http: [{ delegate: { name: 'd' } }] }), delegate([{ route: [to('reviews')] }])],
    services: [],
    noWarnings: true,
  },
  {
    title: 'delegate: timestamps do not matter for delegates (T3 delegate under a T1 root)',
    objects: [...svcs, vs('root', 'default', { hosts: ['reviews'], http: [{ delegate: { name: 'd' } }] }, T1), vs('d', 'default', { http: [{ route: [to('reviews')] }] }, T3)],
    http: [route(`${DEL}#0`, [])],
  },
];

for (const c of delegateCases) test(c.title, (t) => runCase(t, c));
