// Compiling route tables and destination policies: what is rejected, and that the error
// names the service, the route and the field.
import test from 'ava';
import type { L7DestinationPolicy, L7HttpRoute, L7RouteTable } from '../../../api/l7-model.js';
import { isAmbitError } from '../../../api/errors.js';
import { compileDestinationPolicy, compileRouteTable } from '../../../waypoint/engine/index.js';
import { SERVICE, dest, route, table, tcpRoute } from './support.js';

interface Case {
  title: string;
  table: L7RouteTable;
  /** Every fragment must appear in the error message. */
  want: (string | RegExp)[];
}

/** A route `r1` with the given fields replaced (shape errors need fields the types forbid). */
const bad = (fields: Record<string, unknown>): L7HttpRoute => ({ ...route('r1', [{ path: { prefix: '/' } }]), ...fields });
const withMatch = (m: Record<string, unknown>): L7RouteTable => table([route('r1', [m] as L7HttpRoute['matches'])]);

const cases: Case[] = [
  { title: 'rule 62: an invalid header regex names the service, the route and the field', table: withMatch({ headers: [{ name: 'x', match: { regex: '(' } }] }), want: [SERVICE, 'http route "r1"', 'matches[0].headers[0].match.regex', 'invalid RE2 regex "("'] },
  { title: 'rule 61: an invalid uri regex is rejected', table: withMatch({ path: { regex: 'a(?=b)' } }), want: ['"r1"', 'matches[0].path.regex', 'lookahead'] },
  { title: 'rule 64: an invalid query regex is rejected', table: withMatch({ queryParams: [{ name: 'id', match: { regex: '\\1' } }] }), want: ['matches[0].queryParams[0].match.regex', 'backreferences'] },
  { title: 'rule 65: an invalid method regex is rejected', table: withMatch({ method: { regex: '*' } }), want: ['matches[0].method.regex'] },
  { title: 'rule 61: the error names the failing route among several (second route)', table: table([route('ok', [{ path: { regex: '.*' } }]), route('broken', [{ path: { regex: '[' } }])]), want: ['http route "broken" (#1)', 'missing closing ]'] },
  { title: 'rule 61: a path with two kinds is rejected', table: withMatch({ path: { exact: '/a', prefix: '/a' } }), want: ['matches[0].path', 'exactly one of'] },
  { title: 'rule 62: a string match with no kind is rejected', table: withMatch({ authority: {} }), want: ['matches[0].authority', 'exactly one of'] },
  { title: 'rule 62: a header condition needs a name', table: withMatch({ headers: [{ name: '' }] }), want: ['matches[0].headers[0].name'] },
  { title: 'rule 65: a match port out of range is rejected', table: withMatch({ port: 70000 }), want: ['matches[0].port', '70000'] },
  { title: 'rule 98: a pathPrefix must start with /', table: withMatch({ path: { pathPrefix: 'foo' } }), want: ['matches[0].path.pathPrefix', 'must start with /'] },
  { title: 'rule 71: an empty destination list is rejected', table: table([bad({ action: { route: [] } })]), want: ['"r1"', 'action.route', 'non-empty'] },
  { title: 'rule 71: a negative weight is rejected', table: table([bad({ action: { route: [dest('a', 50), dest('b', -1)] } })]), want: ['action.route[1].weight', '-1'] },
  { title: 'rule 71: several destinations all of weight 0 are rejected', table: table([bad({ action: { route: [dest('a', 0), dest('b', 0)] } })]), want: ['action.route', 'must not all be 0'] },
  { title: 'rule 71: a non-integer weight is rejected', table: table([bad({ action: { route: [dest('a', 0.5)] } })]), want: ['action.route[0].weight'] },
  { title: 'rule 71: a destination needs a host', table: table([bad({ action: { route: [{ host: '', weight: 1 }] } })]), want: ['action.route[0].host'] },
  { title: 'rule 69: a redirect with both uri and prefix is rejected', table: table([bad({ action: { redirect: { uri: '/a', prefix: '/b', status: 301 } } })]), want: ['action.redirect', 'mutually exclusive'] },
  { title: 'rule 69: a redirect status outside 3xx is rejected', table: table([bad({ action: { redirect: { uri: '/a', status: 200 } } })]), want: ['action.redirect.status'] },
  { title: 'rule 70: a direct response status outside 200-599 is rejected', table: table([bad({ action: { directResponse: { status: 100 } } })]), want: ['action.directResponse.status'] },
  { title: 'rule 70: an action with both route and directResponse is rejected', table: table([bad({ action: { route: [dest()], directResponse: { status: 200 } } })]), want: ['action', 'exactly one of'] },
  { title: 'rule 67: rewrite uri and uriRegex together are rejected', table: table([bad({ rewrite: { uri: '/a', uriRegex: { pattern: '.*', substitution: '/' } } })]), want: ['rewrite', 'mutually exclusive'] },
  { title: 'rule 67: an invalid uriRegex pattern is rejected', table: table([bad({ rewrite: { uriRegex: { pattern: '(', substitution: '/' } } })]), want: ['rewrite.uriRegex.pattern'] },
  { title: 'rule 67: a substitution naming a missing group is rejected', table: table([bad({ rewrite: { uriRegex: { pattern: '/(a)', substitution: '/\\2' } } })]), want: ['rewrite.uriRegex.substitution', '\\2'] },
  { title: 'rule 67: a rewrite cannot go with a redirect', table: table([bad({ action: { redirect: { uri: '/a', status: 301 } }, rewrite: { uri: '/b' } })]), want: ['rewrite', 'only a route action'] },
  { title: 'rule 79: a header operation value must be a string', table: table([bad({ headers: { request: { set: { 'x-a': 1 } } } })]), want: ['headers.request.set.x-a'] },
  { title: 'rule 79: per-destination header operations are checked too', table: table([bad({ action: { route: [dest('a', 1, { headers: { response: { remove: [''] } } })] } })]), want: ['action.route[0].headers.response.remove'] },
  { title: 'rule 80: a tcp route with an invalid destination subnet is rejected', table: table([], { tcp: [tcpRoute('t1', [{ destinationSubnets: ['10.0.0.0/33'] }])] }), want: ['tcp route "t1" (#0)', 'matches[0].destinationSubnets[0]', '10.0.0.0/33'] },
  { title: 'rule 80: a tcp route without destinations is rejected', table: table([], { tcp: [tcpRoute('t1', [], [])] }), want: ['tcp route "t1"', 'route'] },
  { title: 'rule 74: retry attempts must be a whole number', table: table([bad({ retries: { attempts: -1, retryOn: [], retriableStatusCodes: [] } })]), want: ['"r1"', 'retries.attempts'] },
  { title: 'rule 74: an unknown retry condition is rejected', table: table([bad({ retries: { attempts: 1, retryOn: ['sometimes'], retriableStatusCodes: [] } })]), want: ['retries.retryOn', '"sometimes"'] },
  { title: 'rule 74: retriable status codes must be HTTP statuses', table: table([bad({ retries: { attempts: 1, retryOn: ['retriable-status-codes'], retriableStatusCodes: [42] } })]), want: ['retries.retriableStatusCodes'] },
  { title: 'rule 74: a negative per-try timeout is rejected', table: table([bad({ retries: { attempts: 1, perTryTimeoutMs: -5, retryOn: [], retriableStatusCodes: [] } })]), want: ['retries.perTryTimeoutMs'] },
  { title: 'rule 76: a fault needs a delay or an abort', table: table([bad({ fault: {} })]), want: ['"r1"', 'fault', 'delay or an abort'] },
  { title: 'rule 76: a fault percentage above 100 is rejected', table: table([bad({ fault: { delay: { fixedDelayMs: 5, percentage: 101 } } })]), want: ['fault.delay.percentage'] },
  { title: 'rule 76: an abort needs exactly one of httpStatus and grpcStatus', table: table([bad({ fault: { abort: { httpStatus: 503, grpcStatus: 14, percentage: 1 } } })]), want: ['fault.abort', 'exactly one'] },
  { title: 'rule 76: an abort gRPC status is 0 to 16', table: table([bad({ fault: { abort: { grpcStatus: 17, percentage: 1 } } })]), want: ['fault.abort.grpcStatus'] },
  { title: 'a route needs a name', table: table([bad({ name: '' })]), want: ['http route (unnamed) (#0)', 'name'] },
  { title: 'a table of an unknown kind is rejected', table: { ...table([]), kind: 'Ingress' } as unknown as L7RouteTable, want: [SERVICE, 'kind'] },
];

