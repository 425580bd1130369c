// Gateway API HTTPRoute / GRPCRoute attached to Services → L7 route tables (reference
// §7, rules 97-99): attachment, matches, precedence, backends, filters, GRPC methods.
import test from 'ava';
import type { L7Action, L7Destination, L7HttpMatch, L7HttpRoute } from '../../../api/l7-model.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import type { L7Case } from './l7-builders.js';
import { T1, T2, backend, fqdn, grpcRoute, httpRoute, key, runCase, service, svcParent } from './l7-builders.js';

const svcs = [
  service('reviews', { ports: [{ name: 'http', port: 9080 }, { name: 'admin', port: 9090 }] }),
  service('reviews-v1'), service('reviews-v2'), service('reviews', { ns: 'shop' }),
];
const V1 = fqdn('reviews-v1');
const V2 = fqdn('reviews-v2');
const H = 'HTTPRoute default/r';

const dest = (host: string, weight = 1, extra: Partial<L7Destination> = {}): L7Destination => ({ host, weight, port: 80, ...extra });
const toV1: L7Action = { route: [dest(V1)] };
const route = (name: string, matches: L7HttpMatch[], action: L7Action = toV1, extra: Partial<L7HttpRoute> = {}): L7HttpRoute => ({ name, matches, action, ...extra });
const ROOT: L7HttpMatch = { path: { pathPrefix: '/' } };
/** HTTPRoute `name` in default attached to reviews with these rules. */
const hr = (rules: unknown[], o: { name?: string; created?: string; parentRefs?: unknown[]; ns?: string } = {}): KubeObject =>
  httpRoute(o.name ?? 'r', o.ns ?? 'default', { parentRefs: o.parentRefs ?? [svcParent('reviews')], rules }, o.created);
/** A rule with these matches to reviews-v1:80. */
const rule = (...matches: unknown[]): Record<string, unknown> => ({ matches, backendRefs: [backend('reviews-v1', 80)] });
const pathMatch = (type: string, value: string): Record<string, unknown> => ({ path: { type, value } });

