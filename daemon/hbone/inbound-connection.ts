// One accepted TCP connection on the HBONE port, from TLS handshake to the end of its
// HTTP/2 session: picks the certificate by local address, verifies the client, runs
// the session and turns each CONNECT stream into an HboneInboundRequest. Anything
// malformed or slow closes this connection only, with a counted reason.
import http2, { type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { Logger } from '../../api/log.js';
import type { AuthorityAllowed } from './authority.js';
import { checkConnectRequest } from './connect-request.js';
import { errorCode } from './hbone-error.js';
import { localSettings, MAX_SESSION_MEMORY_MB, type WindowOptions } from './h2-settings.js';
import { InboundRequest, type HboneInboundRequest, type RejectStatus } from './inbound-request.js';
import { startKeepalive } from './keepalive.js';
import {
  releaseToHttp2, verifyClient, wrapServerSocket, type RefusalReason, type VerifiedClient,
} from './server-tls.js';
import { normalizeIp } from './socket-address.js';

export interface InboundConnectionDeps {
  secureContextFor: (localAddress: string) => SecureContext | undefined | Promise<SecureContext | undefined>;
  trustDomain: string;
  log: Logger;
  onStream: (req: HboneInboundRequest) => void;
  authorityAllowed: AuthorityAllowed;
  handshakeTimeoutMs: number;
  idleSessionTimeoutMs: number;
  pingIntervalMs: number;
  maxConcurrentStreams: number;
  windows: WindowOptions;
  /** Called once when the connection is closed before or instead of serving streams. */
  onRefused(reason: RefusalReason): void;
  onSessionChange(delta: 1 | -1): void;
  onStreamChange(delta: 1 | -1): void;
  onBadRequest(): void;
  onRejected(status: RejectStatus): void;
  onClosed(conn: InboundConnection): void;
}

export interface AcceptedAddresses {
  localAddress: string;
  remoteAddress: string;
  remotePort: number;
}

export class InboundConnection {
  private tls: TLSSocket | undefined;
  private session: ServerHttp2Session | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private stopKeepalive: (() => void) | undefined;
  private refused = false;
  private closed = false;
  private streams = 0;
  private readonly localAddress: string | undefined;
  private readonly remoteAddress: string;
  private readonly remotePort: number;

  /** `addresses` overrides the socket's own (a listener that learned the original addresses otherwise). */
  constructor(private readonly socket: Socket, private readonly deps: InboundConnectionDeps, addresses?: AcceptedAddresses) {
    this.localAddress = normalizeIp(addresses?.localAddress ?? socket.localAddress ?? '');
    const remote = addresses?.remoteAddress ?? socket.remoteAddress ?? '';
    this.remoteAddress = normalizeIp(remote) ?? remote;
    this.remotePort = addresses?.remotePort ?? socket.remotePort ?? 0;
  }

  start(): void {
    const { socket, deps } = this;
    socket.once('close', () => this.finish());
    socket.on('error', (err) => deps.log.debug({ err, remote: this.remoteAddress }, 'HBONE inbound socket error'));
    if (socket.destroyed) {
      this.finish();
      return;
    }
    socket.setNoDelay(true);
    this.handshakeTimer = setTimeout(() => {
      this.refuse('handshake_timeout', `TLS and HTTP/2 preface not done within ${deps.handshakeTimeoutMs} ms`);
    }, deps.handshakeTimeoutMs);
    this.handshakeTimer.unref();
    // The certificate may still be on its way (a pod that just started): the client's
    // bytes wait in the socket meanwhile, within the handshake timeout.
    let lookup: SecureContext | undefined | Promise<SecureContext | undefined>;
    try {
      lookup = this.localAddress === undefined ? undefined : deps.secureContextFor(this.localAddress);
    } catch (err) {
      deps.log.warn({ err, local: this.localAddress }, 'HBONE: certificate lookup for the local address failed');
    }
    if (lookup instanceof Promise) {
      lookup.then((context) => this.withContext(context), (err: unknown) => {
        deps.log.warn({ err, local: this.localAddress }, 'HBONE: certificate lookup for the local address failed');
        this.withContext(undefined);
      });
    } else {
      this.withContext(lookup);
    }
  }

  private withContext(context: SecureContext | undefined): void {
    const { socket } = this;
    if (this.closed || this.refused || socket.destroyed) return;
    if (!context) {
      this.refuse('no_identity', `no certificate for local address ${String(this.localAddress)}`);
      return;
    }
    const tls = wrapServerSocket(socket, context);
    this.tls = tls;
    tls.on('error', (err: Error) => {
      if (!this.session) {
        this.refuse('tls_error', err.message);
        return;
      }
      // http2 reports protocol errors by destroying the socket with them; TLS errors
      // are emitted without destroying it (http2 would then wait forever).
      this.onSessionError(err);
      tls.destroy();
    });
    tls.once('close', () => this.finish());
    // The client closed its side (its pool let the connection go): no stream can get
    // more from it, and with half-open sockets nothing else would close ours.
    tls.once('end', () => this.destroy());
    tls.once('secure', () => this.onSecure(tls));
  }

  /** Send GOAWAY: streams in flight finish, no new ones; the connection then closes. */
  drain(): void {
    if (this.session && !this.session.closed && !this.session.destroyed) this.session.close();
    else this.destroy();
  }

  destroy(): void {
    this.session?.destroy();
    this.tls?.destroy();
    this.socket.destroy();
  }

  private onSecure(tls: TLSSocket): void {
    if (this.refused || this.closed) return;
    const verified = verifyClient(tls, this.deps.trustDomain);
    if (!verified.ok) {
      const level = verified.reason === 'untrusted_client' || verified.reason === 'client_identity' ? 'info' : 'debug';
      this.refuse(verified.reason, verified.detail, level);
      return;
    }
    this.startSession(tls, verified.client);
  }

  private startSession(tls: TLSSocket, client: VerifiedClient): void {
    const { deps } = this;
    releaseToHttp2(tls);
    const session = http2.performServerHandshake(tls, {
      settings: localSettings(deps.windows, deps.maxConcurrentStreams),
      maxSessionMemory: MAX_SESSION_MEMORY_MB,
    });
    this.session = session;
    deps.onSessionChange(1);
    let prefaceSeen = false;
    try {
      session.setLocalWindowSize(deps.windows.connectionWindowBytes);
    } catch (err) {
      deps.log.debug({ err }, 'HBONE: could not enlarge the connection window');
    }
    session.once('remoteSettings', () => {
      prefaceSeen = true;
      clearTimeout(this.handshakeTimer);
    });
    session.on('error', (err: Error) => this.onSessionError(err));
    session.once('close', () => {
      this.stopKeepalive?.();
      clearTimeout(this.idleTimer);
      deps.onSessionChange(-1);
      if (!prefaceSeen && !this.refused) this.refuse('h2_error', 'session closed before the HTTP/2 preface');
      this.destroy();
    });
    session.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => this.onStream(stream, headers, client));
    this.stopKeepalive = startKeepalive(session, deps.pingIntervalMs, (reason) => {
      deps.log.debug({ remote: this.remoteAddress, reason }, 'HBONE inbound peer gone');
      session.destroy();
    });
    this.armIdle();
  }

  /** Protocol violations are the peer's fault and counted; socket errors (a reset peer) just end the session. */
  private onSessionError(err: Error): void {
    if (errorCode(err).startsWith('ERR_HTTP2')) this.refuse('h2_error', err.message);
    else this.deps.log.debug({ err, remote: this.remoteAddress }, 'HBONE inbound session error');
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, client: VerifiedClient): void {
    const { deps } = this;
    this.streams++;
    deps.onStreamChange(1);
    clearTimeout(this.idleTimer);
    stream.on('error', (err) => deps.log.debug({ err, remote: this.remoteAddress }, 'HBONE inbound stream error'));
    stream.once('close', () => {
      this.streams--;
      deps.onStreamChange(-1);
      if (this.streams === 0) this.armIdle();
    });
    const local = this.localAddress!;
    const check = checkConnectRequest(headers, local, deps.authorityAllowed);
    if (!check.ok) {
      deps.onBadRequest();
      deps.log.debug({ remote: this.remoteAddress, peer: client.identity.uri, reason: check.reason }, 'HBONE: bad CONNECT request (400)');
      if (!stream.destroyed && !stream.closed) {
        stream.respond({ ':status': check.status }, { endStream: true });
        stream.resume();
      }
      return;
    }
    const req = new InboundRequest(stream, check, {
      peerIdentity: client.identity.identity,
      peerCertificate: client.certificate,
      localAddress: local,
      remoteAddress: this.remoteAddress,
      remotePort: this.remotePort,
      onReject: (status, reason) => {
        deps.onRejected(status);
        deps.log.debug({ remote: this.remoteAddress, peer: client.identity.uri, status, reason }, 'HBONE: CONNECT rejected');
      },
    });
    try {
      deps.onStream(req);
    } catch (err) {
      deps.log.warn({ err }, 'HBONE: stream handler threw');
      if (!req.answered) req.reject(503, 'stream handler failed');
    }
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    const session = this.session;
    if (!session || !(this.deps.idleSessionTimeoutMs > 0)) return;
    this.idleTimer = setTimeout(() => {
      if (this.streams > 0 || session.closed || session.destroyed) return;
      this.refuse('idle', `no stream for ${this.deps.idleSessionTimeoutMs} ms`, 'debug', true);
    }, this.deps.idleSessionTimeoutMs);
    this.idleTimer.unref();
  }

  private refuse(reason: RefusalReason, detail: string, level: 'debug' | 'info' = 'debug', graceful = false): void {
    if (this.refused || this.closed) return;
    this.refused = true;
    clearTimeout(this.handshakeTimer);
    this.deps.onRefused(reason);
    this.deps.log[level]({
      code: 'AMBIT_ERR_HBONE_INBOUND_REFUSED', reason, detail, local: this.localAddress, remote: this.remoteAddress,
    }, 'HBONE inbound connection closed');
    if (graceful) this.drain();
    else this.destroy();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.idleTimer);
    this.stopKeepalive?.();
    if (this.session && !this.session.destroyed) this.session.destroy();
    this.deps.onClosed(this);
  }
}
