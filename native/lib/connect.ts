// Connections whose source is the original client's address rather than the node's
// (IP_TRANSPARENT, which Node cannot set): how the daemon delivers a connection to a pod
// on its node so the pod sees who really connected. The connect runs on a libuv worker
// thread; the resolved fd is adopted by Node with `new net.Socket({ fd })`.
import { isIPv4 } from 'node:net';
import type { NativeBinding } from './binding.js';
import { NativeError } from './errors.js';

export interface ConnectFromOptions {
  /** Give up connecting after this long (ETIMEDOUT); default 5000 ms. */
  timeoutMs?: number;
}

export function connectFromFd(native: NativeBinding, srcIp: string, dstIp: string, dstPort: number, opts: ConnectFromOptions = {}): Promise<number> {
  if (!isIPv4(srcIp) || !isIPv4(dstIp)) return Promise.reject(new RangeError(`connectFrom needs IPv4 addresses, got ${srcIp} → ${dstIp}`));
  if (!Number.isInteger(dstPort) || dstPort < 1 || dstPort > 65535) return Promise.reject(new RangeError(`invalid port ${dstPort}`));
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const operation = `connect from ${srcIp} to ${dstIp}:${dstPort}`;
  return new Promise((resolve, reject) => {
    const queued = native.connectFrom(srcIp, dstIp, dstPort, timeoutMs, (rc) => {
      if (rc >= 0) resolve(rc);
      else reject(new NativeError('AMBIT_ERR_TRANSPARENT_CONNECT', operation, rc));
    });
    if (queued < 0) reject(new NativeError('AMBIT_ERR_TRANSPARENT_CONNECT', operation, queued));
  });
}
