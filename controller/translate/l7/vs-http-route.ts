// One VirtualService `http[]` route (or a delegate route already merged with its root)
// → an L7HttpRoute: matches (rule 59), action, rewrite, headers, timeout (rule 73),
// retries and fault (rules 74-76, resilience.ts), mirrors (rule 77, vs-mirrors.ts). Fields the waypoint does not implement
// yet (CORS) are reported once per route and ignored.
import type { L7Action, L7HttpMatch, L7HttpRoute, L7TcpMatch, L7TcpRoute } from '../../../api/l7-model.js';
import type { Rec } from './common.js';
import { durationMs, list, rec, str, text } from './common.js';
import type { Warn } from './vs-actions.js';
import { istioFault, istioRetries } from './resilience.js';
import { istioDirectResponse, istioHeaders, istioRedirect, istioRewrite, routeDestinations } from './vs-actions.js';
import { convertHttpMatch, convertTcpMatch } from './vs-match.js';
import { istioMirrors } from './vs-mirrors.js';

const NOT_SUPPORTED = ['corsPolicy'];

export interface RouteSource {
  /** Namespace short destination hosts resolve against (the VirtualService that wrote the route). */
  namespace: string;
  /** Field path of the route, e.g. `spec.http[2]`. */
  path: string;
  /** Name when the route has none. */
  fallbackName: string;
  warn: Warn;
}

/** The route's match entries; undefined when it had entries and none applies on a waypoint. */
function httpMatches(r: Rec, src: RouteSource): L7HttpMatch[] | undefined {
  const entries = list(r.match);
  if (entries.length === 0) return [];
  const out: L7HttpMatch[] = [];
  entries.forEach((e, j) => {
    const m = rec(e);
    const at = `${src.path}.match[${j}]`;
    if (!m) {
      src.warn(at, 'match entry is not an object: dropped');
      return;
    }
    const res = convertHttpMatch(m);
    if ('dropped' in res) {
      src.warn(at, res.dropped);
      return;
    }
    for (const note of res.notes) src.warn(`${at}.${note.path}`, note.message);
    out.push(res.match);
  });
  if (out.length === 0) {
    src.warn(src.path, 'no match entry applies on a waypoint: the route never matches and is skipped');
    return undefined;
  }
  return out;
}

function httpAction(r: Rec, src: RouteSource): L7Action | undefined {
  if (list(r.route).length > 0) {
    const route = routeDestinations(r.route, src.namespace, `${src.path}.route`, src.warn, { http: true });
    if (route.length === 0) {
      src.warn(`${src.path}.route`, 'no usable destination: the route is skipped');
      return undefined;
    }
    return { route };
  }
  if (rec(r.redirect)) return { redirect: istioRedirect(r.redirect) };
  if (rec(r.directResponse)) return { directResponse: istioDirectResponse(r.directResponse, `${src.path}.directResponse`, src.warn) };
  src.warn(src.path, 'no route, redirect or directResponse: the route is skipped');
  return undefined;
}

export function convertVsHttpRoute(r: Rec, src: RouteSource): L7HttpRoute | undefined {
  const matches = httpMatches(r, src);
  if (!matches) return undefined;
  const action = httpAction(r, src);
  if (!action) return undefined;
  const out: L7HttpRoute = { name: text(r.name) ?? src.fallbackName, matches, action };
  if ('route' in action) {
    const rewrite = istioRewrite(r.rewrite);
    if (rewrite) out.rewrite = rewrite;
    // Only forwarded requests are retried (a redirect or direct response has no upstream).
    const retries = istioRetries(r.retries, `${src.path}.retries`, src.warn);
    if (retries) out.retries = retries;
    const mirrors = istioMirrors(r, src.namespace, src.path, src.warn);
    if (mirrors) out.mirrors = mirrors;
  }
  const headers = istioHeaders(r.headers);
  if (headers) out.headers = headers;
  const timeout = str(r.timeout);
  if (timeout !== undefined) {
    const ms = durationMs(timeout);
    if (ms === undefined) src.warn(`${src.path}.timeout`, `"${timeout}" is not a duration: ignored`);
    else if (ms > 0) out.timeoutMs = ms; // 0 disables the timeout
  }
  const fault = istioFault(r.fault, `${src.path}.fault`, src.warn);
  if (fault) out.fault = fault;
  const ignored = NOT_SUPPORTED.filter((k) => r[k] !== undefined && r[k] !== null);
  if (ignored.length > 0) src.warn(src.path, `${ignored.join(', ')} not supported by the waypoint yet: ignored`);
  return out;
}

/** One `tcp[]` route (rule 80). */
export function convertVsTcpRoute(r: Rec, src: RouteSource): L7TcpRoute | undefined {
  const entries = list(r.match);
  const matches: L7TcpMatch[] = [];
  entries.forEach((e, j) => {
    const m = rec(e);
    const at = `${src.path}.match[${j}]`;
    if (!m) return;
    const res = convertTcpMatch(m);
    if ('dropped' in res) src.warn(at, res.dropped);
    else matches.push(res.match);
  });
  if (entries.length > 0 && matches.length === 0) {
    src.warn(src.path, 'no match entry applies on a waypoint: the route never matches and is skipped');
    return undefined;
  }
  const route = routeDestinations(r.route, src.namespace, `${src.path}.route`, src.warn, { http: false });
  if (route.length === 0) {
    src.warn(`${src.path}.route`, 'no usable destination: the route is skipped');
    return undefined;
  }
  return { name: src.fallbackName, matches, route };
}
