// The CONNECT `:authority` of an HBONE stream: always `<ip>:<port>` (IPv6 in brackets),
// never a host name. Parsing is strict; the check that the authority's IP is the
// address the connection was accepted on is a separate pure function so a waypoint
// can swap it. Pure.
import { normalizeIp, parsePort, type SocketAddress } from './socket-address.js';

/** Decide whether `authority` may be served on a connection accepted at `localAddress`. */
export type AuthorityAllowed = (authority: SocketAddress, localAddress: string) => boolean;

const V4_RE = /^([0-9.]+):([^:]*)$/;
const V6_RE = /^\[([0-9A-Fa-f:.]+)\]:(.*)$/;

/** `10.0.0.1:80` or `[fd00::1]:80` → {ip (canonical), port}; anything else → undefined. */
export function parseAuthority(value: string | undefined): SocketAddress | undefined {
  if (value === undefined) return undefined;
  const m = V4_RE.exec(value) ?? V6_RE.exec(value);
  if (!m) return undefined;
  const bracketed = value.startsWith('[');
  const ip = normalizeIp(m[1]!);
  const port = parsePort(m[2]!);
  if (ip === undefined || port === undefined) return undefined;
  // A bare IPv6 literal must be bracketed, and a bracketed one must really be IPv6.
  if (bracketed !== m[1]!.includes(':')) return undefined;
  return { ip, port };
}

/**
 * The default rule (ztunnel's): the tunnel may only reach the pod whose address the
 * connection was accepted on, so a client cannot use one pod's identity to reach another.
 */
export const authorityMatchesLocal: AuthorityAllowed = (authority, localAddress) => {
  const local = normalizeIp(localAddress);
  return local !== undefined && normalizeIp(authority.ip) === local;
};
