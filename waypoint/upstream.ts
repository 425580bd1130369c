// The waypoint's upstream side. Every upstream connection is an HBONE stream to the
// endpoint's node with the waypoint's own identity (or plain TCP to a workload outside
// the mesh), multiplexed by the HBONE pool over shared tunnels. On top of it:
//  - HTTP/1.1: one undici pool per endpoint (its connector opens such a stream), which
//    keeps and reuses connections;
//  - HTTP/2 (h2c, e.g. gRPC): one node:http2 session per endpoint. undici 7's HTTP/2
//    client drops response trailers (its request API expects them as a raw list, HTTP/2
//    gives an object), and gRPC's status travels in the trailers.
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { connect as netConnect } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import type { Identity } from '../api/identity.js';
import type { L7ConnectionPool } from '../api/l7-model.js';
import { PORTS, type Workload } from '../api/model.js';
import type { HbonePool } from '../daemon/hbone/index.js';
import type { ConnectSocket } from '../daemon/hbone/dial.js';
import type { WorkloadCertificate } from '../daemon/identity/workload-certificate.js';
import { identityOf } from '../daemon/proxy/outbound-plan.js';
import { writeBuffersOnly } from './buffer-writes.js';

export type UpstreamProtocol = 'http1' | 'http2';

export interface UpstreamEndpoint {
  workload: Workload;
  /** Pod IP and target port. */
  ip: string;
  port: number;
}

export interface UpstreamRequest {
  method: string;
  path: string;
  /** Lowercase names; `host` becomes `:authority` over HTTP/2. */
  headers: ReadonlyMap<string, string>;
  body?: Readable;
  /** The destination's connection pool settings: requests per connection, idle and connect timeouts (HTTP/1.1 pools). */
  pool?: L7ConnectionPool;
}

/** Where an upstream response goes, as it arrives (no intermediate stream). */
export interface ResponseSink {
  /** The response head (1xx answers are not passed on). */
  head(statusCode: number, headers: IncomingHeaders): void;
  /** A body chunk; false asks the upstream to pause until the exchange's resume(). */
  data(chunk: Buffer): boolean;
  /** The body ended; trailers with lowercase names (empty when there were none). */
  end(trailers: Record<string, string>): void;
  /** The exchange failed (connection, reset, or abort()); nothing else is called after it. */
  error(err: Error): void;
}

export type IncomingHeaders = Record<string, string | string[] | undefined>;

/** A failure that happened before the upstream saw the request: the connection could not be opened, or the stream was refused. */
export class UpstreamFailure extends Error {
  constructor(readonly failure: 'connect-failure' | 'refused-stream', message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UpstreamFailure';
  }
}

/** One request in flight. */
export interface UpstreamExchange {
  /** Cancels the request (its sink's error() is called unless it already ended). */
  abort(reason: Error): void;
  /** Resumes a body paused by data() returning false. */
  resume(): void;
}

export interface UpstreamOptions {
  pool: HbonePool;
  /** The waypoint's identity and a way to get its current certificate. */
  identity: Identity;
  certificate: () => Promise<WorkloadCertificate>;
  /** Idle upstream HTTP/1.1 connections close after this long (Envoy's default: 1 h). */
  keepAliveTimeoutMs?: number;
  /** Bound on opening one upstream connection (Envoy's default connect timeout: 10 s). */
  connectTimeoutMs?: number;
  /** Opens plain TCP connections (default: net.connect). */
  connect?: ConnectSocket;
}

const DEFAULT_KEEP_ALIVE_MS = 60 * 60 * 1000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

type ConnectCallback = (err: Error | null, socket: Duplex | null) => void;

export class Upstreams {
  private readonly pools = new Map<string, Pool>();
  private readonly sessions = new Map<string, Promise<ClientHttp2Session>>();
  private closed = false;

  constructor(private readonly opts: UpstreamOptions) {}

