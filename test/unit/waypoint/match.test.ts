// Route selection, one request per case, each named after the rule it checks. Every route
// of a case sends to a subset named like the route, so the expected winner is a name;
// null means no route (the waypoint answers 404, rule 60).
import test from 'ava';
import type { L7HttpMatch, L7HttpRoute, L7RouteTable } from '../../../api/l7-model.js';
import type { L7RequestInit } from '../../../waypoint/engine/index.js';
import { headerMap, l7Request, parseQuery, selectRoute, splitPath } from '../../../waypoint/engine/index.js';
import { compiled, route } from './support.js';

interface Case {
  title: string;
  routes: L7HttpRoute[];
  req: L7RequestInit;
  /** Name of the winning route; null: none. */
  want: string | null;
  /** Expected index of the matching entry (-1: a route without entries). */
  index?: number;
  kind?: L7RouteTable['kind'];
}

/** One route `hit` with the given entries (ORed), then nothing. */
const only = (...matches: L7HttpMatch[]): L7HttpRoute[] => [route('hit', matches)];
const header = (name: string, m?: L7HttpMatch['method'], invert = false): L7HttpMatch => ({ headers: [{ name, ...(m ? { match: m } : {}), ...(invert ? { invert } : {}) }] });
const query = (name: string, m?: L7HttpMatch['method']): L7HttpMatch => ({ queryParams: [{ name, ...(m ? { match: m } : {}) }] });

