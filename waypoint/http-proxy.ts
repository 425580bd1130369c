// One HTTP request through the waypoint (HTTP/1.1 or h2c from the client), in stages:
// route (request-plan.ts: the route, its fault decision, retry policy and mirrors) →
// fault (a delay, or an answer without forwarding) → mirrors (copies sent on the side,
// mirror.ts) → retry (tries upstream-try.ts runs: an
// endpoint from the destination resolver, the request through undici, or h2c when the
// client spoke HTTP/2, over an HBONE stream; a retried try goes to another endpoint
// when there is one) → the response streams back with its trailers (gRPC).
// Every request ends in one metric sample and one access-log line.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Identity } from '../api/identity.js';
import type { Workload } from '../api/model.js';
import { serviceKey } from '../api/model.js';
import type { Address } from '../daemon/network/network.js';
import type { ProxyDeps } from './connection-handler.js';
import { resolveDestination, type ResolvedDestination } from './destination-resolver.js';
import type { L7ConnectionPool, L7OutlierDetection } from '../api/l7-model.js';
import { applyHeaderOps, headerMap, retryBackoffMs, shouldRetry, type CircuitBreaker, type L7Request, type Observed, type TryOutcome } from './engine/index.js';
import { addForwardingHeaders, withoutHopByHop } from './forwarding.js';
import { sendMirror } from './mirror.js';
import { ReplayableBody } from './replayable-body.js';
import { defaultDestination, planRequest } from './request-plan.js';
import type { UpstreamEndpoint, UpstreamExchange } from './upstream.js';
import { tryUpstream, type TryResult } from './upstream-try.js';
import type { WaypointTarget } from './target.js';

/** What the waypoint knows about the client connection a request arrived on. */
export interface ConnectionContext {
  target: WaypointTarget;
  /** The client's verified identity (from its HBONE certificate), as a SPIFFE URI and as Istio's principal. */
  peer: Identity;
  peerUri: string;
  peerPrincipal: string;
  /** The original client address (the HBONE `forwarded` header, else the tunnel's peer). */
  client: Address;
  source?: Workload;
}

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

interface Outcome {
  status: number;
  flags: string;
  route?: string;
  upstream?: string;
  destination?: Workload;
  service?: { hostname: string; name: string; namespace: string };
  grpcStatus?: string;
  /** Tries sent upstream (retries + 1), as Envoy's UPSTREAM_REQUEST_ATTEMPT_COUNT. */
  attempts?: number;
  error?: string;
}

/** Envoy's local reply bodies users recognise. */
const UPSTREAM_FAILURE_BODY = 'upstream connect error or disconnect/reset before headers. reset reason: connection failure';

export class HttpProxy {
  constructor(private readonly deps: ProxyDeps) {}

  handle(req: Request, res: Response, ctx: ConnectionContext): void {
    const started = performance.now();
    const bytes: ByteCounts = { request: 0, response: 0 };
    const grpc = (req.headers['content-type'] ?? '').startsWith('application/grpc');
    void this.run(req, res, ctx, bytes).catch((err: unknown): Outcome => {
      this.deps.log.error({ err }, 'waypoint request failed unexpectedly');
      if (!res.headersSent) respond(res, 500, {}, '', bytes);
      else res.destroy();
      return { status: 500, flags: '-', error: err instanceof Error ? err.message : String(err) };
    }).then((o) => {
      const finish = (): void => {
        const durationMs = performance.now() - started;
        this.deps.requestMetrics.record({
          source: ctx.source, sourcePrincipal: ctx.peerUri, destination: o.destination, service: o.service, grpc,
          status: o.status, grpcStatus: o.grpcStatus, flags: o.flags, durationMs, requestBytes: bytes.request, responseBytes: bytes.response,
        });
        this.deps.accessLog.info({
          method: req.method, path: req.url, protocol: `HTTP/${req.httpVersion}`, response_code: o.status, response_flags: o.flags,
          route_name: o.route, upstream_host: o.upstream, duration: Math.round(durationMs * 1000) / 1000,
          request_id: header(req, 'x-request-id'), authority: authorityOf(req), user_agent: header(req, 'user-agent'),
          bytes_received: bytes.request, bytes_sent: bytes.response, 'src.addr': `${ctx.client.ip}:${ctx.client.port}`, 'src.identity': ctx.peerUri,
          'dst.service': o.service?.hostname, ...(o.attempts !== undefined ? { upstream_request_attempt_count: o.attempts } : {}), ...(o.error ? { error: o.error } : {}),
        }, 'request');
      };
      if (res.writableFinished || res.destroyed) finish();
      else res.once('close', finish);
    });
  }

