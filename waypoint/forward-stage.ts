// The retry stage of one HTTP request (rules 73–75): tries upstream until one is relayed
// to the client or none is left, each within the destination's circuit breaker (rule 86;
// overflow → 503 UO) and feeding its outlier detection (rule 87). The route timeout
// spans every try; a try that fails before its response head, or whose response a retry
// condition names, is tried again (on another endpoint when there is one) after a backoff.
import type { L7ConnectionPool, L7OutlierDetection } from '../api/l7-model.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProxyDeps } from './connection-handler.js';
import { resolveDestination, type ResolvedDestination } from './destination-resolver.js';
import { retryBackoffMs, shouldRetry, type CircuitBreaker, type HashInput, type Observed, type TryOutcome } from './engine/index.js';
import { OVERFLOW_BODY, TIMEOUT_BODY, UPSTREAM_FAILURE_BODY, respond, type ByteCounts, type Outcome, type Response } from './local-reply.js';
import type { ReplayableBody } from './replayable-body.js';
import type { RequestPlan } from './request-plan.js';
import type { WaypointTarget } from './target.js';
import type { UpstreamEndpoint, UpstreamExchange } from './upstream.js';
import { tryUpstream, type TryResult } from './upstream-try.js';

export interface ForwardRequest {
  res: Response;
  bytes: ByteCounts;
  plan: Extract<RequestPlan, { kind: 'forward' }>;
  target: WaypointTarget;
  method: string;
  /** The client's request headers (for x-envoy-upstream-rq-timeout-ms). */
  headers: ReadonlyMap<string, string>;
  /** The headers sent upstream (x-envoy-attempt-count is set per try). */
  upstreamHeaders: Map<string, string>;
  port: number;
  h2: boolean;
  destination?: ResolvedDestination;
  endpoint: UpstreamEndpoint;
  base: Outcome;
  body?: ReplayableBody;
  /** The response flags with the fault stage's in front. */
  withFault: (flags: string) => string;
  /** What consistent hashing reads of the request (a retry picks again). */
  hashInput?: HashInput;
}

export async function forwardWithRetries(deps: ProxyDeps, f: ForwardRequest): Promise<Outcome> {
  const { res, bytes, plan, target, port, h2, body, base, upstreamHeaders, headers, withFault } = f;
  let { destination, endpoint } = f;
  // Retry stage (rules 73–75), within the destination's circuit breaker (rule 86) and
  // feeding its outlier detection (rule 87).
  const policy = plan.retries;
  const { picker, clusters } = deps;
  const cluster = destination?.cluster ?? `workload|${endpoint.ip}:${endpoint.port}`;
  const limits = destination?.settings.connectionPool;
  const outlier = destination?.settings.outlierDetection;
  const breaker = clusters.breaker(cluster);
  const http1 = !h2;
  const tried = new Set<string>();
  let current: UpstreamExchange | undefined;
  let routeTimedOut = false;
  let clientGone = false;
  let retryHeld = false;
  const onClose = (): void => {
    if (res.writableFinished) return;
    clientGone = true;
    current?.abort(new Error('client disconnected'));
  };
  res.once('close', onClose);
  const routeTimeoutMs = upstreamTimeoutMs(headers, plan.timeoutMs);
  const routeTimer = routeTimeoutMs !== undefined
    ? setTimeout(() => { routeTimedOut = true; current?.abort(new Error('upstream request timeout')); }, routeTimeoutMs)
    : undefined;
  const timedOut = (at: Outcome, error: string): Outcome => {
    respond(res, 504, { 'content-type': 'text/plain' }, TIMEOUT_BODY, bytes);
    return { ...at, status: 504, flags: withFault('UT'), error };
  };
  try {
    for (let tries = 1; ; tries++) {
      if (tries > 1 && target.kind === 'service') {
        const other = resolveDestination(deps, plan.destination, port, tried, f.hashInput);
        if (!('flag' in other)) {
          destination = other;
          endpoint = other.endpoint;
        }
      }
      const at: Outcome = { ...base, status: 0, flags: '-', upstream: `${endpoint.ip}:${endpoint.port}`, destination: endpoint.workload, service: destination?.service, attempts: tries };
      tried.add(endpoint.workload.uid);
      upstreamHeaders.set('x-envoy-attempt-count', String(tries));

      // Circuit breaker: run now, wait for a slot, or overflow (503 UO).
      let wake: () => void = () => undefined;
      const grant = (): void => wake();
      const admission = breaker.admit(limits, http1, grant);
      const admitted = admission === 'wait'
        ? await waitForSlot(breaker, limits, http1, grant, (resolve) => { wake = resolve; }, () => clientGone || routeTimedOut || res.destroyed)
        : admission;
      if (admitted === 'overflow') {
        clusters.overflows.inc({ cluster, kind: 'request' });
        respond(res, 503, { 'content-type': 'text/plain', 'x-envoy-overloaded': 'true' }, OVERFLOW_BODY, bytes);
        return { ...at, status: 503, flags: withFault('UO'), error: `connection pool of ${cluster} full` };
      }
      if (admitted === 'gone') {
        if (routeTimedOut) return timedOut(at, 'upstream request timeout while waiting for a connection');
        return { ...at, status: 0, flags: withFault('DC'), error: 'client disconnected' };
      }

      // A retry is decided once per failed try: the conditions, then a retry slot (maxRetries).
      const claimRetry = (o: TryOutcome): boolean => {
        if (routeTimedOut || clientGone || (body && !body.replayable) || !shouldRetry(policy, o, tries)) return false;
        if (!breaker.startRetry(limits)) {
          clusters.overflows.inc({ cluster, kind: 'retry' });
          return false;
        }
        retryHeld = true;
        return true;
      };
      const wasRetry = retryHeld;
      retryHeld = false;
      picker.started(endpoint.workload);
      let result: TryResult;
      try {
        result = await tryUpstream(deps.upstreams, {
          endpoint, protocol: h2 ? 'http2' : 'http1', method: f.method, path: plan.path, headers: upstreamHeaders, body: body?.open(),
          responseHeaders: plan.responseHeaders, perTryTimeoutMs: policy.perTryTimeoutMs, retryable: claimRetry,
          ...(destination?.setCookie !== undefined ? { setCookie: destination.setCookie } : {}),
          started: (exchange) => { current = exchange; },
          ...(limits ? { pool: limits } : {}),
        }, res);
      } finally {
        picker.finished(endpoint.workload);
        breaker.release(limits, http1);
        if (wasRetry) breaker.endRetry();
        current = undefined;
        if (body) bytes.request = body.bytes;
      }
      if (outlier && destination) observe(deps, destination, result, outlier);

      if (result.committed) {
        bytes.response += result.bytes;
        const flags = result.failed === undefined ? '-'
          : result.failed === 'reset' ? 'UR'
            : result.failed === 'per-try-timeout' || routeTimedOut ? 'UT' : 'DC';
        return { ...at, status: result.status, flags: withFault(flags), ...(result.grpcStatus !== undefined ? { grpcStatus: result.grpcStatus } : {}), ...(result.error ? { error: result.error } : {}) };
      }
      if (clientGone) return { ...at, status: 0, flags: withFault('DC'), error: 'client disconnected' };
      if (routeTimedOut) return timedOut(at, result.error);
      // A response outcome was already claimed for a retry in tryUpstream (else it was relayed).
      const retry = result.outcome.kind === 'response' || claimRetry(result.outcome);
      if (!retry) {
        if (result.outcome.kind === 'per-try-timeout') return timedOut(at, result.error);
        respond(res, 503, { 'content-type': 'text/plain' }, UPSTREAM_FAILURE_BODY, bytes);
        // Envoy's flags: UF (connection failure) or UR (reset), plus URX once retries ran out.
        const flag = result.outcome.kind === 'connect-failure' ? 'UF' : 'UR';
        return { ...at, status: 503, flags: withFault(tries > 1 ? `${flag},URX` : flag), error: result.error };
      }
      deps.log.debug({ route: plan.route, upstream: at.upstream, tries, outcome: result.outcome, error: result.error }, 'retrying');
      await sleep(retryBackoffMs(tries, deps.random));
      if (clientGone || res.destroyed) return { ...at, status: 0, flags: withFault('DC'), error: 'client disconnected' };
      if (routeTimedOut) return timedOut(at, result.error);
    }
  } finally {
    if (retryHeld) breaker.endRetry();
    clearTimeout(routeTimer);
    res.off('close', onClose);
  }
}

