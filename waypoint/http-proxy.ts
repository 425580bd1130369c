// One HTTP request through the waypoint (HTTP/1.1 or h2c from the client): the route
// stage decides (request-plan.ts), the destination resolver picks an endpoint, then the
// request goes upstream through undici (HTTP/1.1, or h2c when the client spoke HTTP/2)
// over an HBONE stream, and the response streams back with its trailers (gRPC).
// Every request ends in one metric sample and one access-log line.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { Transform, type Readable } from 'node:stream';
import type { Identity } from '../api/identity.js';
import type { Workload } from '../api/model.js';
import { serviceKey } from '../api/model.js';
import type { Address } from '../daemon/network/network.js';
import type { ProxyDeps } from './connection-handler.js';
import { resolveDestination } from './destination-resolver.js';
import type { L7HeaderOps } from '../api/l7-model.js';
import { applyHeaderOps, headerMap, type L7Request } from './engine/index.js';
import { addForwardingHeaders, relayedHeaders, withoutHopByHop } from './forwarding.js';
import { defaultDestination, planRequest } from './request-plan.js';
import type { IncomingHeaders } from './upstream.js';
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
          'dst.service': o.service?.hostname, ...(o.error ? { error: o.error } : {}),
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

    let endpoint;
    let service: Outcome['service'];
    if (target.kind === 'workload') {
      endpoint = { workload: target.workload, ip: target.authority.ip, port };
    } else {
      const resolved = resolveDestination(this.deps.state, this.deps.routes, this.deps.picker, plan.destination, port);
      if ('flag' in resolved) {
        respond(res, resolved.status, { 'content-type': 'text/plain' }, resolved.flag === 'UH' ? 'no healthy upstream' : '', bytes);
        return { status: resolved.status, flags: resolved.flag, route: plan.route, error: resolved.reason };
      }
      endpoint = resolved.endpoint;
      service = resolved.service;
    }
    const upstreamName = `${endpoint.ip}:${endpoint.port}`;
    const base = { route: plan.route, upstream: upstreamName, destination: endpoint.workload, service };

    const upstreamHeaders = withoutHopByHop(headers);
    let authority = plan.authority;
    for (const ops of plan.requestHeaders) authority = applyHeaderOps(upstreamHeaders, ops).authority ?? authority;
    upstreamHeaders.set('host', authority);
    addForwardingHeaders(upstreamHeaders, { clientIp: ctx.client.ip, scheme: 'http' });

    const h2 = req.httpVersion === '2.0';
    const picker = this.deps.picker;
    picker.started(endpoint.workload);
    return new Promise<Outcome>((resolve) => {
      let timedOut = false;
      let clientGone = false;
      let settled = false;
      let status = 0;
      let grpcStatus: string | undefined;
      let trailersOnly: Record<string, string> | undefined;
      let timer: NodeJS.Timeout | undefined;
      const onClose = (): void => {
        if (res.writableFinished) return;
        clientGone = true;
        exchange.abort(new Error('client disconnected'));
      };
      const settle = (o: Outcome): void => {
        settled = true;
        clearTimeout(timer);
        res.off('close', onClose);
        picker.finished(endpoint.workload);
        resolve(o);
      };
      const exchange = this.deps.upstreams.request(endpoint, h2 ? 'http2' : 'http1', {
        method: l7.method, path: plan.path, headers: upstreamHeaders, body: hasBody(req) ? countingBody(req, bytes) : undefined,
      }, {
        head: (statusCode, raw) => {
          res.writeHead(statusCode, responseHeaders(raw, plan.responseHeaders, h2));
          status = statusCode;
          grpcStatus = firstValue(raw['grpc-status']);
          trailersOnly = h2 && grpcStatus !== undefined ? grpcStatusTrailers(raw) : undefined;
        },
        data: (chunk) => {
          bytes.response += chunk.length;
          if ((res as NodeJS.WritableStream).write(chunk)) return true;
          res.once('drain', () => exchange.resume());
          return false;
        },
        end: (trailers) => {
          if (Object.keys(trailers).length > 0) res.addTrailers(trailers);
          else if (trailersOnly) res.addTrailers(trailersOnly);
          res.end();
          const code = trailers['grpc-status'] ?? grpcStatus;
          settle({ ...base, status, flags: '-', ...(code !== undefined ? { grpcStatus: code } : {}) });
        },
        error: (err) => {
          const message = err.message;
          if (status !== 0) {
            // The upstream reset mid-body: the client sees its stream reset too.
            res.destroy();
            settle({ ...base, status, flags: timedOut ? 'UT' : clientGone ? 'DC' : 'UR', error: message });
          } else if (timedOut) {
            respond(res, 504, { 'content-type': 'text/plain' }, 'upstream request timeout', bytes);
            settle({ ...base, status: 504, flags: 'UT', error: message });
          } else if (clientGone) {
            settle({ ...base, status: 0, flags: 'DC', error: 'client disconnected' });
          } else {
            respond(res, 503, { 'content-type': 'text/plain' }, UPSTREAM_FAILURE_BODY, bytes);
            settle({ ...base, status: 503, flags: 'UF', error: message });
          }
        },
      });
      if (settled) return;
      if (res.destroyed) onClose();
      else res.once('close', onClose);
      if (plan.timeoutMs !== undefined && plan.timeoutMs > 0) {
        timer = setTimeout(() => { timedOut = true; exchange.abort(new Error('upstream request timeout')); }, plan.timeoutMs);
      }
    });
  }
}

