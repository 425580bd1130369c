// One HTTP request through the waypoint (HTTP/1.1 or h2c from the client), in stages:
// route (request-plan.ts: the route, its fault decision, retry policy and mirrors) →
// fault (a delay, or an answer without forwarding) → mirrors (copies sent on the side,
// mirror.ts) → retry (forward-stage.ts: tries through the circuit breaker, each one an
// endpoint from the destination resolver and the request through undici, or h2c when
// the client spoke HTTP/2, over an HBONE stream) → the response streams back with its
// trailers (gRPC). Every request ends in one metric sample and one access-log line.
import type { Http2ServerRequest } from 'node:http2';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Identity } from '../api/identity.js';
import type { Workload } from '../api/model.js';
import { serviceKey } from '../api/model.js';
import type { Address } from '../daemon/network/network.js';
import type { ProxyDeps } from './connection-handler.js';
import { resolveDestination, type ResolvedDestination } from './destination-resolver.js';
import { applyHeaderOps, headerMap, type HashInput, type L7Request } from './engine/index.js';
import { forwardWithRetries } from './forward-stage.js';
import { addForwardingHeaders, withoutHopByHop } from './forwarding.js';
import { respond, respondGrpc, type ByteCounts, type Outcome, type Request, type Response } from './local-reply.js';
import { sendMirror } from './mirror.js';
import { ReplayableBody } from './replayable-body.js';
import { defaultDestination, planRequest } from './request-plan.js';
import type { WaypointTarget } from './target.js';
import type { UpstreamEndpoint } from './upstream.js';

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

    const hashInput: HashInput = { headers, sourceIp: ctx.client.ip, path: l7.path };
    let destination: ResolvedDestination | undefined;
    let endpoint: UpstreamEndpoint;
    if (target.kind === 'workload') {
      endpoint = { workload: target.workload, ip: target.authority.ip, port };
    } else {
      const resolved = resolveDestination(this.deps, plan.destination, port, undefined, hashInput);
      if ('flag' in resolved) {
        respond(res, resolved.status, { 'content-type': 'text/plain' }, resolved.flag === 'UH' ? 'no healthy upstream' : '', bytes);
        return { status: resolved.status, flags: resolved.flag, route: plan.route, error: resolved.reason };
      }
      destination = resolved;
      endpoint = resolved.endpoint;
    }
    const base: Outcome = { status: 0, flags: '-', route: plan.route, upstream: `${endpoint.ip}:${endpoint.port}`, destination: endpoint.workload, service: destination?.service };

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
    // Mirrors (rule 77): copies sent on the side, before the primary request (with the
    // headers as they are now: the tries below add their attempt count).
    for (const mirror of plan.mirrors) {
      sendMirror(this.deps, mirror, { protocol: h2 ? 'http2' : 'http1', method: l7.method, path: plan.path, headers: new Map(upstreamHeaders), body, port, timeoutMs: plan.timeoutMs });
    }

    return forwardWithRetries(this.deps, {
      res, bytes, plan, target, method: l7.method, headers, upstreamHeaders, port, h2, endpoint, base, body, withFault, hashInput,
      ...(destination ? { destination } : {}),
    });
  }
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