  /** Sends one request to the endpoint; the response goes to `sink` as it arrives. */
  request(ep: UpstreamEndpoint, protocol: UpstreamProtocol, req: UpstreamRequest, sink: ResponseSink): UpstreamExchange {
    if (this.closed) {
      sink.error(new Error('the upstream pools are closed'));
      return { abort: () => undefined, resume: () => undefined };
    }
    return protocol === 'http2' ? this.requestH2(ep, req, sink) : this.requestH1(ep, req, sink);
  }

  /** Opens one tunnelled (or plain) connection to the endpoint; a failure is an UpstreamFailure (connect-failure). */
  openStream(ep: UpstreamEndpoint, signal?: AbortSignal): Promise<Duplex> {
    return this.connectTo(ep, signal).catch((err: unknown) => {
      throw new UpstreamFailure('connect-failure', err instanceof Error ? err.message : String(err), { cause: err });
    });
  }

  private connectTo(ep: UpstreamEndpoint, signal?: AbortSignal): Promise<Duplex> {
    if (ep.workload.tunnelProtocol !== 'HBONE') {
      if (this.opts.connect) return this.opts.connect({ ip: ep.ip, port: ep.port });
      return new Promise((resolve, reject) => {
        const socket = netConnect({ host: ep.ip, port: ep.port, signal });
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
    }
    const dstIdentity = identityOf(ep.workload);
    return this.opts.certificate().then((cert) => this.opts.pool.connect({
      srcIdentity: this.opts.identity, secureContext: cert.secureContext, dstIdentity,
      dstAddress: { ip: ep.ip, port: PORTS.hbone }, authority: { ip: ep.ip, port: ep.port }, signal,
    }));
  }

  /** Endpoints with an open pool or session (for the config dump). */
  list(): string[] {
    return [...this.pools.keys(), ...this.sessions.keys()];
  }

  /** Closes every pool and session (their connections end). */
  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    const sessions = [...this.sessions.values()];
    this.pools.clear();
    this.sessions.clear();
    await Promise.all([
      // Idle keep-alive connections close cleanly; requests still running get a bounded wait.
      ...pools.map((p) => closeWithin(p, POOL_CLOSE_GRACE_MS)),
      ...sessions.map((s) => s.then((session) => session.destroy(), () => undefined)),
    ]);
  }

  private requestH1(ep: UpstreamEndpoint, req: UpstreamRequest, sink: ResponseSink): UpstreamExchange {
    // One pool per endpoint and pool settings: a DestinationRule change gets a new pool,
    // and the old one's idle connections close on their own.
    const settings = req.pool;
    const perConnection = settings?.maxRequestsPerConnection ?? 0;
    const idleMs = settings?.idleTimeoutMs ?? this.opts.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_MS;
    const connectMs = settings?.connectTimeoutMs ?? this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const key = `${endpointKey(ep)}|${perConnection}|${idleMs}|${connectMs}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(`http://${ep.ip}:${ep.port}`, {
        connect: (_o, cb) => this.openForPool(ep, connectMs, cb as ConnectCallback),
        keepAliveTimeout: idleMs,
        keepAliveMaxTimeout: idleMs,
        ...(perConnection > 0 ? { maxRequestsPerClient: perConnection } : {}),
        // Envoy has no response-header or body timeout unless a route sets one.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.pools.set(key, pool);
    }
    const exchange = new H1Exchange(sink);
    pool.dispatch({ method: req.method, path: req.path, headers: req.headers, body: req.body ?? null }, exchange);
    return exchange;
  }