const cases: L7Case[] = [
  // ---- attachment ----
  {
    title: 'rule 99: a Service parentRef (group "", kind Service) attaches the route to that service',
    objects: [...svcs, hr([{ backendRefs: [backend('reviews-v1', 80)] }])],
    services: [key('reviews')],
    http: [route(`${H}#0`, [ROOT])],
    table: { kind: 'HTTPRoute', origins: [H] },
    noWarnings: true,
  },
  {
    title: 'rule 99: a Service parentRef without group is accepted',
    objects: [...svcs, hr([{ backendRefs: [backend('reviews-v1', 80)] }], { parentRefs: [{ kind: 'Service', name: 'reviews' }] })],
    services: [key('reviews')],
  },
  {
    title: 'rule 99: Gateway parentRefs are not Service attachments',
    objects: [...svcs, hr([{ backendRefs: [backend('reviews-v1', 80)] }], { parentRefs: [{ name: 'ingress' }] })],
    services: [],
    noWarnings: true,
  },
  {
    title: 'rule 99: a parentRef to a missing Service attaches nothing',
    objects: [...svcs, hr([{ backendRefs: [backend('reviews-v1', 80)] }], { parentRefs: [svcParent('details')] })],
    services: [],
    warnings: [/^HTTPRoute default\/r: spec\.parentRefs\[0\]: Service default\/details does not exist: not attached$/],
  },
  {
    title: 'rule 99: a parentRef port limits every match to that port',
    objects: [...svcs, hr([rule(pathMatch('Exact', '/a'), pathMatch('PathPrefix', '/b'))], { parentRefs: [svcParent('reviews', { port: 9080 })] })],
    http: [route(`${H}#0.0`, [{ path: { exact: '/a' }, port: 9080 }]), route(`${H}#0.1`, [{ path: { pathPrefix: '/b' }, port: 9080 }])],
  },
  {
    title: 'rule 99: a parentRef sectionName selects the Service port of that name',
    objects: [...svcs, hr([rule()], { parentRefs: [svcParent('reviews', { sectionName: 'admin' })] })],
    http: [route(`${H}#0`, [{ path: { pathPrefix: '/' }, port: 9090 }])],
  },
  {
    title: 'rule 99: an unknown sectionName attaches nothing',
    objects: [...svcs, hr([rule()], { parentRefs: [svcParent('reviews', { sectionName: 'grpc' })] })],
    services: [],
    warnings: [/spec\.parentRefs\[0\]\.sectionName: Service default\/reviews has no port named grpc: not attached/],
  },
  {
    title: 'rule 99: a parentRef port the Service does not have is reported',
    objects: [...svcs, hr([rule()], { parentRefs: [svcParent('reviews', { port: 7000 })] })],
    http: [route(`${H}#0`, [{ path: { pathPrefix: '/' }, port: 7000 }])],
    warnings: [/spec\.parentRefs\[0\]\.port: the Service has no port 7000: the route never matches/],
  },
  {
    title: 'rule 99: two parentRefs to two ports give one route per port',
    objects: [...svcs, hr([rule()], { parentRefs: [svcParent('reviews', { port: 9080 }), svcParent('reviews', { port: 9090 })] })],
    http: [route(`${H}#0`, [{ path: { pathPrefix: '/' }, port: 9080 }]), route(`${H}#0`, [{ path: { pathPrefix: '/' }, port: 9090 }])],
  },
  {
    title: 'rule 99: a route in another namespace is a consumer route: limited to its namespace, before the producer routes',
    objects: [...svcs,
      hr([rule(pathMatch('Exact', '/producer'))], { name: 'producer' }),
      hr([{ backendRefs: [backend('reviews-v2', 80, { namespace: 'default' })] }], { name: 'consumer', ns: 'front', parentRefs: [svcParent('reviews', { namespace: 'default' })] })],
    http: [
      route('HTTPRoute front/consumer#0', [{ path: { pathPrefix: '/' }, sourceNamespace: 'front' }], { route: [dest(V2)] }),
      route('HTTPRoute default/producer#0', [{ path: { exact: '/producer' } }]),
    ],
  },

  // ---- matches ----
  {
    title: 'rule 98: a rule without matches is PathPrefix /',
    objects: [...svcs, hr([{ backendRefs: [backend('reviews-v1', 80)] }])],
    http: [route(`${H}#0`, [{ path: { pathPrefix: '/' } }])],
  },
  {
    title: 'rule 98: path Exact, PathPrefix (segment-aware) and RegularExpression',
    objects: [...svcs, hr([rule(pathMatch('Exact', '/e')), rule(pathMatch('PathPrefix', '/p')), rule(pathMatch('RegularExpression', '/r/[0-9]+'))])],
    http: [route(`${H}#0`, [{ path: { exact: '/e' } }]), route(`${H}#1`, [{ path: { pathPrefix: '/p' } }]), route(`${H}#2`, [{ path: { regex: '/r/[0-9]+' } }])],
  },
  {
    title: 'rule 98: a PathPrefix trailing slash is ignored; a path without type is PathPrefix',
    objects: [...svcs, hr([rule(pathMatch('PathPrefix', '/foo/')), rule({ path: { value: '/bar' } }), rule({ method: 'GET' })])],
    http: [
      route(`${H}#0`, [{ path: { pathPrefix: '/foo' } }]),
      route(`${H}#1`, [{ path: { pathPrefix: '/bar' } }]),
      route(`${H}#2`, [{ path: { pathPrefix: '/' }, method: { exact: 'GET' } }]),
    ],
  },
  {
    title: 'rule 97: headers (Exact, RegularExpression; names lowercased), query params and method',
    objects: [...svcs, hr([rule({
      method: 'POST',
      headers: [{ name: 'X-Team', value: 'a' }, { type: 'RegularExpression', name: 'user-agent', value: '.*Chrome.*' }],
      queryParams: [{ name: 'Debug', value: '1' }, { type: 'RegularExpression', name: 'id', value: '[0-9]+' }],
    })])],
    http: [route(`${H}#0`, [{
      path: { pathPrefix: '/' },
      method: { exact: 'POST' },
      headers: [{ name: 'x-team', match: { exact: 'a' } }, { name: 'user-agent', match: { regex: '.*Chrome.*' } }],
      queryParams: [{ name: 'Debug', match: { exact: '1' } }, { name: 'id', match: { regex: '[0-9]+' } }],
    }])],
  },

  // ---- precedence ----
  {
    title: 'rule 97: an Exact path comes before any prefix, across routes',
    objects: [...svcs, hr([rule(pathMatch('PathPrefix', '/api/long/prefix'))], { name: 'a', created: T1 }), hr([rule(pathMatch('Exact', '/api'))], { name: 'b', created: T2 })],
    http: [route('HTTPRoute default/b#0', [{ path: { exact: '/api' } }]), route('HTTPRoute default/a#0', [{ path: { pathPrefix: '/api/long/prefix' } }])],
  },
  {
    title: 'rule 97: the longest prefix comes first',
    objects: [...svcs, hr([rule(pathMatch('PathPrefix', '/')), rule(pathMatch('PathPrefix', '/api')), rule(pathMatch('PathPrefix', '/api/v1'))])],
    http: [route(`${H}#2`, [{ path: { pathPrefix: '/api/v1' } }]), route(`${H}#1`, [{ path: { pathPrefix: '/api' } }]), route(`${H}#0`, [ROOT])],
  },
  {
    title: 'rule 97: prefixes come before regular expressions',
    objects: [...svcs, hr([rule(pathMatch('RegularExpression', '/api/.*/long/regex')), rule(pathMatch('PathPrefix', '/a'))])],
    http: [route(`${H}#1`, [{ path: { pathPrefix: '/a' } }]), route(`${H}#0`, [{ path: { regex: '/api/.*/long/regex' } }])],
  },
  {
    title: 'rule 97: for the same path, a method match comes first',
    objects: [...svcs, hr([rule({ headers: [{ name: 'a', value: '1' }, { name: 'b', value: '2' }] }), rule({ method: 'GET' })])],
    http: [
      route(`${H}#1`, [{ path: { pathPrefix: '/' }, method: { exact: 'GET' } }]),
      route(`${H}#0`, [{ path: { pathPrefix: '/' }, headers: [{ name: 'a', match: { exact: '1' } }, { name: 'b', match: { exact: '2' } }] }]),
    ],
  },
  {
    title: 'rule 97: then the most header matches',
    objects: [...svcs, hr([rule({ headers: [{ name: 'a', value: '1' }] }), rule({ headers: [{ name: 'a', value: '1' }, { name: 'b', value: '2' }] })])],
    http: [
      route(`${H}#1`, [{ path: { pathPrefix: '/' }, headers: [{ name: 'a', match: { exact: '1' } }, { name: 'b', match: { exact: '2' } }] }]),
      route(`${H}#0`, [{ path: { pathPrefix: '/' }, headers: [{ name: 'a', match: { exact: '1' } }] }]),
    ],
  },
  {
    title: 'rule 97: then the most query-param matches',
    objects: [...svcs, hr([rule({ headers: [{ name: 'a', value: '1' }] }), rule({ headers: [{ name: 'b', value: '1' }], queryParams: [{ name: 'q', value: '1' }] })])],
    http: [
      route(`${H}#1`, [{ path: { pathPrefix: '/' }, headers: [{ name: 'b', match: { exact: '1' } }], queryParams: [{ name: 'q', match: { exact: '1' } }] }]),
      route(`${H}#0`, [{ path: { pathPrefix: '/' }, headers: [{ name: 'a', match: { exact: '1' } }] }]),
    ],
  },
  {
    title: 'rule 97: remaining ties go to the oldest route',
    objects: [...svcs, hr([rule(pathMatch('PathPrefix', '/x'))], { name: 'a', created: T2 }), hr([rule(pathMatch('PathPrefix', '/y'))], { name: 'b', created: T1 })],
    http: [route('HTTPRoute default/b#0', [{ path: { pathPrefix: '/y' } }]), route('HTTPRoute default/a#0', [{ path: { pathPrefix: '/x' } }])],
    table: { origins: ['HTTPRoute default/b', 'HTTPRoute default/a'] },
  },
  {
    title: 'rule 97: then ns/name order',
    objects: [...svcs, hr([rule(pathMatch('PathPrefix', '/x'))], { name: 'b', created: T1 }), hr([rule(pathMatch('PathPrefix', '/y'))], { name: 'a', created: T1 })],
    http: [route('HTTPRoute default/a#0', [{ path: { pathPrefix: '/y' } }]), route('HTTPRoute default/b#0', [{ path: { pathPrefix: '/x' } }])],
  },
  {
    title: 'rule 97: then rule order; every match of a rule is ordered on its own',
    objects: [...svcs, hr([
      { name: 'first', matches: [pathMatch('PathPrefix', '/x'), pathMatch('Exact', '/x/y')], backendRefs: [backend('reviews-v1', 80)] },
      rule(pathMatch('PathPrefix', '/z')),
    ])],
    http: [route(`${H}#first.1`, [{ path: { exact: '/x/y' } }]), route(`${H}#first.0`, [{ path: { pathPrefix: '/x' } }]), route(`${H}#1`, [{ path: { pathPrefix: '/z' } }])],
  },

  // ---- backends ----
  {
    title: 'rule 99: backendRef weights split traffic; the default weight is 1',
    objects: [...svcs, hr([{ backendRefs: [backend('reviews-v1', 80, { weight: 90 }), backend('reviews-v2', 80, { weight: 10 })] }, { matches: [pathMatch('Exact', '/x')], backendRefs: [backend('reviews-v1', 80), backend('reviews-v2', 8080)] }])],
    http: [
      route(`${H}#1`, [{ path: { exact: '/x' } }], { route: [dest(V1), dest(V2, 1, { port: 8080 })] }),
      route(`${H}#0`, [ROOT], { route: [dest(V1, 90), dest(V2, 10)] }),
    ],
  },
  {
    title: 'rule 98: a backendRef to a missing Service gets 500 for its share',
    objects: [...svcs, hr([{ backendRefs: [backend('reviews-v1', 80, { weight: 50 }), backend('gone', 80, { weight: 50 })] }])],
    http: [route(`${H}#0`, [ROOT], { route: [dest(V1, 50), dest(fqdn('gone'), 50, { invalidStatus: 500 })] })],
    warnings: [/^HTTPRoute default\/r: spec\.rules\[0\]\.backendRefs\[1\]: Service default\/gone does not exist: requests sent to this backend get 500$/],
  },
  {
    title: 'rule 98: a backendRef of another kind gets 500',
    objects: [...svcs, hr([{ backendRefs: [{ group: 'networking.istio.io', kind: 'Hostname', name: 'api.example.com', port: 443 }] }])],
    http: [route(`${H}#0`, [ROOT], { route: [{ host: 'api.example.com', weight: 1, port: 443, invalidStatus: 500 }] })],
    warnings: [/backendRefs\[0\]: backend kind networking\.istio\.io\/Hostname is not supported \(Service only\)/],
  },
  {
    title: 'rule 98: no backendRef with weight above 0 answers 500',
    objects: [...svcs, hr([{ backendRefs: [backend('reviews-v1', 80, { weight: 0 })] }, { matches: [pathMatch('Exact', '/none')] }])],
    http: [route(`${H}#1`, [{ path: { exact: '/none' } }], { directResponse: { status: 500 } }), route(`${H}#0`, [ROOT], { directResponse: { status: 500 } })],
    warnings: [/spec\.rules\[0\]\.backendRefs: no backendRef with a weight above 0: matching requests get 500/],
  },
  {
    title: 'rule 99: a backendRef namespace resolves the Service there',
    objects: [...svcs, hr([{ backendRefs: [backend('reviews', 80, { namespace: 'shop' })] }])],
    http: [route(`${H}#0`, [ROOT], { route: [dest(fqdn('reviews', 'shop'))] })],
    noWarnings: true,
  },

  // ---- filters ----
  {
    title: 'filters: RequestHeaderModifier and ResponseHeaderModifier',
    objects: [...svcs, hr([{ filters: [
      { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-a', value: '1' }], add: [{ name: 'x-b', value: '2' }], remove: ['x-c'] } },
      { type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'x-r', value: 'y' }] } },
    ], backendRefs: [backend('reviews-v1', 80)] }])],
    http: [route(`${H}#0`, [ROOT], toV1, { headers: { request: { set: { 'x-a': '1' }, add: { 'x-b': '2' }, remove: ['x-c'] }, response: { set: { 'x-r': 'y' } } } })],
  },
  {
    title: 'filters: backendRef-level header modifiers apply to that destination only',
    objects: [...svcs, hr([{ backendRefs: [
      backend('reviews-v1', 80, { filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-v', value: '1' }] } }] }),
      backend('reviews-v2', 80),
    ] }])],
    http: [route(`${H}#0`, [ROOT], { route: [dest(V1, 1, { headers: { request: { set: { 'x-v': '1' } } } }), dest(V2)] })],
  },
  {
    title: 'filters: URLRewrite hostname and ReplaceFullPath',
    objects: [...svcs, hr([{ matches: [pathMatch('Exact', '/old')], filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'new.example.com', path: { type: 'ReplaceFullPath', replaceFullPath: '/new' } } }], backendRefs: [backend('reviews-v1', 80)] }])],
    http: [route(`${H}#0`, [{ path: { exact: '/old' } }], toV1, { rewrite: { authority: 'new.example.com', fullPath: '/new' } })],
  },
  {
    title: 'filters: URLRewrite ReplacePrefixMatch replaces the PathPrefix match',
    objects: [...svcs, hr([{ matches: [pathMatch('PathPrefix', '/api')], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' } } }], backendRefs: [backend('reviews-v1', 80)] }])],
    http: [route(`${H}#0`, [{ path: { pathPrefix: '/api' } }], toV1, { rewrite: { uri: '/v2' } })],
  },
  {
    title: 'filters: RequestRedirect defaults to 302; a scheme change uses the scheme default port',
    objects: [...svcs, hr([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', hostname: 'secure.example.com' } }] }])],
    http: [route(`${H}#0`, [ROOT], { redirect: { status: 302, scheme: 'https', authority: 'secure.example.com', port: 'protocol-default' } })],
  },
  {
    title: 'filters: RequestRedirect port, statusCode and ReplacePrefixMatch; without scheme or port the request port is kept',
    objects: [...svcs, hr([
      { matches: [pathMatch('PathPrefix', '/old')], filters: [{ type: 'RequestRedirect', requestRedirect: { statusCode: 301, path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' } } }] },
      { matches: [pathMatch('Exact', '/p')], filters: [{ type: 'RequestRedirect', requestRedirect: { port: 8443, path: { type: 'ReplaceFullPath', replaceFullPath: '/q' } } }] },
    ])],
    http: [
      route(`${H}#1`, [{ path: { exact: '/p' } }], { redirect: { status: 302, port: 8443, uri: '/q' } }),
      route(`${H}#0`, [{ path: { pathPrefix: '/old' } }], { redirect: { status: 301, port: 'request-port', prefix: '/new' } }),
    ],
  },
  {
    title: 'filters: RequestMirror in a backendRef filter is reported and ignored (rule-level mirrors: l7-mirror.test.ts)',
    objects: [...svcs, hr([{ backendRefs: [backend('reviews-v1', 80, { filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-v2', port: 80 } } }] })] }])],
    http: [route(`${H}#0`, [ROOT])],
    warnings: [/^HTTPRoute default\/r: spec\.rules\[0\]\.backendRefs\[0\]\.filters\[0\]: RequestMirror in a backendRef filter is not supported: ignored$/],
  },
  {
    title: 'rule 73: timeouts.request becomes timeoutMs (retry and backendRequest: l7-resilience.test.ts)',
    objects: [...svcs, hr([{ timeouts: { request: '1m30s' }, backendRefs: [backend('reviews-v1', 80)] }])],
    http: [route(`${H}#0`, [ROOT], toV1, { timeoutMs: 90000 })],
    noWarnings: true,
  },
  {
    title: 'sessionPersistence is reported and ignored',
    objects: [...svcs, hr([{ sessionPersistence: { sessionName: 's' }, backendRefs: [backend('reviews-v1', 80)] }])],
    http: [route(`${H}#0`, [ROOT])],
    warnings: [/^HTTPRoute default\/r: spec\.rules\[0\]: sessionPersistence not supported by the waypoint yet: ignored$/],
  },
];

for (const c of cases) test(c.title, (t) => runCase(t, c));

// ---- GRPCRoute ----

const G = 'GRPCRoute default/g';
const gr = (rules: unknown[], o: { name?: string; created?: string; parentRefs?: unknown[] } = {}): KubeObject =>
  grpcRoute(o.name ?? 'g', 'default', { parentRefs: o.parentRefs ?? [svcParent('reviews')], rules }, o.created);
const grule = (...matches: unknown[]): Record<string, unknown> => ({ matches, backendRefs: [backend('reviews-v1', 80)] });

const grpcCases: L7Case[] = [
  {
    title: 'GRPCRoute: service and method → exact path /<service>/<method>',
    objects: [...svcs, gr([grule({ method: { service: 'reviews.Reviews', method: 'Get' } })])],
    http: [route(`${G}#0`, [{ path: { exact: '/reviews.Reviews/Get' } }])],
    table: { kind: 'HTTPRoute', origins: [G] },
    noWarnings: true,
  },
  {
    title: 'GRPCRoute: service only → prefix /<service>/',
    objects: [...svcs, gr([grule({ method: { service: 'reviews.Reviews' } })])],
    http: [route(`${G}#0`, [{ path: { prefix: '/reviews.Reviews/' } }])],
  },
  {
    title: 'GRPCRoute: method only → regex over any service',
    objects: [...svcs, gr([grule({ method: { method: 'Get' } })])],
    http: [route(`${G}#0`, [{ path: { regex: '/[^/]+/Get' } }])],
  },
  {
    title: 'GRPCRoute: RegularExpression method match',
    objects: [...svcs, gr([grule({ method: { type: 'RegularExpression', service: 'reviews\\..*', method: 'Get.*' } }, { method: { type: 'RegularExpression', service: 'a\\.B' } })])],
    http: [route(`${G}#0.0`, [{ path: { regex: '/reviews\\..*/Get.*' } }]), route(`${G}#0.1`, [{ path: { regex: '/a\\.B/.+' } }])],
  },
  {
    title: 'GRPCRoute: headers; no matches is a catch-all (scoped to the parentRef port)',
    objects: [...svcs, gr([grule({ headers: [{ name: 'X-Tenant', value: 'a' }] }), { backendRefs: [backend('reviews-v2', 80)] }], { parentRefs: [svcParent('reviews', { port: 9080 })] })],
    http: [route(`${G}#0`, [{ headers: [{ name: 'x-tenant', match: { exact: 'a' } }], port: 9080 }]), route(`${G}#1`, [{ port: 9080 }], { route: [dest(V2)] })],
  },
  {
    title: 'GRPCRoute: a rule without matches and without port has no match entries',
    objects: [...svcs, gr([{ backendRefs: [backend('reviews-v2', 80)] }])],
    http: [route(`${G}#0`, [], { route: [dest(V2)] })],
  },
  {
    title: 'GRPCRoute and HTTPRoute on one service share one table ordered by precedence',
    objects: [...svcs, hr([rule(pathMatch('PathPrefix', '/api'))], { created: T1 }), gr([grule({ method: { service: 's.S', method: 'M' } })], { created: T2 })],
    http: [route(`${G}#0`, [{ path: { exact: '/s.S/M' } }]), route(`${H}#0`, [{ path: { pathPrefix: '/api' } }])],
    table: { kind: 'HTTPRoute', origins: [H, G] },
  },
];

for (const c of grpcCases) test(c.title, (t) => runCase(t, c));
