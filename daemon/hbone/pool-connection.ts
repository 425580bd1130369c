// One pooled HBONE connection: a dial shared by every stream that chose it while it
// was being set up, then an HTTP/2 session carrying up to `maxStreams` concurrent
// CONNECT streams. Tracks its streams (open or waiting), closes itself when idle,
// pings to detect a dead peer, and tells the pool when it is gone or draining.
import type { ClientHttp2Session } from 'node:http2';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { Identity } from '../../api/identity.js';
import type { Logger } from '../../api/log.js';
import { dial, type ConnectSocket } from './dial.js';
import type { WindowOptions } from './h2-settings.js';
import { errorCode, HboneError } from './hbone-error.js';
import { startKeepalive } from './keepalive.js';
import { formatHostPort, type SocketAddress } from './socket-address.js';

export type PoolConnectionState = 'connecting' | 'ready' | 'draining' | 'closed';

export interface PoolConnectionOptions {
  id: number;
  key: string;
  srcIdentity: Identity;
  dstIdentity: Identity;
  dstAddress: SocketAddress;
  secureContext: SecureContext;
  maxStreams: number;
  idleTimeoutMs: number;
  pingIntervalMs: number;
  connectTimeoutMs: number;
  windows: WindowOptions;
  connectSocket?: ConnectSocket;
  log: Logger;
  /** No new streams may use this connection any more (draining or closed). */
  onUnusable(conn: PoolConnection): void;
  /** The connection is fully closed. */
  onClosed(conn: PoolConnection): void;
}

export class PoolConnection {
  readonly id: number;
  readonly key: string;
  readonly secureContext: SecureContext;
  readonly createdAt = Date.now();
  /** Settles once: the session, or the dial's HboneError. */
  readonly ready: Promise<ClientHttp2Session>;
  private stateValue: PoolConnectionState = 'connecting';
  private session: ClientHttp2Session | undefined;
  private socket: TLSSocket | undefined;
  private destroyRequested = false;
  private streams = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private stopKeepalive: (() => void) | undefined;
  private readonly cancelDial: (reason: HboneError) => void;
  private serverSettingsSeen = false;
  private drainRequested = false;
  private listed = true;
  private lastError: Error | undefined;

  constructor(private readonly opts: PoolConnectionOptions) {
    this.id = opts.id;
    this.key = opts.key;
    this.secureContext = opts.secureContext;
    const address = formatHostPort(opts.dstAddress);
    const dialing = dial({
      secureContext: opts.secureContext, dstIdentity: opts.dstIdentity, dstAddress: opts.dstAddress, windows: opts.windows,
      connectSocket: opts.connectSocket,
    });
    this.cancelDial = dialing.destroy;
    const timer = setTimeout(() => {
      dialing.destroy(new HboneError('AMBIT_ERR_HBONE_TIMEOUT', `handshake with ${address} not done within ${opts.connectTimeoutMs} ms`));
    }, opts.connectTimeoutMs);
    timer.unref();
    this.ready = dialing.promise.then(
      ({ session, socket }) => {
        clearTimeout(timer);
        this.onSession(session, socket);
        return session;
      },
      (err: HboneError) => {
        clearTimeout(timer);
        this.lastError = err;
        this.setClosed();
        throw err;
      },
    );
    // Waiters see the rejection; nothing else needs to.
    this.ready.catch(() => {});
  }

  get state(): PoolConnectionState {
    return this.stateValue;
  }

  /** Streams open or waiting for this connection. */
  get streamCount(): number {
    return this.streams;
  }

  /** Concurrent stream limit: ours, or the server's if lower. */
  get maxStreams(): number {
    const remote = this.session?.remoteSettings.maxConcurrentStreams;
    return remote === undefined ? this.opts.maxStreams : Math.min(this.opts.maxStreams, remote);
  }

  /** Whether a new stream may be placed here. */
  hasCapacity(): boolean {
    if (!this.listed || (this.stateValue !== 'connecting' && this.stateValue !== 'ready')) return false;
    // A session can be destroyed a moment before its 'close' event reaches us.
    if (this.session && (this.session.destroyed || this.session.closed)) return false;
    return this.streams < this.maxStreams;
  }

  /** Count one stream (call release() exactly once later). */
  acquire(): void {
    this.streams++;
    clearTimeout(this.idleTimer);
  }

  release(): void {
    this.streams--;
    if (this.streams > 0) return;
    if (this.stateValue === 'draining') this.session?.close();
    else if (this.stateValue === 'ready') this.armIdle();
  }

