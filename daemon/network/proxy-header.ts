// PROXY protocol v1 lines ("PROXY TCP4 <src> <dst> <sport> <dport>\r\n"), used by the
// loopback network to tell a listener the original addresses of a connection.
import type { ConnectionAddresses } from './network.js';
import { isIP } from 'node:net';

export const MAX_HEADER = 107; // the protocol's own limit

export function formatProxyHeader(a: ConnectionAddresses): string {
  const family = isIP(a.src.ip) === 6 ? 'TCP6' : 'TCP4';
  return `PROXY ${family} ${a.src.ip} ${a.dst.ip} ${a.src.port} ${a.dst.port}\r\n`;
}

/** Parses one header line (without \r\n); undefined when malformed. */
export function parseProxyHeader(line: string): ConnectionAddresses | undefined {
  const m = /^PROXY (TCP4|TCP6) (\S+) (\S+) (\d{1,5}) (\d{1,5})$/.exec(line);
  if (!m) return undefined;
  const [, family, srcIp = '', dstIp = '', sport = '', dport = ''] = m;
  const want = family === 'TCP4' ? 4 : 6;
  if (isIP(srcIp) !== want || isIP(dstIp) !== want) return undefined;
  const srcPort = Number(sport);
  const dstPort = Number(dport);
  if (srcPort > 65535 || dstPort > 65535) return undefined;
  return { src: { ip: srcIp, port: srcPort }, dst: { ip: dstIp, port: dstPort } };
}
