// The outbound HBONE connection pool. Connections are keyed by (source identity,
// destination identity, destination address); each carries up to
// maxStreamsPerConnection concurrent CONNECT streams, beyond which another connection
// is opened. Concurrent connects for one key share a pending handshake. Idle
// connections close after idleTimeoutMs; dead (failed PING, error) and GOAWAY'd ones
// leave the pool. A new SecureContext for a key (certificate rotation) drains the
// key's older connections, so pass the same object for the same certificate.
import { constants as h2, type ClientHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { spiffeUri, type Identity } from '../../api/identity.js';
import type { Logger } from '../../api/log.js';
import { abortable } from './abortable.js';
import { connectHeaders } from './connect-headers.js';
import type { ForwardedFor } from './forwarded.js';
import type { ConnectSocket } from './dial.js';
import { DEFAULT_WINDOWS, type WindowOptions } from './h2-settings.js';
import { HboneError } from './hbone-error.js';
import { PoolConnection, type PoolConnectionState } from './pool-connection.js';
import { poolKey } from './pool-key.js';
import { formatHostPort, type SocketAddress } from './socket-address.js';

export interface HbonePoolOptions {
  log: Logger;
  /** Concurrent streams per connection before another is opened (default 100). */
  maxStreamsPerConnection?: number;
  /** Close a connection that carried no stream for this long (default 5 min). */
  idleTimeoutMs?: number;
  /** HTTP/2 PING keepalive interval (default 30 s; 0 = off). */
  pingIntervalMs?: number;
  /** Bound on one connect(): handshake plus the CONNECT response (default 10 s). */
  connectTimeoutMs?: number;
  windows?: Partial<WindowOptions>;
  /** Opens the TCP connection to a peer (default: a plain TCP connect to dstAddress). */
  connectSocket?: ConnectSocket;
}

export interface HboneConnectRequest {
  srcIdentity: Identity;
  /** The source identity's certificate, key and mesh roots. */
  secureContext: SecureContext;
  /** The identity the server's certificate must carry. */
  dstIdentity: Identity;
  /** The tunnel endpoint: destination node/pod IP, port 15008. */
  dstAddress: SocketAddress;
  /** CONNECT target: pod IP + target port (the VIP:port when going to a waypoint). */
  authority: SocketAddress;
  forwardedFor?: ForwardedFor;
  baggage?: string;
  /** W3C traceparent; a fresh one is generated when absent. */
  traceparent?: string;
  signal?: AbortSignal;
}

/** The tunnelled connection: write = to the destination, read = from it; end() half-closes. */
export type HboneOutboundStream = Duplex;

export interface HbonePoolStats {
  /** Open connections (connecting, ready or draining). */
  connections: number;
  connecting: number;
  draining: number;
  /** Streams open or waiting for a connection. */
  streams: number;
  /** Handshakes started / failed, in total. */
  handshakes: number;
  handshakeFailures: number;
}

export interface PoolConnectionInfo {
  id: number;
  src: string;
  dst: string;
  address: string;
  state: PoolConnectionState;
  streams: number;
  maxStreams: number;
  ageMs: number;
}

export const HBONE_POOL_DEFAULTS = Object.freeze({
  maxStreamsPerConnection: 100,
  idleTimeoutMs: 300_000,
  pingIntervalMs: 30_000,
  connectTimeoutMs: 10_000,
});

type Attempt =
  | { ok: true; stream: ClientHttp2Stream }
  | { ok: false; error: HboneError; retryable: boolean };

interface ConnectionMeta {
  src: string;
  dst: string;
  address: string;
}

export class HbonePool {
  private readonly log: Logger;
  private readonly maxStreams: number;
  private readonly idleTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private readonly connectTimeoutMs: number;
  private readonly windows: WindowOptions;
  private readonly connectSocket: ConnectSocket | undefined;
  /** Connections that may take new streams, per key. */
  private readonly usable = new Map<string, PoolConnection[]>();
  /** Every open connection, with what /config_dump shows. */
  private readonly open = new Map<PoolConnection, ConnectionMeta>();
  private readonly inflight = new Set<AbortController>();
  private readonly closeWaiters: (() => void)[] = [];
  private nextId = 1;
  private closed = false;
  private handshakes = 0;
  private handshakeFailures = 0;

  constructor(opts: HbonePoolOptions) {
    this.log = opts.log;
    this.maxStreams = opts.maxStreamsPerConnection ?? HBONE_POOL_DEFAULTS.maxStreamsPerConnection;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? HBONE_POOL_DEFAULTS.idleTimeoutMs;
    this.pingIntervalMs = opts.pingIntervalMs ?? HBONE_POOL_DEFAULTS.pingIntervalMs;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? HBONE_POOL_DEFAULTS.connectTimeoutMs;
    this.windows = { ...DEFAULT_WINDOWS, ...opts.windows };
    this.connectSocket = opts.connectSocket;
    if (!(this.maxStreams >= 1)) throw new RangeError('maxStreamsPerConnection must be at least 1');
  }

  /**
   * Open a tunnelled stream; resolves after the server's 200 (upstream connected and
   * authorized). Rejects with an HboneError: REJECTED (with `status`), IDENTITY_MISMATCH,
   * TLS, CONNECT, TIMEOUT or ABORTED.
   */
  async connect(req: HboneConnectRequest): Promise<HboneOutboundStream> {
    if (this.closed) throw new HboneError('AMBIT_ERR_HBONE_ABORTED', 'the HBONE connection pool is closed');
    if (req.signal?.aborted) {
      throw new HboneError('AMBIT_ERR_HBONE_ABORTED', 'connect aborted by the caller', { cause: req.signal.reason });
    }
    const ctl = new AbortController();
    const onCallerAbort = (): void => {
      ctl.abort(new HboneError('AMBIT_ERR_HBONE_ABORTED', 'connect aborted by the caller', { cause: req.signal?.reason }));
    };
    req.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const timer = setTimeout(() => {
      ctl.abort(new HboneError('AMBIT_ERR_HBONE_TIMEOUT',
        `HBONE connect to ${formatHostPort(req.dstAddress)} not answered within ${this.connectTimeoutMs} ms`));
    }, this.connectTimeoutMs);
    timer.unref();
    this.inflight.add(ctl);
    try {
      for (let attempt = 0; ; attempt++) {
        const outcome = await this.attempt(this.pick(req), req, ctl.signal);
        if (outcome.ok) return outcome.stream;
        if (!outcome.retryable || attempt >= 1 || ctl.signal.aborted) throw outcome.error;
        this.log.debug({ err: outcome.error }, 'HBONE connect: retrying on a fresh connection');
      }
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onCallerAbort);
      this.inflight.delete(ctl);
    }
  }

  stats(): HbonePoolStats {
    let connecting = 0;
    let draining = 0;
    let streams = 0;
    for (const conn of this.open.keys()) {
      if (conn.state === 'connecting') connecting++;
      if (conn.state === 'draining') draining++;
      streams += conn.streamCount;
    }
    return {
      connections: this.open.size, connecting, draining, streams,
      handshakes: this.handshakes, handshakeFailures: this.handshakeFailures,
    };
  }

  /** Every open connection (for /config_dump). */
  dump(): PoolConnectionInfo[] {
    return [...this.open].map(([conn, meta]) => {
      const d = conn.describe();
      return { ...meta, ...d };
    });
  }

  /** Destroy every connection and fail every pending connect (ABORTED). */
  close(): Promise<void> {
    this.closed = true;
    for (const ctl of this.inflight) ctl.abort(new HboneError('AMBIT_ERR_HBONE_ABORTED', 'the HBONE connection pool was closed'));
    for (const conn of this.open.keys()) conn.destroy();
    if (this.open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  private pick(req: HboneConnectRequest): PoolConnection {
    const key = poolKey(req.srcIdentity, req.dstIdentity, req.dstAddress);
    const list = this.usable.get(key) ?? [];
    // A different certificate for this key: the old one was rotated; let its connections drain.
    for (const conn of [...list]) if (conn.secureContext !== req.secureContext) conn.drain();
    const found = (this.usable.get(key) ?? []).find((c) => c.hasCapacity());
    if (found) return found;
    const conn = new PoolConnection({
      id: this.nextId++,
      key,
      srcIdentity: req.srcIdentity,
      dstIdentity: req.dstIdentity,
      dstAddress: req.dstAddress,
      secureContext: req.secureContext,
      maxStreams: this.maxStreams,
      idleTimeoutMs: this.idleTimeoutMs,
      pingIntervalMs: this.pingIntervalMs,
      connectTimeoutMs: this.connectTimeoutMs,
      windows: this.windows,
      connectSocket: this.connectSocket,
      log: this.log,
      onUnusable: (c) => this.removeUsable(c),
      onClosed: (c) => this.removeOpen(c),
    });
    this.handshakes++;
    conn.ready.catch(() => { this.handshakeFailures++; });
    this.usable.set(key, [...(this.usable.get(key) ?? []), conn]);
    this.open.set(conn, {
      src: spiffeUri(req.srcIdentity), dst: spiffeUri(req.dstIdentity), address: formatHostPort(req.dstAddress),
    });
    return conn;
  }

  private async attempt(conn: PoolConnection, req: HboneConnectRequest, signal: AbortSignal): Promise<Attempt> {
    const reused = conn.state === 'ready';
    conn.acquire();
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      conn.release();
    };
    let session;
    try {
      session = await abortable(conn.ready, signal);
    } catch (err) {
      release();
      return { ok: false, error: err as HboneError, retryable: false };
    }
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(connectHeaders(req), { endStream: false });
    } catch (err) {
      release();
      conn.drain();
      return {
        ok: false,
        error: new HboneError('AMBIT_ERR_HBONE_CONNECT', `could not open a stream: ${(err as Error).message}`, { cause: err }),
        retryable: true,
      };
    }
    stream.once('close', release);
    return new Promise<Attempt>((resolve) => {
      let settled = false;
      let streamError: Error | undefined;
      const settle = (outcome: Attempt): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const onAbort = (): void => {
        settle({ ok: false, error: signal.reason as HboneError, retryable: false });
        stream.close(h2.NGHTTP2_CANCEL);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      // Kept for the stream's life: an unhandled stream error must never crash the daemon.
      stream.on('error', (err: Error) => {
        streamError = err;
        this.log.debug({ err, conn: conn.id }, 'HBONE outbound stream error');
      });
      stream.once('response', (headers) => {
        const status = Number(headers[':status']);
        if (status === 200) {
          settle({ ok: true, stream });
          return;
        }
        settle({
          ok: false,
          error: new HboneError('AMBIT_ERR_HBONE_REJECTED',
            `${formatHostPort(req.dstAddress)} answered ${status} to CONNECT ${formatHostPort(req.authority)}`, { status }),
          retryable: false,
        });
        stream.close(h2.NGHTTP2_CANCEL);
      });
      stream.once('close', () => {
        if (settled) return;
        // Safe to retry elsewhere: the server refused the stream unprocessed, or a pooled
        // connection (not one dialled for this request) turned out to be dead.
        const refused = stream.rstCode === h2.NGHTTP2_REFUSED_STREAM;
        settle({
          ok: false,
          error: conn.failureBeforeResponse(streamError, stream.rstCode),
          retryable: refused || (reused && conn.isDead()),
        });
      });
    });
  }

  private removeUsable(conn: PoolConnection): void {
    const list = this.usable.get(conn.key);
    if (!list) return;
    const rest = list.filter((c) => c !== conn);
    if (rest.length > 0) this.usable.set(conn.key, rest);
    else this.usable.delete(conn.key);
  }

  private removeOpen(conn: PoolConnection): void {
    this.removeUsable(conn);
    this.open.delete(conn);
    if (this.open.size === 0) for (const w of this.closeWaiters.splice(0)) w();
  }
}