  /**
   * The error for a stream that closed before its response: when the server dropped
   * the connection before even sending its HTTP/2 SETTINGS, it refused our TLS client
   * (TLS 1.3 lets the client finish its handshake before the server checks it).
   */
  failureBeforeResponse(streamError: Error | undefined, rstCode: number | undefined): HboneError {
    const address = formatHostPort(this.opts.dstAddress);
    const cause = this.lastError ?? streamError;
    const causeCode = errorCode(cause);
    const detail = cause?.message ?? `stream reset (code ${rstCode ?? 'none'})`;
    const dead = this.stateValue === 'closed' || this.session?.destroyed === true;
    if (causeCode.startsWith('ERR_SSL') || (!this.serverSettingsSeen && dead)) {
      return new HboneError('AMBIT_ERR_HBONE_TLS', `${address} closed the connection before HTTP/2 started (client certificate refused?): ${detail}`, { cause });
    }
    return new HboneError('AMBIT_ERR_HBONE_CONNECT', `HBONE connection to ${address} lost before the CONNECT response: ${detail}`, { cause });
  }

  /** No new streams; close once the open ones are done (a handshake in progress completes first). */
  drain(): void {
    if (this.stateValue === 'closed' || this.stateValue === 'draining') return;
    this.unlist();
    if (this.stateValue === 'connecting') {
      this.drainRequested = true;
      return;
    }
    this.stateValue = 'draining';
    clearTimeout(this.idleTimer);
    if (this.streams === 0) this.session?.close();
  }

  /** Whether the connection is gone (or going) for good: streams on it cannot succeed. */
  isDead(): boolean {
    return this.stateValue === 'closed' || this.session?.destroyed === true || this.session?.closed === true;
  }

  destroy(reason?: HboneError): void {
    this.destroyRequested = true;
    if (this.session) {
      this.session.destroy();
      this.socket?.destroy();
      return;
    }
    // Still dialing (or the dial just succeeded and onSession is queued: it checks the flag).
    this.cancelDial(reason ?? new HboneError('AMBIT_ERR_HBONE_ABORTED', 'connection pool closed'));
  }

  describe(): { id: number; state: PoolConnectionState; streams: number; maxStreams: number; ageMs: number } {
    return { id: this.id, state: this.stateValue, streams: this.streams, maxStreams: this.maxStreams, ageMs: Date.now() - this.createdAt };
  }

  private onSession(session: ClientHttp2Session, socket: TLSSocket): void {
    this.session = session;
    this.socket = socket;
    // Whatever http2 does, a closed socket means a closed connection.
    socket.once('close', () => setImmediate(() => this.setClosed()));
    // The server closed its side: nothing more can arrive on any stream, and with a
    // half-open socket nothing else would end ours (its streams would wait forever).
    socket.once('end', () => {
      session.destroy();
      socket.destroy();
    });
    // A TLS error (e.g. the server's alert refusing our certificate) is emitted without
    // destroying the socket; http2 would then wait forever to flush its GOAWAY.
    socket.on('error', (err: Error) => {
      this.lastError ??= err;
      socket.destroy();
    });
    if (this.destroyRequested || session.destroyed || session.closed) {
      session.destroy();
      socket.destroy();
      this.setClosed();
      return;
    }
    this.stateValue = 'ready';
    session.once('remoteSettings', () => { this.serverSettingsSeen = true; });
    session.on('error', (err: Error) => {
      this.lastError = err;
      this.opts.log.debug({ err, conn: this.id }, 'HBONE pooled connection error');
    });
    session.on('goaway', (code: number) => {
      this.opts.log.debug({ conn: this.id, code }, 'HBONE pooled connection got GOAWAY');
      this.drain();
    });
    session.once('close', () => this.setClosed());
    this.stopKeepalive = startKeepalive(session, this.opts.pingIntervalMs, (reason) => {
      this.opts.log.debug({ conn: this.id, reason }, 'HBONE pooled connection dead');
      this.lastError = new Error(reason);
      session.destroy();
    });
    if (this.drainRequested) this.drain();
    else if (this.streams === 0) this.armIdle();
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    if (!(this.opts.idleTimeoutMs > 0)) return;
    this.idleTimer = setTimeout(() => {
      if (this.streams === 0 && this.stateValue === 'ready') {
        this.opts.log.debug({ conn: this.id }, 'HBONE pooled connection idle: closing');
        this.drain();
      }
    }, this.opts.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private setClosed(): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    clearTimeout(this.idleTimer);
    this.stopKeepalive?.();
    this.unlist();
    this.opts.onClosed(this);
  }

  private unlist(): void {
    if (!this.listed) return;
    this.listed = false;
    this.opts.onUnusable(this);
  }
}