const cases: Case[] = [
  // ---- rule 59: order, OR of entries, AND inside an entry, catch-all ----
  { title: 'rule 59: the first matching route wins even when a later one matches more specifically', routes: [route('a', [{ path: { prefix: '/' } }]), route('b', [{ path: { exact: '/x' } }])], req: { path: '/x' }, want: 'a' },
  { title: 'rule 59: a non-matching first route falls through to the next', routes: [route('a', [{ path: { exact: '/y' } }]), route('b', [{ path: { exact: '/x' } }])], req: { path: '/x' }, want: 'b' },
  { title: 'rule 59: a route without match entries is a catch-all', routes: [route('all')], req: { path: '/anything', method: 'DELETE' }, want: 'all', index: -1 },
  { title: 'rule 59: a catch-all shadows every later route', routes: [route('all'), route('later', [{ path: { exact: '/x' } }])], req: { path: '/x' }, want: 'all' },
  { title: 'rule 59: a regex .* catch-all first short-circuits the others', routes: [route('first', [{ path: { regex: '.*' } }]), route('second', [{ path: { prefix: '/' } }])], req: { path: '/a/b' }, want: 'first' },
  { title: 'rule 59: match entries are ORed (second entry matches)', routes: only({ path: { exact: '/a' } }, { path: { exact: '/b' } }), req: { path: '/b' }, want: 'hit', index: 1 },
  { title: 'rule 59: the first matching entry is reported', routes: only({ path: { prefix: '/' } }, { path: { exact: '/b' } }), req: { path: '/b' }, want: 'hit', index: 0 },
  { title: 'rule 59: conditions inside one entry are ANDed (both hold)', routes: only({ path: { prefix: '/api' }, method: { exact: 'POST' } }), req: { path: '/api/x', method: 'POST' }, want: 'hit' },
  { title: 'rule 59: conditions inside one entry are ANDed (one fails)', routes: only({ path: { prefix: '/api' }, method: { exact: 'POST' } }), req: { path: '/api/x', method: 'GET' }, want: null },
  { title: 'rule 59: an empty match entry matches everything', routes: only({}), req: { path: '/z' }, want: 'hit', index: 0 },

  // ---- rule 60: no match ----
  { title: 'rule 60: no route matches: none selected (404)', routes: [route('a', [{ path: { exact: '/a' } }]), route('b', [{ headers: [{ name: 'x-b' }] }])], req: { path: '/c' }, want: null },
  { title: 'rule 60: an empty table selects nothing', routes: [], req: { path: '/' }, want: null },

  // ---- rule 61: uri ----
  { title: 'rule 61: uri exact matches the path exactly', routes: only({ path: { exact: '/one' } }), req: { path: '/one' }, want: 'hit' },
  { title: 'rule 61: uri exact ignores the query string', routes: only({ path: { exact: '/one' } }), req: { path: '/one?x=1' }, want: 'hit' },
  { title: 'rule 61: uri exact does not match a longer path', routes: only({ path: { exact: '/one' } }), req: { path: '/one/' }, want: null },
  { title: 'rule 61: uri prefix is a plain string prefix (/one matches /onetwo)', routes: only({ path: { prefix: '/one' } }), req: { path: '/onetwo' }, want: 'hit' },
  { title: 'rule 61: uri prefix matches the prefix itself and sub-paths', routes: only({ path: { prefix: '/one' } }, { path: { exact: '/never' } }), req: { path: '/one/x' }, want: 'hit', index: 0 },
  { title: 'rule 61: uri prefix is case-sensitive by default', routes: only({ path: { prefix: '/one' } }), req: { path: '/ONE' }, want: null },
  { title: 'rule 61: uri regex must match the whole path', routes: only({ path: { regex: '/api/v[0-9]+' } }), req: { path: '/api/v2/users' }, want: null },
  { title: 'rule 61: uri regex full match succeeds', routes: only({ path: { regex: '/api/v[0-9]+/.*' } }), req: { path: '/api/v2/users' }, want: 'hit' },
  { title: 'rule 61: uri regex is matched without the query string', routes: only({ path: { regex: '/api/v[0-9]+' } }), req: { path: '/api/v2?debug=1' }, want: 'hit' },
  { title: 'rule 61: ignoreUriCase makes exact case-insensitive', routes: only({ path: { exact: '/Login' }, ignorePathCase: true }), req: { path: '/LOGIN' }, want: 'hit' },
  { title: 'rule 61: ignoreUriCase makes prefix case-insensitive', routes: only({ path: { prefix: '/Api/' }, ignorePathCase: true }), req: { path: '/aPI/x' }, want: 'hit' },
  { title: 'rule 61: ignoreUriCase does not apply to regex', routes: only({ path: { regex: '/login' }, ignorePathCase: true }), req: { path: '/LOGIN' }, want: null },
  { title: 'rule 61: a regex can ask for case-insensitivity itself with (?i)', routes: only({ path: { regex: '(?i)/login' } }), req: { path: '/LoGiN' }, want: 'hit' },

  // ---- rule 98: pathPrefix is segment-aware ----
  { title: 'rule 98: pathPrefix /foo matches /foo', routes: only({ path: { pathPrefix: '/foo' } }), req: { path: '/foo' }, want: 'hit', kind: 'HTTPRoute' },
  { title: 'rule 98: pathPrefix /foo matches /foo/x', routes: only({ path: { pathPrefix: '/foo' } }), req: { path: '/foo/x' }, want: 'hit', kind: 'HTTPRoute' },
  { title: 'rule 98: pathPrefix /foo does not match /foobar', routes: only({ path: { pathPrefix: '/foo' } }), req: { path: '/foobar' }, want: null, kind: 'HTTPRoute' },
  { title: 'rule 98: pathPrefix /foo matches /foo?x=1 (query ignored)', routes: only({ path: { pathPrefix: '/foo' } }), req: { path: '/foo?x=1' }, want: 'hit', kind: 'HTTPRoute' },
  { title: 'rule 98: pathPrefix with a trailing slash (/foo/) also matches /foo', routes: only({ path: { pathPrefix: '/foo/' } }), req: { path: '/foo' }, want: 'hit', kind: 'HTTPRoute' },
  { title: 'rule 98: pathPrefix / matches every path', routes: only({ path: { pathPrefix: '/' } }), req: { path: '/anything/at/all' }, want: 'hit', kind: 'HTTPRoute' },
  { title: 'rule 97: HTTPRoute rules are evaluated in the order the controller sorted them', routes: [route('exact', [{ path: { exact: '/a' } }]), route('prefix', [{ path: { pathPrefix: '/' } }])], req: { path: '/a' }, want: 'exact', kind: 'HTTPRoute' },

  // ---- rule 62: headers ----
  { title: 'rule 62: header exact match', routes: only(header('end-user', { exact: 'jason' })), req: { headers: { 'end-user': 'jason' } }, want: 'hit' },
  { title: 'rule 62: header values are case-sensitive', routes: only(header('end-user', { exact: 'jason' })), req: { headers: { 'end-user': 'Jason' } }, want: null },
  { title: 'rule 62: header names are looked up lowercase (sent mixed-case)', routes: only(header('end-user', { exact: 'jason' })), req: { headers: { 'End-User': 'jason' } }, want: 'hit' },
  { title: 'rule 62: header prefix match', routes: only(header('user-agent', { prefix: 'Mozilla/' })), req: { headers: { 'user-agent': 'Mozilla/5.0' } }, want: 'hit' },
  { title: 'rule 62: header regex is a full match ("Chrome" does not match a longer user agent)', routes: only(header('user-agent', { regex: 'Chrome' })), req: { headers: { 'user-agent': 'Mozilla/5.0 Chrome/120' } }, want: null },
  { title: 'rule 62: header regex .*Chrome.* matches a longer user agent', routes: only(header('user-agent', { regex: '.*Chrome.*' })), req: { headers: { 'user-agent': 'Mozilla/5.0 Chrome/120' } }, want: 'hit' },
  { title: 'rule 62: header without a match type means present (any value)', routes: only(header('x-canary')), req: { headers: { 'x-canary': '' } }, want: 'hit' },
  { title: 'rule 62: header presence fails when the header is absent', routes: only(header('x-canary')), req: { headers: {} }, want: null },
  { title: 'rule 62: an absent header never matches an exact value', routes: only(header('x-env', { exact: '' })), req: { headers: {} }, want: null },
  { title: 'rule 62: repeated header values are matched joined with ", "', routes: only(header('x-tag', { exact: 'a, b' })), req: { headers: { 'x-tag': ['a', 'b'] } }, want: 'hit' },
  { title: 'rule 62: pseudo-header :method', routes: only(header(':method', { exact: 'PUT' })), req: { method: 'PUT' }, want: 'hit' },
  { title: 'rule 62: pseudo-header :authority', routes: only(header(':authority', { prefix: 'reviews' })), req: { authority: 'reviews:9080' }, want: 'hit' },
  { title: 'rule 62: pseudo-header :path carries the query string', routes: only(header(':path', { exact: '/p?q=1' })), req: { path: '/p?q=1' }, want: 'hit' },
  { title: 'rule 62: pseudo-header :scheme', routes: only(header(':scheme', { exact: 'https' })), req: { scheme: 'https' }, want: 'hit' },
  { title: 'rule 62: several header conditions are ANDed', routes: only({ headers: [{ name: 'a', match: { exact: '1' } }, { name: 'b', match: { exact: '2' } }] }), req: { headers: { a: '1', b: '3' } }, want: null },

  // ---- rule 63: withoutHeaders ----
  { title: 'rule 63: withoutHeaders: a header with the value fails the entry', routes: [route('not-jason', [header('end-user', { exact: 'jason' }, true)]), route('rest')], req: { headers: { 'end-user': 'jason' } }, want: 'rest' },
  { title: 'rule 63: withoutHeaders: another value satisfies the entry', routes: [route('not-jason', [header('end-user', { exact: 'jason' }, true)]), route('rest')], req: { headers: { 'end-user': 'mike' } }, want: 'not-jason' },
  { title: 'rule 63: withoutHeaders: an absent header counts as not matching, so the entry holds', routes: [route('not-jason', [header('end-user', { exact: 'jason' }, true)]), route('rest')], req: { headers: {} }, want: 'not-jason' },
  { title: 'rule 63: withoutHeaders with a regex: full match decides', routes: only(header('x-v', { regex: 'v1' }, true)), req: { headers: { 'x-v': 'v10' } }, want: 'hit' },
  { title: 'rule 63: withoutHeaders without a value means "header absent"', routes: only(header('x-debug', undefined, true)), req: { headers: { 'x-debug': '1' } }, want: null },

  // ---- rule 64: queryParams ----
  { title: 'rule 64: query exact match', routes: only(query('v', { exact: '2' })), req: { path: '/?v=2' }, want: 'hit' },
  { title: 'rule 64: query exact "" matches ?key with no value', routes: only(query('debug', { exact: '' })), req: { path: '/p?debug' }, want: 'hit' },
  { title: 'rule 64: query exact "" matches ?key= too', routes: only(query('debug', { exact: '' })), req: { path: '/p?debug=' }, want: 'hit' },
  { title: 'rule 64: query exact "" does not match a missing parameter', routes: only(query('debug', { exact: '' })), req: { path: '/p?other' }, want: null },
  { title: 'rule 64: query regex \\d+$ matches 123', routes: only(query('id', { regex: '\\d+$' })), req: { path: '/?id=123' }, want: 'hit' },
  { title: 'rule 64: query regex \\d+$ does not match a123 (full match)', routes: only(query('id', { regex: '\\d+$' })), req: { path: '/?id=a123' }, want: null },
  { title: 'rule 64: query regex \\d+$ does not match 123a', routes: only(query('id', { regex: '\\d+$' })), req: { path: '/?id=123a' }, want: null },
  { title: 'rule 64: only the first occurrence of a parameter counts', routes: only(query('v', { exact: '2' })), req: { path: '/?v=1&v=2' }, want: null },
  { title: 'rule 64: a parameter without a match type needs only to be present', routes: only(query('trace')), req: { path: '/x?a=1&trace=' }, want: 'hit' },
  { title: 'rule 64: query values are not percent-decoded', routes: only(query('q', { exact: 'a b' })), req: { path: '/?q=a%20b' }, want: null },

  // ---- rule 65: method, authority, scheme, port, and the source namespace ----
  { title: 'rule 65: method exact', routes: only({ method: { exact: 'GET' } }), req: { method: 'GET' }, want: 'hit' },
  { title: 'rule 65: method is case-sensitive', routes: only({ method: { exact: 'GET' } }), req: { method: 'get' }, want: null },
  { title: 'rule 65: method regex', routes: only({ method: { regex: 'GET|HEAD' } }), req: { method: 'HEAD' }, want: 'hit' },
  { title: 'rule 65: authority prefix', routes: only({ authority: { prefix: 'reviews.foo' } }), req: { authority: 'reviews.foo.svc.cluster.local:9080' }, want: 'hit' },
  { title: 'rule 65: authority exact includes the port as sent', routes: only({ authority: { exact: 'reviews' } }), req: { authority: 'reviews:9080' }, want: null },
  { title: 'rule 65: scheme exact', routes: only({ scheme: { exact: 'http' } }), req: { scheme: 'http' }, want: 'hit' },
  { title: 'rule 65: port matches the service port addressed', routes: [route('p9080', [{ port: 9080 }]), route('p80', [{ port: 80 }])], req: { port: 80 }, want: 'p80' },
  { title: 'rule 65: port mismatch', routes: only({ port: 9080 }), req: { port: 9081 }, want: null },
  { title: 'rule 65: sourceNamespace matches the client namespace', routes: only({ sourceNamespace: 'bar' }), req: { source: { ip: '10.0.0.1', namespace: 'bar' } }, want: 'hit' },
  { title: 'rule 65: sourceNamespace mismatch', routes: only({ sourceNamespace: 'bar' }), req: { source: { ip: '10.0.0.1', namespace: 'baz' } }, want: null },
  { title: 'rule 65: sourceNamespace never matches a client without identity', routes: only({ sourceNamespace: 'bar' }), req: { source: { ip: '10.0.0.1' } }, want: null },
];

