// One HBONE CONNECT stream into the waypoint: resolve what it is for, accept it, pick
// the protocol (declared by the Service port, else detected from the first bytes) and
// hand it to the HTTP proxy (HTTP/1.1 or h2c, a request at a time) or the TCP proxy.
import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { Duplex } from 'node:stream';
import { principalOf, spiffeUri } from '../api/identity.js';
import type { Logger } from '../api/log.js';
import type { HboneInboundRequest } from '../daemon/hbone/index.js';
import type { ConnectionTracker } from '../daemon/proxy/connection-tracker.js';
import type { ProxyState } from '../daemon/state/proxy-state.js';
import type { DaemonMetrics } from '../daemon/telemetry/daemon-metrics.js';
import { writeBuffersOnly } from './buffer-writes.js';
import { EndpointPicker } from './engine/index.js';
import { HttpProxy, type ConnectionContext } from './http-proxy.js';
import { declaredProtocol, type L7Protocol } from './protocol.js';
import type { RequestMetrics } from './request-metrics.js';
import type { RouteCache } from './route-cache.js';
import { sniffProtocol } from './sniff.js';
import { resolveTarget, type WaypointSelf } from './target.js';
import { TcpProxy } from './tcp-proxy.js';
import type { Upstreams } from './upstream.js';
import type { ClusterStates } from './cluster-states.js';

/** Limits on what one client may send (Envoy's defaults where it has them). */
export const HTTP_LIMITS = Object.freeze({
  /** Request headers (Envoy: 60 KiB). */
  maxHeaderBytes: 60 * 1024,
  /** How long a port declared HTTP waits for the first bytes (to tell HTTP/1.1 from h2c). */
  headersTimeoutMs: 60_000,
  /** An idle client connection closes after this long (Envoy's stream idle timeout: 5 min). */
  idleTimeoutMs: 300_000,
  /** How long an undeclared port waits for the first bytes before it is treated as TCP. */
  detectTimeoutMs: 1_000,
});

export interface ConnectionHandlerDeps {
  self: WaypointSelf;
  state: ProxyState;
  routes: RouteCache;
  upstreams: Upstreams;
  metrics: DaemonMetrics;
  requestMetrics: RequestMetrics;
  accessLog: Logger;
  log: Logger;
  tracker: ConnectionTracker;
  /** Circuit breakers and outlier detectors per destination. */
  clusters: ClusterStates;
}

/** What the HTTP and TCP proxies share: one endpoint picker (in-flight counts for least request) and one random source. */
export interface ProxyDeps extends ConnectionHandlerDeps {
  picker: EndpointPicker;
  /** Weighted picks and load balancing need uniformity, not secrecy. */
  random: () => number;
}

export class ConnectionHandler {
  private readonly http: HttpProxy;
  private readonly tcp: TcpProxy;

  constructor(private readonly deps: ConnectionHandlerDeps) {
    const shared: ProxyDeps = { ...deps, picker: new EndpointPicker(Math.random), random: Math.random };
    this.http = new HttpProxy(shared);
    this.tcp = new TcpProxy(shared);
  }

  onStream(req: HboneInboundRequest): void {
    void this.handle(req).catch((err: unknown) => {
      this.deps.log.error({ err }, 'waypoint stream failed unexpectedly');
      if (!req.answered) req.reject(503, 'internal error');
    });
  }

  private async handle(req: HboneInboundRequest): Promise<void> {
    const target = resolveTarget(this.deps.state, this.deps.self, req.authority);
    if ('reason' in target) {
      this.deps.accessLog.info({ 'src.identity': req.peerIdentity, 'dst.addr': `${req.authority.ip}:${req.authority.port}`, error: target.reason }, 'waypoint refused a connection');
      req.reject(400, target.reason);
      return;
    }
    const client = req.forwardedFor ? { ip: req.forwardedFor.ip, port: req.forwardedFor.port ?? 0 } : { ip: req.remoteAddress, port: req.remotePort };
    const ctx: ConnectionContext = {
      target, peer: req.peerIdentity, peerUri: spiffeUri(req.peerIdentity), peerPrincipal: principalOf(req.peerIdentity),
      client, source: this.deps.state.workloadByIp(client.ip),
    };
    const stream = req.accept();
    const declared = target.kind === 'service' ? declaredProtocol(target.port) : 'detect';
    let protocol: L7Protocol;
    if (declared === 'tcp' || declared === 'http1' || declared === 'http2') protocol = declared;
    else if (declared === 'http') {
      // Declared HTTP: the preface tells h2c from HTTP/1.1; anything else is bad HTTP/1.1 (400).
      protocol = (await sniffProtocol(stream, HTTP_LIMITS.headersTimeoutMs)) === 'http2' ? 'http2' : 'http1';
    } else protocol = await sniffProtocol(stream, HTTP_LIMITS.detectTimeoutMs);
    if (stream.destroyed) return;
    if (protocol === 'tcp') {
      this.tcp.handle(stream, ctx);
      return;
    }
    this.serveHttp(stream, protocol, ctx);
  }

  /** Serves HTTP on the stream with a server object of its own (the context is per connection). */
  private serveHttp(stream: Duplex, protocol: 'http1' | 'http2', ctx: ConnectionContext): void {
    stream.on('error', () => { /* the client went away; the server object closes its requests */ });
    // The server objects never listen, so Node's own header timer does not run: the
    // stream's idle timer bounds a client that stops sending.
    const timed = stream as Duplex & { setTimeout?: (ms: number, cb: () => void) => void };
    timed.setTimeout?.(HTTP_LIMITS.idleTimeoutMs, () => stream.destroy());
    if (protocol === 'http1') {
      const server = createHttp1Server({ maxHeaderSize: HTTP_LIMITS.maxHeaderBytes },
        (req: IncomingMessage, res: ServerResponse) => this.http.handle(req, res, ctx));
      server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
        // Malformed HTTP: answer for this connection only (431 for oversized headers, else 400), as Envoy does.
        const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
        if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
        else socket.destroy();
      });
      server.emit('connection', writeBuffersOnly(stream));
      stream.resume(); // sniffing paused it; the server reads with 'data' listeners
      return;
    }
    const server = createHttp2Server({ maxSessionMemory: 16 }, (req: Http2ServerRequest, res: Http2ServerResponse) => this.http.handle(req, res, ctx));
    server.on('sessionError', () => stream.destroy());
    server.emit('connection', stream);
    stream.resume();
  }
}
