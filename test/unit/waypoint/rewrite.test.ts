// Path and authority rewrites (rules 67, 68, 98) and redirects (rule 69). The selection
// (how the path matched) is given directly; two cases go through selectRoute.
import test from 'ava';
import type { L7Redirect, L7Rewrite } from '../../../api/l7-model.js';
import type { L7RequestInit, PathSelection } from '../../../waypoint/engine/index.js';
import { compileRewrite, l7Request, redirectLocation, rewriteAuthority, rewritePath, selectRoute } from '../../../waypoint/engine/index.js';
import { compiled, route } from './support.js';

const PREFIX = (p: string): PathSelection => ({ matchedPrefix: p });
const SEGMENT = (p: string): PathSelection => ({ matchedPrefix: p, segmentPrefix: true });
const WHOLE: PathSelection = {};

const rewrites: { title: string; rewrite: L7Rewrite; sel: PathSelection; path: string; want: string }[] = [
  { title: 'rule 67: prefix match /one + rewrite /ip: /one becomes /ip', rewrite: { uri: '/ip' }, sel: PREFIX('/one'), path: '/one', want: '/ip' },
  { title: 'rule 67: prefix match /one + rewrite /ip: /one/x becomes /ip/x', rewrite: { uri: '/ip' }, sel: PREFIX('/one'), path: '/one/x', want: '/ip/x' },
  { title: 'rule 67: prefix match /one + rewrite /ip: /onex becomes /ipx', rewrite: { uri: '/ip' }, sel: PREFIX('/one'), path: '/onex', want: '/ipx' },
  { title: 'rule 67: prefix rewrite keeps the query string', rewrite: { uri: '/new' }, sel: PREFIX('/old'), path: '/old/a?key=value', want: '/new/a?key=value' },
  { title: 'rule 67: exact match: the whole path is replaced, query kept (/foo?key=value)', rewrite: { uri: '/new/path' }, sel: WHOLE, path: '/foo?key=value', want: '/new/path?key=value' },
  { title: 'rule 67: regex match: the whole path is replaced', rewrite: { uri: '/v2' }, sel: WHOLE, path: '/v1/users/7', want: '/v2' },
  { title: 'rule 67: no path condition (prefix /): the leading / is what gets replaced', rewrite: { uri: '/api/' }, sel: PREFIX('/'), path: '/users', want: '/api/users' },
  { title: 'rule 67: uriRegex with \\1 captures rewrites every match', rewrite: { uriRegex: { pattern: '^/service/([^/]+)(/.*)$', substitution: '\\2/instance/\\1' } }, sel: PREFIX('/service'), path: '/service/foo/v1/api?x=1', want: '/v1/api/instance/foo?x=1' },
  { title: 'rule 67: uriRegex replaces all matches, not only the first', rewrite: { uriRegex: { pattern: 'a', substitution: 'b' } }, sel: WHOLE, path: '/aXa', want: '/bXb' },
  { title: 'rule 67: a rewrite without a path part leaves the path alone', rewrite: { authority: 'other' }, sel: PREFIX('/'), path: '/keep?q', want: '/keep?q' },
  { title: 'rule 98: fullPath always replaces the whole path (query kept)', rewrite: { fullPath: '/full' }, sel: SEGMENT('/foo'), path: '/foo/bar?q=1', want: '/full?q=1' },
  { title: 'rule 98: ReplacePrefixMatch /foo → /xyz: /foo/bar becomes /xyz/bar', rewrite: { uri: '/xyz' }, sel: SEGMENT('/foo'), path: '/foo/bar', want: '/xyz/bar' },
  { title: 'rule 98: ReplacePrefixMatch /foo → /xyz/: /foo/bar becomes /xyz/bar (one slash)', rewrite: { uri: '/xyz/' }, sel: SEGMENT('/foo'), path: '/foo/bar', want: '/xyz/bar' },
  { title: 'rule 98: ReplacePrefixMatch /foo → /xyz: /foo/ becomes /xyz/', rewrite: { uri: '/xyz' }, sel: SEGMENT('/foo'), path: '/foo/', want: '/xyz/' },
  { title: 'rule 98: ReplacePrefixMatch /foo → "": /foo/bar becomes /bar', rewrite: { uri: '' }, sel: SEGMENT('/foo'), path: '/foo/bar', want: '/bar' },
  { title: 'rule 98: ReplacePrefixMatch /foo → /: /foo becomes /', rewrite: { uri: '/' }, sel: SEGMENT('/foo'), path: '/foo?x', want: '/?x' },
];
for (const c of rewrites) {
  test(c.title, (t) => {
    t.is(rewritePath(compileRewrite(c.rewrite), c.sel, c.path), c.want);
  });
}