for (const c of cases) {
  test(c.title, (t) => {
    const table = compiled(c.routes, c.kind ? { kind: c.kind } : {});
    const sel = selectRoute(table, l7Request(c.req));
    t.is(sel?.route.name ?? null, c.want);
    if (c.index !== undefined) t.is(sel?.matchIndex, c.index);
  });
}

// ---- what the selection says about the path, for rewrites and redirects ----
const prefixCases: { title: string; routes: L7HttpRoute[]; path: string; kind?: L7RouteTable['kind']; matchedPrefix?: string; segment?: boolean }[] = [
  { title: 'rule 67: a prefix match reports the matched prefix', routes: only({ path: { prefix: '/one' } }), path: '/one/x', matchedPrefix: '/one' },
  { title: 'rule 67: an exact match reports no prefix (the whole path is replaced)', routes: only({ path: { exact: '/one' } }), path: '/one', matchedPrefix: undefined },
  { title: 'rule 67: a regex match reports no prefix', routes: only({ path: { regex: '/o.*' } }), path: '/one', matchedPrefix: undefined },
  { title: 'rule 67: an entry without a path condition is prefix / (as Envoy sees it)', routes: only({ method: { exact: 'GET' } }), path: '/one', matchedPrefix: '/' },
  { title: 'rule 98: a pathPrefix match reports a segment prefix', routes: only({ path: { pathPrefix: '/foo/' } }), path: '/foo/x', kind: 'HTTPRoute', matchedPrefix: '/foo', segment: true },
  { title: 'rule 98: an HTTPRoute rule without matches is PathPrefix /', routes: [route('hit')], path: '/foo', kind: 'HTTPRoute', matchedPrefix: '', segment: true },
];
for (const c of prefixCases) {
  test(c.title, (t) => {
    const sel = selectRoute(compiled(c.routes, c.kind ? { kind: c.kind } : {}), l7Request({ path: c.path }));
    t.truthy(sel);
    t.is(sel?.matchedPrefix, c.matchedPrefix);
    t.is(sel?.segmentPrefix === true, c.segment === true);
  });
}

// ---- request helpers ----
const queryCases: [string, Record<string, string>][] = [
  ['/p', {}],
  ['/p?', {}],
  ['/p?key', { key: '' }],
  ['/p?a=1&b=&c', { a: '1', b: '', c: '' }],
  ['/p?a=1&a=2', { a: '1' }],
  ['/p?a=x=y&&b=2', { a: 'x=y', b: '2' }],
];
for (const [path, want] of queryCases) {
  test(`rule 64: query parameters of ${path} parse as Envoy's route matcher reads them`, (t) => {
    t.deepEqual(Object.fromEntries(parseQuery(path)), want);
  });
}

test('request helpers: splitPath keeps the "?" with the query; headerMap lowercases and joins', (t) => {
  t.deepEqual(splitPath('/a/b?x=1?y'), { pathname: '/a/b', search: '?x=1?y' });
  t.deepEqual(splitPath('/a'), { pathname: '/a', search: '' });
  t.deepEqual([...headerMap({ 'X-A': ['1', '2'], b: 'c', gone: undefined })], [['x-a', '1, 2'], ['b', 'c']]);
  t.deepEqual([...headerMap([['X-A', '1'], ['x-a', '2']])], [['x-a', '1, 2']]);
});
