// One CONNECT stream an HBONE server has validated, handed to the proxy for its
// decision: accept() answers 200 and yields the stream as a Duplex to pipe; reject()
// answers 400/401/503 and ends it. Exactly one of them, once.
import type { ServerHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Identity } from '../../api/identity.js';
import type { ConnectRequestInfo } from './connect-request.js';
import type { ForwardedFor } from './forwarded.js';
import { HboneError } from './hbone-error.js';
import type { PeerCertificateInfo } from './server-tls.js';
import type { SocketAddress } from './socket-address.js';

export type RejectStatus = 400 | 401 | 503;

export interface HboneInboundRequest {
  /** The client's verified SPIFFE identity (chain to the roots, our trust domain). */
  readonly peerIdentity: Identity;
  readonly peerCertificate: PeerCertificateInfo;
  /** The parsed, validated `:authority`: where the client wants to go. */
  readonly authority: SocketAddress;
  readonly forwardedFor: ForwardedFor | undefined;
  readonly baggage: string | undefined;
  readonly traceparent: string | undefined;
  /** The IP the tunnel connection was accepted on (the destination pod IP). */
  readonly localAddress: string;
  /** The client node's IP and port (TCP peer of the tunnel). */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Aborted when the client cancels the stream before it is answered. */
  readonly signal: AbortSignal;
  /** Whether accept() or reject() was called. */
  readonly answered: boolean;
  /** Respond 200; the stream carries the proxied bytes both ways (half-close works). */
  accept(): Duplex;
  /** Respond `status` and end the stream; `reason` is logged, not sent. */
  reject(status: RejectStatus, reason: string): void;
}

export interface InboundRequestContext {
  peerIdentity: Identity;
  peerCertificate: PeerCertificateInfo;
  localAddress: string;
  remoteAddress: string;
  remotePort: number;
  onReject(status: RejectStatus, reason: string): void;
}

export class InboundRequest implements HboneInboundRequest {
  readonly peerIdentity: Identity;
  readonly peerCertificate: PeerCertificateInfo;
  readonly authority: SocketAddress;
  readonly forwardedFor: ForwardedFor | undefined;
  readonly baggage: string | undefined;
  readonly traceparent: string | undefined;
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  private readonly controller = new AbortController();
  private done = false;

  constructor(private readonly stream: ServerHttp2Stream, info: ConnectRequestInfo, private readonly ctx: InboundRequestContext) {
    this.peerIdentity = ctx.peerIdentity;
    this.peerCertificate = ctx.peerCertificate;
    this.authority = info.authority;
    this.forwardedFor = info.forwardedFor;
    this.baggage = info.baggage;
    this.traceparent = info.traceparent;
    this.localAddress = ctx.localAddress;
    this.remoteAddress = ctx.remoteAddress;
    this.remotePort = ctx.remotePort;
    stream.once('close', () => {
      if (!this.done) this.controller.abort(new HboneError('AMBIT_ERR_HBONE_ABORTED', 'the client cancelled the CONNECT stream'));
    });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get answered(): boolean {
    return this.done;
  }

  accept(): Duplex {
    this.answer();
    if (this.stream.destroyed || this.stream.closed) {
      throw new HboneError('AMBIT_ERR_HBONE_ABORTED', 'the client cancelled the CONNECT stream before it was accepted');
    }
    this.stream.respond({ ':status': 200 });
    return this.stream;
  }

  reject(status: RejectStatus, reason: string): void {
    this.answer();
    this.ctx.onReject(status, reason);
    if (this.stream.destroyed || this.stream.closed) return;
    this.stream.respond({ ':status': status }, { endStream: true });
    // Discard whatever the client still sends until it closes its side.
    this.stream.resume();
  }

  private answer(): void {
    if (this.done) throw new Error('HBONE request already answered');
    this.done = true;
  }
}
