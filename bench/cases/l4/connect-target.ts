// Opens a client connection to a Target: a plain loopback connect, or a connection
// "from" a pod through this process's copy of the fabric (captured by the pod's node
// daemon, PROXY line first), exactly as the mesh tests connect.
import net, { type Socket } from 'node:net';
import type { LoopbackFabric } from '../../../daemon/network/loopback-network.js';
import type { Target } from './messages.js';

let nextSourcePort = 0;

/** A fresh source port for a pod's virtual connection (32768..60999, like the kernel's range). */
function sourcePort(): number {
  nextSourcePort = (nextSourcePort + 1) % 28_000;
  return 32_768 + nextSourcePort;
}

export function connectTarget(target: Target, fabric: LoopbackFabric | undefined): Promise<Socket> {
  if (target.via === 'fabric') {
    if (!fabric) return Promise.reject(new Error('no fabric table received yet'));
    return fabric.connect({ ip: target.src.ip, port: sourcePort() }, target.dst);
  }
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: target.host ?? '127.0.0.1', port: target.port });
    sock.setNoDelay(true);
    sock.once('error', reject);
    sock.once('connect', () => {
      sock.off('error', reject);
      resolve(sock);
    });
  });
}