for (const c of cases) {
  test(c.title, (t) => {
    const err = t.throws(() => compileRouteTable(SERVICE, c.table));
    t.true(isAmbitError(err, 'AMBIT_ERR_ROUTE_COMPILE'), String(err));
    for (const w of c.want) {
      if (typeof w === 'string') t.true(err?.message.includes(w), `"${w}" not in: ${err?.message}`);
      else t.regex(err?.message ?? '', w);
    }
  });
}

const good: { title: string; table: L7RouteTable }[] = [
  { title: 'rule 71: weights need not sum to 100 (30/30 compiles)', table: table([bad({ action: { route: [dest('a', 30), dest('b', 30)] } })]) },
  { title: 'rule 71: a single destination of weight 0 compiles (it takes everything)', table: table([bad({ action: { route: [dest('a', 0)] } })]) },
  { title: 'rule 59: routes without match entries compile (catch-all)', table: table([route('all')]) },
  { title: 'rule 62: RE2 syntax JavaScript lacks compiles ((?i), POSIX classes, \\pL, \\Q..\\E)', table: table([route('r', [{ path: { regex: '(?i)/[[:alpha:]]+/\\pL+\\Q.x\\E' } }])]) },
  { title: 'rule 80: tcp routes with subnets, bare addresses and IPv6 compile', table: table([], { tcp: [tcpRoute('t', [{ destinationSubnets: ['10.0.0.0/8', '10.1.2.3', 'fd00::/8'], port: 9000 }])] }) },
];
for (const c of good) {
  test(c.title, (t) => {
    t.notThrows(() => compileRouteTable(SERVICE, c.table));
  });
}

