// How the daemon gets and makes connections, behind one interface. The eBPF runtime
// supplies transparent listeners (the accepted socket's local address is the original
// destination); in-process tests supply loopback listeners that are told the original
// addresses. The proxy code never knows which.
import type { Socket } from 'node:net';

export interface Address { ip: string; port: number }

/** The addresses a captured connection was really made between. */
export interface ConnectionAddresses {
  src: Address;
  /** The original destination (for HBONE: the pod IP the tunnel was opened to). */
  dst: Address;
}

export type ListenerKind = 'outbound' | 'inbound-plaintext' | 'hbone';

export type AcceptHandler = (socket: Socket, addresses: ConnectionAddresses) => void;

export interface Listener {
  close(): Promise<void>;
}

export interface DaemonNetwork {
  /** Starts accepting connections of one kind; resolves once bound. */
  listen(kind: ListenerKind, onAccept: AcceptHandler): Promise<Listener>;
  /**
   * Opens a TCP connection to `dst` (a peer's HBONE port, a pod, or an outside address).
   * `from`: the original client, for a delivery to a pod on this node — a network that
   * can (eBPF) makes the connection from that address, so the pod sees its real client;
   * others connect from the node.
   */
  connect(dst: Address, signal?: AbortSignal, from?: Address): Promise<Socket>;
}