  private requestH2(ep: UpstreamEndpoint, req: UpstreamRequest, sink: ResponseSink): UpstreamExchange {
    let stream: ClientHttp2Stream | undefined;
    let cancelled: Error | undefined;
    let done = false;
    const fail = (err: Error): void => {
      if (done) return;
      done = true;
      sink.error(err);
    };
    this.session(ep).then((session) => {
      if (cancelled) return fail(cancelled);
      const headers: Record<string, string> = { ':method': req.method, ':path': req.path, ':authority': req.headers.get('host') ?? `${ep.ip}:${ep.port}` };
      for (const [name, value] of req.headers) if (name !== 'host') headers[name] = value;
      const s = session.request(headers);
      stream = s;
      if (req.body) req.body.pipe(s);
      else s.end();
      let trailers: Record<string, string> = {};
      s.once('response', (head: IncomingHttpHeaders) => {
        const { ':status': status, ...rest } = head;
        sink.head(Number(status), rest);
        s.on('data', (chunk: Buffer) => { if (!sink.data(chunk)) s.pause(); });
      });
      s.once('trailers', (t: IncomingHttpHeaders) => { trailers = flatten(t); });
      s.once('end', () => {
        if (done) return;
        done = true;
        sink.end(trailers);
      });
      s.once('error', fail);
      s.once('close', () => fail(cancelled ?? (s.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM
        ? new UpstreamFailure('refused-stream', 'the upstream refused the HTTP/2 stream')
        : new Error(`HTTP/2 stream closed before the response ended (code ${s.rstCode ?? 0})`))));
    }, (err: unknown) => fail(err instanceof Error ? err : new Error(String(err))));
    return {
      abort: (reason) => {
        cancelled ??= reason;
        if (stream && !stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
      },
      resume: () => stream?.resume(),
    };
  }

  private session(ep: UpstreamEndpoint): Promise<ClientHttp2Session> {
    const key = endpointKey(ep);
    const existing = this.sessions.get(key);
    if (existing) return existing;
    const opening = this.openStream(ep, AbortSignal.timeout(this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS)).then((socket) => {
      const session = http2.connect(`http://${ep.ip}:${ep.port}`, { createConnection: () => socket });
      const forget = (): void => {
        if (this.sessions.get(key) === opening) this.sessions.delete(key);
      };
      session.once('close', forget);
      session.once('goaway', forget);
      session.on('error', forget);
      return session;
    });
    opening.catch(() => {
      if (this.sessions.get(key) === opening) this.sessions.delete(key);
    });
    this.sessions.set(key, opening);
    return opening;
  }

  private openForPool(ep: UpstreamEndpoint, connectMs: number, cb: ConnectCallback): void {
    const signal = AbortSignal.timeout(connectMs);
    this.openStream(ep, signal).then((stream) => cb(null, writeBuffersOnly(stream)), (err: unknown) => cb(err instanceof Error ? err : new Error(String(err)), null));
  }
}

const POOL_CLOSE_GRACE_MS = 2_000;

async function closeWithin(pool: Pool, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), ms); });
  const outcome = await Promise.race([pool.close().then(() => 'closed' as const, () => 'late' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') await pool.destroy().catch(() => undefined);
}

function endpointKey(ep: UpstreamEndpoint): string {
  return `${ep.ip}:${ep.port}|${ep.workload.uid}`;
}

function flatten(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** An HTTP/1.1 request dispatched on an undici pool, relaying undici's callbacks to the sink. */
class H1Exchange implements Dispatcher.DispatchHandler, UpstreamExchange {
  private controller: Dispatcher.DispatchController | undefined;
  private cancelled: Error | undefined;
  private done = false;

  constructor(private readonly sink: ResponseSink) {}

  abort(reason: Error): void {
    if (this.done) return;
    this.cancelled ??= reason;
    this.controller?.abort(reason);
  }

  resume(): void {
    this.controller?.resume();
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.cancelled) controller.abort(this.cancelled);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHeaders): void {
    if (statusCode >= 200) this.sink.head(statusCode, headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.sink.data(chunk)) controller.pause();
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, trailers: IncomingHeaders): void {
    this.done = true;
    this.sink.end(flatten(trailers));
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.done) return;
    this.done = true;
    this.sink.error(this.cancelled ?? err);
  }
}