// ---- destination policies ----
const policy = (p: Partial<L7DestinationPolicy>): L7DestinationPolicy => ({ origins: ['DestinationRule foo/reviews'], subsets: [], ...p });

test('rule 83: a subset defined twice keeps its first definition', (t) => {
  const c = compileDestinationPolicy(SERVICE, policy({ subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v1', labels: { version: 'old' } }] }));
  t.deepEqual(c.subsetsByName.get('v1')?.labels, { version: 'v1' });
  t.is(c.subsets.length, 1);
});

const badPolicies: { title: string; policy: unknown; want: string[] }[] = [
  { title: 'rule 84: an unknown load balancer is rejected', policy: policy({ trafficPolicy: { loadBalancer: 'LEAST_CONN' as 'RANDOM' } }), want: ['trafficPolicy.loadBalancer', 'LEAST_CONN'] },
  { title: 'rule 82: a subset needs a name', policy: policy({ subsets: [{ name: '', labels: {} }] }), want: ['subsets[0].name'] },
  { title: 'rule 82: subset labels must be strings', policy: policy({ subsets: [{ name: 'v1', labels: { version: 1 as unknown as string } }] }), want: ['subset "v1"', 'labels'] },
  { title: 'rule 82: a port-level entry needs a valid port', policy: policy({ trafficPolicy: { portLevel: [{ port: 0, loadBalancer: 'RANDOM' }] } }), want: ['trafficPolicy.portLevel[0].port'] },
  { title: 'rule 82: a subset policy is checked too', policy: policy({ subsets: [{ name: 'v2', labels: {}, trafficPolicy: { loadBalancer: 'FASTEST' as 'RANDOM' } }] }), want: ['subset "v2"', 'trafficPolicy.loadBalancer'] },
];
for (const c of badPolicies) {
  test(c.title, (t) => {
    const err = t.throws(() => compileDestinationPolicy(SERVICE, c.policy as L7DestinationPolicy));
    t.true(isAmbitError(err, 'AMBIT_ERR_ROUTE_COMPILE'));
    t.true(err?.message.includes(SERVICE), err?.message);
    for (const w of c.want) t.true(err?.message.includes(w), `"${w}" not in: ${err?.message}`);
  });
}
