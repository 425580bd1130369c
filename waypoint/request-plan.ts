// What the waypoint does with one HTTP request (pure): the route stage of the L7 path,
// with the route's fault decision (rule 76), retry policy (rule 74, Istio's default
// when the route has none) and mirrors (rule 77) for the stages after it.
// No routes for the service → straight to the service (as Istio's default route); a
// route table without a matching route → 404 (rule 60); a direct response or redirect
// is answered here (rules 69, 70); otherwise one weighted destination (rule 71), with
// the path and authority rewritten (rules 67, 68) and the header operations of the
// route and of the chosen destination (rule 79) collected for the upstream request and
// the response.
import type { L7Destination, L7HeaderOps, L7Mirror, L7RetryPolicy } from '../api/l7-model.js';
import {
  decideFault, effectiveRetryPolicy, pickMirrors, pickWeighted, redirectLocation, rewriteAuthority, rewritePath, selectRoute,
  type CompiledRouteTable, type FaultDecision, type L7Request,
} from './engine/index.js';

export type RequestPlan =
  | {
    kind: 'respond';
    status: number;
    headers: Readonly<Record<string, string>>;
    body: string;
    /** Envoy's response flag for the access log and metrics ('-' for configured answers). */
    flags: string;
    route?: string;
  }
  | {
    kind: 'forward';
    route: string;
    destination: L7Destination;
    path: string;
    authority: string;
    /** Applied in order: the route's, then the destination's. */
    requestHeaders: readonly L7HeaderOps[];
    responseHeaders: readonly L7HeaderOps[];
    timeoutMs?: number;
    retries: Readonly<L7RetryPolicy>;
    fault: FaultDecision;
    /** The route's mirrors that copy this request (rule 77). */
    mirrors: L7Mirror[];
  };

/** The route a request takes when its service has no HTTP routes: the service itself, on the addressed port. */
export function defaultDestination(hostname: string, port: number): L7Destination {
  return { host: hostname, port, weight: 1 };
}

export function planRequest(table: CompiledRouteTable | undefined, fallback: L7Destination, req: L7Request, random: () => number): RequestPlan {
  if (!table || table.http.length === 0) {
    return {
      kind: 'forward', route: 'default', destination: fallback, path: req.path, authority: req.authority, requestHeaders: [], responseHeaders: [],
      retries: effectiveRetryPolicy(undefined), fault: decideFault(undefined, random), mirrors: [],
    };
  }
  const selection = selectRoute(table, req);
  if (!selection) return { kind: 'respond', status: 404, headers: {}, body: '', flags: 'NR' };
  const { route } = selection;
  const action = route.action;
  if ('directResponse' in action) {
    const { status, body } = action.directResponse;
    return { kind: 'respond', status, headers: body !== undefined ? { 'content-type': 'text/plain' } : {}, body: body ?? '', flags: '-', route: route.name };
  }
  if ('redirect' in action) {
    const { status, location } = redirectLocation(action.redirect, selection, req);
    return { kind: 'respond', status, headers: { location }, body: '', flags: '-', route: route.name };
  }
  const destination = pickWeighted(action.route, random);
  if (destination.invalidStatus !== undefined) {
    return { kind: 'respond', status: destination.invalidStatus, headers: {}, body: '', flags: 'NC', route: route.name };
  }
  const ops = (pick: 'request' | 'response'): L7HeaderOps[] =>
    [route.headers?.[pick], destination.headers?.[pick]].filter((o): o is L7HeaderOps => o !== undefined);
  return {
    kind: 'forward',
    route: route.name,
    destination,
    path: rewritePath(route.rewrite, selection, req.path),
    authority: rewriteAuthority(route.rewrite, req.authority),
    requestHeaders: ops('request'),
    responseHeaders: ops('response'),
    ...(route.timeoutMs !== undefined ? { timeoutMs: route.timeoutMs } : {}),
    retries: effectiveRetryPolicy(route.retries),
    fault: decideFault(route.fault, random),
    mirrors: pickMirrors(route.mirrors, random),
  };
}