interface ByteCounts {
  /** Request body bytes forwarded, response body bytes sent. */
  request: number;
  response: number;
}

/** The request body as undici reads it, counted on the way. */
function countingBody(req: Request, bytes: ByteCounts): Readable {
  return (req as Readable).pipe(new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes.request += chunk.length;
      cb(null, chunk);
    },
  }));
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

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

const GRPC_STATUS_HEADERS: ReadonlySet<string> = new Set(['grpc-status', 'grpc-message', 'grpc-status-details-bin']);
const NO_HEADERS: ReadonlySet<string> = new Set();

/**
 * The response headers sent to the client: hop-by-hop ones dropped, the route's header
 * operations applied, repeated `set-cookie` kept as separate fields (joining them would
 * break cookies). Over HTTP/2 the gRPC status of a "trailers-only" answer (status in the
 * headers, no body) is moved to the trailers: the client's stream cannot end with the
 * header frame here.
 */
function responseHeaders(raw: IncomingHeaders, ops: readonly L7HeaderOps[], h2: boolean): Record<string, string | string[]> {
  if (ops.length === 0) return relayedHeaders(raw, h2 ? GRPC_STATUS_HEADERS : NO_HEADERS);
  const cookies = raw['set-cookie'];
  const touchesCookies = ops.some((o) => mentions(o, 'set-cookie'));
  const headers = withoutHopByHop(headerMap(touchesCookies ? raw : { ...raw, 'set-cookie': undefined }));
  if (h2) for (const name of GRPC_STATUS_HEADERS) headers.delete(name);
  for (const o of ops) applyHeaderOps(headers, o);
  const out: Record<string, string | string[]> = Object.fromEntries(headers);
  if (!touchesCookies && cookies !== undefined) out['set-cookie'] = cookies;
  return out;
}

function mentions(ops: L7HeaderOps, name: string): boolean {
  const has = (names: Iterable<string>): boolean => [...names].some((n) => n.toLowerCase() === name);
  return has(ops.remove ?? []) || has(Object.keys(ops.set ?? {})) || has(Object.keys(ops.add ?? {}));
}

/** The gRPC status fields of a trailers-only response's headers, as trailers. */
function grpcStatusTrailers(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of GRPC_STATUS_HEADERS) {
    const v = firstValue(headers[name]);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function firstValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
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
