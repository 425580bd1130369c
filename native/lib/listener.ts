// Listening sockets made natively (Node cannot set IP_TRANSPARENT), for Node to adopt
// with `server.listen({ fd })`. The accepted sockets' localAddress/localPort are the
// connections' original destination.
import { isIPv4 } from 'node:net';
import type { NativeBinding } from './binding.js';
import { check } from './errors.js';

export interface ListenerOptions {
  /** Network namespace to create the socket in (/run/netns/NAME, /proc/PID/ns/net); default: ours. */
  netns?: string;
  /** listen(2) backlog; default 511 (as Node). */
  backlog?: number;
}

export function listenerFd(native: NativeBinding, ip: string, port: number, transparent: boolean, opts: ListenerOptions = {}): number {
  if (!isIPv4(ip)) throw new RangeError(`listener address must be IPv4, got ${JSON.stringify(ip)}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`invalid port ${port}`);
  const backlog = opts.backlog ?? 511;
  if (!Number.isInteger(backlog) || backlog < 1) throw new RangeError(`invalid backlog ${backlog}`);
  const netns = opts.netns ?? '';
  return check(native.listen(ip, port, backlog, transparent, netns), transparent ? 'AMBIT_ERR_TRANSPARENT_LISTENER' : 'AMBIT_ERR_NATIVE',
    () => `${transparent ? 'transparent ' : ''}listener on ${ip}:${port}${netns ? ` in ${netns}` : ''}`);
}
