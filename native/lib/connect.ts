// Sockets whose source is the original client's address rather than the node's
// (IP_TRANSPARENT, which Node cannot set): how the daemon delivers a connection to a pod
// on its node so the pod sees who really connected. The addon makes and binds the socket;
// Node adopts the fd and connects it itself (`new net.Socket({ fd }).connect(...)`), so
// connecting costs what any Node connect costs and errors are Node's usual ones.
import { isIPv4 } from 'node:net';
import type { NativeBinding } from './binding.js';
import { check } from './errors.js';

export function boundSocketFd(native: NativeBinding, srcIp: string): number {
  if (!isIPv4(srcIp)) throw new RangeError(`a transparent source must be IPv4, got ${JSON.stringify(srcIp)}`);
  return check(native.bindFrom(srcIp), 'AMBIT_ERR_TRANSPARENT_CONNECT', `socket bound to ${srcIp} (IP_TRANSPARENT)`);
}