/** Feeds a try's outcome to the destination's outlier detection (rule 87). */
function observe(deps: ProxyDeps, destination: ResolvedDestination, result: TryResult, settings: L7OutlierDetection): void {
  const observed: Observed | undefined = result.committed
    ? (result.failed === 'aborted' ? undefined : result.failed === 'reset' ? { failure: 'reset' } : result.failed === 'per-try-timeout' ? { failure: 'timeout' } : { status: result.status })
    : result.aborted ? undefined
      : result.outcome.kind === 'response' ? { status: result.outcome.status }
        : result.outcome.kind === 'connect-failure' ? { failure: 'connect-failure' }
          : result.outcome.kind === 'per-try-timeout' ? { failure: 'timeout' } : { failure: 'reset' };
  if (observed) deps.clusters.observe(destination, observed, settings, deps.log);
}

/**
 * A request the circuit breaker queued: 'run' once `grant` is called (the breaker counts
 * it as running then), or 'gone' when the client went away or the route timed out first.
 */
async function waitForSlot(
  breaker: CircuitBreaker, limits: L7ConnectionPool | undefined, http1: boolean, grant: () => void,
  onGrant: (resolve: () => void) => void, gone: () => boolean,
): Promise<'run' | 'gone'> {
  const granted = new Promise<void>((resolve) => onGrant(resolve));
  // The client's going away and the route timeout are both seen by `gone` (set from the caller's listeners).
  let poll: NodeJS.Timeout | undefined;
  const left = new Promise<void>((resolve) => {
    poll = setInterval(() => { if (gone()) resolve(); }, ADMIT_POLL_MS);
  });
  await Promise.race([granted, left]);
  clearInterval(poll);
  if (gone()) {
    // Withdrawn while waiting; if the slot was granted in the same turn, hand it back.
    if (!breaker.withdraw(grant)) breaker.release(limits, http1);
    return 'gone';
  }
  return 'run';
}

/** How often a request waiting for a connection checks whether its client left or its route timed out. */
const ADMIT_POLL_MS = 50;

/**
 * The route timeout for this request (rule 73): `x-envoy-upstream-rq-timeout-ms` overrides
 * the route's (0 disables it); none by default.
 */
export function upstreamTimeoutMs(headers: ReadonlyMap<string, string>, routeMs: number | undefined): number | undefined {
  const override = headers.get('x-envoy-upstream-rq-timeout-ms');
  if (override !== undefined && /^\d+$/.test(override.trim())) {
    const ms = Number(override.trim());
    return ms > 0 ? ms : undefined;
  }
  return routeMs !== undefined && routeMs > 0 ? routeMs : undefined;
}
