// IP addresses and ip:port pairs as HBONE writes them: canonical IP text (IPv4 dotted
// quad, IPv6 compressed lower-case, IPv4-mapped IPv6 folded to IPv4) and host:port with
// IPv6 in brackets. Pure.
import { isIP, isIPv4 } from 'node:net';

export interface SocketAddress {
  ip: string;
  port: number;
}

const MAPPED_DOTTED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/;
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * Canonical text of an IP address, or undefined when `ip` is not one. Zone ids
 * (fe80::1%eth0) are refused: they mean nothing on another node.
 */
export function normalizeIp(ip: string): string | undefined {
  if (isIPv4(ip)) return ip;
  if (isIP(ip) !== 6 || ip.includes('%')) return undefined;
  const lower = ip.toLowerCase();
  const dotted = MAPPED_DOTTED.exec(lower);
  if (dotted && isIPv4(dotted[1]!)) return dotted[1]!;
  const canonical = new URL(`http://[${lower}]/`).hostname.slice(1, -1);
  const hex = MAPPED_HEX.exec(canonical);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return canonical;
}

/** `1.2.3.4:80`, `[::1]:80`. */
export function formatHostPort(addr: SocketAddress): string {
  return isIP(addr.ip) === 6 ? `[${addr.ip}]:${addr.port}` : `${addr.ip}:${addr.port}`;
}

const PORT_RE = /^[0-9]{1,5}$/;

/** A decimal port 1..65535 (no sign, no spaces), else undefined. */
export function parsePort(text: string): number | undefined {
  if (!PORT_RE.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}
