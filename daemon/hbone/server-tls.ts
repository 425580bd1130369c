// The TLS half of an HBONE server connection. The accepted TCP socket is wrapped by
// hand (the certificate depends on the local address; clients send no SNI), which
// leaves two things tls.Server normally does undone (node:_tls_wrap
// onServerSocketSecure): checking the client's chain against the context's roots, and
// clearing `secureConnecting` so http2 can start a session on the socket. Both are
// done here, failing closed if this Node version lacks what we rely on.
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { peerIdentityIn, type PeerIdentityResult } from './spiffe-san.js';

export function wrapServerSocket(socket: Socket, secureContext: SecureContext): TLSSocket {
  return new TLSSocket(socket, {
    isServer: true,
    secureContext,
    requestCert: true,
    rejectUnauthorized: true,
    ALPNProtocols: ['h2'],
  });
}

/** The Node internals used, typed as narrowly as possible. */
interface TlsInternals {
  _handle?: { verifyError?: () => Error | null } | null;
  secureConnecting?: boolean;
}

/** Verification failure of the client's chain (undefined = chains to the roots). */
export function clientChainError(socket: TLSSocket): string | undefined {
  const handle = (socket as unknown as TlsInternals)._handle;
  if (typeof handle?.verifyError !== 'function') return 'cannot verify the client chain (unsupported Node.js version)';
  const err = handle.verifyError();
  if (!err) return undefined;
  const code = (err as Error & { code?: string }).code;
  return code ? `${code}: ${err.message}` : err.message;
}

export interface VerifiedClient {
  identity: PeerIdentityResult & { ok: true };
  certificate: PeerCertificateInfo;
}

export interface PeerCertificateInfo {
  /** The SPIFFE URI SAN. */
  uri: string;
  serialNumber: string;
  fingerprint256: string;
  validFrom: string;
  validTo: string;
}

/**
 * After the handshake: TLS 1.3, ALPN h2, a client chain to the roots, exactly one
 * SPIFFE id in `trustDomain`. Returns the reason to refuse, or the verified client.
 */
export function verifyClient(socket: TLSSocket, trustDomain: string):
  | { ok: true; client: VerifiedClient }
  | { ok: false; reason: RefusalReason; detail: string } {
  const protocol = socket.getProtocol();
  if (protocol !== 'TLSv1.3') return { ok: false, reason: 'not_tls13', detail: `negotiated ${String(protocol)}` };
  if (socket.alpnProtocol !== 'h2') {
    return { ok: false, reason: 'not_h2', detail: `ALPN ${String(socket.alpnProtocol)}` };
  }
  const chainError = clientChainError(socket);
  if (chainError !== undefined) return { ok: false, reason: 'untrusted_client', detail: chainError };
  const cert = socket.getPeerX509Certificate();
  if (!cert) return { ok: false, reason: 'untrusted_client', detail: 'no client certificate' };
  const identity = peerIdentityIn(cert.subjectAltName, trustDomain);
  if (!identity.ok) return { ok: false, reason: 'client_identity', detail: identity.reason };
  return {
    ok: true,
    client: {
      identity,
      certificate: {
        uri: identity.uri,
        serialNumber: cert.serialNumber,
        fingerprint256: cert.fingerprint256,
        validFrom: cert.validFrom,
        validTo: cert.validTo,
      },
    },
  };
}

/** Let http2.performServerHandshake start on a hand-wrapped, verified server socket. */
export function releaseToHttp2(socket: TLSSocket): void {
  (socket as unknown as TlsInternals).secureConnecting = false;
}

/** Why the server closed an inbound connection: before it carried streams, or (`idle`) after. */
export type RefusalReason =
  | 'no_identity'        // no certificate for the local address
  | 'tls_error'          // not TLS, handshake failure (incl. no client certificate)
  | 'handshake_timeout'  // TLS + HTTP/2 preface not done in handshakeTimeoutMs
  | 'not_tls13'
  | 'not_h2'
  | 'untrusted_client'   // client chain does not verify against the roots
  | 'client_identity'    // no / several / foreign-trust-domain SPIFFE ids
  | 'h2_error'           // malformed HTTP/2
  | 'idle';              // a session without streams for idleSessionTimeoutMs

export const REFUSAL_REASONS: readonly RefusalReason[] = [
  'no_identity', 'tls_error', 'handshake_timeout', 'not_tls13', 'not_h2', 'untrusted_client', 'client_identity',
  'h2_error', 'idle',
];