  private async run(req: Request, res: Response, ctx: ConnectionContext, bytes: ByteCounts): Promise<Outcome> {
    const { target } = ctx;
    const port = target.authority.port;
    const headers = headerMap(req.headers);
    const l7: L7Request = {
      method: req.method ?? 'GET', path: req.url ?? '/', authority: authorityOf(req), scheme: 'http', headers, port,
      source: { ip: ctx.client.ip, namespace: ctx.peer.namespace, principal: ctx.peerPrincipal },
    };
    const table = target.kind === 'service' ? this.deps.routes.routes(serviceKey(target.service)) : undefined;
    const fallback = target.kind === 'service'
      ? defaultDestination(target.service.hostname, port)
      : defaultDestination('', port);
    const plan = planRequest(table, fallback, l7, this.deps.random);
    if (plan.kind === 'respond') {
      respond(res, plan.status, plan.headers, plan.body, bytes);
      return { status: plan.status, flags: plan.flags, route: plan.route };
    }

    let destination: ResolvedDestination | undefined;
    let endpoint: UpstreamEndpoint;
    if (target.kind === 'workload') {
      endpoint = { workload: target.workload, ip: target.authority.ip, port };
    } else {
      const resolved = resolveDestination(this.deps, plan.destination, port);
      if ('flag' in resolved) {
        respond(res, resolved.status, { 'content-type': 'text/plain' }, resolved.flag === 'UH' ? 'no healthy upstream' : '', bytes);
        return { status: resolved.status, flags: resolved.flag, route: plan.route, error: resolved.reason };
      }
      destination = resolved;
      endpoint = resolved.endpoint;
    }
    const base = { route: plan.route, upstream: `${endpoint.ip}:${endpoint.port}`, destination: endpoint.workload, service: destination?.service };

    const upstreamHeaders = withoutHopByHop(headers);
    let authority = plan.authority;
    for (const ops of plan.requestHeaders) authority = applyHeaderOps(upstreamHeaders, ops).authority ?? authority;
    upstreamHeaders.set('host', authority);
    addForwardingHeaders(upstreamHeaders, { clientIp: ctx.client.ip, scheme: 'http' });

    // Fault stage (rule 76): a delay, then perhaps an answer without forwarding (never retried).
    const { fault } = plan;
    const faultFlags: string[] = [];
    if (fault.delayMs !== undefined) {
      faultFlags.push('DI');
      await sleep(fault.delayMs);
      if (res.destroyed) return { ...base, status: 0, flags: 'DI,DC', error: 'client disconnected during the injected delay' };
    }
    const h2 = req.httpVersion === '2.0';
    if (fault.abort) {
      faultFlags.push('FI');
      if (fault.abort.grpcStatus !== undefined) {
        respondGrpc(res, fault.abort.grpcStatus, 'fault filter abort', h2);
        return { ...base, status: 200, grpcStatus: String(fault.abort.grpcStatus), flags: faultFlags.join(',') };
      }
      const status = fault.abort.httpStatus ?? 503;
      respond(res, status, { 'content-type': 'text/plain' }, 'fault filter abort', bytes);
      return { ...base, status, flags: faultFlags.join(',') };
    }
    const withFault = (flags: string): string => [...faultFlags, ...(flags === '-' ? [] : [flags])].join(',') || '-';

    const body = hasBody(req) ? new ReplayableBody(req) : undefined;
    // Mirrors (rule 77): copies sent on the side, before the primary request.
    for (const mirror of plan.mirrors) {
      sendMirror(this.deps, mirror, { protocol: h2 ? 'http2' : 'http1', method: l7.method, path: plan.path, headers: upstreamHeaders, body, port, timeoutMs: plan.timeoutMs });
    }

    // Retry stage (rules 73–75), within the destination's circuit breaker (rule 86) and
    // feeding its outlier detection (rule 87).
    const policy = plan.retries;
    const { picker, clusters } = this.deps;
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
      respond(res, 504, { 'content-type': 'text/plain' }, 'upstream request timeout', bytes);
      return { ...at, status: 504, flags: withFault('UT'), error };
    };
    try {
      for (let tries = 1; ; tries++) {
        if (tries > 1 && target.kind === 'service') {
          const other = resolveDestination(this.deps, plan.destination, port, tried);
          if (!('flag' in other)) {
            destination = other;
            endpoint = other.endpoint;
          }
        }
        const at: Outcome = { ...base, status: 0, flags: '-', upstream: `${endpoint.ip}:${endpoint.port}`, destination: endpoint.workload, service: destination?.service, attempts: tries };
        tried.add(endpoint.workload.uid);
        upstreamHeaders.set('x-envoy-attempt-count', String(tries));

        // Circuit breaker: run now, wait for a slot, or overflow (503 UO).
        const admitted = await admit(breaker, limits, http1, () => clientGone || routeTimedOut, res);
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
          result = await tryUpstream(this.deps.upstreams, {
            endpoint, protocol: h2 ? 'http2' : 'http1', method: l7.method, path: plan.path, headers: upstreamHeaders, body: body?.open(),
            responseHeaders: plan.responseHeaders, perTryTimeoutMs: policy.perTryTimeoutMs, retryable: claimRetry,
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
        if (outlier && destination) this.observe(destination, result, outlier);

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
        this.deps.log.debug({ route: plan.route, upstream: at.upstream, tries, outcome: result.outcome, error: result.error }, 'retrying');
        await sleep(retryBackoffMs(tries, this.deps.random));
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
  private observe(destination: ResolvedDestination, result: TryResult, settings: L7OutlierDetection): void {
    const observed: Observed | undefined = result.committed
      ? (result.failed === 'aborted' ? undefined : result.failed === 'reset' ? { failure: 'reset' } : result.failed === 'per-try-timeout' ? { failure: 'timeout' } : { status: result.status })
      : result.aborted ? undefined
        : result.outcome.kind === 'response' ? { status: result.outcome.status }
          : result.outcome.kind === 'connect-failure' ? { failure: 'connect-failure' }
            : result.outcome.kind === 'per-try-timeout' ? { failure: 'timeout' } : { failure: 'reset' };
    if (!observed) return;
    const { clusters } = this.deps;
    const host = destination.endpoint.workload.uid;
    if (clusters.outlier(destination.cluster).record(host, observed, settings, destination.endpointCount, clusters.now())) {
      clusters.ejections.inc({ cluster: destination.cluster });
      this.deps.log.info({ cluster: destination.cluster, endpoint: `${destination.endpoint.ip}:${destination.endpoint.port}`, workload: destination.endpoint.workload.name }, 'outlier detection ejected an endpoint');
    }
  }
}

/** Envoy's local reply when a connection pool limit refuses a request. */
const OVERFLOW_BODY = 'upstream connect error or disconnect/reset before headers. reset reason: overflow';

/**
 * Waits for the circuit breaker: 'run' at once or when a slot frees up, 'overflow', or
 * 'gone' when the client went away (or the route timed out) while waiting.
 */
async function admit(breaker: CircuitBreaker, limits: L7ConnectionPool | undefined, http1: boolean, gone: () => boolean, res: Response): Promise<'run' | 'overflow' | 'gone'> {
  let grant: () => void = () => undefined;
  const granted = new Promise<void>((resolve) => { grant = resolve; });
  const admission = breaker.admit(limits, http1, grant);
  if (admission !== 'wait') return admission;
  const left = new Promise<void>((resolve) => {
    res.once('close', () => resolve());
    const poll = setInterval(() => { if (gone()) resolve(); }, ADMIT_POLL_MS);
    void granted.then(() => clearInterval(poll));
    res.once('close', () => clearInterval(poll));
  });
  await Promise.race([granted, left]);
  if (gone() || res.destroyed) {
    // Withdrawn while waiting; if the slot was granted in the same turn, hand it back.
    if (!breaker.withdraw(grant)) breaker.release(limits, http1);
    return 'gone';
  }
  return 'run';
}

/** How often a request waiting for a connection checks for its route timeout. */
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

interface ByteCounts {
  /** Request body bytes forwarded, response body bytes sent. */
  request: number;
  response: number;
}

function respond(res: Response, status: number, headers: Readonly<Record<string, string>>, body: string, bytes: ByteCounts): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  bytes.response += Buffer.byteLength(body);
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(Buffer.from(body));
}

/** A gRPC answer without a body (trailers-only): HTTP 200 with grpc-status; over HTTP/1.1 in the headers. */
function respondGrpc(res: Response, code: number, message: string, h2: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = { 'grpc-status': String(code), 'grpc-message': encodeURIComponent(message) };
  if (h2) {
    res.writeHead(200, { 'content-type': 'application/grpc' });
    res.addTrailers(status);
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/grpc', 'content-length': '0', ...status });
  res.end();
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function authorityOf(req: Request): string {
  return header(req, ':authority') ?? header(req, 'host') ?? '';
}

/** Whether the request carries a body to forward. */
function hasBody(req: Request): boolean {
  if (req.httpVersion === '2.0') return !(req as Http2ServerRequest).stream.endAfterHeaders;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
