// The pooling key of HBONE connections: (source identity, destination identity,
// destination address). Streams of different keys never share a connection. Pure.
import { spiffeUri, type Identity } from '../../api/identity.js';
import { formatHostPort, type SocketAddress } from './socket-address.js';

export function poolKey(src: Identity, dst: Identity, dstAddress: SocketAddress): string {
  return `${spiffeUri(src)} ${spiffeUri(dst)} ${formatHostPort(dstAddress)}`;
}