test('rule 68: rewrite.authority replaces the authority; without it the request authority stays', (t) => {
  t.is(rewriteAuthority(compileRewrite({ authority: 'new-host' }), 'old:80'), 'new-host');
  t.is(rewriteAuthority(compileRewrite({ uri: '/x' }), 'old:80'), 'old:80');
  t.is(rewriteAuthority(undefined, 'old:80'), 'old:80');
});

test('rule 67: through selectRoute: a prefix route rewrites only its prefix', (t) => {
  const table = compiled([route('r', [{ path: { exact: '/exact' } }, { path: { prefix: '/one' } }], { rewrite: { uri: '/ip' } })]);
  const req = l7Request({ path: '/one/x?a=1' });
  const sel = selectRoute(table, req);
  t.is(sel && rewritePath(sel.route.rewrite, sel, req.path), '/ip/x?a=1');
  const exact = l7Request({ path: '/exact?a=1' });
  const sel2 = selectRoute(table, exact);
  t.is(sel2 && rewritePath(sel2.route.rewrite, sel2, exact.path), '/ip?a=1');
});

// ---- redirects (rule 69) ----
const REQ: L7RequestInit = { path: '/old/page?x=1', authority: 'reviews:9080', scheme: 'http', port: 9080 };
const redirects: { title: string; redirect: Omit<L7Redirect, 'status'> & { status?: number }; sel?: PathSelection; req?: L7RequestInit; status?: number; location: string }[] = [
  { title: 'rule 69: uri replaces the whole path and keeps the query string; the status is answered as given (301)', redirect: { uri: '/new' }, status: 301, location: 'http://reviews:9080/new?x=1' },
  { title: 'rule 69: the status can be changed (302)', redirect: { uri: '/new', status: 302 }, status: 302, location: 'http://reviews:9080/new?x=1' },
  { title: 'rule 69: a uri with its own query replaces the query', redirect: { uri: '/new?y=2' }, location: 'http://reviews:9080/new?y=2' },
  { title: 'rule 69: prefix replaces the matched prefix', redirect: { prefix: '/fresh' }, sel: PREFIX('/old'), location: 'http://reviews:9080/fresh/page?x=1' },
  { title: 'rule 69: prefix on a segment-aware match joins with one slash', redirect: { prefix: '/fresh/' }, sel: SEGMENT('/old'), location: 'http://reviews:9080/fresh/page?x=1' },
  { title: 'rule 69: authority replaces the host (and the request port goes)', redirect: { authority: 'ratings' }, location: 'http://ratings/old/page?x=1' },
  { title: 'rule 69: scheme changes the scheme and keeps a non-default port', redirect: { scheme: 'https' }, location: 'https://reviews:9080/old/page?x=1' },
  { title: 'rule 69: scheme change drops the old scheme default port (http :80 → https)', redirect: { scheme: 'https' }, req: { ...REQ, authority: 'reviews:80', port: 80 }, location: 'https://reviews/old/page?x=1' },
  { title: 'rule 69: unset scheme keeps the request scheme (https)', redirect: { uri: '/n' }, req: { ...REQ, scheme: 'https', authority: 'a.example' }, location: 'https://a.example/n?x=1' },
  { title: 'rule 69: an explicit port replaces the request port', redirect: { port: 8443, scheme: 'https' }, location: 'https://reviews:8443/old/page?x=1' },
  { title: 'rule 69: an explicit port goes after a redirected authority', redirect: { authority: 'ratings', port: 9000 }, location: 'http://ratings:9000/old/page?x=1' },
  { title: 'rule 69: derive port from the request port', redirect: { authority: 'ratings', port: 'request-port' }, location: 'http://ratings:9080/old/page?x=1' },
  { title: 'rule 69: derive port from the protocol default: no port in the Location', redirect: { scheme: 'https', port: 'protocol-default' }, location: 'https://reviews/old/page?x=1' },
  { title: 'rule 69: an IPv6 authority keeps its brackets when the port is dropped', redirect: { port: 'protocol-default' }, req: { ...REQ, authority: '[fd00::1]:9080' }, location: 'http://[fd00::1]/old/page?x=1' },
];
for (const c of redirects) {
  test(c.title, (t) => {
    const answer = redirectLocation({ status: 301, ...c.redirect }, c.sel ?? WHOLE, l7Request(c.req ?? REQ));
    t.is(answer.location, c.location);
    if (c.status !== undefined) t.is(answer.status, c.status);
  });
}
