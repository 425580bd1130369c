// A plain TCP hop from an accepted socket to `target` (passthrough, a same-node pod, or a
// pod behind the plaintext inbound), relayed until both sides end; a failed connect
// resets the accepted socket.
import type { Socket } from 'node:net';
import type { Address, DaemonNetwork } from '../network/network.js';
import type { ConnectionRecord } from './connection-record.js';
import { abort, relay } from './relay.js';

/** `from`: the original client, kept as the source when `target` is a pod on this node (see DaemonNetwork.connect). */
export async function directHop(network: DaemonNetwork, target: Address, socket: Socket, record: ConnectionRecord, from?: Address): Promise<void> {
  socket.pause();
  let upstream: Socket;
  try {
    upstream = await network.connect(target, undefined, from);
  } catch (err) {
    record.failed('CONNECT', err instanceof Error ? err.message : String(err));
    abort(socket);
    return;
  }
  record.opened(socket);
  record.closed(await relay(socket, upstream));
}
