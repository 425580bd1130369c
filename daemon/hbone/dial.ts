// Open one HBONE connection: TCP, TLS 1.3 with ALPN h2 and no SNI, the server's chain
// checked against the context's roots and its URI SAN against the expected identity,
// then an HTTP/2 client session with large windows. Failures are HboneErrors.
import http2, { type ClientHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import tls, { type PeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import { spiffeUri, type Identity } from '../../api/identity.js';
import { localSettings, MAX_SESSION_MEMORY_MB, type WindowOptions } from './h2-settings.js';
import { HboneError } from './hbone-error.js';
import { formatHostPort, type SocketAddress } from './socket-address.js';
import { hasSpiffeIdentity, uriSans } from './spiffe-san.js';

/** Opens the TCP connection under the TLS session (the daemon's network decides how). */
export type ConnectSocket = (dst: SocketAddress) => Promise<Socket>;

export interface DialOptions {
  secureContext: SecureContext;
  dstIdentity: Identity;
  dstAddress: SocketAddress;
  windows: WindowOptions;
  connectSocket?: ConnectSocket;
}

export interface Dialed {
  socket: TLSSocket;
  session: ClientHttp2Session;
}

export type DialPhase = 'tcp' | 'tls';

/** The typed error for a failure in `phase` (an HboneError raised by our own checks passes through). */
export function dialError(err: unknown, phase: DialPhase, address: string): HboneError {
  if (err instanceof HboneError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return phase === 'tcp'
    ? new HboneError('AMBIT_ERR_HBONE_CONNECT', `connect to ${address} failed: ${message}`, { cause: err })
    : new HboneError('AMBIT_ERR_HBONE_TLS', `TLS handshake with ${address} failed: ${message}`, { cause: err });
}

/** checkServerIdentity replacement: the SAN must carry the expected SPIFFE id (the host name is irrelevant). */
export function serverIdentityCheck(expected: Identity): (host: string, cert: PeerCertificate) => Error | undefined {
  return (_host, cert) => {
    if (hasSpiffeIdentity(cert.subjectaltname, expected)) return undefined;
    const got = uriSans(cert.subjectaltname);
    return new HboneError('AMBIT_ERR_HBONE_IDENTITY_MISMATCH',
      `server identity ${got.length > 0 ? got.join(', ') : '(no URI SAN)'} is not the expected ${spiffeUri(expected)}`);
  };
}

/** Dial; `destroy` aborts an unfinished dial (the promise then rejects with `reason`). */
export function dial(opts: DialOptions): { promise: Promise<Dialed>; destroy: (reason: HboneError) => void } {
  const address = formatHostPort(opts.dstAddress);
  let phase: DialPhase = 'tcp';
  let failWith: ((err: HboneError) => void) | undefined;
  let tcp: Socket | undefined;
  const tlsOptions = {
    secureContext: opts.secureContext,
    ALPNProtocols: ['h2'],
    rejectUnauthorized: true,
    checkServerIdentity: serverIdentityCheck(opts.dstIdentity),
  };
  const promise = new Promise<Dialed>((resolve, reject) => {
    let settled = false;
    let socket: TLSSocket | undefined;
    const fail = (err: HboneError): void => {
      if (settled) return;
      settled = true;
      socket?.destroy();
      tcp?.destroy();
      reject(err);
    };
    failWith = fail;
    const start = (connected: Socket | undefined): void => {
      if (settled) {
        connected?.destroy();
        return;
      }
      socket = connected
        ? tls.connect({ ...tlsOptions, socket: connected })
        : tls.connect({ ...tlsOptions, host: opts.dstAddress.ip, port: opts.dstAddress.port });
      socket.setNoDelay(true);
      handshake(socket);
    };
    const handshake = (socket: TLSSocket): void => {
      if (tcp) phase = 'tls';
      socket.once('connect', () => { phase = 'tls'; });
      socket.on('error', (err) => fail(dialError(err, phase, address)));
      socket.once('close', () => fail(dialError(new Error('connection closed during the handshake'), phase, address)));
      socket.once('secureConnect', () => {
        const protocol = socket.getProtocol();
        if (protocol !== 'TLSv1.3' || socket.alpnProtocol !== 'h2') {
          fail(new HboneError('AMBIT_ERR_HBONE_TLS',
            `${address} negotiated ${String(protocol)} / ALPN ${String(socket.alpnProtocol)}, not TLSv1.3 / h2`));
          return;
        }
        const session = http2.connect(`https://${address}`, {
          createConnection: () => socket,
          settings: localSettings(opts.windows),
          maxSessionMemory: MAX_SESSION_MEMORY_MB,
        });
        session.once('connect', () => {
          if (settled) return;
          settled = true;
          try {
            session.setLocalWindowSize(opts.windows.connectionWindowBytes);
          } catch {
            // the session died already; the caller sees it close
          }
          resolve({ socket, session });
        });
        session.once('error', (err) => fail(dialError(err, 'tls', address)));
        session.once('close', () => fail(dialError(new Error('HTTP/2 session closed during setup'), 'tls', address)));
      });
    };
    if (opts.connectSocket) {
      opts.connectSocket(opts.dstAddress).then((connected) => {
        tcp = connected;
        start(connected);
      }, (err: unknown) => fail(dialError(err, 'tcp', address)));
    } else {
      start(undefined);
    }
  });
  return { promise, destroy: (reason) => failWith?.(reason) };
}
