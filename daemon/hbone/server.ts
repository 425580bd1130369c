// The HBONE server (port 15008): takes accepted TCP sockets (from whatever listener:
// a plain one in tests, the transparent eBPF one in the daemon), terminates mTLS with
// the certificate of the pod the connection was for, and hands each validated CONNECT
// stream to `onStream` for the proxy's decision. The server itself answers 400 for
// requests that are not a CONNECT to an `<ip>:<port>` this connection may reach.
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Logger } from '../../api/log.js';
import { authorityMatchesLocal, type AuthorityAllowed } from './authority.js';
import { DEFAULT_WINDOWS, type WindowOptions } from './h2-settings.js';
import { type AcceptedAddresses, InboundConnection } from './inbound-connection.js';
import type { HboneInboundRequest, RejectStatus } from './inbound-request.js';
import { REFUSAL_REASONS, type RefusalReason } from './server-tls.js';

export interface HboneServerOptions {
  /** The certificate for connections accepted on `localAddress` (a pod IP); undefined closes the connection. */
  secureContextFor: (localAddress: string) => SecureContext | undefined | Promise<SecureContext | undefined>;
  /** Clients must present a SPIFFE id in this trust domain. */
  trustDomain: string;
  log: Logger;
  /** Every validated CONNECT stream; the callee must accept() or reject() it. */
  onStream: (req: HboneInboundRequest) => void;
  /** Which authorities a connection accepted on a local address may reach (default: the same IP). */
  authorityAllowed?: AuthorityAllowed;
  /** TLS handshake plus the client's HTTP/2 preface (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Close (GOAWAY) a session that carried no stream for this long (default 10 min, above the pool's 5). */
  idleSessionTimeoutMs?: number;
  /** HTTP/2 PING interval to detect dead clients (default 30 s; 0 = off). */
  pingIntervalMs?: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS advertised to clients (default 100). */
  maxConcurrentStreams?: number;
  windows?: Partial<WindowOptions>;
}

export interface HboneServerStats {
  /** TCP connections open (handshaking or carrying a session). */
  connections: number;
  /** HTTP/2 sessions open. */
  sessions: number;
  /** CONNECT streams open. */
  streams: number;
  /** Connections handed to handleSocket in total. */
  accepted: number;
  /** Connections the server closed, by reason. */
  closed: Record<RefusalReason, number>;
  /** Streams answered 400 by the server itself (method, authority). */
  badRequests: number;
  /** Streams rejected by the onStream callee, by status. */
  rejected: Record<RejectStatus, number>;
}

export const HBONE_SERVER_DEFAULTS = Object.freeze({
  handshakeTimeoutMs: 10_000,
  idleSessionTimeoutMs: 600_000,
  pingIntervalMs: 30_000,
  maxConcurrentStreams: 100,
});

export class HboneServer {
  private readonly connections = new Set<InboundConnection>();
  private readonly counts = {
    sessions: 0,
    streams: 0,
    accepted: 0,
    badRequests: 0,
    closed: Object.fromEntries(REFUSAL_REASONS.map((r) => [r, 0])) as Record<RefusalReason, number>,
    rejected: { 400: 0, 401: 0, 503: 0 } as Record<RejectStatus, number>,
  };
  private closing = false;
  private readonly waiters: (() => void)[] = [];
  private readonly deps: ConstructorParameters<typeof InboundConnection>[1];

  constructor(opts: HboneServerOptions) {
    this.deps = {
      secureContextFor: opts.secureContextFor,
      trustDomain: opts.trustDomain,
      log: opts.log,
      onStream: opts.onStream,
      authorityAllowed: opts.authorityAllowed ?? authorityMatchesLocal,
      handshakeTimeoutMs: opts.handshakeTimeoutMs ?? HBONE_SERVER_DEFAULTS.handshakeTimeoutMs,
      idleSessionTimeoutMs: opts.idleSessionTimeoutMs ?? HBONE_SERVER_DEFAULTS.idleSessionTimeoutMs,
      pingIntervalMs: opts.pingIntervalMs ?? HBONE_SERVER_DEFAULTS.pingIntervalMs,
      maxConcurrentStreams: opts.maxConcurrentStreams ?? HBONE_SERVER_DEFAULTS.maxConcurrentStreams,
      windows: { ...DEFAULT_WINDOWS, ...opts.windows },
      onRefused: (reason) => { this.counts.closed[reason]++; },
      onSessionChange: (delta) => { this.counts.sessions += delta; },
      onStreamChange: (delta) => { this.counts.streams += delta; },
      onBadRequest: () => { this.counts.badRequests++; },
      onRejected: (status) => { this.counts.rejected[status]++; },
      onClosed: (conn) => {
        this.connections.delete(conn);
        if (this.connections.size === 0) for (const w of this.waiters.splice(0)) w();
      },
    };
  }

  /**
   * Serve one accepted TCP connection (HBONE port; its local address picks the
   * certificate). `addresses` gives the original addresses when the socket's own are not
   * them (a loopback test network).
   */
  handleSocket(socket: Socket, addresses?: AcceptedAddresses): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.counts.accepted++;
    const conn = new InboundConnection(socket, this.deps, addresses);
    this.connections.add(conn);
    conn.start();
  }

  stats(): HboneServerStats {
    return {
      connections: this.connections.size,
      sessions: this.counts.sessions,
      streams: this.counts.streams,
      accepted: this.counts.accepted,
      closed: { ...this.counts.closed },
      badRequests: this.counts.badRequests,
      rejected: { ...this.counts.rejected },
    };
  }

  /** GOAWAY every session: streams in flight finish, clients open new connections for new ones. */
  drain(): void {
    for (const conn of this.connections) conn.drain();
  }

  /** Stop serving: new sockets are destroyed, every connection is closed now. Resolves when all are gone. */
  close(): Promise<void> {
    this.closing = true;
    for (const conn of this.connections) conn.destroy();
    return this.idle();
  }

  /** Resolves when no connection is open. */
  idle(): Promise<void> {
    if (this.connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
