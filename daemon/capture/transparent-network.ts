// The DaemonNetwork of a real node: the three listeners are IP_TRANSPARENT sockets made by
// the native addon and registered in the redirect program's sockmap, so a captured
// connection arrives with its original addresses (local address = original destination);
// the daemon's own connections leave from the node IP, which the program never captures,
// except deliveries to a pod on this node, which leave from the original client's address
// (IP_TRANSPARENT) so the pod sees who connected: the pod's replies come back through
// the program, which finds that socket (its pod link's program, or the uplink's).
import net, { type Socket } from 'node:net';
import { PORTS } from '../../api/model.js';
import { transparentListener, transparentSocket, type ListenerKind as NativeListenerKind, type RedirectProgram } from '../../native/lib/index.js';
import type { AcceptHandler, Address, DaemonNetwork, Listener, ListenerKind } from '../network/network.js';

const PORT_OF: Record<ListenerKind, number> = {
  outbound: PORTS.outbound,
  'inbound-plaintext': PORTS.inboundPlaintext,
  hbone: PORTS.hbone,
};

export interface TransparentNetworkOptions {
  program: RedirectProgram;
  nodeIp: string;
  /** Listener ports (default 15001/15006/15008). */
  ports?: Partial<Record<ListenerKind, number>>;
}

/** IPv4-mapped addresses never occur on these AF_INET sockets, but be safe. */
function plainIp(ip: string | undefined): string {
  return ip?.startsWith('::ffff:') ? ip.slice(7) : ip ?? '';
}

export class TransparentNetwork implements DaemonNetwork {
  constructor(private readonly opts: TransparentNetworkOptions) {}

  async listen(kind: ListenerKind, onAccept: AcceptHandler): Promise<Listener> {
    const fd = transparentListener('0.0.0.0', this.opts.ports?.[kind] ?? PORT_OF[kind]);
    const server = net.createServer({ allowHalfOpen: true }, (sock) => {
      sock.setNoDelay(true);
      onAccept(sock, {
        src: { ip: plainIp(sock.remoteAddress), port: sock.remotePort ?? 0 },
        dst: { ip: plainIp(sock.localAddress), port: sock.localPort ?? 0 },
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ fd }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.opts.program.setListener(kind satisfies NativeListenerKind, fd);
    return {
      // Stops accepting at once; connections already accepted are the proxy's to drain.
      close: () => {
        try {
          this.opts.program.removeListener(kind);
        } catch {
          // the program is already closed: its sockmap is gone with it
        }
        server.close();
        return Promise.resolve();
      },
    };
  }

  connect(dst: Address, signal?: AbortSignal, from?: Address): Promise<Socket> {
    const spoof = from !== undefined && from.ip !== this.opts.nodeIp && from.ip !== dst.ip;
    return new Promise((resolve, reject) => {
      const fail = (err: unknown): void => reject(err instanceof Error ? err : new Error('aborted'));
      if (signal?.aborted) return fail(signal.reason);
      let sock: Socket;
      try {
        // Either a socket already bound to the client's address (made natively), or Node's own from the node IP.
        sock = spoof
          ? new net.Socket({ fd: transparentSocket(from.ip), readable: true, writable: true, allowHalfOpen: true })
          : new net.Socket({ allowHalfOpen: true });
      } catch (err) {
        return fail(err);
      }
      const onAbort = (): void => {
        sock.destroy();
        fail(signal?.reason);
      };
      const onError = (err: Error): void => {
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      sock.once('error', onError);
      sock.connect({ host: dst.ip, port: dst.port, noDelay: true, ...(spoof ? {} : { localAddress: this.opts.nodeIp }) }, () => {
        signal?.removeEventListener('abort', onAbort);
        sock.off('error', onError);
        resolve(sock);
      });
    });
  }
}
